// log softmax over the last axis as one WebGPU dispatch each way (the unfused ops take about 6
// forward and 4 backward). Over rows z [R, V]:
//   forward:  logp_j = z_j - m - log sum_k exp(z_k - m),  m = max_k z_k
//   backward: dz_j = dlogp_j - exp(logp_j) * sum_k dlogp_k
// One workgroup per row, its threads striding over the vocabulary.

import * as tf from '@tensorflow/tfjs';
import { registerGroupKernel, ROW_LOG_SUM, THREADS, type CustomGradFunc } from './program';

const forwardKernel = registerGroupKernel('PlaygroundLogSoftmax', ['z'], (rows, cols) => ({
  outputShape: [rows, cols],
  groups: rows,
  helpers: ROW_LOG_SUM,
  body: `
  let cols = uniforms.cols;
  let valid = slot < uniforms.rows;
  let base = slot * cols;
  let ml = rowLogSum(slot, valid, 1.0);
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { result[base + c] = (z[base + c] - ml.x) - ml.y; } }`,
}));

const gradKernel = registerGroupKernel('PlaygroundLogSoftmaxGrad', ['logp', 'dy'], (rows, cols) => ({
  outputShape: [rows, cols],
  groups: rows,
  body: `
  let cols = uniforms.cols;
  let valid = slot < uniforms.rows;
  let base = slot * cols;
  var s = 0.0;
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { s = s + dy[base + c]; } }
  let total = workgroupSum(s);
  if (valid) {
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { result[base + c] = dy[base + c] - exp(logp[base + c]) * total; }
  }`,
}));

/** log softmax of z [R, V] over its last axis, through the fused kernels. */
export const fusedLogSoftmax = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
  const logp = forwardKernel(z);
  save([logp]);
  return { value: logp, gradFunc: (dy: tf.Tensor, [slogp]: tf.Tensor[]) => gradKernel(slogp, dy) };
}) as unknown as CustomGradFunc) as (z: tf.Tensor2D) => tf.Tensor2D;
