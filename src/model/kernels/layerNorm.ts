// LayerNorm as fused WebGPU kernels: one dispatch forward, two backward (where the unfused ops
// take 9 and about 14). The maths is layers.ts's, over rows x [R, C]:
//   forward:  xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps),  y = xhat * g + b
//   backward: dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * g,
//             dg = sum over rows of dy * xhat,  db = sum over rows of dy.
// The forward saves nothing but x: the dx dispatch recomputes each row's mean and rstd and writes
// them after dx, for the dg and db dispatch; sampling, where no gradient is taken, stays at a
// single dispatch per LayerNorm. Each backward output is cut apart by buffer copies (flatCopies.ts).

import * as tf from '@tensorflow/tfjs';
import { registerGroupKernel, THREADS, type CustomGradFunc } from './program';
import { flatSplit } from './flatCopies';

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

/** dx [R * C], then each row's (mean, rstd) [R * 2], one workgroup per row. */
const dxKernel = registerGroupKernel('PlaygroundLayerNormDx', ['x', 'g', 'dy'], (rows, cols) => ({
  outputShape: [rows * cols + 2 * rows],
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
  }
  if (valid && localIndex == 0u) {
    let at = uniforms.rows * cols + slot * 2;
    result[at] = mean;
    result[at + 1] = rstd;
  }`,
}));

/** dg [C] then db [C]: sums over rows of dy * xhat and of dy, one workgroup per column, from the rows' statistics. */
const dgKernel = registerGroupKernel('PlaygroundLayerNormDg', ['x', 'dy', 'stats'], (_rows, cols) => ({
  outputShape: [2 * cols],
  groups: cols,
  body: `
  let cols = uniforms.cols;
  let valid = slot < cols;
  var s = 0.0;
  var sb = 0.0;
  if (valid) {
    for (var r = i32(localIndex); r < uniforms.rows; r = r + ${THREADS}) {
      let i = r * cols + slot;
      s = s + dy[i] * (x[i] - stats[r * 2]) * stats[r * 2 + 1];
      sb = sb + dy[i];
    }
  }
  let total = workgroupSum(s);
  let totalB = workgroupSum(sb);
  if (valid && localIndex == 0u) {
    result[slot] = total;
    result[cols + slot] = totalB;
  }`,
}));

/** LayerNorm over the last axis of x [R, C] with gain g and bias b [C], through the fused kernels. */
export const fusedLayerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, g]);
  return {
    value: forwardKernel(x, g, b),
    gradFunc: (dy: tf.Tensor, [sx, sg]: tf.Tensor[]) => {
      const [R, C] = sx.shape;
      const [dx, stats] = flatSplit(dxKernel(sx, sg, dy) as tf.Tensor1D, [R * C, 2 * R]);
      const [dg, db] = flatSplit(dgKernel(sx, dy, stats.reshape([R, 2])) as tf.Tensor1D, [C, C]);
      stats.dispose();
      return [dx.reshape([R, C]), dg, db];
    },
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
