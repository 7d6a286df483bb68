// Pieces every RL iteration (PPO, REINFORCE, RLOO, GRPO) shares: the seeded minibatch shuffle,
// the display tensors computed after the update (per-token KL, advantage, ratio, clip flag and
// the top next tokens of a few rollouts), and the unpacking of the one packed read at the end.
// Keeping packing and unpacking side by side means their orders cannot drift apart.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { responseOutputs } from './rollout';
import { tokenClipInfo } from './ppoLoss';

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

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

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

/** Concatenates tensors of any shapes into one flat vector, for a single read. */
export function packFlat(parts: tf.Tensor[]): tf.Tensor1D {
  return tf.concat(parts.map((t) => t.reshape([-1]))) as tf.Tensor1D;
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
