// How far the policy has drifted from the reference model, estimated per token from the
// log-probabilities of the tokens the policy actually sampled (Schulman, "Approximating KL
// divergence", 2020). Tokens are drawn from the policy, so averaging these over samples
// estimates KL(policy || reference).

import * as tf from '@tensorflow/tfjs';

/** k1 is unbiased but can be negative on a single token; k3 is unbiased, never negative, and has lower variance. */
export type KlKind = 'k1' | 'k3';

/**
 * Per-token KL estimate, [B, T] in and out (not masked: the caller masks).
 *   k1 = log p - log p_ref
 *   k3 = (r - 1) - log r,  r = p_ref / p = exp(log p_ref - log p)      (Schulman 2020)
 * k3 >= 0 because log r <= r - 1; the result is clamped at 0 so that float rounding near r = 1
 * cannot show a tiny negative value.
 */
export function klPerToken(logp: tf.Tensor2D, logpRef: tf.Tensor2D, kind: KlKind): tf.Tensor2D {
  return tf.tidy(() => {
    if (kind === 'k1') return tf.sub(logp, logpRef);
    const logR = tf.sub(logpRef, logp);
    return tf.relu(tf.sub(tf.expm1(logR), logR));
  }) as tf.Tensor2D;
}

/**
 * KL between best-of-n sampling and the base policy, in nats (Stiennon et al. 2020, appendix;
 * Hilton & Gao 2022): KL = log n - (n - 1) / n. It is 0 for n = 1 and grows like log n.
 * (Beirami et al. 2024 show it is an upper bound, exact when no two samples tie.)
 */
export function bestOfNKl(n: number): number {
  if (!(n >= 1)) throw new Error(`best-of-n needs n >= 1, got ${n}`);
  return Math.log(n) - (n - 1) / n;
}
