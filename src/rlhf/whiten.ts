// Masked statistics over [B, T] tensors, counting only entries where the mask is 1, and
// whitening (TRL's masked_mean, masked_var, masked_whiten) used to normalise advantages.

import * as tf from '@tensorflow/tfjs';

/** sum(x * m) / sum(m) over all entries, or along `axis`; an empty mask gives 0, not NaN. */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask), axis), tf.maximum(tf.sum(mask, axis), 1)));
}

/**
 * Variance over the masked entries (all of them, as one population):
 *   var = sum(m * (x - mean)^2) / (n - 1)   with unbiased (Bessel; TRL's default), else / n.
 * n = sum(m); a denominator below 1 is raised to 1 so that one valid entry gives 0, not NaN.
 */
export function maskedVar(x: tf.Tensor, mask: tf.Tensor, unbiased = true): tf.Scalar {
  return tf.tidy(() => {
    const mean = maskedMean(x, mask);
    const sq = tf.sum(tf.mul(tf.square(tf.sub(x, mean)), mask));
    const n = tf.sum(mask);
    return tf.div(sq, tf.maximum(unbiased ? tf.sub(n, 1) : n, 1));
  }) as tf.Scalar;
}

/**
 * Whitening over the masked entries (TRL's masked_whiten):
 *   w = (x - mean) / sqrt(var + 1e-8)          (var unbiased)
 * With shiftMean = false the mean is added back (only the scale changes), as TRL does for
 * rewards. The result is 0 where the mask is 0.
 */
export function whiten(x: tf.Tensor2D, mask: tf.Tensor2D, shiftMean = true): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = maskedMean(x, mask);
    let w = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(maskedVar(x, mask), 1e-8)));
    if (!shiftMean) w = tf.add(w, mean);
    return tf.mul(w, mask);
  }) as tf.Tensor2D;
}
