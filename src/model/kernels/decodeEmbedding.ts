// The input of one decoding step as one WebGPU dispatch: each row's token embedding plus its
// position embedding, x_b = wte[token_b] + wpe[position_b], read straight from the weights (the
// unfused path builds two one-hot matrices, casts them and multiplies: 7 dispatches). Decoding
// only (no gradient): training embeds through the one-hot products of gpt.ts.

import * as tf from '@tensorflow/tfjs';
import { registerFused, elementwiseProgram } from './program';

const embedKernel = registerFused('PlaygroundDecodeEmbedding', ['tokens', 'positions', 'wte', 'wpe'], (shapes) => {
  const [B, C] = [shapes[1][0], shapes[2][1]];
  return {
    uniforms: [B, C],
    program: elementwiseProgram(
      'playgroundDecodeEmbedding',
      ['tokens', 'positions', 'wte', 'wpe'],
      [B, C],
      `    let b = i / uniforms.cols;
    result[i] = wte[i32(tokens[b]) * uniforms.cols + c] + wpe[i32(positions[b]) * uniforms.cols + c];`,
    ),
  };
});

/**
 * x [B, C] for tokens (floats; the first B values of the tensor are read, so a [3, B] draw state
 * serves as is) at positions [B] (int32).
 */
export function decodeEmbedding(tokens: tf.Tensor, positions: tf.Tensor, wte: tf.Tensor, wpe: tf.Tensor): tf.Tensor2D {
  return embedKernel(tokens, positions.reshape([-1]), wte, wpe) as tf.Tensor2D;
}
