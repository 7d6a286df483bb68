// The per-token reward PPO optimises in RLHF (Ziegler et al. 2019; TRL's PPOTrainer): every
// response token pays a KL penalty for drifting from the reference model, and the reward
// model's score for the whole sequence arrives at the last token.

import * as tf from '@tensorflow/tfjs';

/**
 * A one-hot row marking the last valid token (the last 1 of the mask): argmax of mask * (t + 1).
 * A row with no valid token gets all zeros. mask [B, T] -> [B, T].
 */
export function lastTokenOneHot(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const T = mask.shape[1];
    const position = tf.range(1, T + 1, 1, 'float32');
    const last = tf.argMax(tf.mul(mask, position), 1);
    const any = tf.greater(tf.max(mask, 1), 0).toFloat().reshape([-1, 1]);
    return tf.mul(tf.oneHot(last, T).toFloat(), any);
  }) as tf.Tensor2D;
}

/**
 * r_t = -beta * kl_t * m_t  +  score * [t = last valid token]        (Ziegler et al. 2019)
 * kl [B, T] (per-token estimate, see kl.ts), scores [B], mask [B, T], beta the KL coefficient.
 * nonScore is the KL part alone (TRL's non_score_reward), for the charts.
 * A penalty for responses that never emitted EOS (TRL's missing_eos_penalty) is not applied
 * here: the caller subtracts it from those rows' scores before calling.
 */
export function klPenalisedRewards(
  kl: tf.Tensor2D,
  scores: tf.Tensor1D,
  mask: tf.Tensor2D,
  beta: number,
): { rewards: tf.Tensor2D; nonScore: tf.Tensor2D } {
  return tf.tidy(() => {
    const nonScore = tf.mul(tf.mul(kl, mask), -beta) as tf.Tensor2D;
    const atLast = tf.mul(lastTokenOneHot(mask), scores.reshape([-1, 1]));
    return { rewards: tf.add(nonScore, atLast) as tf.Tensor2D, nonScore };
  });
}
