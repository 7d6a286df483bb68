// The shape of an explanation, and the part of the page state its live hint may read.
// Explanations are plain data plus one pure function, so they can be tested in Node without Svelte.

import type { Demonstration } from '../../data/demonstrations';
import type {
  BeforeAfter,
  MetricPoint,
  PairSettings,
  RewardDiagnostics,
  RewardMetricPoint,
  RlDetail,
  RlMetricPoint,
  RlState,
  StageId,
  TrainableStage,
} from '../../engine/protocol';
import type { Verdict } from '../../data/preferences';
import type { Rating } from '../../data/ratings';

/**
 * What the "what to look for now" sentences may read. Every field is optional: a panel passes what
 * it has (the whole PlaygroundState fits this shape, and so does a hand-made object in a test).
 */
export interface LiveState {
  /** Non-null once the worker has described a model. */
  model?: unknown;
  loading?: boolean;
  stages?: Partial<Record<TrainableStage, { metrics: readonly MetricPoint[] }>>;
  comparisons?: readonly { verdict: Verdict }[];
  /** The reward model's P(chosen > rejected), one per comparison, same order. */
  pChosen?: readonly number[];
  pairSettings?: PairSettings | null;
  /** The rating desk's ratings (as many as the page holds). */
  rating?: { ratings: readonly Pick<Rating, 'prompt' | 'scale' | 'value' | 'annotator'>[] };
  rewardSettings?: { ratingLoss: 'pairs' | 'pointwise' } | null;
  /** The writing desk's demonstrations and the last fine-tuning on them. */
  writing?: {
    demonstrations: readonly Pick<Demonstration, 'source'>[];
    fit: { before: number; after: number; steps: number } | null;
  };
  rewardMetrics?: readonly RewardMetricPoint[];
  rewardDiagnostics?: RewardDiagnostics | null;
  probe?: { reward: number; raw: number; unknownWords: string[] } | null;
  labelerSettings?: { goldLabeler: string | null } | null;
  rlState?: RlState | null;
  rlMetrics?: readonly RlMetricPoint[];
  rlDetail?: RlDetail | null;
  beforeAfter?: BeforeAfter | null;
}

/** The ids of the "How this works" boxes: one per stage, and one per main chart or panel. */
export type ExplainId =
  | StageId
  | 'pretrain-loss'
  | 'sft-loss'
  | 'preferences-pair'
  | 'preferences-table'
  | 'preferences-rating'
  | 'preferences-writing'
  | 'reward-loss'
  | 'reward-margins'
  | 'reward-calibration'
  | 'reward-probe'
  | 'rl-kl'
  | 'rl-diversity'
  | 'rl-beta'
  | 'rl-rewards'
  | 'rl-overopt'
  | 'rl-ppo'
  | 'rl-dpo'
  | 'rl-ilql'
  | 'rl-tokens'
  | 'rl-clipping'
  | 'rl-before-after';

export interface Explanation {
  id: ExplainId;
  stage: StageId;
  /** A few words naming what is explained (shown in the box's summary). */
  title: string;
  /** Two to four sentences a first-year student can follow. */
  text: string;
  /** KaTeX source. Always a constant written here: it is rendered as HTML. */
  formula: string;
  /** One sentence about the numbers on screen now. */
  lookFor: (s: LiveState) => string;
}
