// ILQL's heads on the policy's transformer (trlx ILQLHeads): two Q heads, each giving a value for
// every token of the vocabulary, a V head giving one value per state, and a frozen copy of the two
// Q heads (the target heads) that follows them by Polyak averaging. Each head is trlx's make_head,
//   head(h) = relu(h W1 + b1) W2 + b2,  W1 [C, 2C], W2 [2C, out],
// read from the transformer's final hidden state h. The heads' weights are one flat variable laid out
// q0 | q1 | v, so the target copy is one variable too: the q0 | q1 prefix.

import * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from '../model/config';
import { linear } from '../model/layers';
import { unflatten, type Layout, type ParamEntry, type Weights } from '../model/params';
import { mulberry32, normal } from '../data/random';
import { polyak } from './ilql';

const HEADS = ['q0', 'q1', 'v'] as const;

/** The heads' parameter table: q0, q1 (out = vocabulary) then v (out = 1). W2 starts at 0, so every head starts at 0. */
export function headLayout(c: GPTConfig): Layout {
  const C = c.nEmbd;
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const head of HEADS) {
    const out = head === 'v' ? 1 : c.vocabSize;
    const specs: [string, number[], boolean, ParamEntry['init']][] = [
      [`${head}.w1`, [C, 2 * C], true, 'normal'],
      [`${head}.b1`, [2 * C], false, 'zeros'],
      [`${head}.w2`, [2 * C, out], true, 'zeros'],
      [`${head}.b2`, [out], false, 'zeros'],
    ];
    for (const [name, shape, decay, init] of specs) {
      const size = shape.reduce((a, b) => a * b, 1);
      entries.push({ name, shape, offset, size, decay, init });
      offset += size;
    }
  }
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), size: offset };
}

/** head(h) = relu(h W1 + b1) W2 + b2   (trlx make_head), rows [R, C] -> [R, out] */
export function headOutput(w: Weights, head: (typeof HEADS)[number], h: tf.Tensor2D): tf.Tensor2D {
  const hidden = tf.relu(linear(h, w[`${head}.w1`], w[`${head}.b1`])) as tf.Tensor2D;
  return linear(hidden, w[`${head}.w2`], w[`${head}.b2`]);
}

export class IlqlHeads {
  readonly layout: Layout;
  /** The trained heads q0 | q1 | v. */
  readonly flat: tf.Variable<tf.Rank.R1>;
  /** The target heads: a Polyak average of q0 | q1, never trained. */
  readonly target: tf.Variable<tf.Rank.R1>;
  private readonly targetLayout: Layout;

  constructor(config: GPTConfig, seed: number) {
    this.layout = headLayout(config);
    const qEntries = this.layout.entries.filter((e) => !e.name.startsWith('v.'));
    const qSize = qEntries.reduce((a, e) => a + e.size, 0);
    this.targetLayout = { entries: qEntries, byName: new Map(qEntries.map((e) => [e.name, e])), size: qSize };
    // W1 ~ N(0, 1 / C) keeps the ReLU's inputs near unit scale over LayerNorm'd states; W2 and the biases start at 0.
    const values = new Float32Array(this.layout.size);
    const rand = mulberry32(seed);
    const std = 1 / Math.sqrt(config.nEmbd);
    for (const e of this.layout.entries) {
      if (e.init === 'normal') for (let i = e.offset; i < e.offset + e.size; i++) values[i] = std * normal(rand);
    }
    const initial = tf.tensor1d(values);
    this.flat = tf.variable(initial, true);
    // The target heads start as copies of the Q heads (trlx: deepcopy of q_heads).
    const qInitial = initial.slice(0, qSize);
    this.target = tf.variable(qInitial, false);
    tf.dispose([initial, qInitial]);
  }

  get paramCount(): number {
    return this.layout.size;
  }

  /** The trained heads as named tensors (call inside tf.tidy or a gradient closure). */
  weights(): Weights {
    return unflatten(this.flat, this.layout);
  }

  /** Q_0 and Q_1 over the vocabulary from hidden rows [R, C]: two [R, V]. */
  qValues(w: Weights, h: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    return [headOutput(w, 'q0', h), headOutput(w, 'q1', h)];
  }

  /** V of each state from hidden rows [R, C]: [R]. */
  value(w: Weights, h: tf.Tensor2D): tf.Tensor1D {
    return headOutput(w, 'v', h).reshape([-1]);
  }

  /** min(Q^_0, Q^_1) of the target heads over the vocabulary, [R, V] (trlx two_qs: torch.minimum of the target Qs). */
  targetQ(h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const w = unflatten(this.target, this.targetLayout);
      return tf.minimum(headOutput(w, 'q0', h), headOutput(w, 'q1', h));
    });
  }

  /** target <- alpha * (q0 | q1) + (1 - alpha) * target, on the device. */
  syncTargets(alpha: number): void {
    tf.tidy(() => this.target.assign(polyak(this.target, this.flat.slice(0, this.targetLayout.size), alpha)));
  }

  /** Reads the trained heads and the target heads back (two reads; for tests and checks). */
  async read(): Promise<{ heads: Float32Array; target: Float32Array }> {
    return { heads: (await this.flat.data()) as Float32Array, target: (await this.target.data()) as Float32Array };
  }

  dispose(): void {
    this.flat.dispose();
    this.target.dispose();
  }
}
