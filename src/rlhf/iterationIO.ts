// What goes in and out of the device at the end of every RL iteration (PPO, REINFORCE, RLOO,
// GRPO): named scalars packed into one vector and read back by name, the display tensors computed
// after the update (per-token KL, advantage, ratio, clip flag and the top next tokens of a few
// rollouts), the scatter plot's stack, and the one packed read that brings all of it back.
// Keeping packing and unpacking side by side means their orders cannot drift apart.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { flatConcat, flatSplit } from '../model/kernels/flatCopies';
import { responseOutputs, type Rollout } from './rollout';
import { tokenClipInfo } from './ppoLoss';
import type { SampledRollouts, UpdateKept } from './iterationSteps';

/** Top-TOP next-token ids and probabilities, one list per response position. */
export interface TopK {
  ids: number[][];
  p: number[][];
}

/** Per display row and response position: KL, advantage, ratio after the update, clipped (0/1). */
export interface TokenDetail {
  kl: number[];
  advantage: number[];
  ratio: number[];
  clipped: number[];
}

export interface TopDetail {
  before: TopK;
  after: TopK;
  reference: TopK;
}

export interface ScatterPoint {
  advantage: number;
  ratio: number;
  clipped: boolean;
}

export const TOP = 5;

export interface DisplayInputs {
  /** The policy after the update. */
  policy: GPT;
  /** All rollout rows [B, Tp + N]; the first D are displayed. */
  ids: tf.Tensor2D;
  pads: number[];
  Tp: number;
  N: number;
  D: number;
  temperature: number;
  clipRange: number;
  /** [B, N] each: log-probs at sampling time, per-token advantages (masked), per-token KL (masked). */
  oldLogp: tf.Tensor2D;
  advantages: tf.Tensor2D;
  kl: tf.Tensor2D;
  /** [B * N, V] log-probs over the vocabulary at sampling time, under the policy and the reference. */
  oldAll: tf.Tensor2D;
  refAll: tf.Tensor2D;
}

/**
 * The display rows' tensors, in the order readDisplay unpacks them (call inside tf.tidy):
 * KL, advantage, ratio and clip flag [D, N] each, then (p, id) of the top tokens before, after, reference.
 */
export function displayTensors(d: DisplayInputs): tf.Tensor[] {
  const { D, N } = d;
  const rowsD = tf.tensor1d(
    Array.from({ length: D }, (_, i) => i),
    'int32',
  );
  const idsD = tf.gather(d.ids, rowsD) as tf.Tensor2D;
  const now = responseOutputs(d.policy.weights(), d.policy, idsD, d.pads.slice(0, D), d.Tp, N, d.temperature);
  const oldD = tf.gather(d.oldLogp, rowsD) as tf.Tensor2D;
  const advD = tf.gather(d.advantages, rowsD) as tf.Tensor2D;
  const info = tokenClipInfo(now.logp, oldD, advD, d.clipRange);
  const topOf = (all: tf.Tensor2D) => {
    const t = tf.topk(tf.exp(all), TOP);
    return [t.values, t.indices.toFloat()];
  };
  const firstD = (all: tf.Tensor2D) => all.slice([0, 0], [D * N, -1]) as tf.Tensor2D;
  return [
    tf.gather(d.kl, rowsD),
    advD,
    info.ratio,
    info.clipped,
    ...topOf(firstD(d.oldAll)),
    ...topOf(now.logpAll),
    ...topOf(firstD(d.refAll)),
  ];
}

/** Named scalars packed into one vector, in the order of `names` (readScalars reads them back by name). */
export function packScalars<K extends string>(names: readonly K[], scalars: { [N in K]: tf.Tensor }): tf.Tensor1D {
  return flatConcat(names.map((n) => scalars[n]));
}

/** `packed` (in the order of `names`) with the run of entries named `partNames` replaced by `part`. */
export function replaceScalars<K extends string>(
  packed: tf.Tensor1D,
  names: readonly K[],
  part: tf.Tensor1D,
  partNames: readonly K[],
): tf.Tensor1D {
  const start = names.indexOf(partNames[0]);
  if (start < 0 || partNames.some((n, i) => names[start + i] !== n))
    throw new Error(`${partNames.join(', ')} must be a run of ${names.join(', ')}`);
  const after = names.length - start - partNames.length;
  const [head, , tail] = flatSplit(packed, [start, partNames.length, after]);
  return flatConcat([head, part, tail]);
}

/** The next names.length values of a read, by name: what packScalars packed. */
export function readScalars<K extends string>(take: (n: number) => number[], names: readonly K[]): Record<K, number> {
  const values = take(names.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i]])) as Record<K, number>;
}

/** The scatter plot's stack [4, mb, N] of one minibatch: advantage, ratio, clipped (0/1), mask (readScatter unpacks it). */
export function scatterStack(t: {
  advantage: tf.Tensor2D;
  ratio: tf.Tensor2D;
  clipped: tf.Tensor2D;
  mask: tf.Tensor2D;
}): tf.Tensor {
  return flatConcat([t.advantage, t.ratio, t.clipped, t.mask]).reshape([4, ...t.mask.shape]);
}

/** Concatenates tensors of any shapes into one flat vector, for a single read. */
export function packFlat(parts: tf.Tensor[]): tf.Tensor1D {
  return flatConcat(parts);
}

/** A cursor over the values of one read: take(n) returns the next n numbers. */
export function reader(values: Float32Array | Int32Array | Uint8Array): (n: number) => number[] {
  let at = 0;
  return (n: number) => Array.from(values.subarray(at, (at += n)));
}

/** Cuts a flat list into rows of `width`. */
export function rowsOf(flat: number[], width: number): number[][] {
  return Array.from({ length: flat.length / width }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

/** Unpacks what displayTensors packed. */
export function readDisplay(
  take: (n: number) => number[],
  D: number,
  N: number,
): { tokens: TokenDetail[]; top: TopDetail[] } {
  const [klD, advD, ratioD, clipD] = [take(D * N), take(D * N), take(D * N), take(D * N)].map((f) => rowsOf(f, N));
  const topBlock = () => {
    const p = rowsOf(take(D * N * TOP), TOP),
      ids = rowsOf(take(D * N * TOP), TOP);
    return Array.from({ length: D }, (_, d) => ({
      p: p.slice(d * N, (d + 1) * N),
      ids: ids.slice(d * N, (d + 1) * N),
    }));
  };
  const [before, after, reference] = [topBlock(), topBlock(), topBlock()];
  return {
    tokens: klD.map((k, d) => ({ kl: k, advantage: advD[d], ratio: ratioD[d], clipped: clipD[d] })),
    top: before.map((b, d) => ({ before: b, after: after[d], reference: reference[d] })),
  };
}

/** Unpacks a [4, mb, N] stack of (advantage, ratio, clipped, mask) into the valid tokens' points. */
export function readScatter(take: (n: number) => number[], mb: number, N: number): ScatterPoint[] {
  const cell = mb * N,
    sc = take(4 * cell);
  return Array.from({ length: cell }, (_, i) => i)
    .filter((i) => sc[3 * cell + i] > 0)
    .map((i) => ({ advantage: sc[i], ratio: sc[cell + i], clipped: sc[2 * cell + i] > 0.5 }));
}

/** What an iteration reads back at its end. */
export interface IterationEnd<M extends string, S extends string> {
  /** What the update kept: its metrics (packed in the order of metricNames) per minibatch, the last scatter stack. */
  update: UpdateKept;
  metricNames: readonly M[];
  /** Statistics of the batch before the update, packed in the order of statNames. */
  batchStats: tf.Tensor1D;
  statNames: readonly S[];
  /** Vectors of one value per rollout, [B] each: the scores (and the group methods' advantages). */
  perRollout: tf.Tensor1D[];
  display: DisplayInputs;
  /** Rows in a minibatch (the scatter stack is [4, minibatchRows, N]). */
  minibatchRows: number;
}

export interface IterationRead<M extends string, S extends string> {
  /** The update's metrics averaged over minibatches, by name. */
  metrics: Record<M, number>;
  stats: Record<S, number>;
  perRollout: number[][];
  tokens: TokenDetail[];
  top: TopDetail[];
  scatter: ScatterPoint[];
}

/**
 * The one read at the end of an iteration: the mean of the minibatches' metrics, the batch statistics,
 * the per-rollout vectors, the display rows and the scatter stack packed together, one await data(),
 * then unpacked in the same order. The update's tensors are freed here; the caller frees its own.
 */
export async function readIteration<M extends string, S extends string>(
  end: IterationEnd<M, S>,
): Promise<IterationRead<M, S>> {
  const { update, display } = end;
  const packed = tf.tidy(() =>
    packFlat([
      tf.mean(tf.stack(update.perMinibatch), 0),
      end.batchStats,
      ...end.perRollout,
      ...displayTensors(display),
      update.lastScatter ?? tf.zeros([4, end.minibatchRows, display.N]),
    ]),
  );
  const values = await packed.data();
  tf.dispose([packed, ...update.perMinibatch, ...(update.lastScatter ? [update.lastScatter] : [])]);

  const take = reader(values);
  const metrics = readScalars(take, end.metricNames);
  const stats = readScalars(take, end.statNames);
  const perRollout = end.perRollout.map((t) => take(t.shape[0]));
  const { tokens, top } = readDisplay(take, display.D, display.N);
  const scatter = readScatter(take, end.minibatchRows, display.N);
  return { metrics, stats, perRollout, tokens, top, scatter };
}

/** What the panels show of the first `rows` rollouts: the policy after the update, beside the rollouts as sampled. */
export function displayOf(
  policy: GPT,
  r: Rollout,
  sampled: SampledRollouts,
  rows: number,
  s: { temperature: number; clipRange: number },
  perToken: { advantages: tf.Tensor2D; kl: tf.Tensor2D },
): DisplayInputs {
  const { ids, oldLogp, oldAll, refAll } = sampled;
  const { temperature, clipRange } = s;
  return {
    policy,
    ids,
    pads: r.pads,
    Tp: r.Tp,
    N: r.N,
    D: rows,
    temperature,
    clipRange,
    oldLogp,
    ...perToken,
    oldAll,
    refAll,
  };
}
