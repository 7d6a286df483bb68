// One sampling step's draw as one WebGPU dispatch (where the unfused ops take about 15: divide by
// the temperature, log softmax, add the noise, argmax, pick the log-prob, then the where / equal /
// or that stop a finished row). Per row b, with temperature t_b, Gumbel noise g and the previous
// step's state (a row that has produced EOS is done):
//   logp_j = z_j - m - log sum_k exp(z_k - m),  z = logits / t_b,  m = max_k z_k
//   token  = argmax_j (logp_j + g_j)   (the Gumbel-max trick: a draw from softmax(z); lowest j on a tie)
//   kept   = PAD if done, else token;  its log-prob 0 if done, else logp_token;  done' = done or kept == EOS
// The output packs the three as rows of a [3, B] tensor (token ids as floats), which is also the
// next step's `state`, so nothing is sliced apart between steps.

import * as tf from '@tensorflow/tfjs';
import { EOS, PAD } from '../../data/types';
import { registerGroupKernel, ROW_LOG_SUM, THREADS } from './program';

/** The workgroup's largest value and, among equal ones, the lowest column: a tree reduction in workgroup memory. */
const WORKGROUP_ARGMAX = `
var<workgroup> bestValue : array<f32, ${THREADS}>;
var<workgroup> bestColumn : array<i32, ${THREADS}>;
fn workgroupArgMax(v : f32, at : i32) -> i32 {
  bestValue[localIndex] = v;
  bestColumn[localIndex] = at;
  workgroupBarrier();
  for (var stride = ${THREADS / 2}u; stride > 0u; stride = stride >> 1u) {
    if (localIndex < stride) {
      let ov = bestValue[localIndex + stride];
      let oc = bestColumn[localIndex + stride];
      if (ov > bestValue[localIndex] || (ov == bestValue[localIndex] && oc < bestColumn[localIndex])) {
        bestValue[localIndex] = ov;
        bestColumn[localIndex] = oc;
      }
    }
    workgroupBarrier();
  }
  let best = bestColumn[0];
  workgroupBarrier();
  return best;
}`;

const drawKernel = registerGroupKernel('PlaygroundDrawToken', ['z', 'temperature', 'noise', 'state'], (rows) => ({
  outputShape: [3, rows],
  groups: rows,
  helpers: ROW_LOG_SUM + WORKGROUP_ARGMAX,
  body: `
  let cols = uniforms.cols;
  let rows = uniforms.rows;
  let valid = slot < rows;
  let base = slot * cols;
  var t = 1.0;
  if (valid) { t = temperature[slot]; }
  let ml = rowLogSum(slot, valid, t);
  let rowMax = ml.x;
  let logSum = ml.y;
  var best = -3.0e38;
  var bestAt = 0;
  if (valid) {
    for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) {
      let v = (z[base + c] / t - rowMax - logSum) + noise[base + c];
      if (v > best) { best = v; bestAt = c; }
    }
  }
  let token = workgroupArgMax(best, bestAt);
  if (valid && localIndex == 0u) {
    let done = state[2 * rows + slot] > 0.5;
    let logp = z[base + token] / t - rowMax - logSum;
    let kept = select(f32(token), ${PAD}.0, done);
    result[slot] = kept;
    result[rows + slot] = select(logp, 0.0, done);
    result[2 * rows + slot] = select(0.0, 1.0, done || kept == ${EOS}.0);
  }`,
}));

/**
 * The next token of every row from logits [B, V], per-row temperatures [B], noise [B, V] and the
 * previous state [3, B] (all zeros before the first token): the new state [3, B] of (token, log-prob, done).
 */
export function drawTokens(logits: tf.Tensor2D, temperature: tf.Tensor1D, noise: tf.Tensor2D, state: tf.Tensor2D) {
  return drawKernel(logits, temperature, noise, state) as tf.Tensor2D;
}
