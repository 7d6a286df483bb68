// The worker's check of every setting the user can change: each value against its record (the
// registries, which the UI's fields use too), then the few rules that tie two settings together.
// Every check returns the first problem as a sentence, or null; a refused change changes nothing.

import {
  checkSettings,
  PAIR_SETTINGS,
  REWARD_SETTINGS,
  RL_SETTINGS,
  SAMPLE_SETTINGS,
  TRAIN_SETTINGS,
  type PairSettings,
  type RewardSettings,
  type RlSettings,
  type SampleSettings,
  type TrainableStage,
  type TrainSettings,
} from './protocol';

export function validateTrainSettings(s: TrainSettings, stage: TrainableStage): string | null {
  return checkSettings(s, TRAIN_SETTINGS[stage]);
}

export function validateSampleSettings(s: SampleSettings, vocabSize: number): string | null {
  const problem = checkSettings(s, SAMPLE_SETTINGS);
  if (problem) return problem;
  if (s.topK >= vocabSize)
    return `Top-k must be smaller than the vocabulary (${vocabSize} tokens); use 0 for no limit.`;
  return null;
}

/** Why pair settings cannot be used (a value out of range, an unknown way to pick), or null. */
export function checkPairSettings(s: PairSettings): string | null {
  return checkSettings(s, PAIR_SETTINGS);
}

export function checkRewardSettings(s: RewardSettings): string | null {
  return checkSettings(s, REWARD_SETTINGS);
}

/** Every RL value against its record, then the batch shapes the methods need. */
export function checkRlSettings(s: RlSettings): string | null {
  const problem = checkSettings(s, RL_SETTINGS);
  if (problem) return problem;
  if (s.batchSize % s.minibatches !== 0)
    return `Rollouts per iteration (${s.batchSize}) must be a multiple of the minibatches (${s.minibatches}).`;
  if (s.algorithm === 'rloo' || s.algorithm === 'grpo') {
    if (s.batchSize % s.groupSize !== 0)
      return `Rollouts per iteration (${s.batchSize}) must be a multiple of the samples per prompt (${s.groupSize}).`;
    if ((s.batchSize / s.groupSize) % s.minibatches !== 0)
      return (
        `The ${s.batchSize / s.groupSize} prompts of an iteration must split evenly into ` +
        `${s.minibatches} minibatches (groups stay whole).`
      );
  }
  return null;
}

/** checkRlSettings for callers that stop on the first problem. */
export function validateRlSettings(s: RlSettings): void {
  const problem = checkRlSettings(s);
  if (problem) throw new Error(problem);
}
