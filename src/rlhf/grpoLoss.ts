// GRPO's loss (Shao et al. 2024, DeepSeekMath, eq. 3): PPO's clipped surrogate with one
// advantage per sequence (from groupAdvantages.ts), no value head, and the KL to the reference
// model added to the loss per token (k3 estimator) instead of folded into the reward.

import * as tf from '@tensorflow/tfjs';
import { clippedSurrogate } from './ppoLoss';
import { klPerToken } from './kl';
import { maskedMean } from './whiten';

export interface GrpoLossOutput {
  /** The number to minimise. */
  loss: tf.Scalar;
  /** The surrogate part alone. */
  pgLoss: tf.Scalar;
  /** Masked mean of the k3 KL to the reference (TRL's kl). */
  kl: tf.Scalar;
  /** Share of valid tokens where the clip is active (TRL's clip_ratio). */
  clipFrac: tf.Scalar;
}

/**
 *   l_t  = -( min(r_t A_i, clip(r_t, 1-eps, 1+eps) A_i) - beta * k3_t ),   r_t = exp(logp - oldLogp)
 *   loss = mean over sequences i of ( masked mean over tokens t of l_t )     (Shao et al. 2024, eq. 3)
 * The paper's averaging: every sequence weighs the same, whatever its length (TRL also offers
 * token-level averages, which weigh long answers more). logp, oldLogp, logpRef, mask [B, T];
 * advantages [B], one per sequence. With one update per batch oldLogp equals logp in value.
 */
export function grpoLoss(
  logp: tf.Tensor2D,
  oldLogp: tf.Tensor2D,
  logpRef: tf.Tensor2D,
  advantages: tf.Tensor1D,
  mask: tf.Tensor2D,
  eps: number,
  beta: number,
): GrpoLossOutput {
  return tf.tidy(() => {
    const surrogate = clippedSurrogate(logp, oldLogp, advantages.reshape([-1, 1]) as tf.Tensor2D, eps);
    const k3 = klPerToken(logp, logpRef, 'k3');
    const perSequence = (x: tf.Tensor) => tf.mean(maskedMean(x, mask, 1)) as tf.Scalar;
    const pgLoss = perSequence(surrogate.loss);
    const kl = perSequence(k3);
    return {
      loss: tf.add(pgLoss, tf.mul(kl, beta)) as tf.Scalar,
      pgLoss,
      kl,
      clipFrac: maskedMean(surrogate.clipped, mask) as tf.Scalar,
    };
  });
}
