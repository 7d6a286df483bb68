// Turning logits into probabilities: the training loss and per-token log-probabilities.

import * as tf from '@tensorflow/tfjs';
import { oneHotFloat, type CustomGradFunc } from './layers';
import { fusedKernelsActive } from './kernels/program';
import { fusedLogSoftmax } from './kernels/logSoftmax';
import { fusedPickColumns } from './kernels/pickColumns';
import { fusedCrossEntropy } from './kernels/crossEntropy';

/** log softmax over the last axis: one fused dispatch each way on WebGPU (kernels/logSoftmax.ts), tf.logSoftmax elsewhere. */
export function logSoftmax(z: tf.Tensor2D): tf.Tensor2D {
  return fusedKernelsActive() ? fusedLogSoftmax(z) : tf.logSoftmax(z);
}

/**
 * Weighted cross-entropy of next-token predictions:
 *   loss = -sum_i w_i * log softmax(z_i)[t_i]      (w_i = 1/count on counted tokens, 0 on padding)
 * with its textbook gradient written by hand:  dloss/dz_i = w_i * (softmax(z_i) - onehot(t_i)).
 * logits [N, V], targets [N] int32, weights [N] float32.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  if (fusedKernelsActive()) return fusedCrossEntropy(logits, targets.toInt(), weights); // kernels/crossEntropy.ts
  const V = logits.shape[1];
  // Tensors the gradient needs are handed to save(): anything else made here is freed before backprop.
  const ce = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const rowWeight = weights.reshape([-1, 1]);
    const weightedTarget = tf.mul(oneHotFloat(targets, V), rowWeight);
    const logp = logSoftmax(z as tf.Tensor2D);
    save([logp, weightedTarget, rowWeight]);
    return {
      value: tf.neg(tf.sum(tf.mul(logp, weightedTarget))),
      gradFunc: (dy: tf.Tensor, [slogp, sTarget, sWeight]: tf.Tensor[]) =>
        tf.mul(tf.sub(tf.mul(tf.exp(slogp), sWeight), sTarget), dy),
    };
  }) as unknown as CustomGradFunc);
  return ce(logits) as tf.Scalar;
}

/**
 * The sampling distribution as log-probabilities: logits divided by the temperature, then,
 * with top-k, every logit below the k-th largest pushed to -1e9 (probability 0).
 *   log pi(a) = log softmax(filter_k(z / T))[a]
 * Sampling and teacher forcing both call this, so their log-probs agree exactly. T is one number, or a
 * [rows, 1] column of them (one temperature per row, so several temperatures sample in one batch).
 */
export function samplingLogProbs(logits: tf.Tensor2D, temperature: number | tf.Tensor, topK: number): tf.Tensor2D {
  let z = tf.div(logits, temperature) as tf.Tensor2D;
  const V = logits.shape[1];
  if (topK > 0 && topK < V) {
    const kth = tf.topk(z, topK).values.slice([0, topK - 1], [-1, 1]);
    z = tf.where(tf.less(z, kth), tf.fill(z.shape, -1e9), z);
  }
  return logSoftmax(z);
}

/** log pi(targets) for each row: sum over the vocabulary of logp * onehot(target) [N]; on WebGPU a fused gather. */
export function pickLogProbs(logp: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (fusedKernelsActive()) return fusedPickColumns(logp, targets.toInt());
  return tf.sum(tf.mul(logp, oneHotFloat(targets, logp.shape[1])), -1);
}
