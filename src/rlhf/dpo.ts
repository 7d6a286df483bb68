// Learning from preference pairs directly, without a reward model or sampling: DPO (Rafailov
// et al. 2023) and IPO (Azar et al. 2023). Inputs are sequence log-probs (sums of token log-probs
// of each completion) under the policy and the frozen reference, one entry per pair, [N].

import * as tf from '@tensorflow/tfjs';

export interface PairLogps {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
}

/** h = (log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l)): how much more the policy moved toward the chosen one. */
export function logRatioMargin(p: PairLogps): tf.Tensor1D {
  return tf.tidy(() =>
    tf.sub(tf.sub(p.policyChosen, p.refChosen), tf.sub(p.policyRejected, p.refRejected)),
  ) as tf.Tensor1D;
}

/**
 * DPO: loss = mean(-log sigmoid(beta * h)) = mean(softplus(-beta * h))     (Rafailov et al. 2023, eq. 7)
 * log 2 while the policy equals the reference.
 */
export function dpoLoss(p: PairLogps, beta: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.mul(logRatioMargin(p), -beta)))) as tf.Scalar;
}

/**
 * IPO: loss = mean((h - 1 / (2 beta))^2)     (Azar et al. 2023; beta plays their tau)
 * It pulls h to a finite target instead of pushing it to infinity. TRL feeds IPO the mean token
 * log-prob of each completion rather than the sum; the caller chooses which to pass.
 */
export function ipoLoss(p: PairLogps, beta: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(logRatioMargin(p), 1 / (2 * beta))))) as tf.Scalar;
}

/** The metrics under TRL's DPOTrainer names; the implicit reward of a completion is beta * log(pi / ref). */
export interface PreferenceMetrics {
  'rewards/chosen': tf.Scalar;
  'rewards/rejected': tf.Scalar;
  'rewards/margins': tf.Scalar;
  'rewards/accuracies': tf.Scalar;
  'logps/chosen': tf.Scalar;
  'logps/rejected': tf.Scalar;
}

/**
 * rewards/chosen = mean(beta (pc - rc)), rewards/rejected = mean(beta (pr - rr)),
 * rewards/margins = mean(beta h), rewards/accuracies = share of pairs with chosen reward > rejected,
 * logps/chosen = mean(pc), logps/rejected = mean(pr)                     (TRL DPOTrainer)
 */
export function preferenceMetrics(p: PairLogps, beta: number): PreferenceMetrics {
  return tf.tidy(() => {
    const chosen = tf.mul(tf.sub(p.policyChosen, p.refChosen), beta);
    const rejected = tf.mul(tf.sub(p.policyRejected, p.refRejected), beta);
    return {
      'rewards/chosen': tf.mean(chosen) as tf.Scalar,
      'rewards/rejected': tf.mean(rejected) as tf.Scalar,
      'rewards/margins': tf.mean(tf.sub(chosen, rejected)) as tf.Scalar,
      'rewards/accuracies': tf.mean(tf.greater(chosen, rejected).toFloat()) as tf.Scalar,
      'logps/chosen': tf.mean(p.policyChosen) as tf.Scalar,
      'logps/rejected': tf.mean(p.policyRejected) as tf.Scalar,
    };
  });
}
