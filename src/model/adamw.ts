// AdamW (Loshchilov & Hutter 2019) on the model's flat weight vector, with global-norm clipping.
//   g   <- g * min(1, clip / ||g||)                       (gradient clipping by global L2 norm)
//   m   <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2
//   p   <- p - lr * scale * ( m_hat / (sqrt(v_hat) + eps) + wd * mask * p ),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
// where `scale` is an optional per-weight multiplier (1 everywhere unless given).
// The weight decay is decoupled (applied to the weights, not added to the gradient) and the
// mask limits it to matrices and embeddings. Everything stays on the GPU; nothing is read back.
// On WebGPU the step is four fused dispatches (kernels/adamw.ts), the same maths.

import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive } from './kernels/program';
import { fusedAdamW } from './kernels/adamw';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  epsilon: number; // added to sqrt(v_hat), as in PyTorch
  weightDecay: number;
  gradClip: number; // max global L2 norm; <= 0 turns clipping off
}

export const ADAMW_DEFAULTS: AdamWSettings = {
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
};

export class AdamW {
  private m: tf.Variable;
  private v: tf.Variable;
  private mask: tf.Tensor1D;
  private rateScale: tf.Tensor1D | null;
  /** Ones, the fused kernel's rate scale where none is given (made on first use). */
  private unitScale: tf.Tensor1D | null = null;
  private t = 0;

  /** `rateScale` (optional) multiplies the learning rate of each weight, e.g. slower for a pretrained body than for a new head. */
  constructor(
    size: number,
    decayMask: Float32Array,
    public settings: AdamWSettings = { ...ADAMW_DEFAULTS },
    rateScale?: Float32Array,
  ) {
    this.m = zeroVariable(size);
    this.v = zeroVariable(size);
    this.mask = tf.tensor1d(decayMask);
    this.rateScale = rateScale ? tf.tensor1d(rateScale) : null;
  }

  /** Applies one update to `params` from `grad`; returns the gradient's global norm before clipping (on the GPU). */
  update(params: tf.Variable, grad: tf.Tensor, lr: number): tf.Scalar {
    const { beta1, beta2, epsilon, weightDecay, gradClip } = this.settings;
    this.t += 1;
    const bias1 = 1 - beta1 ** this.t;
    const bias2 = 1 - beta2 ** this.t;
    if (fusedKernelsActive())
      return this.fusedUpdate(params, grad, [lr, beta1, beta2, bias1, bias2, epsilon, weightDecay, gradClip]);
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.sum(tf.square(grad)));
      const g = gradClip > 0 ? tf.mul(grad, tf.minimum(1, tf.div(gradClip, tf.add(norm, 1e-6)))) : grad;
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const adam = tf.div(tf.div(m, bias1), tf.add(tf.sqrt(tf.div(v, bias2)), epsilon));
      const decay = tf.mul(this.mask, tf.mul(params, weightDecay));
      const step = tf.mul(tf.add(adam, decay), lr);
      params.assign(tf.sub(params, this.rateScale ? tf.mul(step, this.rateScale) : step));
      this.m.assign(m);
      this.v.assign(v);
      return norm as tf.Scalar;
    });
  }

  private fusedUpdate(params: tf.Variable, grad: tf.Tensor, hyper: number[]): tf.Scalar {
    this.unitScale ??= this.rateScale ? null : tf.keep(tf.ones([this.m.size]) as tf.Tensor1D); // kept: update may run inside a tidy
    const rateScale = (this.rateScale ?? this.unitScale)!;
    return tf.tidy(() => {
      const t = {
        params: params as tf.Tensor as tf.Tensor1D,
        grad,
        m: this.m as tf.Tensor1D,
        v: this.v as tf.Tensor1D,
      };
      const next = fusedAdamW({ ...t, mask: this.mask, rateScale }, tf.tensor1d(hyper));
      params.assign(next.params);
      this.m.assign(next.m);
      this.v.assign(next.v);
      return next.norm;
    });
  }

  /** Forgets the moments (after the weights were replaced). */
  reset(): void {
    this.t = 0;
    tf.tidy(() => {
      this.m.assign(tf.zerosLike(this.m));
      this.v.assign(tf.zerosLike(this.v));
    });
  }

  dispose(): void {
    tf.dispose([
      this.m,
      this.v,
      this.mask,
      ...(this.rateScale ? [this.rateScale] : []),
      ...(this.unitScale ? [this.unitScale] : []),
    ]);
  }
} /** A variable of `size` zeros (its initial tensor released, so disposing the variable frees its buffer). */
function zeroVariable(size: number): tf.Variable {
  const zeros = tf.zeros([size]);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}
