// Rollouts for RL fine-tuning: the policy answers a batch of prompts, and the answers are laid
// out as fixed-shape token rows [B, Tp + N] (prompts left-padded to Tp, responses right-padded
// to N) with a mask over the response tokens that count (up to and including <eos>).
// Then, for any model, the per-token quantities PPO needs at the response positions: the
// log-probability of each sampled token, the value estimate, the entropy of the distribution.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import type { Weights } from '../model/params';
import { sample } from '../model/sample';
import { forward, lmLogits, maskedAttend, scalarHead } from '../model/gpt';
import { pickLogProbs, samplingLogProbs } from '../model/logprobs';
import { leftPad, paddedMask, paddedPositions } from '../model/padding';
import { EOS, PAD } from '../data/types';
import type { ScoredRows } from './rewardModel';

export interface Rollout {
  /** Prompt ids (with <bos> ... <sep>) of each row. */
  promptIds: number[][];
  /** Response tokens of each row, up to and including <eos> when it came. */
  responses: number[][];
  /** Left-pad count of each row's prompt. */
  pads: number[];
  Tp: number; // padded prompt length
  N: number; // response length (fixed)
  /** [B * (Tp + N)] token ids, row-major. */
  ids: Int32Array;
  /** [B * N]: 1 on response tokens up to and including <eos>, else 0. */
  mask: Float32Array;
  hasEos: boolean[];
}

/** Samples one response per prompt at `temperature` (one GPU read) and lays the batch out. */
export async function rollout(
  policy: GPT,
  promptIds: number[][],
  N: number,
  temperature: number,
  seed: number,
): Promise<Rollout> {
  const padded = leftPad(promptIds);
  const { tokens } = await sample(policy, promptIds, { maxNewTokens: N, temperature, topK: 0, seed });
  return layout(promptIds, tokens, padded.leftPad, padded.T, N);
}

/** Lays out prompts and responses as fixed-shape rows with the response mask. */
export function layout(promptIds: number[][], responses: number[][], pads: number[], Tp: number, N: number): Rollout {
  const B = promptIds.length,
    T = Tp + N;
  const ids = new Int32Array(B * T).fill(PAD);
  const mask = new Float32Array(B * N);
  responses.forEach((resp, b) => {
    ids.set(promptIds[b], b * T + pads[b]);
    ids.set(resp.slice(0, N), b * T + Tp);
    mask.fill(1, b * N, b * N + Math.min(resp.length, N));
  });
  return { promptIds, responses, pads, Tp, N, ids, mask, hasEos: responses.map((r) => r.includes(EOS)) };
}

/** The rows as a tensor [B, Tp + N]. */
export function idsTensor(r: Rollout): tf.Tensor2D {
  return tf.tensor2d(r.ids, [r.pads.length, r.Tp + r.N], 'int32');
}

export function maskTensor(r: Rollout): tf.Tensor2D {
  return tf.tensor2d(r.mask, [r.pads.length, r.N]);
}

export interface ResponseOutputs {
  /** log pi(a_t | context) of each response token under the temperature-scaled distribution, [B, N]. */
  logp: tf.Tensor2D;
  /** The scalar head at the position that predicts each response token, [B, N]. */
  values: tf.Tensor2D;
  /** Entropy of the temperature-scaled next-token distribution there, [B, N]. */
  entropy: tf.Tensor2D;
  /** The log-probabilities over the vocabulary there, [B * N, V] (for top-token tables). */
  logpAll: tf.Tensor2D;
}

/**
 * One forward pass of `model` over the rows; the outputs at the N positions that predict the
 * response tokens (positions Tp-1 ... Tp+N-2 predict tokens Tp ... Tp+N-1).
 *   log pi(a_t) = log softmax(z_t / T)[a_t],  H_t = -sum_a pi(a) log pi(a)
 */
export function responseOutputs(
  w: Weights,
  model: GPT,
  ids: tf.Tensor2D,
  pads: number[],
  Tp: number,
  N: number,
  temperature: number,
): ResponseOutputs {
  const [B, T] = ids.shape;
  const hidden = forward(
    w,
    model.config,
    ids,
    paddedPositions(pads, 0, T),
    maskedAttend(model.config, paddedMask(pads, 0, T, T)),
  );
  const atResponse = hidden
    .reshape([B, T, -1])
    .slice([0, Tp - 1, 0], [B, N, -1])
    .reshape([B * N, -1]) as tf.Tensor2D;
  // Each output is computed when first read, so a caller pays only for what it uses (the value
  // model reads only its values; the reference only its log-probs).
  const once = <T>(make: () => T): (() => T) => {
    let made: T | undefined;
    return () => (made ??= make());
  };
  const logpAll = once(() => samplingLogProbs(lmLogits(w, atResponse), temperature, 0));
  const logp = once(() => {
    const targets = ids.slice([0, Tp], [B, N]).reshape([-1]) as tf.Tensor1D;
    return pickLogProbs(logpAll(), targets).reshape([B, N]) as tf.Tensor2D;
  });
  const entropy = once(() => tf.neg(tf.sum(tf.mul(tf.exp(logpAll()), logpAll()), -1)).reshape([B, N]) as tf.Tensor2D);
  const values = once(() => scalarHead(w, atResponse).reshape([B, N]) as tf.Tensor2D);
  return {
    get logp() {
      return logp();
    },
    get values() {
      return values();
    },
    get entropy() {
      return entropy();
    },
    get logpAll() {
      return logpAll();
    },
  };
}

/**
 * The rows as the reward model reads them: <bos> prompt <sep> response <eos>, right-padded to T,
 * scored at the <eos> (a response cut off without one gets an <eos> added when there is room).
 */
export function scoredRows(r: Rollout, T: number): ScoredRows {
  const ids = new Int32Array(r.pads.length * T).fill(PAD);
  const readAt = new Int32Array(r.pads.length);
  const from = new Int32Array(r.pads.length);
  r.responses.forEach((resp, b) => {
    const row = [...r.promptIds[b], ...resp.slice(0, r.N)];
    if (!r.hasEos[b] && row.length < T) row.push(EOS);
    const cut = row.slice(0, T);
    ids.set(cut, b * T);
    readAt[b] = cut.length - 1;
    from[b] = Math.min(r.promptIds[b].length, readAt[b]);
  });
  return { ids, readAt, from, rows: r.pads.length, T };
}
