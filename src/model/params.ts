// Where every weight lives. All of the model's numbers sit in ONE flat Float32 vector; a
// layout table names each matrix and says where it starts. One vector makes the optimizer a
// handful of GPU kernels instead of a dozen per weight, makes a checkpoint a single array, and
// makes "copy the model" (for a frozen reference) a single copy.

import * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from './config';
import { mulberry32, normal } from '../data/random';
import { flatConcat, flatSplit } from './kernels/flatCopies';

export interface ParamEntry {
  name: string;
  shape: number[];
  offset: number; // index of the first number in the flat vector
  size: number;
  decay: boolean; // weight decay applies to matrices (and embeddings) only, not to gains and biases
  init: 'normal' | 'residual' | 'zeros' | 'ones';
}

export interface Layout {
  entries: ParamEntry[];
  byName: Map<string, ParamEntry>;
  size: number; // total number of parameters
}

/** The parameter table of a nanoGPT-style model with a tied LM head and a scalar head. */
export function makeLayout(c: GPTConfig): Layout {
  const C = c.nEmbd;
  const specs: [string, number[], boolean, ParamEntry['init']][] = [
    ['wte', [c.vocabSize, C], true, 'normal'], // token embedding, also the LM head (tied)
    ['wpe', [c.contextLength, C], true, 'normal'], // learned position embedding
  ];
  for (let l = 0; l < c.nLayer; l++) {
    specs.push(
      [`h${l}.ln1.g`, [C], false, 'ones'],
      [`h${l}.ln1.b`, [C], false, 'zeros'],
      [`h${l}.attn.wqkv`, [C, 3 * C], true, 'normal'],
      [`h${l}.attn.bqkv`, [3 * C], false, 'zeros'],
      [`h${l}.attn.wo`, [C, C], true, 'residual'],
      [`h${l}.attn.bo`, [C], false, 'zeros'],
      [`h${l}.ln2.g`, [C], false, 'ones'],
      [`h${l}.ln2.b`, [C], false, 'zeros'],
      [`h${l}.mlp.wfc`, [C, 4 * C], true, 'normal'],
      [`h${l}.mlp.bfc`, [4 * C], false, 'zeros'],
      [`h${l}.mlp.wproj`, [4 * C, C], true, 'residual'],
      [`h${l}.mlp.bproj`, [C], false, 'zeros'],
    );
  }
  specs.push(
    ['lnf.g', [C], false, 'ones'],
    ['lnf.b', [C], false, 'zeros'],
    ['head.w', [C, 1], false, 'normal'],
    ['head.b', [1], false, 'zeros'], // scalar head (reward / value)
  );
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const [name, shape, decay, init] of specs) {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size, decay, init });
    offset += size;
  }
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), size: offset };
}

/**
 * nanoGPT's initialisation: weights ~ N(0, 0.02), the two residual projections of each block
 * ~ N(0, 0.02 / sqrt(2 * nLayer)) so the residual stream's variance does not grow with depth,
 * biases 0, LayerNorm gains 1. Seeded, so the same seed gives the same model on every backend.
 */
export function initialWeights(c: GPTConfig, seed: number): Float32Array {
  const layout = makeLayout(c);
  const w = new Float32Array(layout.size);
  const rand = mulberry32(seed);
  const residualStd = 0.02 / Math.sqrt(2 * c.nLayer);
  for (const e of layout.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      if (e.init === 'normal') w[i] = 0.02 * normal(rand);
      else if (e.init === 'residual') w[i] = residualStd * normal(rand);
      else if (e.init === 'ones') w[i] = 1;
    }
  }
  return w;
}

/** 1 where weight decay applies, 0 elsewhere (gains, biases, the scalar head). */
export function decayMask(layout: Layout): Float32Array {
  const m = new Float32Array(layout.size);
  for (const e of layout.entries) if (e.decay) m.fill(1, e.offset, e.offset + e.size);
  return m;
}

/** A copy of the weights with the scalar head set to 0, so every score starts equal (a fresh reward or value head). */
export function withZeroHead(weights: Float32Array, layout: Layout): Float32Array {
  const out = weights.slice();
  for (const e of layout.entries) if (e.name.startsWith('head.')) out.fill(0, e.offset, e.offset + e.size);
  return out;
}

/** The named weight tensors, as views the forward pass uses. */
export type Weights = Record<string, tf.Tensor>;

/** Cuts the flat vector into named, shaped tensors (one split, then free reshapes; buffer copies on WebGPU). */
export function unflatten(flat: tf.Tensor1D, layout: Layout): Weights {
  const pieces = flatSplit(
    flat,
    layout.entries.map((e) => e.size),
  );
  const out: Weights = {};
  // Vectors are already the right shape; only matrices need a reshape (each one is a kernel call).
  layout.entries.forEach((e, i) => (out[e.name] = e.shape.length === 1 ? pieces[i] : pieces[i].reshape(e.shape)));
  return out;
}

/**
 * The value of a loss and its gradient with respect to the flat weight vector.
 * The gradient is taken with respect to the named pieces and laid back end to end (one concat),
 * which costs far fewer GPU kernels than differentiating through the split (a zero-padded
 * full-size copy per piece, then a sum of them all).
 */
export function lossAndFlatGrad(
  flat: tf.Tensor1D,
  layout: Layout,
  loss: (w: Weights) => tf.Scalar,
): { value: tf.Scalar; grad: tf.Tensor1D } {
  const w = unflatten(flat, layout);
  const names = layout.entries.map((e) => e.name);
  const f = (...pieces: tf.Tensor[]) => loss(Object.fromEntries(names.map((n, i) => [n, pieces[i]])));
  const xs = names.map((n) => w[n]);
  // allowNoGradients: pieces the loss does not touch (the scalar head, for the LM loss) get zeros.
  const { value, grads } = tf.engine().gradients(() => f(...xs) as tf.Scalar, xs, undefined, true);
  const flatGrads = grads.map((g, i) => g ?? xs[i].size); // a piece the loss does not touch: a run of zeros
  return { value: value as tf.Scalar, grad: flatConcat(flatGrads) };
}
