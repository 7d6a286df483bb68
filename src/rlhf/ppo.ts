// One iteration of PPO for RLHF, top to bottom (Ziegler et al. 2019; Ouyang et al. 2022; the
// order of operations follows Hugging Face TRL's PPOTrainer and "The N Implementation Details of
// RLHF with PPO", Huang et al. 2024):
//   1. rollouts: the policy answers a batch of prompts at temperature T;
//   2. scoring: the reward model scores each prompt + answer (normalised; a missing <eos> can cost a penalty);
//   3. per-token rewards: -beta * KL_t against the frozen reference, plus the score on the last token;
//   4. advantages: GAE over the response, whitened over valid tokens; returns = advantages + values;
//   5. update: several epochs over shuffled minibatches of the clipped surrogate and clipped value loss.
// Everything stays on the GPU until the end, where the metrics and the panels' token details are
// read back together (with the rollout's own read, two reads per iteration).

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad } from '../model/params';
import { mulberry32 } from '../data/random';
import type { AdamW } from '../model/adamw';
import type { RlSettings } from './rlSettings';
import { rewardScores } from './rewardModel';
import { klPerToken } from './kl';
import { klPenalisedRewards } from './rewards';
import { gae } from './gae';
import { maskedVar, whiten } from './whiten';
import { ppoLoss, tokenClipInfo } from './ppoLoss';
import { idsTensor, maskTensor, responseOutputs, rollout, scoredRows, type Rollout } from './rollout';
import {
  displayTensors,
  packFlat,
  readDisplay,
  reader,
  readScatter,
  shuffled,
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

/** Explained variance of the value head: 1 - Var(R - V) / Var(R) over valid tokens. */
function explainedVariance(returns: tf.Tensor2D, values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.sub(
    1,
    tf.div(maskedVar(tf.sub(returns, values), mask, false), tf.add(maskedVar(returns, mask, false), 1e-8)),
  ) as tf.Scalar;
}

export async function ppoIteration(inp: PpoInputs): Promise<PpoIterationResult> {
  const { models, settings: s, optimizers } = inp;
  const B = inp.promptIds.length;
  if (B % s.minibatches !== 0)
    throw new Error(`the rollouts (${B}) must split evenly into ${s.minibatches} minibatches`);

  // 1. Rollouts (the only read before the update).
  const room = models.policy.config.contextLength - Math.max(...inp.promptIds.map((p) => p.length));
  const r = await rollout(models.policy, inp.promptIds, Math.min(s.responseLength, room), s.temperature, inp.seed);
  const { Tp, N, pads } = r;

  // 2-4. Scores, per-token KL and rewards, advantages and returns: computed once, before any update.
  const prep = tf.tidy(() => {
    const ids = idsTensor(r),
      mask = maskTensor(r);
    const old = responseOutputs(models.policy.weights(), models.policy, ids, pads, Tp, N, s.temperature);
    const ref = responseOutputs(models.reference.weights(), models.reference, ids, pads, Tp, N, s.temperature);
    const oldValues = models.value
      ? responseOutputs(models.value.weights(), models.value, ids, pads, Tp, N, s.temperature).values
      : old.values;
    const raw = rewardScores(models.reward.weights(), models.reward, scoredRows(r, models.reward.config.contextLength));
    const noEos = tf.tensor1d(r.hasEos.map((e) => (e ? 0 : 1)));
    const scores = tf.sub(
      tf.div(tf.sub(raw, inp.normalization.mean), inp.normalization.std),
      tf.mul(noEos, s.missingEosPenalty),
    ) as tf.Tensor1D;
    const kl = tf.mul(klPerToken(old.logp, ref.logp, s.klEstimator), mask) as tf.Tensor2D;
    const penalised = klPenalisedRewards(kl, scores, mask, inp.beta);
    const nonScore = penalised.nonScore;
    const rewards = s.whitenRewards ? whiten(penalised.rewards, mask, false) : penalised.rewards;
    const values = tf.mul(oldValues, mask) as tf.Tensor2D;
    const { advantages, returns } = gae(rewards, values, mask, s.gamma, s.lambda);
    const batchStats = tf.stack([
      tf.mean(tf.sum(kl, 1)),
      tf.mean(tf.sum(tf.mul(old.entropy, mask), 1)),
      tf.mean(tf.sum(nonScore, 1)),
      tf.mean(scores),
      explainedVariance(returns, values, mask),
      tf.mean(tf.sum(mask, 1)),
    ]);
    return {
      ids,
      mask,
      oldLogp: old.logp,
      oldValues: values,
      returns,
      kl,
      scores,
      batchStats,
      advantages: tf.mul(whiten(advantages, mask), mask) as tf.Tensor2D,
      oldAll: old.logpAll,
      refAll: ref.logpAll,
    };
  });

  // 5. PPO epochs over shuffled minibatches.
  const rand = mulberry32(inp.seed ^ 0x9e3779b9);
  const mb = B / s.minibatches;
  const lossOptions = {
    clipEps: s.clipRange,
    clipEpsValue: s.clipRangeValue,
    vfCoef: models.value ? 0 : s.vfCoef,
    entCoef: s.entropyCoef,
  };
  const perMinibatch: tf.Tensor1D[] = [];
  let lastScatter: tf.Tensor | null = null;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    const order = shuffled(B, rand);
    for (let m = 0; m < s.minibatches; m++) {
      const rows = order.slice(m * mb, (m + 1) * mb);
      const rowPads = rows.map((i) => pads[i]);
      const isLast = epoch === s.epochs - 1 && m === s.minibatches - 1;
      const out = tf.tidy((): tf.TensorContainer => {
        const idx = tf.tensor1d(rows, 'int32');
        const pick = <T extends tf.Tensor>(t: T) => tf.gather(t, idx) as T;
        const [ids, mask, oldLogp, oldValues, advantages, returns] = [
          prep.ids,
          prep.mask,
          prep.oldLogp,
          prep.oldValues,
          prep.advantages,
          prep.returns,
        ].map(pick);
        let metrics: tf.Tensor1D | null = null;
        let scatter: tf.Tensor | null = null;
        const policyStep = lossAndFlatGrad(models.policy.flat, models.policy.layout, (w) => {
          const now = responseOutputs(w, models.policy, ids as tf.Tensor2D, rowPads, Tp, N, s.temperature);
          const values = models.value ? (oldValues as tf.Tensor2D) : now.values;
          const o = ppoLoss(
            {
              logp: now.logp,
              oldLogp: oldLogp as tf.Tensor2D,
              advantages: advantages as tf.Tensor2D,
              values,
              oldValues: oldValues as tf.Tensor2D,
              returns: returns as tf.Tensor2D,
              mask: mask as tf.Tensor2D,
              entropy: now.entropy,
            },
            lossOptions,
          );
          metrics = tf.keep(
            tf.stack([
              o.approxKl,
              o.clipFrac,
              o.pgLoss,
              o.vfLoss,
              o.vfClipFrac,
              o.ratioMean,
              o.ratioVar,
            ]) as tf.Tensor1D,
          );
          if (isLast) {
            const info = tokenClipInfo(now.logp, oldLogp as tf.Tensor2D, advantages as tf.Tensor2D, s.clipRange);
            scatter = tf.keep(tf.stack([advantages, info.ratio, info.clipped, mask]));
          }
          return o.loss;
        });
        optimizers.policy.update(models.policy.flat, policyStep.grad, s.learningRate);
        let m7 = metrics! as tf.Tensor1D;
        if (models.value && optimizers.value) {
          // The separate value model learns the clipped value loss on its own.
          let vf: tf.Tensor | null = null;
          const valueStep = lossAndFlatGrad(models.value.flat, models.value.layout, (w) => {
            const now = responseOutputs(w, models.value!, ids as tf.Tensor2D, rowPads, Tp, N, s.temperature);
            const o = ppoLoss(
              {
                logp: oldLogp as tf.Tensor2D,
                oldLogp: oldLogp as tf.Tensor2D,
                advantages: advantages as tf.Tensor2D,
                values: now.values,
                oldValues: oldValues as tf.Tensor2D,
                returns: returns as tf.Tensor2D,
                mask: mask as tf.Tensor2D,
              },
              { ...lossOptions, vfCoef: 1 },
            );
            vf = tf.keep(tf.stack([o.vfLoss, o.vfClipFrac]));
            return tf.mul(o.vfLoss, s.vfCoef) as tf.Scalar;
          });
          optimizers.value.update(models.value.flat, valueStep.grad, s.learningRate);
          // Replace the policy step's (constant) value-loss entries with the value model's.
          const parts = tf.split(m7, [3, 2, 2]);
          m7 = tf.concat([parts[0], vf!, parts[2]]) as tf.Tensor1D;
          tf.dispose([vf!, metrics!]);
        }
        const kept = scatter as tf.Tensor | null;
        return kept ? { metrics: m7, scatter: kept } : { metrics: m7 };
      }) as { metrics: tf.Tensor1D; scatter?: tf.Tensor };
      perMinibatch.push(out.metrics);
      if (out.scatter) lastScatter = out.scatter;
    }
  }

  // After the update: ratios of the displayed rows and their top next tokens, then one read of everything.
  const D = Math.min(inp.detailRows, B);
  const packed = tf.tidy(() =>
    packFlat([
      tf.mean(tf.stack(perMinibatch), 0),
      prep.batchStats,
      prep.scores,
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
        advantages: prep.advantages,
        kl: prep.kl,
        oldAll: prep.oldAll,
        refAll: prep.refAll,
      }),
      lastScatter ?? tf.zeros([4, mb, N]),
    ]),
  );
  const values = await packed.data();
  tf.dispose([packed, lastScatter!, ...perMinibatch, ...Object.values(prep)].filter(Boolean));

  // Unpack in the order packed.
  const take = reader(values);
  const [approxKl, clipFrac, pgLoss, vfLoss, vfClipFrac, ratioMean, ratioVar] = take(7);
  const [kl, entropy, nonScore, score, explained, responseLength] = take(6);
  const scores = take(B);
  const { tokens, top } = readDisplay(take, D, N);
  const scatter = readScatter(take, mb, N);
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
      vfLoss,
      vfClipFrac,
      ratioMean,
      ratioVar,
      explainedVariance: explained,
      responseLength,
    },
    scores,
    tokens,
    top,
    scatter,
  };
}
