// Generalised Advantage Estimation (Schulman et al. 2016): how much better each token turned
// out than the value head expected, blending one-step and Monte Carlo estimates with lambda.

import * as tf from '@tensorflow/tfjs';

/**
 *   delta_t = r_t + gamma * V_{t+1} * m_{t+1} - V_t
 *   A_t     = (delta_t + gamma * lambda * A_{t+1}) * m_t          (Schulman et al. 2016)
 *   returns = (A + V) * m                                          (the value head's targets)
 * rewards, values, mask [B, T]. Values after the last valid token count as 0 (the episode has
 * ended), and advantages and returns are 0 where the mask is 0. gamma = lambda = 1 with zero
 * values gives rewards-to-go; lambda = 0 gives one-step TD errors. The recursion runs
 * backwards over the T columns, a few kernels per column (T is small).
 */
export function gae(
  rewards: tf.Tensor2D,
  values: tf.Tensor2D,
  mask: tf.Tensor2D,
  gamma: number,
  lambda: number,
): { advantages: tf.Tensor2D; returns: tf.Tensor2D } {
  return tf.tidy(() => {
    const T = rewards.shape[1];
    const maskedValues = tf.mul(values, mask);
    const r = tf.unstack(rewards, 1);
    const v = tf.unstack(maskedValues, 1);
    const m = tf.unstack(mask, 1);
    const adv: tf.Tensor[] = new Array(T);
    let next: tf.Tensor = tf.zerosLike(r[0]);
    for (let t = T - 1; t >= 0; t--) {
      const nextValue = t + 1 < T ? v[t + 1] : tf.zerosLike(v[t]);
      const delta = tf.sub(tf.add(r[t], tf.mul(nextValue, gamma)), v[t]);
      next = tf.mul(tf.add(delta, tf.mul(next, gamma * lambda)), m[t]);
      adv[t] = next;
    }
    const advantages = tf.stack(adv, 1) as tf.Tensor2D;
    return { advantages, returns: tf.mul(tf.add(advantages, maskedValues), mask) as tf.Tensor2D };
  });
}
