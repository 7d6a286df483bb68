// The GPT itself, in the mould of nanoGPT (Radford et al. 2019; Karpathy's nanoGPT):
//   x = token embedding + position embedding
//   for each block:  x = x + attention(LayerNorm(x));  x = x + MLP(LayerNorm(x))
//   hidden = LayerNorm(x);  logits = hidden . wte^T   (the LM head is the token embedding, tied)
// Rows are kept 2-D ([batch * time, width]) for every matrix product.

import * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from './config';
import type { Weights } from './params';
import {
  attention,
  causalMask,
  layerNorm,
  linear,
  linearGelu,
  mergeHeads,
  oneHotFloat,
  selfAttention,
  splitHeads,
} from './layers';
import { fusedKernelsActive } from './kernels/program';
import { fusedAttention } from './kernels/attention';
import { embeddingLookup } from './kernels/embedding';

/** The attention of block `layer`: from its (query | key | value) rows [B*T, 3C] to outputs [B*T, C]. */
export type Attend = (layer: number, qkv: tf.Tensor2D, B: number, T: number) => tf.Tensor2D;

/** Attention with a given additive mask, through the heads; sampling wraps this around its KV cache. */
export function maskedAttend(
  c: GPTConfig,
  mask: tf.Tensor,
  onKeysValues?: (layer: number, k: tf.Tensor4D, v: tf.Tensor4D) => [tf.Tensor4D, tf.Tensor4D],
): Attend {
  return (layer, qkv, B, T) => {
    // Every query over the same T keys: on WebGPU, all heads in one fused dispatch.
    if (!onKeysValues && fusedKernelsActive()) return fusedAttention(qkv, B, T, c.nHead, mask);
    const [q, ...kv] = splitHeads(qkv, B, T, c.nHead);
    let [k, v] = kv;
    if (onKeysValues) [k, v] = onKeysValues(layer, k, v);
    return mergeHeads(attention(q, k, v, mask));
  };
}

/** Positions 0 .. T-1 of every row, [B, T] (int32): made on the host, so no program runs. */
function plainPositions(B: number, T: number): tf.Tensor2D {
  return tf.tensor2d(
    Int32Array.from({ length: B * T }, (_, i) => i % T),
    [B, T],
    'int32',
  );
}

/**
 * Token + position embeddings as rows [B * T, C]: one fused lookup on WebGPU (kernels/embedding.ts),
 * elsewhere one-hot products, which have a gradient on every backend. Without `positions`, row b's
 * column t is at position t (right-padded batches, as in training).
 */
export function embed(w: Weights, c: GPTConfig, ids: tf.Tensor2D, positions?: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = ids.shape;
  if (fusedKernelsActive()) return embeddingLookup(ids, positions ?? plainPositions(B, T), w.wte, w.wpe);
  const tok = tf.matMul(oneHotFloat(ids.reshape([-1]), c.vocabSize) as tf.Tensor2D, w.wte as tf.Tensor2D);
  if (!positions) {
    const wpe = T === c.contextLength ? w.wpe : w.wpe.slice([0, 0], [T, c.nEmbd]);
    return tf.add(tok.reshape([B, T, c.nEmbd]), wpe).reshape([B * T, c.nEmbd]);
  }
  const pos = tf.matMul(oneHotFloat(positions.reshape([-1]), c.contextLength) as tf.Tensor2D, w.wpe as tf.Tensor2D);
  return tf.add(tok, pos);
}

/** One transformer block: pre-LayerNorm causal self-attention, then a GELU MLP, each added to x. */
export function block(w: Weights, l: number, x: tf.Tensor2D, B: number, T: number, attend: Attend): tf.Tensor2D {
  const p = `h${l}.`;
  const qkv = linear(layerNorm(x, w[p + 'ln1.g'], w[p + 'ln1.b']), w[p + 'attn.wqkv'], w[p + 'attn.bqkv']);
  const y = attend(l, qkv, B, T);
  x = tf.add(x, linear(y, w[p + 'attn.wo'], w[p + 'attn.bo']));
  const hidden = linearGelu(layerNorm(x, w[p + 'ln2.g'], w[p + 'ln2.b']), w[p + 'mlp.wfc'], w[p + 'mlp.bfc']);
  return tf.add(x, linear(hidden, w[p + 'mlp.wproj'], w[p + 'mlp.bproj']));
}

/**
 * Forward pass over ids [B, T] (int32). Returns the final hidden states [B * T, C].
 * `attend` defaults to causal attention; sampling passes its own (key padding, KV cache).
 */
export function forward(
  w: Weights,
  c: GPTConfig,
  ids: tf.Tensor2D,
  positions?: tf.Tensor2D,
  attend?: Attend,
): tf.Tensor2D {
  const [B, T] = ids.shape;
  return blocks(w, c, embed(w, c, ids, positions), B, T, attend);
}

/** The transformer blocks and the final LayerNorm over embedded inputs x [B * T, C] (decoding embeds its own way). */
export function blocks(w: Weights, c: GPTConfig, x: tf.Tensor2D, B: number, T: number, attend?: Attend): tf.Tensor2D {
  const mask = attend ? null : causalMask(T);
  const att: Attend = attend ?? ((_l, qkv) => selfAttention(qkv, B, T, c.nHead, mask!));
  for (let l = 0; l < c.nLayer; l++) x = block(w, l, x, B, T, att);
  return layerNorm(x, w['lnf.g'], w['lnf.b']);
}

/** Next-token logits [rows, vocab] from hidden states, through the tied embedding. */
export function lmLogits(w: Weights, hidden: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(hidden, w.wte as tf.Tensor2D, false, true);
}

/** The scalar head (used by the reward and value models): one number per position, [rows]. */
export function scalarHead(w: Weights, hidden: tf.Tensor2D): tf.Tensor1D {
  return linear(hidden, w['head.w'], w['head.b']).reshape([-1]);
}
