// The settings every RL method reads: one record, so the trainer, the form and a saved session
// agree on what a run was. Their ranges and labels live with the engine's other settings.

/**
 * The ways to tune the policy: PPO and its alternatives on the same rollouts, DPO/IPO/KTO on the same clicks,
 * and ILQL offline on the labelled answers with the reward model's scores.
 */
export type RlAlgorithm = 'ppo' | 'reinforce' | 'rloo' | 'grpo' | 'bestOfN' | 'dpo' | 'ipo' | 'kto' | 'ilql';

/** RL fine-tuning settings; defaults near TRL's, tuned so effects show in minutes on the default model. */
export interface RlSettings {
  algorithm: RlAlgorithm;
  /** Samples per prompt for RLOO and GRPO, and n for best-of-n. */
  groupSize: number;
  learningRate: number;
  /** KL coefficient beta (the starting value when adaptive). */
  beta: number;
  klEstimator: 'k1' | 'k3';
  adaptiveKl: boolean;
  /** Target KL per response (nats) and horizon of the adaptive controller. */
  targetKl: number;
  klHorizon: number;
  clipRange: number;
  clipRangeValue: number;
  vfCoef: number;
  gamma: number;
  lambda: number;
  /** PPO epochs over each batch of rollouts, and minibatches per epoch. */
  epochs: number;
  minibatches: number;
  /** Rollouts per iteration (a fixed shape; a multiple of minibatches). */
  batchSize: number;
  responseLength: number;
  temperature: number;
  entropyCoef: number;
  /** Subtracted from the score of a response that never emitted EOS (0 = no penalty). */
  missingEosPenalty: number;
  whitenRewards: boolean;
  /** The value head: a copy of the reward model, or a zero-initialised head on the policy. */
  valueInit: 'reward' | 'policy';
  /** ILQL (its discount is gamma above): V's expectile of Q, the CQL and AWAC weights, the target heads' Polyak rate, decoding's beta. */
  ilqlTau: number;
  ilqlCqlScale: number;
  ilqlAwacScale: number;
  ilqlAlpha: number;
  ilqlBeta: number;
  /** ILQL's gradient steps per iteration, each on its own batch of the dataset. */
  ilqlSteps: number;
}
