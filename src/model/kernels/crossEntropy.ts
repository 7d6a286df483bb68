// The weighted next-token cross-entropy (logprobs.ts's crossEntropy) as one WebGPU dispatch for
// the rows' terms and one for the gradient, where the unfused ops take about 11. Over rows z [R, V]
// with targets t and weights w, m_r = max_j z_rj, s_r = sum_j exp(z_rj - m_r):
//   forward:   loss = sum_r -w_r (z_r,t_r - m_r - log s_r)          (the rows' terms, then one sum)
//   backward:  dz_rj = dy w_r (exp(z_rj - m_r) / s_r - [j = t_r])
// One workgroup per row, its threads striding over the vocabulary.

import * as tf from '@tensorflow/tfjs';
import { registerGroupKernel, ROW_LOG_SUM, THREADS, type CustomGradFunc } from './program';

const rowsKernel = registerGroupKernel('PlaygroundCrossEntropyRows', ['z', 'targets', 'weights'], (rows) => ({
  outputShape: [rows],
  groups: rows,
  helpers: ROW_LOG_SUM,
  body: `
  let valid = slot < uniforms.rows;
  let ml = rowLogSum(slot, valid, 1.0);
  if (valid && localIndex == 0u) {
    let logp = (z[slot * uniforms.cols + i32(targets[slot])] - ml.x) - ml.y;
    result[slot] = -weights[slot] * logp;
  }`,
}));

const gradKernel = registerGroupKernel(
  'PlaygroundCrossEntropyGrad',
  ['z', 'targets', 'weights', 'dy'],
  (rows, cols) => ({
    outputShape: [rows, cols],
    groups: rows,
    helpers: ROW_LOG_SUM,
    body: `
  let valid = slot < uniforms.rows;
  let ml = rowLogSum(slot, valid, 1.0);
  if (valid) {
    let cols = uniforms.cols;
    let wanted = i32(targets[slot]);
    let scale = dy[0] * weights[slot];
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) {
      let p = exp((z[slot * cols + c] - ml.x) - ml.y);
      result[slot * cols + c] = scale * (p - select(0.0, 1.0, c == wanted));
    }
  }`,
  }),
);

/** sum_r -w_r log softmax(z_r)[t_r] for logits [R, V], targets [R] (int32), weights [R]: a scalar. */
export function fusedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const fn = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    save([z, targets, weights]);
    return {
      value: tf.sum(rowsKernel(z, targets, weights)),
      gradFunc: (dy: tf.Tensor, [sz, st, sw]: tf.Tensor[]) => gradKernel(sz, st, sw, dy.reshape([1])),
    };
  }) as unknown as CustomGradFunc);
  return fn(logits) as tf.Scalar;
}
