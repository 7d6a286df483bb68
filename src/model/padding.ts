// Left-padded batches. Prompts of different lengths are padded on the LEFT so that they all end
// at the same column and generation can proceed in lock-step. Padding must then be invisible:
// positions count from each row's first real token, and no query may attend to a pad key.

import * as tf from '@tensorflow/tfjs';
import { PAD } from '../data/types';

export interface LeftPadded {
  ids: Int32Array; // [B, T], PAD on the left of each row
  leftPad: number[]; // number of pads at the start of each row
  B: number;
  T: number;
}

/** Packs token rows into one left-padded [B, T] block (T defaults to the longest row). */
export function leftPad(rows: number[][], T = Math.max(...rows.map((r) => r.length))): LeftPadded {
  const B = rows.length;
  const ids = new Int32Array(B * T).fill(PAD);
  const pads = rows.map((row, b) => {
    if (row.length > T) throw new Error(`a row of ${row.length} tokens does not fit in ${T}`);
    ids.set(row, b * T + (T - row.length));
    return T - row.length;
  });
  return { ids, leftPad: pads, B, T };
}

/** Position ids [B, len] for columns start..start+len-1: column minus the row's padding (0 on pads). */
export function paddedPositions(pads: number[], start: number, len: number): tf.Tensor2D {
  const pos = new Int32Array(pads.length * len);
  pads.forEach((p, b) => {
    for (let t = 0; t < len; t++) pos[b * len + t] = Math.max(0, start + t - p);
  });
  return tf.tensor2d(pos, [pads.length, len], 'int32');
}

/**
 * Additive attention mask [B, 1, len, keys] for queries at columns start..start+len-1 over key
 * columns 0..keys-1: 0 where the key is a real token at or before the query, -1e9 elsewhere.
 */
export function paddedMask(pads: number[], start: number, len: number, keys: number): tf.Tensor4D {
  const m = new Float32Array(pads.length * len * keys).fill(-1e9);
  pads.forEach((p, b) => {
    for (let t = 0; t < len; t++) {
      for (let j = p; j <= start + t && j < keys; j++) m[(b * len + t) * keys + j] = 0;
    }
  });
  return tf.tensor4d(m, [pads.length, 1, len, keys]);
}
