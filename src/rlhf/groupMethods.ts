// RL without a value model: REINFORCE, RLOO and GRPO, one iteration each, in the same shape as
// ppoIteration so that the engine and the panels treat every method alike.
//   1. rollouts: each prompt is answered k times; rows are grouped by prompt (groupAdvantages.ts);
//   2. scoring: the reward model's normalised score, minus the missing-<eos> penalty (as in ppo.ts);
//   3. one advantage per sequence:
//        REINFORCE  s - beta * sum_t KL_t, minus a running baseline (passed in, returned updated);
//        RLOO       the same KL-penalised sequence reward, minus the mean of the other k - 1 in the group
//                   (KL folded into the reward as TRL's RLOOTrainer does; the estimator is settings.klEstimator);
//        GRPO       the raw scores normalised within the group; the KL (k3) goes into the loss instead;
//   4. update: epochs over shuffled minibatches of the clipped surrogate, the sequence advantage
//      applied to every valid token. REINFORCE and RLOO average over valid tokens; GRPO per sequence.
// Minibatches hold whole groups: the groups are shuffled, not the rows, so for RLOO and GRPO the
// advantages inside every minibatch sum to zero and each step pushes up as much as it pushes down.
// That needs (prompts) % minibatches = 0. Reads: the rollout's, and one packed read at the end.
// Steps 1, 2 and the minibatch loop of 4 are shared with ppo.ts (iterationSteps.ts), and so is
// the read at the end (iterationIO.ts); this file holds the methods' own advantages and loss.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad } from '../model/params';
import type { AdamW } from '../model/adamw';
import type { RlSettings } from './rlSettings';
import { klPerToken } from './kl';
import { grpoAdvantages, reinforceAdvantages, rlooAdvantages, updateBaseline } from './groupAdvantages';
import { grpoLoss } from './grpoLoss';
import { clippedSurrogate } from './ppoLoss';
import { maskedMean, maskedVar } from './whiten';
import { responseOutputs, type ResponseOutputs, type Rollout } from './rollout';
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
import { displayOf, packScalars, readIteration, scatterStack } from './iterationIO';
import type { PpoIterationResult } from './ppo';

export type GroupMethod = 'reinforce' | 'rloo' | 'grpo';

export interface GroupSettings extends RlSettings {
  /** k: samples per prompt (>= 2 for RLOO and GRPO; REINFORCE accepts 1). */
  groupSize: number;
  /** REINFORCE's baseline: b <- decay * b + (1 - decay) * mean sequence reward. */
  baselineDecay: number;
}

export const GROUP_DEFAULTS: Pick<GroupSettings, 'baselineDecay'> = { baselineDecay: 0.9 };

export interface GroupInputs {
  method: GroupMethod;
  models: { policy: GPT; reference: GPT; reward: GPT };
  optimizer: AdamW;
  settings: GroupSettings;
  /** The KL coefficient for this iteration. */
  beta: number;
  /** One entry per prompt (<bos> prompt <sep>); each is answered groupSize times. B = prompts * k. */
  promptIds: number[][];
  normalization: { mean: number; std: number };
  seed: number;
  detailRows: number;
  /** REINFORCE's running baseline before this iteration (0 suits normalised scores); ignored otherwise. */
  baseline: number;
}

export interface GroupIterationResult extends PpoIterationResult {
  /** The advantage of each sequence, [B], grouped by prompt. */
  advantages: number[];
  /** The running baseline after this iteration (REINFORCE; the input unchanged otherwise). */
  baseline: number;
}

/** The update's metrics, packed per minibatch in this order. */
const UPDATE_METRICS = ['approxKl', 'clipFrac', 'pgLoss', 'ratioMean', 'ratioVar'] as const;
/** Statistics of the batch before the update (meanSeqReward feeds REINFORCE's baseline). */
const BATCH_STATS = ['kl', 'entropy', 'score', 'responseLength', 'meanSeqReward'] as const;

/**
 * The tensors the update learns from, fixed before it, one row per answer, grouped by prompt:
 * the whole batch (B rows), or one minibatch of whole groups gathered from it.
 */
interface GroupRows {
  /** Prompt + response token ids, [rows, Tp + N]. */
  ids: tf.Tensor2D;
  /** 1 on the response tokens that count, [rows, N]. */
  mask: tf.Tensor2D;
  /** log pi_old(a_t) and log pi_ref(a_t) at sampling time, [rows, N]. */
  oldLogp: tf.Tensor2D;
  refLogp: tf.Tensor2D;
  /** One advantage per answer, [rows]. */
  advantages: tf.Tensor1D;
  /** That advantage on every valid token of the answer, [rows, N]. */
  tokenAdvantages: tf.Tensor2D;
}

/** Step 3: one advantage per answer, by method (groupAdvantages.ts), from the scores and the per-token KL. */
function sequenceAdvantages(inp: GroupInputs, sampled: SampledRollouts, scores: tf.Tensor1D) {
  const { method, settings: s, beta } = inp;
  return tf.tidy(() => {
    const estimator = method === 'grpo' ? 'k3' : s.klEstimator;
    const kl = tf.mul(klPerToken(sampled.oldLogp, sampled.refLogp, estimator), sampled.mask) as tf.Tensor2D;
    const klSum = tf.sum(kl, 1) as tf.Tensor1D;
    // s - beta * sum_t KL_t: the KL-regularised return of a whole sequence (Ziegler et al. 2019; TRL RLOO).
    const seqReward = tf.sub(scores, tf.mul(klSum, beta)) as tf.Tensor1D;
    const advantages =
      method === 'grpo'
        ? grpoAdvantages(scores, s.groupSize)
        : method === 'rloo'
          ? rlooAdvantages(seqReward, s.groupSize)
          : reinforceAdvantages(seqReward, inp.baseline);
    return { kl, klSum, seqReward, advantages };
  });
}

/** The update's loss on one minibatch, by method; pgLoss is the surrogate part alone. */
function groupLoss(
  inp: GroupInputs,
  now: ResponseOutputs,
  minibatch: GroupRows,
  surrogate: { loss: tf.Tensor2D },
): { loss: tf.Scalar; pgLoss: tf.Scalar } {
  const { settings: s } = inp;
  const { mask } = minibatch;
  let loss: tf.Scalar, pgLoss: tf.Scalar;
  if (inp.method === 'grpo') {
    const o = grpoLoss(
      now.logp,
      minibatch.oldLogp,
      minibatch.refLogp,
      minibatch.advantages,
      mask,
      s.clipRange,
      inp.beta,
    );
    loss = o.loss;
    pgLoss = o.pgLoss;
  } else {
    // loss = masked mean over valid tokens of max(-A r_t, -A clip(r_t)), A per sequence (TRL RLOOTrainer).
    loss = pgLoss = maskedMean(surrogate.loss, mask) as tf.Scalar;
  }
  if (s.entropyCoef !== 0) loss = tf.sub(loss, tf.mul(maskedMean(now.entropy, mask), s.entropyCoef)) as tf.Scalar;
  return { loss, pgLoss };
}

/** Step 4 on one minibatch of whole groups: one policy step on the clipped surrogate (or GRPO's loss). */
function groupMinibatch(inp: GroupInputs, r: Rollout, batch: GroupRows, rows: MinibatchRows): MinibatchKept {
  const { models, settings: s } = inp;
  const minibatch = gatherRows(batch, rows.idx);
  const { mask, oldLogp } = minibatch;
  const kept: { metrics?: tf.Tensor1D; scatter?: tf.Tensor } = {};
  const step = lossAndFlatGrad(models.policy.flat, models.policy.layout, (w) => {
    const now = responseOutputs(w, models.policy, minibatch.ids, rows.pads, r.Tp, r.N, s.temperature);
    const perSequence = minibatch.advantages.reshape([-1, 1]) as tf.Tensor2D;
    const surrogate = clippedSurrogate(now.logp, oldLogp, perSequence, s.clipRange);
    const { loss, pgLoss } = groupLoss(inp, now, minibatch, surrogate);
    kept.metrics = tf.keep(
      packScalars(UPDATE_METRICS, {
        approxKl: tf.mul(maskedMean(tf.square(tf.sub(now.logp, oldLogp)), mask), 0.5), // TRL's approxkl
        clipFrac: maskedMean(surrogate.clipped, mask),
        pgLoss,
        ratioMean: maskedMean(surrogate.ratio, mask),
        ratioVar: maskedVar(surrogate.ratio, mask, false),
      }),
    );
    if (rows.isLast) {
      const { ratio, clipped } = surrogate;
      kept.scatter = tf.keep(scatterStack({ advantage: minibatch.tokenAdvantages, ratio, clipped, mask }));
    }
    return loss;
  });
  inp.optimizer.update(models.policy.flat, step.grad, s.learningRate);
  return { metrics: kept.metrics!, scatter: kept.scatter ?? null };
}

export async function groupIteration(inp: GroupInputs): Promise<GroupIterationResult> {
  const { models, settings: s, method, beta } = inp;
  const k = s.groupSize,
    P = inp.promptIds.length,
    B = P * k;
  if (!(k >= (method === 'reinforce' ? 1 : 2))) throw new Error(`${method} needs more samples per prompt (got ${k})`);
  if (P % s.minibatches !== 0)
    throw new Error(`the prompts (${P}) must split evenly into ${s.minibatches} minibatches of whole groups`);

  // 1. Rollouts, grouped by prompt: [p0 x k, p1 x k, ...]; the policy and the reference read them back.
  const promptRows = inp.promptIds.flatMap((p) => Array.from({ length: k }, () => p));
  const r = await answerPrompts(models.policy, promptRows, s.responseLength, s.temperature, inp.seed);
  const sampled = sampledOutputs(models.policy, models.reference, r, s.temperature);
  // 2. Scoring: the reward model's normalised score of each answer, minus the missing-<eos> penalty.
  const scores = normalisedScores(models.reward, r, inp.normalization, s.missingEosPenalty);
  // 3. One advantage per sequence, from the group's scores (and the KL, for REINFORCE and RLOO).
  const seq = sequenceAdvantages(inp, sampled, scores);
  const batch: GroupRows = {
    ids: sampled.ids,
    mask: sampled.mask,
    oldLogp: sampled.oldLogp,
    refLogp: sampled.refLogp,
    advantages: seq.advantages,
    tokenAdvantages: tf.tidy(() => tf.mul(seq.advantages.reshape([-1, 1]), sampled.mask) as tf.Tensor2D),
  };
  const batchStats = tf.tidy(() =>
    packScalars(BATCH_STATS, {
      kl: tf.mean(seq.klSum),
      entropy: tf.mean(tf.sum(tf.mul(sampled.entropy, sampled.mask), 1)),
      score: tf.mean(scores),
      responseLength: tf.mean(tf.sum(sampled.mask, 1)),
      meanSeqReward: tf.mean(seq.seqReward),
    }),
  );
  // 4. Update: epochs over shuffled minibatches of whole groups.
  const plan = { groups: P, groupSize: k, minibatches: s.minibatches, epochs: s.epochs, seed: inp.seed, pads: r.pads };
  const update = minibatchEpochs(plan, (rows) => groupMinibatch(inp, r, batch, rows));

  // After the update: the metrics, scores, advantages and the display rows, in one read.
  const read = await readIteration({
    update,
    metricNames: UPDATE_METRICS,
    batchStats,
    statNames: BATCH_STATS,
    perRollout: [scores, seq.advantages],
    display: displayOf(models.policy, r, sampled, Math.min(inp.detailRows, B), s, {
      advantages: batch.tokenAdvantages,
      kl: seq.kl,
    }),
    minibatchRows: (P / s.minibatches) * k,
  });
  tf.dispose([...Object.values(sampled), scores, seq, ...Object.values(batch), batchStats]);

  const [scoreList, advantages] = read.perRollout;
  const { meanSeqReward, ...stats } = read.stats;
  // nonScore is -beta * KL for every method, so rlhfReward = score - beta * KL is the same objective
  // on every chart (for GRPO the KL is paid in the loss rather than in the reward).
  const nonScore = -beta * stats.kl;
  return {
    rollout: r,
    stats: {
      ...stats,
      nonScore,
      rlhfReward: stats.score + nonScore,
      ...read.metrics,
      vfLoss: 0,
      vfClipFrac: 0,
      explainedVariance: 0,
    },
    scores: scoreList,
    tokens: read.tokens,
    top: read.top,
    scatter: read.scatter,
    advantages,
    baseline: method === 'reinforce' ? updateBaseline(inp.baseline, meanSeqReward, s.baselineDecay) : inp.baseline,
  };
}
