// The shapes of the settings the user can change (their records, with defaults and ranges, are in
// settingsRegistry.ts and rlSettingsRegistry.ts) and the limits of single requests.
// protocol.ts re-exports all of it, so the UI still imports only protocol.ts.

import type { LabelerSpec } from '../data/labelers';
import type { Range } from './settingRecord';

export type { RlAlgorithm, RlSettings } from '../rlhf/rlSettings';
export { checkRange, type Range } from './settingRecord';

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

/** How the next pair to judge is picked from freshly sampled candidates. */
export type Acquisition = 'random' | 'uncertain' | 'ensemble';
/** How pairs are made: the sampling temperature of each side, the acquisition rule, the ranking size. */
export interface PairSettings {
  temperatureLeft: number;
  temperatureRight: number;
  acquisition: Acquisition;
  /** Completions per ranking in ranking mode (3 to 6). */
  rankK: number;
}

/** Reward-model training settings the user can change. */
export interface RewardSettings {
  learningRate: number;
  batchSize: number; // pairs per step (a fixed shape)
  epochs: number; // passes over the training split for "Train on all labels"
  margin: number; // asks r_chosen - r_rejected to exceed this
  centering: number; // c in c * mean((r_c + r_r)^2)
  ties: 'half' | 'drop';
  /** How ratings teach: as pairs of answers with a margin from the rating gap, or each rating on its own. */
  ratingLoss: 'pairs' | 'pointwise';
  /** Train a few steps after each new label (off: labels are only saved; live mode can pause the reward model). */
  learnOnLabel: boolean;
}

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

/** The strategies of the feedback-kind comparison: one kind of question each, or "adaptive". */
export type FeedbackStrategy = 'pairs' | 'rankings' | 'ratings' | 'corrections' | 'adaptive';
/** Seconds a person spends on one question of each kind (a ranking is of 4 answers; a rating is a thumb). */
export interface FeedbackCosts {
  pair: number;
  ranking: number;
  rating: number;
  correction: number;
}
export const FEEDBACK_COST_DEFAULTS: FeedbackCosts = { pair: 3, ranking: 8, rating: 2, correction: 15 };
export const FEEDBACK_COST: Range = { min: 0.5, max: 120, label: 'Seconds per question' };
/** Seconds of labelling each strategy of the feedback-kind comparison spends. */
export const FEEDBACK_SECONDS: Range = {
  min: 20,
  max: 1200,
  integer: true,
  label: 'Seconds of labelling per strategy',
};

/** How many labels one acquisition comparison collects per strategy. */
export const ACQUISITION_LABELS: Range = { min: 10, max: 200, integer: true, label: 'Labels per strategy' };

/** How many steps one "train the reward model" request may ask for. */
export const REWARD_STEPS: Range = { min: 1, max: 5000, integer: true, label: 'Reward training steps' };

/** How many pairs one auto-label request may ask a simulated annotator for. */
export const AUTO_LABEL_PAIRS: Range = { min: 1, max: 1000, integer: true, label: 'Pairs to label' };
/** "Fine-tune on my demonstrations": fine-tuning steps per press. */
export const DEMONSTRATION_STEPS: Range = { min: 1, max: 1000, integer: true, label: 'Fine-tuning steps' };
export const DEMONSTRATION_STEPS_DEFAULT = 40;

/** How many iterations one beta of a sweep may run, and how many betas. */
export const SWEEP_ITERATIONS: Range = { min: 1, max: 500, integer: true, label: 'Iterations per run' };
export const MAX_SWEEP_RUNS = 4;

/** A session's name: what the list shows and the key it is stored under. */
export const SESSION_NAME_MAX = 80;
