// A model = a config, its layout, and one flat tf.Variable holding every weight.

import * as tf from '@tensorflow/tfjs';
import { validateConfig, type GPTConfig } from './config';
import { initialWeights, makeLayout, unflatten, type Layout, type Weights } from './params';

export class GPT {
  readonly layout: Layout;
  readonly flat: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly config: GPTConfig,
    weights: Float32Array,
  ) {
    const problem = validateConfig(config);
    if (problem) throw new Error(problem);
    this.layout = makeLayout(config);
    if (weights.length !== this.layout.size) {
      throw new Error(`expected ${this.layout.size} weights for this config, got ${weights.length}`);
    }
    // A variable keeps a reference to its initial value's buffer; the initial tensor is released
    // here, or each model would leave one parameter-sized buffer behind when disposed.
    const initial = tf.tensor1d(weights);
    this.flat = tf.variable(initial, true);
    initial.dispose();
  }

  /** A freshly initialised model (nanoGPT init, seeded). */
  static random(config: GPTConfig, seed: number): GPT {
    return new GPT(config, initialWeights(config, seed));
  }

  /** Fresh initial weights for a config (nanoGPT init, seeded), as an array. */
  static randomWeights(config: GPTConfig, seed: number): Float32Array {
    return initialWeights(config, seed);
  }

  get paramCount(): number {
    return this.layout.size;
  }

  /** Named weight tensors, cut from the flat vector (call inside tf.tidy or a gradient closure). */
  weights(): Weights {
    return unflatten(this.flat, this.layout);
  }

  /** Reads the weights back from the device (one await data()). */
  async read(): Promise<Float32Array> {
    return (await this.flat.data()) as Float32Array;
  }

  /** Overwrites the weights in place, on the device (no read). */
  assign(values: Float32Array | tf.Tensor1D): void {
    if (values instanceof Float32Array) {
      if (values.length !== this.layout.size)
        throw new Error(`expected ${this.layout.size} weights, got ${values.length}`);
      tf.tidy(() => this.flat.assign(tf.tensor1d(values)));
    } else {
      this.flat.assign(values);
    }
  }

  /** Copies another model's weights into this one (same config), on the device. */
  copyFrom(other: GPT): void {
    if (other.layout.size !== this.layout.size)
      throw new Error('cannot copy weights between models of different sizes');
    tf.tidy(() => this.flat.assign(other.flat.clone()));
  }

  dispose(): void {
    this.flat.dispose();
  }
}
