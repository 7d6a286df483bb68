// One decoding step's attention with the KV cache, as three WebGPU dispatches per layer (where the
// unfused ops split the heads, write the cache with a one-hot column and attend in about 13):
//   K <- K + slot * k_new,   V <- V + slot * v_new   (slot: one-hot over the cache's columns; the
//                                                    column being written still holds zeros)
//   y_h = sum_j softmax_j(q_h . K_hj / sqrt(D) + M_j) V_hj      for each row and head h
// q, k_new, v_new are read straight from the new token's (query | key | value) row [B, 3C]; the
// cache is [B, H, columns, D], as splitHeads lays out the prompt's keys and values.

import * as tf from '@tensorflow/tfjs';
import { elementwiseProgram, registerFused } from './program';

/** The cache plus the new token's key (part 1 of the qkv row) or value (part 2) in the slot's column. */
const cacheWriteKernel = (part: 1 | 2) =>
  registerFused(`PlaygroundCacheWrite${part}`, ['cache', 'qkv', 'slot'], ([[B, H, total, D]]) => ({
    uniforms: [B * H * total, D],
    program: elementwiseProgram(
      `playgroundCacheWrite${part}_${H}_${total}_${D}`,
      ['cache', 'qkv', 'slot'],
      [B, H, total, D],
      `    let d = c;
    let t = (i / ${D}) % ${total};
    let h = (i / (${D} * ${total})) % ${H};
    let b = i / (${D} * ${total} * ${H});
    result[i] = cache[i] + f32(slot[t]) * qkv[b * ${3 * H * D} + ${part * H * D} + h * ${D} + d];`,
    ),
  }));

const writeKey = cacheWriteKernel(1);
const writeValue = cacheWriteKernel(2);

/** y [B, C]: one thread per (row, head, d) would repeat the softmax D times; one per (row, head) writes all D. */
const attendKernel = registerFused(
  'PlaygroundDecodeAttention',
  ['qkv', 'keys', 'values', 'mask'],
  ([, [B, H, total, D]]) => ({
    uniforms: [B * H, 1],
    program: elementwiseProgram(
      `playgroundDecodeAttention_${H}_${total}_${D}`,
      ['qkv', 'keys', 'values', 'mask'],
      [B, H * D],
      `    let h = i % ${H};
    let b = i / ${H};
    let q = b * ${3 * H * D} + h * ${D};
    let kv = (b * ${H} + h) * ${total * D};
    let scale = inverseSqrt(f32(${D}));
    var m = -3.0e38;
    for (var j = 0; j < ${total}; j = j + 1) { m = max(m, scoreAt(q, kv + j * ${D}, scale) + mask[b * ${total} + j]); }
    var sum = 0.0;
    var y : array<f32, ${D}>;
    for (var j = 0; j < ${total}; j = j + 1) {
      let p = exp(scoreAt(q, kv + j * ${D}, scale) + mask[b * ${total} + j] - m);
      sum = sum + p;
      for (var d = 0; d < ${D}; d = d + 1) { y[d] = y[d] + p * values[kv + j * ${D} + d]; }
    }
    for (var d = 0; d < ${D}; d = d + 1) { result[b * ${H * D} + h * ${D} + d] = y[d] / sum; }`,
      `
fn scoreAt(q : i32, k : i32, scale : f32) -> f32 {
  var s = 0.0;
  for (var d = 0; d < ${D}; d = d + 1) { s = s + qkv[q + d] * keys[k + d]; }
  return s * scale;
}`,
    ),
  }),
);

/**
 * One decoding step of a layer: the new token's key and value written into the cache (returned, to
 * replace it), and its attention over the cache under `mask` [B, 1, 1, columns].
 */
export function fusedDecodeStep(
  qkv: tf.Tensor2D,
  keys: tf.Tensor4D,
  values: tf.Tensor4D,
  slot: tf.Tensor,
  mask: tf.Tensor,
) {
  const flatSlot = slot.reshape([-1]);
  const newKeys = writeKey(keys, qkv, flatSlot) as tf.Tensor4D;
  const newValues = writeValue(values, qkv, flatSlot) as tf.Tensor4D;
  const y = attendKernel(qkv, newKeys, newValues, mask) as tf.Tensor2D;
  return { y, newKeys, newValues };
}
