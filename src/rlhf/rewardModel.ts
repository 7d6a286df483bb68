// The reward model: the transformer of the fine-tuned model with a scalar head, its score the mean
// of the head's output over the response's tokens and its <eos>. InstructGPT (Ouyang et al. 2022)
// and TRL read the head at the last token only. Measured here (reviews, small model, "Positive",
// seeds 1-2), that learned far slower from a few dozen labels: gold agreement 0.63 after 30 labels
// where the mean reaches 0.79-0.89, since the fine-tuned model's state at <eos> was never trained to
// hold anything, while every response token's state already knows its word and context.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import type { Weights } from '../model/params';
import { forward, scalarHead } from '../model/gpt';
import { BOS, EOS, PAD, SEP, type Tokenizer } from '../data/types';

/** Token rows of completions, right-padded to T, and the column of each row's score (its <eos>). */
export interface ScoredRows {
  ids: Int32Array; // [rows, T]
  readAt: Int32Array; // [rows]
  from: Int32Array; // [rows]: the column of each row's first response token
  rows: number;
  T: number;
}

/** <bos> prompt <sep> response <eos>, cut to T tokens (a cut row is scored at its last token). */
export function encodeCompletions(
  tok: Tokenizer,
  items: { prompt: string; response: string }[],
  T: number,
): ScoredRows {
  const ids = new Int32Array(items.length * T).fill(PAD);
  const readAt = new Int32Array(items.length);
  const from = new Int32Array(items.length);
  items.forEach((item, r) => {
    const prompt = [BOS, ...tok.encode(item.prompt), SEP];
    const row = [...prompt, ...tok.encode(item.response), EOS].slice(0, T);
    ids.set(row, r * T);
    readAt[r] = row.length - 1;
    from[r] = Math.min(prompt.length, readAt[r]);
  });
  return { ids, readAt, from, rows: items.length, T };
}

/** Weights that average each row over its response tokens and <eos> (columns from .. readAt): [rows, T]. */
function responseMeanWeights(rows: ScoredRows): Float32Array {
  const weights = new Float32Array(rows.rows * rows.T);
  for (let r = 0; r < rows.rows; r++) {
    const n = rows.readAt[r] - rows.from[r] + 1;
    weights.fill(1 / n, r * rows.T + rows.from[r], r * rows.T + rows.readAt[r] + 1);
  }
  return weights;
}

/** r(x) = mean over the response tokens and <eos> of the scalar head's output. Returns [rows]. */
export function rewardScores(w: Weights, model: GPT, rows: ScoredRows): tf.Tensor1D {
  const { T } = rows;
  const ids = tf.tensor2d(rows.ids, [rows.rows, T], 'int32');
  const perToken = scalarHead(w, forward(w, model.config, ids)).reshape([rows.rows, T]);
  return tf.sum(tf.mul(perToken, tf.tensor2d(responseMeanWeights(rows), [rows.rows, T])), -1) as tf.Tensor1D;
}
