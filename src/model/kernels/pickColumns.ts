// One entry per row of a matrix, at a column given per row, as one WebGPU dispatch each way (where
// the unfused pick builds a one-hot matrix, casts it, multiplies and sums: 4 dispatches forward):
//   forward:  y_r = m[r, t_r]           (the log-prob of the token a row sampled or must predict)
//   backward: dm[r, j] = dy_r if j = t_r, else 0

import * as tf from '@tensorflow/tfjs';
import { elementwiseProgram, registerElementwiseKernel, registerFused, type CustomGradFunc } from './program';

const pickKernel = registerFused('PlaygroundPickColumns', ['m', 'targets'], ([[R, V]]) => ({
  uniforms: [R, 1],
  program: elementwiseProgram(
    `playgroundPickColumns_${V}`,
    ['m', 'targets'],
    [R],
    `    result[i] = m[i * ${V} + i32(targets[i])];`,
  ),
}));

// `like` is the forward's input: only its shape [R, V] is used (the phony read keeps it bound).
const scatterKernel = registerElementwiseKernel(
  'PlaygroundPickColumnsGrad',
  ['like', 'dy', 'targets'],
  `    _ = like[0];
    let r = i / uniforms.cols;
    result[i] = select(0.0, dy[r], c == i32(targets[r]));`,
);

/** m [R, V], targets [R] (int32) -> [R]: m at each row's target column, through the fused kernels. */
export function fusedPickColumns(m: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const fn = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, targets]);
    return {
      value: pickKernel(x, targets),
      gradFunc: (dy: tf.Tensor, [sx, st]: tf.Tensor[]) => scatterKernel(sx, dy, st),
    };
  }) as unknown as CustomGradFunc);
  return fn(m) as tf.Tensor1D;
}
