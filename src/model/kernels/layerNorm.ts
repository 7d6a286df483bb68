// LayerNorm as fused WebGPU kernels: one dispatch forward, four backward (where the unfused ops
// take 9 and about 14). The maths is layers.ts's, over rows x [R, C]:
//   forward:  xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps),  y = xhat * g + b
//   backward: dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * g,
//             dg = sum over rows of dy * xhat,  db = sum over rows of dy.
// The forward saves nothing but x: the backward recomputes each row's mean and rstd (one small
// dispatch), which keeps sampling, where no gradient is taken, at a single dispatch per LayerNorm.

import * as tf from '@tensorflow/tfjs';
import { registerGroupKernel, THREADS, type CustomGradFunc } from './program';
import { columnSums } from './columnSums';

export const LN_EPS = 1e-5;

// WGSL for a row's mean and rstd, shared by the kernels that need them. `x` is the input's name.
const ROW_STATS = `
  let cols = uniforms.cols;
  let valid = slot < uniforms.rows;
  let base = slot * cols;
  var s = 0.0;
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { s = s + x[base + c]; } }
  let mean = workgroupSum(s) / f32(cols);
  var q = 0.0;
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { let d = x[base + c] - mean; q = q + d * d; } }
  let rstd = inverseSqrt(workgroupSum(q) / f32(cols) + ${LN_EPS});`;

/** y = (x - mean) * rstd * g + b, one workgroup per row. */
const forwardKernel = registerGroupKernel('PlaygroundLayerNorm', ['x', 'g', 'b'], (rows, cols) => ({
  outputShape: [rows, cols],
  groups: rows,
  body: `${ROW_STATS}
  if (valid) {
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) {
      result[base + c] = (x[base + c] - mean) * rstd * g[c] + b[c];
    }
  }`,
}));

/** Each row's (mean, rstd), [R, 2], one workgroup per row. */
const statsKernel = registerGroupKernel('PlaygroundLayerNormStats', ['x'], (rows) => ({
  outputShape: [rows, 2],
  groups: rows,
  body: `${ROW_STATS}
  if (valid && localIndex == 0u) {
    result[slot * 2] = mean;
    result[slot * 2 + 1] = rstd;
  }`,
}));

/** dx, one workgroup per row (it recomputes the row's statistics: cheaper than reading them). */
const dxKernel = registerGroupKernel('PlaygroundLayerNormDx', ['x', 'g', 'dy'], (rows, cols) => ({
  outputShape: [rows, cols],
  groups: rows,
  body: `${ROW_STATS}
  var sd = 0.0;
  var sdx = 0.0;
  if (valid) {
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) {
      let dxhat = dy[base + c] * g[c];
      sd = sd + dxhat;
      sdx = sdx + dxhat * (x[base + c] - mean) * rstd;
    }
  }
  let meanD = workgroupSum(sd) / f32(cols);
  let meanDX = workgroupSum(sdx) / f32(cols);
  if (valid) {
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) {
      let xhat = (x[base + c] - mean) * rstd;
      result[base + c] = rstd * (dy[base + c] * g[c] - meanD - xhat * meanDX);
    }
  }`,
}));

/** dg = sum over rows of dy * xhat, one workgroup per column, from the rows' statistics. */
const dgKernel = registerGroupKernel('PlaygroundLayerNormDg', ['x', 'dy', 'stats'], (rows, cols) => ({
  outputShape: [cols],
  groups: cols,
  body: `
  let cols = uniforms.cols;
  let valid = slot < cols;
  var s = 0.0;
  if (valid) {
    for (var r = i32(localIndex); r < uniforms.rows; r = r + ${THREADS}) {
      let i = r * cols + slot;
      s = s + dy[i] * (x[i] - stats[r * 2]) * stats[r * 2 + 1];
    }
  }
  let total = workgroupSum(s);
  if (valid && localIndex == 0u) { result[slot] = total; }`,
}));

/** LayerNorm over the last axis of x [R, C] with gain g and bias b [C], through the fused kernels. */
export const fusedLayerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, g]);
  return {
    value: forwardKernel(x, g, b),
    gradFunc: (dy: tf.Tensor, [sx, sg]: tf.Tensor[]) => {
      const stats = statsKernel(sx);
      const dx = dxKernel(sx, sg, dy);
      const dg = dgKernel(sx, dy, stats);
      stats.dispose();
      return [dx, dg, columnSums(dy as tf.Tensor2D)];
    },
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
