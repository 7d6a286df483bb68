// The building blocks of the transformer, each a small function of tensors.
// Matrices are always multiplied in 2-D ([rows, in] x [in, out]): tfjs's gradient of a 3-D by
// 2-D matMul is wrong (tfjs issue #8721), so callers flatten [batch, time] into rows first.
// On WebGPU, LayerNorm, attention, the bias + GELU and the bias gradients run as fused kernels
// (kernels/), one dispatch where these ops take several; every other backend runs the ops below.

import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive, type CustomGradFunc } from './kernels/program';
import { fusedLayerNorm } from './kernels/layerNorm';
import { biasGeluGradKernel, biasGeluKernel } from './kernels/biasGelu';
import { columnSums } from './kernels/columnSums';
import { fusedAttention } from './kernels/attention';

export type { CustomGradFunc } from './kernels/program';

/**
 * A linear layer, y = x W + b, with its gradient written out:
 *   dx = dy W^T,   dW = x^T dy,   db = sum over rows of dy.
 * (By hand it issues about half the kernel calls of tfjs's fused matMul and its gradient.)
 */
export const linear = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    // On WebGPU the product and the bias are one dispatch (tfjs's fused matMul); elsewhere two ops.
    value: fusedKernelsActive()
      ? tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b })
      : tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, sw as tf.Tensor2D, false, true),
      tf.matMul(sx as tf.Tensor2D, dy as tf.Tensor2D, true, false),
      columnSums(dy as tf.Tensor2D),
    ],
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const LN_EPS = 1e-5;

/**
 * LayerNorm over the last axis (Ba, Kiros & Hinton 2016): y = (x - mean) / sqrt(var + eps) * g + b.
 * Its gradient is written out by hand, which takes about half the kernels of the automatic one:
 *   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * g,
 *   dg = sum over rows of dy * xhat,  db = sum over rows of dy.
 */
const layerNormOps = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  const xhat = tf.mul(xc, rstd);
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sxhat, srstd, sg] = saved;
      const dxhat = tf.mul(dy, sg);
      const meanD = tf.mean(dxhat, -1, true);
      const meanDX = tf.mean(tf.mul(dxhat, sxhat), -1, true);
      const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, meanD), tf.mul(sxhat, meanDX)));
      const dg = tf.sum(tf.mul(dy, sxhat), 0);
      const db = tf.sum(dy, 0);
      return [dx, dg, db];
    },
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** LayerNorm: the fused WebGPU kernels where they run (kernels/layerNorm.ts, the same maths), else the ops above. */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return fusedKernelsActive() ? fusedLayerNorm(x, g, b) : layerNormOps(x, g, b);
}

/** GELU, the exact form (Hendrycks & Gimpel 2016): gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    // d gelu / dx = Phi(x) + x * phi(x), with phi the standard normal density.
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, scdf] = saved;
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return [tf.mul(dy, tf.add(scdf, tf.mul(sx, pdf)))];
    },
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * gelu(x W + b), the MLP's first layer. On WebGPU the bias and the GELU are one kernel each way
 * (kernels/biasGelu.ts); the gradient at the pre-activation u = x W + b, du, then gives
 *   dx = du W^T,   dW = x^T du,   db = sum over rows of du.
 */
const linearGeluFused = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const h = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  save([x, w, b, h]);
  return {
    value: biasGeluKernel(h, b),
    gradFunc: (dy: tf.Tensor, [sx, sw, sb, sh]: tf.Tensor[]) => {
      const du = biasGeluGradKernel(sh, sb, dy) as tf.Tensor2D;
      return [
        tf.matMul(du, sw as tf.Tensor2D, false, true),
        tf.matMul(sx as tf.Tensor2D, du, true, false),
        columnSums(du),
      ];
    },
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

export function linearGelu(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return fusedKernelsActive() ? linearGeluFused(x, w, b) : gelu(linear(x, w, b));
}

/** [B*T, 3C] rows of (query | key | value) -> three [B, H, T, D] tensors, split into heads. */
export function splitHeads(qkv: tf.Tensor, B: number, T: number, H: number): tf.Tensor4D[] {
  const D = qkv.shape[1]! / (3 * H);
  return tf.unstack(qkv.reshape([B, T, 3, H, D]).transpose([2, 0, 3, 1, 4])) as tf.Tensor4D[];
}

/** [B, H, T, D] -> [B*T, H*D]: the heads side by side again. */
export function mergeHeads(y: tf.Tensor4D): tf.Tensor2D {
  const [B, H, T, D] = y.shape;
  return y.transpose([0, 2, 1, 3]).reshape([B * T, H * D]);
}

/**
 * Multi-head causal self-attention from the (query | key | value) rows, with its gradient
 * written out (P = softmax(S), S = q k^T / sqrt(d) + mask, y = P v):
 *   dv = P^T dy,   dP = dy v^T,   dS = P * (dP - rowsum(dP * P)),   dq = dS k / sqrt(d),   dk = dS^T q / sqrt(d).
 */
export function selfAttention(qkv: tf.Tensor2D, B: number, T: number, H: number, mask: tf.Tensor): tf.Tensor2D {
  // On WebGPU, all heads in one dispatch (kernels/attention.ts).
  if (fusedKernelsActive()) return fusedAttention(qkv, B, T, H, mask);
  const fn = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [q, k, v] = splitHeads(x, B, T, H);
    const qs = tf.mul(q, 1 / Math.sqrt(q.shape[3]));
    const p = tf.softmax(tf.add(tf.matMul(qs, k, false, true), mask));
    save([qs, k, v, p]);
    return {
      value: mergeHeads(tf.matMul(p, v)),
      gradFunc: (dOut: tf.Tensor, [sq, sk, sv, sp]: tf.Tensor[]) => {
        const dy = dOut.reshape([B, T, H, -1]).transpose([0, 2, 1, 3]);
        const dv = tf.matMul(sp, dy, true, false);
        const dp = tf.matMul(dy, sv, false, true);
        const ds = tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true)));
        const dq = tf.mul(tf.matMul(ds, sk), 1 / Math.sqrt(sq.shape[3]!));
        const dk = tf.matMul(ds, sq, true, false);
        return tf.stack([dq, dk, dv]).transpose([1, 3, 0, 2, 4]).reshape(x.shape);
      },
    };
  }) as unknown as CustomGradFunc);
  return fn(qkv) as tf.Tensor2D;
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017): softmax(q k^T / sqrt(d) + mask) v.
 * q: [B, H, Tq, D]; k, v: [B, H, Tk, D]; mask: additive, 0 where a query may look, -1e9 where
 * not (a large finite number rather than -Infinity, which GPU shaders may not handle).
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor): tf.Tensor4D {
  const scale = 1 / Math.sqrt(q.shape[3]);
  const scores = tf.add(tf.matMul(tf.mul(q, scale), k, false, true), mask);
  return tf.matMul(tf.softmax(scores), v);
}

/** Additive causal mask [T, T]: position t may look at positions <= t. */
export function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** One-hot rows as float32. (Built as int32 and cast: the wasm backend writes wrong values for a float32 oneHot.) */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), 'float32');
}
