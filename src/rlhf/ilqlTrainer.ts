// One ILQL step, offline: a fixed batch of the dataset's answers, each with one reward from the
// reward model, and no sampling. Rows are dpoTrainer's: <bos> prompt <sep> answer <eos>, right-padded
// to the context length; the actions are the answer's tokens and its <eos>, and the reward (the
// normalised reward-model score) sits on the last of them. The policy's transformer carries the Q and
// V heads (ilqlHeads.ts) and its own language-model head; all three learn from the losses of ilql.ts.
// The constants of the losses (V(s'), the target Q, the AWAC weight) come from a pass before the step,
// outside the gradient. Keep the number of answers fixed from step to step so the shapes stay the same.
// scoreAnswers reads the new answers' rewards once; ilqlSteps takes several steps and reads once, at the end.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import type { AdamW } from '../model/adamw';
import { forward, lmLogits } from '../model/gpt';
import { pickLogProbs } from '../model/logprobs';
import { unflatten, type Layout, type Weights } from '../model/params';
import { flatConcat } from '../model/kernels/flatCopies';
import type { Tokenizer } from '../data/types';
import { completionRows } from './dpoTrainer';
import { encodeCompletions, rewardScores } from './rewardModel';
import { awacWeights, bellmanTargets, ilqlLosses, maskedStats, type IlqlLossSettings } from './ilql';
import type { IlqlHeads } from './ilqlHeads';

/** What a step trains: the policy (transformer and LM head), the ILQL heads, their optimisers, and the reward model it reads. */
export interface IlqlModels {
  policy: GPT;
  heads: IlqlHeads;
  policyOpt: AdamW;
  headsOpt: AdamW;
  reward: GPT;
}

export interface IlqlStepSettings extends IlqlLossSettings {
  /** Discount per token (trlx gamma). */
  gamma: number;
  /** Polyak rate of the target heads per step (trlx alpha). */
  alpha: number;
  learningRate: number;
  /** The heads' step size: they start from nothing, so faster than the pretrained transformer's. */
  headsLearningRate: number;
}

/** The metrics under trlx's ILQL names, measured before the step. */
export const ILQL_METRICS = [
  'losses/loss',
  'losses/loss_q',
  'losses/loss_v',
  'losses/loss_cql',
  'losses/loss_awac',
  'values/mean',
  'values/std',
  'values/min',
  'values/max',
  'qvalues/0/mean',
  'qvalues/1/mean',
  'awac_weight/mean',
] as const;

export type IlqlMetricName = (typeof ILQL_METRICS)[number];
export type IlqlStepResult = Record<IlqlMetricName, number>;

/** Per row of [R, T - 1] action columns: a 1 on the last action (where the reward goes), and 1 where the next state is not terminal. */
export function episodeMasks(
  mask: Float32Array,
  R: number,
  T: number,
): { last: Float32Array; nextNotDone: Float32Array } {
  const W = T - 1;
  const last = new Float32Array(R * W);
  const nextNotDone = new Float32Array(R * W);
  for (let r = 0; r < R; r++) {
    for (let t = 0; t < W; t++) {
      const on = mask[r * W + t] === 1,
        nextOn = t + 1 < W && mask[r * W + t + 1] === 1;
      if (on && !nextOn) last[r * W + t] = 1;
      if (nextOn) nextNotDone[r * W + t] = 1;
    }
  }
  return { last, nextNotDone };
}

/** The hidden rows [R * (T - 1), C] of the states that choose the next token (every column but the last). */
function stateRows(hidden: tf.Tensor2D, R: number, T: number): tf.Tensor2D {
  return hidden
    .reshape([R, T, -1])
    .slice([0, 0, 0], [R, T - 1, -1])
    .reshape([R * (T - 1), -1]) as tf.Tensor2D;
}

/** A loss's value and its gradients with respect to two flat weight vectors (params.ts lossAndFlatGrad, for two). */
function lossAndTwoGrads(
  a: { flat: tf.Tensor1D; layout: Layout },
  b: { flat: tf.Tensor1D; layout: Layout },
  loss: (wa: Weights, wb: Weights) => tf.Scalar,
): [tf.Tensor1D, tf.Tensor1D] {
  const wa = unflatten(a.flat, a.layout),
    wb = unflatten(b.flat, b.layout);
  const xa = a.layout.entries.map((e) => wa[e.name]),
    xb = b.layout.entries.map((e) => wb[e.name]);
  const xs = [...xa, ...xb];
  const { grads } = tf.engine().gradients(() => loss(wa, wb), xs, undefined, true);
  const flatOf = (from: number, to: number) => flatConcat(grads.slice(from, to).map((g, i) => g ?? xs[from + i].size));
  return [flatOf(0, xa.length), flatOf(xa.length, xs.length)];
}

/** r = (raw - mean) / std for each answer, the reward model's score, in fixed chunks of `rows` (one read)   (rewardModel.ts) */
export async function scoreAnswers(
  reward: GPT,
  tokenizer: Tokenizer,
  items: { prompt: string; response: string }[],
  normalization: { mean: number; std: number },
  rows: number,
): Promise<Float32Array> {
  const chunks = Math.ceil(items.length / rows);
  const padded = Array.from({ length: chunks * rows }, (_, i) => items[Math.min(i, items.length - 1)]);
  const all = tf.tidy(() => {
    const w = reward.weights();
    const T = reward.config.contextLength;
    const parts = Array.from({ length: chunks }, (_, k) =>
      rewardScores(w, reward, encodeCompletions(tokenizer, padded.slice(k * rows, (k + 1) * rows), T)),
    );
    return tf.div(tf.sub(tf.concat(parts), normalization.mean), normalization.std);
  });
  const v = (await all.data()) as Float32Array;
  all.dispose();
  return v.slice(0, items.length);
}

/** One batch of answers and the reward of each. */
export interface IlqlBatch {
  items: { prompt: string; response: string }[];
  rewards: Float32Array;
}

/**
 * One ILQL step (losses in ilql.ts; Snell 2022, trlx ILQLConfig.loss):
 *   loss = sum_i mean (Q_i - (r + gamma V(s')))^2 + mean L_tau(min_i Q^_i - V) + cql_scale CQL + awac_scale AWAC,
 * then one AdamW step for the policy and one for the heads, then target <- alpha Q + (1 - alpha) target.
 * Returns the batch's metrics (measured before the step) as one vector in ILQL_METRICS' order, unread.
 */
export function ilqlUpdate(m: IlqlModels, tokenizer: Tokenizer, batch: IlqlBatch, s: IlqlStepSettings): tf.Tensor1D {
  const c = m.policy.config,
    T = c.contextLength,
    R = batch.items.length;
  const enc = completionRows(tokenizer, batch.items, T);
  const episodes = episodeMasks(enc.mask, R, T);
  return tf.tidy(() => {
    const ids = tf.tensor2d(enc.ids, [R, T], 'int32');
    const mask = tf.tensor1d(enc.mask);
    const actions = ids.slice([0, 1], [R, T - 1]).reshape([-1]) as tf.Tensor1D;
    // 1. each answer's reward, placed on its last action (its <eos>)
    const rewards = tf
      .mul(tf.tensor2d(episodes.last, [R, T - 1]), tf.tensor2d(batch.rewards, [R, 1]))
      .reshape([-1]) as tf.Tensor1D;
    // 2. the constants, before the step: V(s_t), V(s_{t+1}), the target heads' Q at the action, the Bellman target, the AWAC weight
    const hidden = forward(m.policy.weights(), c, ids);
    const vAll = m.heads.value(m.heads.weights(), hidden).reshape([R, T]);
    const vNow = vAll.slice([0, 0], [R, T - 1]).reshape([-1]) as tf.Tensor1D;
    const vNext = vAll.slice([0, 1], [R, T - 1]).reshape([-1]) as tf.Tensor1D;
    const targetQ = pickLogProbs(m.heads.targetQ(stateRows(hidden, R, T)), actions);
    const qTarget = bellmanTargets(rewards, vNext, tf.tensor1d(episodes.nextNotDone), s.gamma);
    const awacWeight = awacWeights(targetQ, vNow);
    // 3. the losses, with gradients for the policy and the heads
    let metrics: tf.Tensor1D | null = null;
    const [policyGrad, headsGrad] = lossAndTwoGrads(m.policy, m.heads, (wp, wh) => {
      const h = stateRows(forward(wp, c, ids), R, T);
      const x = { qs: m.heads.qValues(wh, h), logits: lmLogits(wp, h), v: m.heads.value(wh, h) };
      const l = ilqlLosses({ ...x, actions, qTarget, targetQ, awacWeight, mask }, s);
      const values = maskedStats(vNow, mask);
      const meanOn = (t: tf.Tensor1D) => maskedStats(t, mask).mean;
      const all = [l.loss, l.q, l.v, l.cql, l.awac, values.mean, values.std, values.min, values.max];
      metrics = tf.keep(flatConcat([...all, ...l.taken.map(meanOn), meanOn(awacWeight)]));
      return l.loss;
    });
    // 4. the updates, then the target heads follow the Q heads
    m.policyOpt.update(m.policy.flat, policyGrad, s.learningRate);
    m.headsOpt.update(m.heads.flat, headsGrad, s.headsLearningRate);
    m.heads.syncTargets(s.alpha);
    return metrics!;
  });
}

/** One ilqlUpdate per batch, in order; the metrics are their mean over the steps, read once. */
export async function ilqlSteps(
  m: IlqlModels,
  tokenizer: Tokenizer,
  batches: IlqlBatch[],
  s: IlqlStepSettings,
): Promise<IlqlStepResult> {
  if (batches.length === 0 || batches.some((b) => b.items.length === 0)) throw new Error('an ILQL step needs answers');
  let sum: tf.Tensor1D | null = null;
  for (const batch of batches) {
    const metrics = ilqlUpdate(m, tokenizer, batch, s);
    const next: tf.Tensor1D = sum ? tf.add(sum, metrics) : metrics;
    if (sum) tf.dispose([sum, metrics]);
    sum = next;
  }
  const meanOf = tf.div(sum!, batches.length);
  const v = await meanOf.data();
  tf.dispose([sum!, meanOf]);
  return Object.fromEntries(ILQL_METRICS.map((name, i) => [name, v[i]])) as IlqlStepResult;
}
