// The reward model's loss: a Bradley-Terry model of pairwise preferences (Christiano et al. 2017;
// Ouyang et al. 2022). The reward model gives each completion a score r; the chance that a person
// prefers the chosen one is modelled as sigmoid(r_chosen - r_rejected).

import * as tf from '@tensorflow/tfjs';

export interface RewardLossOptions {
  /** Asks the chosen reward to beat the rejected one by at least this much (0 = plain loss). */
  margin: number;
  /** Weight c of the centring term c * mean((r_c + r_r)^2), which keeps rewards near zero. */
  centering: number;
}

/** Per-example extras from ratings (data/ratings.ts): a margin that grows with the rating gap, and pointwise rows. */
export interface RatingTerms {
  /** Added to the margin of each example (0 for labelled pairs). */
  margins: tf.Tensor1D;
  /** 1 where the example is one rated answer (chosen and rejected are that same answer), else 0. */
  pointwise: tf.Tensor1D;
}

/**
 * Weighted Bradley-Terry loss over pairs, with soft targets (1 = chosen preferred, 0.5 = tie):
 *   d_i = r_c - r_r - m_i   (m_i = margin on preferred pairs, 0 on ties, plus a rating pair's own margin)
 *   loss = sum_i w_i * ( -t_i log sigmoid(d_i) - (1 - t_i) log sigmoid(-d_i) ) / sum_i w_i
 *          + c * mean_i (r_c + r_r)^2   (over the pairs)
 * A pointwise example (one rated answer, target t = its normalised rating) uses d_i = r_c: the same
 * cross-entropy then asks sigmoid(r) to match the rating. With equal rewards and no margin every
 * pair costs log 2; adding a constant to every reward changes nothing but the centring term.
 */
export function rewardModelLoss(
  rChosen: tf.Tensor1D,
  rRejected: tf.Tensor1D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
  opts: RewardLossOptions,
  ratings?: RatingTerms,
): tf.Scalar {
  let margins = tf.mul(tf.equal(targets, 1).toFloat(), opts.margin);
  if (ratings) margins = tf.add(margins, ratings.margins);
  let d = tf.sub(tf.sub(rChosen, rRejected), margins);
  const pairRows = ratings ? tf.sub(1, ratings.pointwise) : null; // without ratings every row is a pair
  if (ratings) d = tf.add(tf.mul(d, pairRows!), tf.mul(rChosen, ratings.pointwise));
  // -log sigmoid(x) = softplus(-x). (tf.logSigmoid is avoided: its gradient reads a freed tensor in tfjs 4.22.)
  const perPair = tf.add(tf.mul(targets, tf.softplus(tf.neg(d))), tf.mul(tf.sub(1, targets), tf.softplus(d)));
  let loss = tf.div(tf.sum(tf.mul(perPair, weights)), tf.sum(weights));
  if (opts.centering > 0) {
    const squares = tf.square(tf.add(rChosen, rRejected));
    const spread = pairRows
      ? tf.div(tf.sum(tf.mul(squares, pairRows)), tf.maximum(tf.sum(pairRows), 1))
      : tf.mean(squares);
    loss = tf.add(loss, tf.mul(spread, opts.centering));
  }
  return loss as tf.Scalar;
}

/** Share of pairs with a clear preference (target 1) whose chosen completion gets the higher reward (rated rows left out). */
export function pairAccuracy(
  rChosen: tf.Tensor1D,
  rRejected: tf.Tensor1D,
  targets: tf.Tensor1D,
  pointwise?: tf.Tensor1D,
): tf.Scalar {
  let decided = tf.equal(targets, 1).toFloat();
  if (pointwise) decided = tf.mul(decided, tf.sub(1, pointwise));
  const right = tf.mul(tf.greater(rChosen, rRejected).toFloat(), decided);
  return tf.div(tf.sum(right), tf.maximum(tf.sum(decided), 1)) as tf.Scalar;
}
