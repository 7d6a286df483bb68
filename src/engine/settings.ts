// The worker's check of every setting the user can change (the limits live in protocol.ts, so
// the UI shows the same ones): a value outside its range is refused with a message and changes nothing.

import {
  checkRange,
  SAMPLE_LIMITS,
  TRAIN_LIMITS,
  type Range,
  type SampleSettings,
  type TrainSettings,
} from './protocol';

/** The message of the first value outside its range, or null when all are fine. */
function firstProblem<K extends string>(values: Record<K, number>, limits: Record<K, Range>): string | null {
  for (const key of Object.keys(limits) as K[]) {
    const problem = checkRange(values[key], limits[key]);
    if (problem) return problem;
  }
  return null;
}

export function validateTrainSettings(s: TrainSettings): string | null {
  return firstProblem(s as unknown as Record<keyof TrainSettings, number>, TRAIN_LIMITS);
}

export function validateSampleSettings(s: SampleSettings, vocabSize: number): string | null {
  const problem = firstProblem(s as unknown as Record<keyof SampleSettings, number>, SAMPLE_LIMITS);
  if (problem) return problem;
  if (s.topK >= vocabSize)
    return `Top-k must be smaller than the vocabulary (${vocabSize} tokens); use 0 for no limit.`;
  return null;
}
