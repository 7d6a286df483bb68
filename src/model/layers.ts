// The building blocks of the transformer, each a small function of tensors.
// Matrices are always multiplied in 2-D ([rows, in] x [in, out]): tfjs's gradient of a 3-D by
// 2-D matMul is wrong (tfjs issue #8721), so callers flatten [batch, time] into rows first.

import * as tf from '@tensorflow/tfjs';

/** The function type tf.customGrad takes (tfjs does not export it by name). */
export type CustomGradFunc = Parameters<typeof tf.customGrad>[0];

/** y = x W + b, with the bias added inside the matMul kernel (one GPU kernel, not two). */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D;
}

const LN_EPS = 1e-5;

/**
 * LayerNorm over the last axis (Ba, Kiros & Hinton 2016): y = (x - mean) / sqrt(var + eps) * g + b.
 * Its gradient is written out by hand, which takes about half the kernels of the automatic one:
 *   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * g,
 *   dg = sum over rows of dy * xhat,  db = sum over rows of dy.
 */
export const layerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
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
