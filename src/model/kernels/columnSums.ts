// The sum over rows of a [R, C] matrix, as one WebGPU dispatch: the bias gradient of a linear layer
// or a LayerNorm, db = sum over rows of dy. (tf.sum over axis 0 transposes first: two dispatches.)

import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive, registerGroupKernel, THREADS } from './program';

/** One workgroup per column, its threads striding over the rows. */
const columnSumsKernel = registerGroupKernel('PlaygroundColumnSums', ['m'], (_rows, cols) => ({
  outputShape: [cols],
  groups: cols,
  body: `
  let cols = uniforms.cols;
  let valid = slot < cols;
  var s = 0.0;
  if (valid) { for (var r = i32(localIndex); r < uniforms.rows; r = r + ${THREADS}) { s = s + m[r * cols + slot]; } }
  let total = workgroupSum(s);
  if (valid && localIndex == 0u) { result[slot] = total; }`,
}));

/** sum over rows of m [R, C] -> [C]: the fused kernel on WebGPU, tf.sum elsewhere. */
export function columnSums(m: tf.Tensor2D): tf.Tensor1D {
  return (fusedKernelsActive() ? columnSumsKernel(m) : tf.sum(m, 0)) as tf.Tensor1D;
}
