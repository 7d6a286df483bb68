// The reward model: the transformer of the fine-tuned model with its scalar head read at the
// <eos> token of prompt + response, so the score sees the whole completion (Ouyang et al. 2022).

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import type { Weights } from '../model/params';
import { forward, scalarHead } from '../model/gpt';
import { BOS, EOS, PAD, SEP, type Tokenizer } from '../data/types';

/** Token rows of completions, right-padded to T, and the column of each row's score (its <eos>). */
export interface ScoredRows {
  ids: Int32Array; // [rows, T]
  readAt: Int32Array; // [rows]
  rows: number;
  T: number;
}

/** <bos> prompt <sep> response <eos>, cut to T tokens (a cut row is scored at its last token). */
export function encodeCompletions(tok: Tokenizer, items: { prompt: string; response: string }[], T: number): ScoredRows {
  const ids = new Int32Array(items.length * T).fill(PAD);
  const readAt = new Int32Array(items.length);
  items.forEach((item, r) => {
    const row = [BOS, ...tok.encode(item.prompt), SEP, ...tok.encode(item.response), EOS].slice(0, T);
    ids.set(row, r * T);
    readAt[r] = row.length - 1;
  });
  return { ids, readAt, rows: items.length, T };
}

/** r(x) for each row: the scalar head at the row's <eos>. Returns [rows]. */
export function rewardScores(w: Weights, model: GPT, rows: ScoredRows): tf.Tensor1D {
  const { T } = rows;
  const ids = tf.tensor2d(rows.ids, [rows.rows, T], 'int32');
  const perToken = scalarHead(w, forward(w, model.config, ids)).reshape([rows.rows, T]);
  const pick = tf.oneHot(tf.tensor1d(rows.readAt, 'int32'), T).toFloat();
  return tf.sum(tf.mul(perToken, pick), -1) as tf.Tensor1D;
}
