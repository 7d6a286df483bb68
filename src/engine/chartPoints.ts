// The points the charts draw: streamed by the worker in metric events, and saved whole in a
// session file as the page's chart histories (SessionUi). protocol.ts re-exports all of it.

import type { Acquisition, FeedbackStrategy, RlAlgorithm, TrainableStage } from './settingRanges';

export interface MetricPoint {
  step: number;
  trainLoss: number;
  heldoutLoss: number | null; // measured every few steps
  tokensPerSecond: number;
  learningRate: number;
  msPerStep: number;
}

/** Held-out numbers are shown from this many held-out pairs on; fewer swing from 0% to 100% by chance. */
export const HELD_OUT_SHOWN_FROM = 5;

export interface RewardMetricPoint {
  step: number;
  labels: number; // comparisons collected when measured
  trainLoss: number;
  heldoutLoss: number | null;
  heldoutAccuracy: number | null;
  /** How many held-out pairs the two numbers above rest on (0 or absent when not measured). */
  heldoutCount?: number;
}

/** One point of the feedback-kind comparison: gold agreement after `seconds` of simulated labelling. */
export interface FeedbackKindPoint {
  strategy: FeedbackStrategy;
  seconds: number;
  accuracy: number;
}

/** One point of the acquisition comparison: held-out accuracy against the gold labeler after `labels` labels. */
export interface AcquisitionPoint {
  strategy: Acquisition;
  labels: number;
  accuracy: number;
}

/** One PPO iteration's metrics, named as TRL names them. */
export interface RlMetricPoint {
  iteration: number;
  'objective/kl': number;
  'objective/entropy': number;
  'objective/non_score_reward': number;
  'objective/rlhf_reward': number;
  'objective/scores': number;
  'policy/approxkl_avg': number;
  'policy/clipfrac_avg': number;
  'loss/policy_avg': number;
  'loss/value_avg': number;
  'val/clipfrac_avg': number;
  'val/ratio': number;
  'val/ratio_var': number;
  'val/explained_variance': number;
  beta: number;
  response_length: number;
  /** Mean gold score of the rollouts under the gold labeler, when one is chosen. */
  gold: number | null;
  msPerIteration: number;
  algorithm: RlAlgorithm;
  /** How varied the iteration's answers were (rlhf/diversity.ts); absent in points saved before they were measured. */
  'diversity/distinct_1'?: number;
  'diversity/distinct_2'?: number;
  'diversity/top_answer_share'?: number;
  /** DPO / IPO / KTO only (TRL's names); the policy's KL and scores above are then measured on fresh samples. */
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  'rewards/accuracies'?: number;
  'logps/chosen'?: number;
  'logps/rejected'?: number;
  'loss/dpo'?: number;
  /** KTO only (the rewards and logps above too, without accuracies): its reference point z0, TRL's 'kl', and its loss. */
  'kto/kl'?: number;
  'loss/kto'?: number;
  /** ILQL only, under trlx's names (losses of the batch before the step; V and Q over its answers' tokens). */
  'losses/loss'?: number;
  'losses/loss_q'?: number;
  'losses/loss_v'?: number;
  'losses/loss_cql'?: number;
  'losses/loss_awac'?: number;
  'values/mean'?: number;
  'values/std'?: number;
  'values/min'?: number;
  'values/max'?: number;
  'qvalues/0/mean'?: number;
  'qvalues/1/mean'?: number;
  'awac_weight/mean'?: number;
}

/** The diversity measures of an RL point. */
export type DiversityKey = 'diversity/distinct_1' | 'diversity/distinct_2' | 'diversity/top_answer_share';

/** What the page drew, so a restored session shows the same charts. */
export interface SessionUi {
  metrics: Record<TrainableStage, MetricPoint[]>;
  rewardMetrics: RewardMetricPoint[];
  rlMetrics: RlMetricPoint[];
  rlRuns: { label: string; points: RlMetricPoint[] }[];
  acquisitionCurve: AcquisitionPoint[];
}
