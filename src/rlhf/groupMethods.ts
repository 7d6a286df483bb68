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

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad } from '../model/params';
import { mulberry32 } from '../data/random';
import type { AdamW } from '../model/adamw';
import type { RlSettings } from './rlSettings';
import { rewardScores } from './rewardModel';
import { klPerToken } from './kl';
import { grpoAdvantages, reinforceAdvantages, rlooAdvantages, updateBaseline } from './groupAdvantages';
import { grpoLoss } from './grpoLoss';
import { clippedSurrogate } from './ppoLoss';
import { maskedMean, maskedVar } from './whiten';
import { idsTensor, maskTensor, responseOutputs, rollout, scoredRows } from './rollout';
import { displayTensors, packFlat, readDisplay, reader, readScatter, shuffled } from './iterationIO';
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

export async function groupIteration(inp: GroupInputs): Promise<GroupIterationResult> {
  const { models, settings: s, method, beta } = inp;
  const k = s.groupSize,
    P = inp.promptIds.length,
    B = P * k;
  if (!(k >= (method === 'reinforce' ? 1 : 2))) throw new Error(`${method} needs more samples per prompt (got ${k})`);
  if (P % s.minibatches !== 0)
    throw new Error(`the prompts (${P}) must split evenly into ${s.minibatches} minibatches of whole groups`);

  // 1. Rollouts, grouped by prompt: [p0 x k, p1 x k, ...].
  const promptRows = inp.promptIds.flatMap((p) => Array.from({ length: k }, () => p));
  const room = models.policy.config.contextLength - Math.max(...promptRows.map((p) => p.length));
  const r = await rollout(models.policy, promptRows, Math.min(s.responseLength, room), s.temperature, inp.seed);
  const { Tp, N, pads } = r;

  // 2-3. Scores, KL and sequence advantages, once, before any update.
  const prep = tf.tidy(() => {
    const ids = idsTensor(r),
      mask = maskTensor(r);
    const old = responseOutputs(models.policy.weights(), models.policy, ids, pads, Tp, N, s.temperature);
    const ref = responseOutputs(models.reference.weights(), models.reference, ids, pads, Tp, N, s.temperature);
    const raw = rewardScores(models.reward.weights(), models.reward, scoredRows(r, models.reward.config.contextLength));
    const noEos = tf.tensor1d(r.hasEos.map((e) => (e ? 0 : 1)));
    const scores = tf.sub(
      tf.div(tf.sub(raw, inp.normalization.mean), inp.normalization.std),
      tf.mul(noEos, s.missingEosPenalty),
    ) as tf.Tensor1D;
    const kl = tf.mul(klPerToken(old.logp, ref.logp, method === 'grpo' ? 'k3' : s.klEstimator), mask) as tf.Tensor2D;
    const klSum = tf.sum(kl, 1);
    // s - beta * sum_t KL_t: the KL-regularised return of a whole sequence (Ziegler et al. 2019; TRL RLOO).
    const seqReward = tf.sub(scores, tf.mul(klSum, beta)) as tf.Tensor1D;
    const advantages =
      method === 'grpo'
        ? grpoAdvantages(scores, k)
        : method === 'rloo'
          ? rlooAdvantages(seqReward, k)
          : reinforceAdvantages(seqReward, inp.baseline);
    const batchStats = tf.stack([
      tf.mean(klSum),
      tf.mean(tf.sum(tf.mul(old.entropy, mask), 1)),
      tf.mean(scores),
      tf.mean(tf.sum(mask, 1)),
      tf.mean(seqReward),
    ]);
    return {
      ids,
      mask,
      oldLogp: old.logp,
      refLogp: ref.logp,
      kl,
      scores,
      advantages,
      batchStats,
      tokenAdvantages: tf.mul(advantages.reshape([-1, 1]), mask) as tf.Tensor2D,
      oldAll: old.logpAll,
      refAll: ref.logpAll,
    };
  });

  // 4. Epochs over shuffled minibatches of whole groups.
  const rand = mulberry32(inp.seed ^ 0x9e3779b9);
  const groupsPerMb = P / s.minibatches,
    mb = groupsPerMb * k;
  const perMinibatch: tf.Tensor1D[] = [];
  let lastScatter: tf.Tensor | null = null;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    const order = shuffled(P, rand);
    for (let m = 0; m < s.minibatches; m++) {
      const rows = order
        .slice(m * groupsPerMb, (m + 1) * groupsPerMb)
        .flatMap((g) => Array.from({ length: k }, (_, j) => g * k + j));
      const rowPads = rows.map((i) => pads[i]);
      const isLast = epoch === s.epochs - 1 && m === s.minibatches - 1;
      const out = tf.tidy((): tf.TensorContainer => {
        const idx = tf.tensor1d(rows, 'int32');
        const [ids, mask, oldLogp, refLogp, tokenAdv] = [
          prep.ids,
          prep.mask,
          prep.oldLogp,
          prep.refLogp,
          prep.tokenAdvantages,
        ].map((t) => tf.gather(t, idx) as tf.Tensor2D);
        const adv = tf.gather(prep.advantages, idx) as tf.Tensor1D;
        let metrics: tf.Tensor1D | null = null;
        let scatter: tf.Tensor | null = null;
        const step = lossAndFlatGrad(models.policy.flat, models.policy.layout, (w) => {
          const now = responseOutputs(w, models.policy, ids, rowPads, Tp, N, s.temperature);
          const surrogate = clippedSurrogate(now.logp, oldLogp, adv.reshape([-1, 1]) as tf.Tensor2D, s.clipRange);
          let loss: tf.Scalar, pgLoss: tf.Scalar;
          if (method === 'grpo') {
            const o = grpoLoss(now.logp, oldLogp, refLogp, adv, mask, s.clipRange, beta);
            loss = o.loss;
            pgLoss = o.pgLoss;
          } else {
            // loss = masked mean over valid tokens of max(-A r_t, -A clip(r_t)), A per sequence (TRL RLOOTrainer).
            loss = pgLoss = maskedMean(surrogate.loss, mask) as tf.Scalar;
          }
          if (s.entropyCoef !== 0)
            loss = tf.sub(loss, tf.mul(maskedMean(now.entropy, mask), s.entropyCoef)) as tf.Scalar;
          metrics = tf.keep(
            tf.stack([
              tf.mul(maskedMean(tf.square(tf.sub(now.logp, oldLogp)), mask), 0.5), // approx KL (TRL's approxkl)
              maskedMean(surrogate.clipped, mask),
              pgLoss,
              maskedMean(surrogate.ratio, mask),
              maskedVar(surrogate.ratio, mask, false),
            ]) as tf.Tensor1D,
          );
          if (isLast) scatter = tf.keep(tf.stack([tokenAdv, surrogate.ratio, surrogate.clipped, mask]));
          return loss;
        });
        inp.optimizer.update(models.policy.flat, step.grad, s.learningRate);
        const kept = scatter as tf.Tensor | null;
        return kept ? { metrics: metrics!, scatter: kept } : { metrics: metrics! };
      }) as { metrics: tf.Tensor1D; scatter?: tf.Tensor };
      perMinibatch.push(out.metrics);
      if (out.scatter) lastScatter = out.scatter;
    }
  }

  // After the update: the display rows, then one read of everything.
  const D = Math.min(inp.detailRows, B);
  const packed = tf.tidy(() =>
    packFlat([
      tf.mean(tf.stack(perMinibatch), 0),
      prep.batchStats,
      prep.scores,
      prep.advantages,
      ...displayTensors({
        policy: models.policy,
        ids: prep.ids,
        pads,
        Tp,
        N,
        D,
        temperature: s.temperature,
        clipRange: s.clipRange,
        oldLogp: prep.oldLogp,
        advantages: prep.tokenAdvantages,
        kl: prep.kl,
        oldAll: prep.oldAll,
        refAll: prep.refAll,
      }),
      lastScatter ?? tf.zeros([4, mb, N]),
    ]),
  );
  const values = await packed.data();
  tf.dispose([packed, ...(lastScatter ? [lastScatter] : []), ...perMinibatch, ...Object.values(prep)]);

  const take = reader(values);
  const [approxKl, clipFrac, pgLoss, ratioMean, ratioVar] = take(5);
  const [kl, entropy, score, responseLength, meanSeqReward] = take(5);
  const scores = take(B),
    advantages = take(B);
  const { tokens, top } = readDisplay(take, D, N);
  const scatter = readScatter(take, mb, N);
  // nonScore is -beta * KL for every method, so rlhfReward = score - beta * KL is the same objective
  // on every chart (for GRPO the KL is paid in the loss rather than in the reward).
  const nonScore = -beta * kl;
  return {
    rollout: r,
    stats: {
      kl,
      entropy,
      nonScore,
      score,
      rlhfReward: score + nonScore,
      approxKl,
      clipFrac,
      pgLoss,
      vfLoss: 0,
      vfClipFrac: 0,
      ratioMean,
      ratioVar,
      explainedVariance: 0,
      responseLength,
    },
    scores,
    tokens,
    top,
    scatter,
    advantages,
    baseline: method === 'reinforce' ? updateBaseline(inp.baseline, meanSeqReward, s.baselineDecay) : inp.baseline,
  };
}
