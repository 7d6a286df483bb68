// The settings the user can change, the range of each numeric one and the check both sides use,
// the lists of choices (acquisition rules, RL methods) and the limits of single requests.
// protocol.ts re-exports all of it, so the UI still imports only protocol.ts.

import type { LabelerSpec } from '../data/labelers';
import type { RlAlgorithm, RlSettings } from '../rlhf/rlSettings';

export type { RlAlgorithm, RlSettings } from '../rlhf/rlSettings';

/** The stages of the RLHF pipeline, in order. */
export type StageId = 'pretrain' | 'sft' | 'preferences' | 'reward' | 'rl';
export type TrainableStage = 'pretrain' | 'sft';
export const TRAINABLE_STAGES: TrainableStage[] = ['pretrain', 'sft'];

/** Settings of a training stage that the user can change. */
export interface TrainSettings {
  learningRate: number; // peak learning rate after warmup
  batchSize: number; // sequences per step (fixed shape)
  warmupSteps: number;
  totalSteps: number; // length of the cosine schedule
  weightDecay: number;
  gradClip: number; // max global L2 norm of the gradient
}

/** Settings for the sample completions shown under each stage. */
export interface SampleSettings {
  temperature: number;
  topK: number; // 0 = no top-k filter
}

/** The range of a numeric setting; the UI's fields and the worker's checks both use these. */
export interface Range {
  min: number;
  max: number;
  integer?: boolean;
  minExclusive?: boolean;
  label: string;
}

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

/** The message of the first value of `values` outside its range in `limits`, else null. */
export function checkRanges<K extends string>(
  values: Partial<Record<K, unknown>> | undefined,
  limits: Record<K, Range>,
): string | null {
  for (const key of Object.keys(limits) as K[]) {
    const problem = checkRange(values?.[key], limits[key]);
    if (problem) return problem;
  }
  return null;
}

/** How the next pair to judge is picked from freshly sampled candidates. */
export type Acquisition = 'random' | 'uncertain' | 'ensemble';
export const ACQUISITIONS: { id: Acquisition; label: string }[] = [
  { id: 'random', label: 'Random pairs' },
  { id: 'uncertain', label: 'Least sure (P closest to 0.5)' },
  { id: 'ensemble', label: 'Ensemble disagreement' },
];

/** How pairs are made: the sampling temperature of each side, the acquisition rule, the ranking size. */
export interface PairSettings {
  temperatureLeft: number;
  temperatureRight: number;
  acquisition: Acquisition;
  /** Completions per ranking in ranking mode (3 to 6). */
  rankK: number;
}

export const PAIR_LIMITS: Record<Exclude<keyof PairSettings, 'acquisition'>, Range> = {
  temperatureLeft: { min: 0.1, max: 2, label: 'Left temperature' },
  temperatureRight: { min: 0.1, max: 2, label: 'Right temperature' },
  rankK: { min: 3, max: 6, integer: true, label: 'Completions per ranking' },
};

/** Reward-model training settings the user can change. */
export interface RewardSettings {
  learningRate: number;
  batchSize: number; // pairs per step (a fixed shape)
  epochs: number; // passes over the training split for "Train on all labels"
  margin: number; // asks r_chosen - r_rejected to exceed this
  centering: number; // c in c * mean((r_c + r_r)^2)
  ties: 'half' | 'drop';
  /** Train a few steps after each new label (off: labels are only saved; live mode can pause the reward model). */
  learnOnLabel: boolean;
}

export const REWARD_LIMITS: Record<Exclude<keyof RewardSettings, 'ties' | 'learnOnLabel'>, Range> = {
  learningRate: { min: 0, max: 0.1, minExclusive: true, label: 'Reward learning rate' },
  batchSize: { min: 1, max: 64, integer: true, label: 'Reward batch size' },
  epochs: { min: 1, max: 50, integer: true, label: 'Epochs' },
  margin: { min: 0, max: 5, label: 'Margin' },
  centering: { min: 0, max: 1, label: 'Centring coefficient' },
};

/** How many simulated annotators the panel holds. */
export const MAX_PANEL = 4;

/** Simulated annotators: which one stands for the truth, which ones judge every comparison, and the user's own. */
export interface LabelerSettings {
  /** The labeler whose gold score measures the reward model (and later the policy); null for none. */
  goldLabeler: string | null;
  /** Simulated annotators that also judge every comparison, for the agreement columns. */
  panel: string[];
  /** The user-defined labeler (id 'custom'), usable wherever a built-in one is. */
  custom: LabelerSpec;
}

/** The ways to tune the policy, as the settings form lists them. */
export const RL_ALGORITHMS: { id: RlAlgorithm; label: string }[] = [
  { id: 'ppo', label: 'PPO (clipped, value head, GAE)' },
  { id: 'reinforce', label: 'REINFORCE with a baseline' },
  { id: 'rloo', label: 'RLOO (leave-one-out baseline)' },
  { id: 'grpo', label: 'GRPO (group-normalised advantages)' },
  { id: 'bestOfN', label: 'Best-of-n sampling (no training)' },
  { id: 'dpo', label: 'DPO (straight from the preferences)' },
  { id: 'ipo', label: 'IPO (straight from the preferences)' },
];

export const RL_LIMITS: Record<
  Exclude<keyof RlSettings, 'algorithm' | 'klEstimator' | 'adaptiveKl' | 'whitenRewards' | 'valueInit'>,
  Range
> = {
  groupSize: { min: 2, max: 16, integer: true, label: 'Samples per prompt (k, or n)' },
  learningRate: { min: 0, max: 0.01, minExclusive: true, label: 'RL learning rate' },
  beta: { min: 0, max: 10, label: 'KL coefficient β' },
  targetKl: { min: 0.01, max: 100, label: 'Target KL' },
  klHorizon: { min: 1, max: 1_000_000, integer: true, label: 'KL horizon' },
  clipRange: { min: 0.01, max: 1, label: 'Clip range ε' },
  clipRangeValue: { min: 0.01, max: 10, label: 'Value clip range' },
  vfCoef: { min: 0, max: 10, label: 'Value coefficient' },
  gamma: { min: 0, max: 1, label: 'γ (discount)' },
  lambda: { min: 0, max: 1, label: 'λ (GAE)' },
  epochs: { min: 1, max: 16, integer: true, label: 'PPO epochs' },
  minibatches: { min: 1, max: 16, integer: true, label: 'Minibatches' },
  batchSize: { min: 2, max: 64, integer: true, label: 'Rollouts per iteration' },
  responseLength: { min: 2, max: 48, integer: true, label: 'Response length' },
  temperature: { min: 0.1, max: 2, label: 'Rollout temperature' },
  entropyCoef: { min: 0, max: 1, label: 'Entropy bonus' },
  missingEosPenalty: { min: 0, max: 10, label: 'Missing-EOS penalty' },
};

/** How many labels one acquisition comparison collects per strategy. */
export const ACQUISITION_LABELS: Range = { min: 10, max: 200, integer: true, label: 'Labels per strategy' };

/** How many steps one "train the reward model" request may ask for. */
export const REWARD_STEPS: Range = { min: 1, max: 5000, integer: true, label: 'Reward training steps' };

/** How many pairs one auto-label request may ask a simulated annotator for. */
export const AUTO_LABEL_PAIRS: Range = { min: 1, max: 1000, integer: true, label: 'Pairs to label' };

/** How many iterations one beta of a sweep may run, and how many betas. */
export const SWEEP_ITERATIONS: Range = { min: 1, max: 500, integer: true, label: 'Iterations per run' };
export const MAX_SWEEP_RUNS = 4;

/** A session's name: what the list shows and the key it is stored under. */
export const SESSION_NAME_MAX = 80;
