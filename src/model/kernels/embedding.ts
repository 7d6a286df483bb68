// The model's input, token embedding plus position embedding, as one WebGPU dispatch forward and
// two backward (where the unfused ops build one-hot matrices, cast them, multiply and add: 4 to 7
// forward, 2 or 3 backward). For rows r with token k_r and position p_r:
//   forward:   x_r = wte[k_r] + wpe[p_r]
//   backward:  dwte[v] = sum of dx_r over the rows whose token is v,  dwpe[p] = the same over positions
// Each backward thread owns one (row of the table, column) and sums over the rows of x.

import * as tf from '@tensorflow/tfjs';
import { elementwiseProgram, registerFused, type CustomGradFunc } from './program';

const lookupKernel = registerFused('PlaygroundEmbedding', ['tokens', 'positions', 'wte', 'wpe'], (shapes) => {
  const [R, C] = [shapes[1][0], shapes[2][1]];
  return {
    uniforms: [R, C],
    program: elementwiseProgram(
      'PlaygroundEmbedding',
      ['tokens', 'positions', 'wte', 'wpe'],
      [R, C],
      `    let r = i / uniforms.cols;
    result[i] = wte[i32(tokens[r]) * uniforms.cols + c] + wpe[i32(positions[r]) * uniforms.cols + c];`,
    ),
  };
});

/** d(table) [N, C] for a table `like` (only its shape is read) from dx [R, C] and each row's index (its first R values). */
const scatterKernel = registerFused('PlaygroundEmbeddingGrad', ['like', 'dx', 'rowIndex'], ([[N, C], [R]]) => ({
  uniforms: [N, C],
  program: elementwiseProgram(
    `PlaygroundEmbeddingGrad_${R}`,
    ['like', 'dx', 'rowIndex'],
    [N, C],
    `    _ = like[0];
    let v = i / uniforms.cols;
    var s = 0.0;
    for (var r = 0; r < ${R}; r = r + 1) { if (i32(rowIndex[r]) == v) { s = s + dx[r * uniforms.cols + c]; } }
    result[i] = s;`,
  ),
}));

/**
 * x [R, C] for tokens [R] (int32, or floats: only the first R values are read, so a sampling
 * step's [3, B] draw state serves as is) at positions [R] (int32), through the fused kernels;
 * the gradient reaches wte and wpe.
 */
export function embeddingLookup(tokens: tf.Tensor, positions: tf.Tensor, wte: tf.Tensor, wpe: tf.Tensor): tf.Tensor2D {
  const [k, p] = [tokens, positions.reshape([-1])];
  const fn = tf.customGrad(((te: tf.Tensor, pe: tf.Tensor, save: tf.GradSaveFunc) => {
    save([te, pe, k, p]);
    return {
      value: lookupKernel(k, p, te, pe),
      gradFunc: (dx: tf.Tensor, [ste, spe, sk, sp]: tf.Tensor[]) => [
        scatterKernel(ste, dx, sk),
        scatterKernel(spe, dx, sp),
      ],
    };
  }) as unknown as CustomGradFunc);
  return fn(wte, wpe) as tf.Tensor2D;
}
