// KTO (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic Optimization"): learning
// from answers marked good or bad one at a time, with no pairing. Each answer's implicit reward is
// its log-ratio r = log pi(y | x) - log ref(y | x) (summed over its tokens); the loss compares r to a
// reference point z0, the policy's KL from the reference on mismatched prompt-answer rows, and
// saturates like a sigmoid, the shape prospect theory gives to gains and losses. TRL KTOTrainer's
// sigmoid loss. Inputs are sequence log-probs, one entry per example, [N].

import * as tf from '@tensorflow/tfjs';

/**
 * TRL KTOConfig's desirable_weight and undesirable_weight (both 1.0 by default). The paper asks that
 * lambda_D n_D / (lambda_U n_U) lie in [1, 4/3]; the playground splits each labelled pair into one good and
 * one bad answer, so n_D = n_U and 1 / 1 is inside that range.
 */
export const KTO_WEIGHTS = { desirable: 1, undesirable: 1 } as const;

export interface KtoWeights {
  desirable: number;
  undesirable: number;
}

export interface KtoLogps {
  /** log pi(y_i | x_i) of each example under the policy. */
  policy: tf.Tensor1D;
  /** log ref(y_i | x_i) under the frozen reference. */
  reference: tf.Tensor1D;
  /** 1 for a desirable (thumbs-up) example, 0 for an undesirable one. */
  desirable: tf.Tensor1D;
}

/**
 * z0 = max(0, mean_i(log pi(y_j | x_i) - log ref(y_j | x_i))), y_j another example's answer     (Ethayarajh 2024; TRL's KL dataset)
 * The caller computes it from values outside the gradient: KTO treats it as a constant.
 */
export function ktoReferencePoint(policyMismatched: tf.Tensor1D, referenceMismatched: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.maximum(tf.mean(tf.sub(policyMismatched, referenceMismatched)), 0)) as tf.Scalar;
}

/**
 * loss = mean_i w_i (1 - sigmoid(beta s_i (r_i - z0))), s_i = +1 desirable / -1 undesirable,
 * w_i = desirable_weight or undesirable_weight                  (Ethayarajh 2024; TRL KTOTrainer, loss_type 'kto')
 * That is 1 - sigmoid(beta (r - z0)) for a good answer and 1 - sigmoid(beta (z0 - r)) for a bad one; the mean
 * runs over all examples, as TRL's does. 1 - sigmoid(0) = 0.5 while the policy equals the reference.
 */
export function ktoLoss(p: KtoLogps, z0: tf.Scalar, beta: number, weights: KtoWeights = KTO_WEIGHTS): tf.Scalar {
  return tf.tidy(() => {
    const logRatio = tf.sub(p.policy, p.reference);
    const sign = tf.sub(tf.mul(p.desirable, 2), 1);
    const undesirable = tf.sub(1, p.desirable);
    const weight = tf.add(tf.mul(p.desirable, weights.desirable), tf.mul(undesirable, weights.undesirable));
    const value = tf.sub(1, tf.sigmoid(tf.mul(tf.mul(tf.sub(logRatio, z0), sign), beta)));
    return tf.mean(tf.mul(weight, value));
  }) as tf.Scalar;
}

/** The metrics under TRL KTOTrainer's names ('kl' is z0); a group with no example reports 0 (the caller knows the counts). */
export interface KtoMetrics {
  'rewards/chosen': tf.Scalar;
  'rewards/rejected': tf.Scalar;
  'rewards/margins': tf.Scalar;
  kl: tf.Scalar;
  'logps/chosen': tf.Scalar;
  'logps/rejected': tf.Scalar;
}

/**
 * rewards/chosen = mean over desirable of beta r, rewards/rejected = the same over undesirable,
 * rewards/margins = their difference, kl = z0, logps/chosen and logps/rejected = mean log pi per group    (TRL KTOTrainer)
 */
export function ktoMetrics(p: KtoLogps, z0: tf.Scalar, beta: number): KtoMetrics {
  return tf.tidy(() => {
    const reward = tf.mul(tf.sub(p.policy, p.reference), beta) as tf.Tensor1D;
    const undesirable = tf.sub(1, p.desirable) as tf.Tensor1D;
    // Mean over the examples a mask selects; 0 for an empty group instead of 0 / 0.
    const groupMean = (x: tf.Tensor1D, mask: tf.Tensor1D) =>
      tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    const chosen = groupMean(reward, p.desirable),
      rejected = groupMean(reward, undesirable);
    return {
      'rewards/chosen': chosen,
      'rewards/rejected': rejected,
      'rewards/margins': tf.sub(chosen, rejected) as tf.Scalar,
      kl: tf.clone(z0),
      'logps/chosen': groupMean(p.policy, p.desirable),
      'logps/rejected': groupMean(p.policy, undesirable),
    };
  });
}
