// ILQL (Snell et al. 2022, "Offline RL for Natural Language Generation with Implicit Language Q
// Learning"): Q and V heads on the language model learn from a fixed dataset of answers and their
// rewards, with no sampling. Each token of an answer is an action a_t taken in the state s_t (the
// text so far); the reward comes at the last token (<eos>). The losses are trlx's ILQLConfig.loss:
//   Q:    (Q_i(s_t, a_t) - (r_t + gamma V(s_{t+1})))^2 for both Q heads (V(s') = 0 after the last token)
//   V:    expectile regression of V(s_t) on the target heads' min_i Q^_i(s_t, a_t), expectile tau
//   CQL:  cross-entropy of each Q head's row read as logits, at the action taken (pushes unseen actions down)
//   AWAC: the language model's cross-entropy at the action, weighted by exp(beta_awac (Q^ - V)) (behaviour cloning)
// Every input is flat over the token columns of a batch, [M] (or [M, V] for whole rows); `mask` is 1 on
// the columns that are actions. Targets (V(s'), the target Q, the AWAC weight) are constants, computed
// by the caller outside the gradient.

import * as tf from '@tensorflow/tfjs';
import { logSoftmax, pickLogProbs } from '../model/logprobs';

/** trlx ILQLConfig's beta: the AWAC weight's temperature. 0 (trlx's default) makes the AWAC term plain behaviour cloning. */
export const AWAC_BETA = 0;

export interface IlqlLossSettings {
  /** Expectile of V over the target Q (trlx tau): 0.5 fits the mean, towards 1 the max. */
  tau: number;
  cqlScale: number;
  awacScale: number;
}

export interface IlqlLossInputs {
  /** The two Q heads' rows over the vocabulary, [M, V] each (with gradient). */
  qs: [tf.Tensor2D, tf.Tensor2D];
  /** The language model's logits, [M, V] (with gradient). */
  logits: tf.Tensor2D;
  /** V(s_t) of each column, [M] (with gradient). */
  v: tf.Tensor1D;
  /** The action taken at each column (the next token), [M] int32. */
  actions: tf.Tensor1D;
  /** r_t + gamma V(s_{t+1}): bellmanTargets' output, a constant [M]. */
  qTarget: tf.Tensor1D;
  /** min over the target heads of Q^(s_t, a_t), a constant [M]. */
  targetQ: tf.Tensor1D;
  /** exp(beta_awac (Q^ - V)), a constant [M]. */
  awacWeight: tf.Tensor1D;
  /** 1 on action columns, [M]. */
  mask: tf.Tensor1D;
}

/** The total and its four parts, as trlx logs them (losses/loss, losses/loss_q, ...), and Q_i(s_t, a_t) of each head. */
export interface IlqlLosses {
  loss: tf.Scalar;
  q: tf.Scalar;
  v: tf.Scalar;
  cql: tf.Scalar;
  awac: tf.Scalar;
  taken: tf.Tensor1D[];
}

/** Q^_t = r_t + gamma * V(s_{t+1}) * notDone_{t+1}   (Snell 2022, eq. 1; trlx Q_ = rewards + gamma * Vnext) */
export function bellmanTargets(
  rewards: tf.Tensor1D,
  vNext: tf.Tensor1D,
  nextNotDone: tf.Tensor1D,
  gamma: number,
): tf.Tensor1D {
  return tf.tidy(() => tf.add(rewards, tf.mul(tf.mul(vNext, nextNotDone), gamma)));
}

/**
 * L_tau(u) = |tau - 1(u < 0)| u^2 = tau relu(u)^2 + (1 - tau) relu(-u)^2, u = Q^ - V, per element
 * (Kostrikov et al. 2021, IQL eq. 3; trlx loss_v). Written with relu: tfjs has no gradient through a comparison.
 */
export function expectileLoss(u: tf.Tensor1D, tau: number): tf.Tensor1D {
  return tf.tidy(() => tf.add(tf.mul(tf.square(tf.relu(u)), tau), tf.mul(tf.square(tf.relu(tf.neg(u))), 1 - tau)));
}

/** sum(x * mask) / max(1, sum(mask)): trlx's mean over the action columns (n_nonterminal). */
function maskedMean(x: tf.Tensor, mask: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1));
}

/** -log softmax(z)[a] at each row: the cross-entropy of a row read as logits, [M]. */
function crossEntropyAt(z: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  return tf.neg(pickLogProbs(logSoftmax(z), actions));
}

/**
 * loss = sum_i mean (Q_i - Q^)^2 + mean L_tau(Q^_target - V) + cql_scale sum_i mean CE(Q_i, a) + awac_scale mean w CE(logits, a)
 * (Snell 2022, eqs. 1-3 and the CQL term; trlx ILQLConfig.loss), every mean over the action columns.
 */
export function ilqlLosses(x: IlqlLossInputs, s: IlqlLossSettings): IlqlLosses {
  return tf.tidy(() => {
    const taken = x.qs.map((q) => pickLogProbs(q, x.actions)); // Q_i(s_t, a_t): the column of the action
    const q = tf.addN(taken.map((qi) => maskedMean(tf.square(tf.sub(qi, x.qTarget)), x.mask))) as tf.Scalar;
    const v = maskedMean(expectileLoss(tf.sub(x.targetQ, x.v), s.tau), x.mask);
    const cql = tf.addN(x.qs.map((qi) => maskedMean(crossEntropyAt(qi, x.actions), x.mask))) as tf.Scalar;
    const awac = maskedMean(tf.mul(crossEntropyAt(x.logits, x.actions), x.awacWeight), x.mask);
    const loss = tf.addN([q, v, tf.mul(cql, s.cqlScale), tf.mul(awac, s.awacScale)]) as tf.Scalar;
    return { loss, q, v, cql, awac, taken };
  });
}

/** w_t = exp(beta_awac (Q^(s_t, a_t) - V(s_t))), a constant of the AWAC term   (Nair et al. 2020; trlx awac_weight) */
export function awacWeights(targetQ: tf.Tensor1D, v: tf.Tensor1D, beta = AWAC_BETA): tf.Tensor1D {
  return tf.tidy(() => tf.exp(tf.mul(tf.sub(targetQ, v), beta)) as tf.Tensor1D);
}

/** trlx get_tensor_stats over the action columns: mean, std (about that mean), min and max. */
export function maskedStats(
  x: tf.Tensor1D,
  mask: tf.Tensor1D,
): { mean: tf.Scalar; std: tf.Scalar; min: tf.Scalar; max: tf.Scalar } {
  return tf.tidy(() => {
    const mean = maskedMean(x, mask);
    const on = tf.greater(mask, 0);
    return {
      mean,
      std: tf.sqrt(maskedMean(tf.square(tf.sub(x, mean)), mask)),
      min: tf.min(tf.where(on, x, tf.fill(x.shape, 1e9))),
      max: tf.max(tf.where(on, x, tf.fill(x.shape, -1e9))),
    };
  });
}

/** target <- alpha * online + (1 - alpha) * target   (Polyak averaging; trlx ILQLHeads._sync_target_q_heads) */
export function polyak(target: tf.Tensor1D, online: tf.Tensor1D, alpha: number): tf.Tensor1D {
  return tf.tidy(() => tf.add(tf.mul(online, alpha), tf.mul(target, 1 - alpha)));
}
