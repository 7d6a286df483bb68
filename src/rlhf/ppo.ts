// One iteration of PPO for RLHF, top to bottom (Ziegler et al. 2019; Ouyang et al. 2022; the
// order of operations follows Hugging Face TRL's PPOTrainer and "The N Implementation Details of
// RLHF with PPO", Huang et al. 2024):
//   1. rollouts: the policy answers a batch of prompts at temperature T;
//   2. scoring: the reward model scores each prompt + answer (normalised; a missing <eos> can cost a penalty);
//   3. per-token rewards: -beta * KL_t against the frozen reference, plus the score on the last token;
//   4. advantages: GAE over the response, whitened over valid tokens; returns = advantages + values;
//   5. update: several epochs over shuffled minibatches of the clipped surrogate and clipped value loss.
// Everything stays on the GPU until the end, where the metrics and the panels' token details are
// read back together (with the rollout's own read, two reads per iteration). Steps 1, 2 and the
// minibatch loop of 5 are shared with groupMethods.ts (iterationSteps.ts), and so is the read at
// the end (iterationIO.ts); this file holds what is PPO's own: rewards, GAE and the PPO losses.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad, type Weights } from '../model/params';
import type { AdamW } from '../model/adamw';
import type { RlSettings } from './rlSettings';
import { klPerToken } from './kl';
import { klPenalisedRewards } from './rewards';
import { gae } from './gae';
import { maskedVar, whiten } from './whiten';
import { ppoLoss, tokenClipInfo, type PpoLossOptions } from './ppoLoss';
import { responseOutputs, type Rollout } from './rollout';
import {
  answerPrompts,
  gatherRows,
  minibatchEpochs,
  normalisedScores,
  sampledOutputs,
  type MinibatchKept,
  type MinibatchRows,
  type SampledRollouts,
} from './iterationSteps';
import {
  displayOf,
  packScalars,
  readIteration,
  replaceScalars,
  scatterStack,
  type ScatterPoint,
  type TokenDetail,
  type TopDetail,
} from './iterationIO';

export type { TopK } from './iterationIO';

export interface PpoModels {
  policy: GPT;
  /** The frozen fine-tuned model: the KL anchor. */
  reference: GPT;
  reward: GPT;
  /** A separate value model (initialised from the reward model), or null for the policy's own scalar head. */
  value: GPT | null;
}

export interface PpoOptimizers {
  policy: AdamW;
  value: AdamW | null;
}

export interface PpoInputs {
  models: PpoModels;
  optimizers: PpoOptimizers;
  settings: RlSettings;
  /** The KL coefficient for this iteration (fixed, or from the adaptive controller). */
  beta: number;
  /** Prompt token ids (<bos> prompt <sep>), one per rollout. */
  promptIds: number[][];
  /** r' = (r - mean) / std: the reward model's normalisation on the fine-tuned model's answers. */
  normalization: { mean: number; std: number };
  seed: number;
  /** How many rollouts to report token by token. */
  detailRows: number;
}

/** Batch-level metrics (TRL's names are given in protocol.ts's RlMetricPoint). */
export interface PpoStats {
  kl: number;
  entropy: number;
  nonScore: number;
  score: number;
  rlhfReward: number;
  approxKl: number;
  clipFrac: number;
  pgLoss: number;
  vfLoss: number;
  vfClipFrac: number;
  ratioMean: number;
  ratioVar: number;
  explainedVariance: number;
  responseLength: number;
}

export interface PpoIterationResult {
  rollout: Rollout;
  stats: PpoStats;
  /** Normalised (and penalised) score of each rollout. */
  scores: number[];
  /** Per display row and response position: KL, advantage, ratio after the update, clipped. */
  tokens: TokenDetail[];
  /** Top-5 next-token ids and probabilities per display row and position: before, after, reference. */
  top: TopDetail[];
  scatter: ScatterPoint[];
}

/** The update's metrics, packed per minibatch in this order (TRL's names are given in protocol.ts's RlMetricPoint). */
const UPDATE_METRICS = ['approxKl', 'clipFrac', 'pgLoss', 'vfLoss', 'vfClipFrac', 'ratioMean', 'ratioVar'] as const;
/** What a separate value model's step measures: it replaces the policy step's (constant) value entries. */
const VALUE_METRICS = ['vfLoss', 'vfClipFrac'] as const;
/** Statistics of the batch before the update. */
const BATCH_STATS = ['kl', 'entropy', 'nonScore', 'score', 'explainedVariance', 'responseLength'] as const;

/**
 * The tensors the update learns from, fixed before it, one row per rollout: the whole batch
 * (B rows), or one minibatch gathered from it (B / minibatches rows).
 */
export interface PpoRows {
  /** Prompt + response token ids, [rows, Tp + N]. */
  ids: tf.Tensor2D;
  /** 1 on the response tokens that count, [rows, N]. */
  mask: tf.Tensor2D;
  /** log pi_old(a_t) at sampling time, [rows, N]. */
  oldLogp: tf.Tensor2D;
  /** V_old(s_t) at sampling time, masked, [rows, N]. */
  oldValues: tf.Tensor2D;
  /** GAE advantages, whitened over the valid tokens and masked, [rows, N]. */
  advantages: tf.Tensor2D;
  /** The value head's targets: GAE advantages (before whitening) + old values, [rows, N]. */
  returns: tf.Tensor2D;
}

/** The value estimate at sampling time, masked: the separate value model's, or else the policy's own head. */
function oldValuesOf(value: GPT | null, sampled: SampledRollouts, r: Rollout, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const values = value
      ? responseOutputs(value.weights(), value, sampled.ids, r.pads, r.Tp, r.N, temperature).values
      : sampled.headValues;
    return tf.mul(values, sampled.mask) as tf.Tensor2D;
  });
}

/** Step 3, r_t = -beta * KL_t + score on the last valid token (rewards.ts), optionally whitened; nonScore is the KL part. */
function perTokenRewards(sampled: SampledRollouts, scores: tf.Tensor1D, s: RlSettings, beta: number) {
  return tf.tidy(() => {
    const kl = tf.mul(klPerToken(sampled.oldLogp, sampled.refLogp, s.klEstimator), sampled.mask) as tf.Tensor2D;
    const penalised = klPenalisedRewards(kl, scores, sampled.mask, beta);
    const rewards = s.whitenRewards ? whiten(penalised.rewards, sampled.mask, false) : penalised.rewards;
    return { kl, nonScore: penalised.nonScore, rewards };
  });
}

/** Step 4, GAE (gae.ts, Schulman et al. 2016): A_t over the response and returns = A + V; A whitened over valid tokens. */
function advantagesAndReturns(
  rewards: tf.Tensor2D,
  oldValues: tf.Tensor2D,
  sampled: SampledRollouts,
  s: RlSettings,
): PpoRows {
  return tf.tidy(() => {
    const { ids, mask, oldLogp } = sampled;
    const { advantages, returns } = gae(rewards, oldValues, mask, s.gamma, s.lambda);
    return {
      ids,
      mask,
      oldLogp,
      oldValues,
      advantages: tf.mul(whiten(advantages, mask), mask) as tf.Tensor2D,
      returns,
    };
  });
}

/** Explained variance of the value head: 1 - Var(R - V) / Var(R) over valid tokens. */
function explainedVariance(returns: tf.Tensor2D, values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.sub(
    1,
    tf.div(maskedVar(tf.sub(returns, values), mask, false), tf.add(maskedVar(returns, mask, false), 1e-8)),
  ) as tf.Scalar;
}

/** The batch's statistics before the update, packed in BATCH_STATS order. */
function batchStatistics(
  batch: PpoRows,
  sampled: SampledRollouts,
  scores: tf.Tensor1D,
  rewards: { kl: tf.Tensor2D; nonScore: tf.Tensor2D },
) {
  return tf.tidy(() =>
    packScalars(BATCH_STATS, {
      kl: tf.mean(tf.sum(rewards.kl, 1)),
      entropy: tf.mean(tf.sum(tf.mul(sampled.entropy, batch.mask), 1)),
      nonScore: tf.mean(tf.sum(rewards.nonScore, 1)),
      score: tf.mean(scores),
      explainedVariance: explainedVariance(batch.returns, batch.oldValues, batch.mask),
      responseLength: tf.mean(tf.sum(batch.mask, 1)),
    }),
  );
}

/** Step 5 on one minibatch: a policy step on PPO's loss (ppoLoss.ts), then, when it is separate, the value model's step. */
function ppoMinibatch(inp: PpoInputs, r: Rollout, batch: PpoRows, rows: MinibatchRows): MinibatchKept {
  const { models, settings: s } = inp;
  const minibatch = gatherRows(batch, rows.idx);
  const outputsOf = (w: Weights, model: GPT) =>
    responseOutputs(w, model, minibatch.ids, rows.pads, r.Tp, r.N, s.temperature);
  const lossOptions: PpoLossOptions = {
    clipEps: s.clipRange,
    clipEpsValue: s.clipRangeValue,
    vfCoef: models.value ? 0 : s.vfCoef,
    entCoef: s.entropyCoef,
  };
  const kept: { metrics?: tf.Tensor1D; scatter?: tf.Tensor; valueMetrics?: tf.Tensor1D } = {};
  const policyStep = lossAndFlatGrad(models.policy.flat, models.policy.layout, (w) => {
    const now = outputsOf(w, models.policy);
    const values = models.value ? minibatch.oldValues : now.values;
    const o = ppoLoss({ ...minibatch, logp: now.logp, values, entropy: now.entropy }, lossOptions);
    kept.metrics = tf.keep(packScalars(UPDATE_METRICS, o));
    if (rows.isLast) {
      const { ratio, clipped } = tokenClipInfo(now.logp, minibatch.oldLogp, minibatch.advantages, s.clipRange);
      kept.scatter = tf.keep(scatterStack({ advantage: minibatch.advantages, ratio, clipped, mask: minibatch.mask }));
    }
    return o.loss;
  });
  inp.optimizers.policy.update(models.policy.flat, policyStep.grad, s.learningRate);
  const scatter = kept.scatter ?? null;
  const value = models.value,
    valueOpt = inp.optimizers.value;
  if (!value || !valueOpt) return { metrics: kept.metrics!, scatter };

  // The separate value model learns the clipped value loss on its own.
  const valueStep = lossAndFlatGrad(value.flat, value.layout, (w) => {
    const now = outputsOf(w, value);
    const o = ppoLoss({ ...minibatch, logp: minibatch.oldLogp, values: now.values }, { ...lossOptions, vfCoef: 1 });
    kept.valueMetrics = tf.keep(packScalars(VALUE_METRICS, o));
    return tf.mul(o.vfLoss, s.vfCoef) as tf.Scalar;
  });
  valueOpt.update(value.flat, valueStep.grad, s.learningRate);
  const metrics = replaceScalars(kept.metrics!, UPDATE_METRICS, kept.valueMetrics!, VALUE_METRICS);
  tf.dispose([kept.metrics!, kept.valueMetrics!]);
  return { metrics, scatter };
}

export async function ppoIteration(inp: PpoInputs): Promise<PpoIterationResult> {
  const { models, settings: s } = inp;
  const B = inp.promptIds.length;
  if (B % s.minibatches !== 0)
    throw new Error(`the rollouts (${B}) must split evenly into ${s.minibatches} minibatches`);

  // 1. Rollouts: the policy answers each prompt (the only read before the update); the policy,
  //    the reference and the value model read the answers back, once, before any update.
  const r = await answerPrompts(models.policy, inp.promptIds, s.responseLength, s.temperature, inp.seed);
  const sampled = sampledOutputs(models.policy, models.reference, r, s.temperature);
  const oldValues = oldValuesOf(models.value, sampled, r, s.temperature);
  // 2. Scoring: the reward model's normalised score of each answer, minus the missing-<eos> penalty.
  const scores = normalisedScores(models.reward, r, inp.normalization, s.missingEosPenalty);
  // 3. Per-token rewards: -beta * KL_t against the frozen reference, plus the score on the last token.
  const rewards = perTokenRewards(sampled, scores, s, inp.beta);
  // 4. Advantages: GAE over the response, whitened over valid tokens; returns = advantages + values.
  const batch = advantagesAndReturns(rewards.rewards, oldValues, sampled, s);
  const batchStats = batchStatistics(batch, sampled, scores, rewards);
  // 5. Update: epochs over shuffled minibatches of the clipped surrogate and the clipped value loss.
  const plan = { groups: B, groupSize: 1, minibatches: s.minibatches, epochs: s.epochs, seed: inp.seed, pads: r.pads };
  const update = minibatchEpochs(plan, (rows) => ppoMinibatch(inp, r, batch, rows));

  // After the update: the metrics, the scores and the panels' token details, in one read.
  const read = await readIteration({
    update,
    metricNames: UPDATE_METRICS,
    batchStats,
    statNames: BATCH_STATS,
    perRollout: [scores],
    display: displayOf(models.policy, r, sampled, Math.min(inp.detailRows, B), s, {
      advantages: batch.advantages,
      kl: rewards.kl,
    }),
    minibatchRows: B / s.minibatches,
  });
  tf.dispose([...Object.values(sampled), oldValues, scores, rewards, ...Object.values(batch), batchStats]);

  const stats = read.stats;
  return {
    rollout: r,
    stats: { ...stats, rlhfReward: stats.score + stats.nonScore, ...read.metrics },
    scores: read.perRollout[0],
    tokens: read.tokens,
    top: read.top,
    scatter: read.scatter,
  };
}
