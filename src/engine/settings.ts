// Limits on every setting the user can change, enforced in the worker (not only in the UI):
// a value outside its range is refused with a message and changes nothing.

import type { SampleSettings, TrainSettings } from './protocol';

interface Range { min: number; max: number; integer?: boolean; minExclusive?: boolean; label: string }

export const TRAIN_LIMITS: Record<keyof TrainSettings, Range> = {
  learningRate: { min: 0, max: 0.1, minExclusive: true, label: 'Learning rate' },
  batchSize: { min: 1, max: 64, integer: true, label: 'Batch size' },
  warmupSteps: { min: 0, max: 100_000, integer: true, label: 'Warmup steps' },
  totalSteps: { min: 1, max: 1_000_000, integer: true, label: 'Schedule length' },
  weightDecay: { min: 0, max: 1, label: 'Weight decay' },
  gradClip: { min: 0, max: 100, label: 'Gradient clip' },
};

export const SAMPLE_LIMITS: Record<keyof SampleSettings, Range> = {
  temperature: { min: 0.1, max: 2, label: 'Temperature' },
  topK: { min: 0, max: 100, integer: true, label: 'Top-k' },
};

/** A message if `value` is outside `r`, else null. */
export function checkRange(value: unknown, r: Range): string | null {
  const low = r.minExclusive ? `above ${r.min}` : `from ${r.min}`;
  const wanted = `${r.label} must be ${r.integer ? 'a whole number ' : 'a number '}${low} to ${r.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${wanted} (got ${String(value)}).`;
  if (r.integer && !Number.isInteger(value)) return `${wanted} (got ${value}).`;
  if (value < r.min || (r.minExclusive && value === r.min) || value > r.max) return `${wanted} (got ${value}).`;
  return null;
}

export function validateTrainSettings(s: TrainSettings): string | null {
  for (const key of Object.keys(TRAIN_LIMITS) as (keyof TrainSettings)[]) {
    const problem = checkRange(s[key], TRAIN_LIMITS[key]);
    if (problem) return problem;
  }
  return null;
}

export function validateSampleSettings(s: SampleSettings, vocabSize: number): string | null {
  for (const key of Object.keys(SAMPLE_LIMITS) as (keyof SampleSettings)[]) {
    const problem = checkRange(s[key], SAMPLE_LIMITS[key]);
    if (problem) return problem;
  }
  if (s.topK >= vocabSize) return `Top-k must be smaller than the vocabulary (${vocabSize} tokens); use 0 for no limit.`;
  return null;
}
