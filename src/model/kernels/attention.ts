// Multi-head self-attention as fused WebGPU kernels: every head of every row in one dispatch
// forward and two backward, read straight from the (query | key | value) rows [B*T, 3C] (where the
// unfused ops split heads, transpose, multiply, softmax and merge in about 12 dispatches forward
// and 20 backward). One thread per (row i, head h), with D = C / H and the additive mask M:
//   forward:  s_ij = q_i . k_j / sqrt(D) + M_ij,  P_ij = exp(s_ij - m_i - l_i),  m_i = max_j s_ij,
//             l_i = log sum_j exp(s_ij - m_i),
//             y_i = sum_j P_ij v_j
//   backward (as in FlashAttention, Dao et al. 2022), with Delta_i = dy_i . y_i:
//             dq_i = sum_j P_ij (dy_i . v_j - Delta_i) k_j / sqrt(D)
//             dk_j = sum_i P_ij (dy_i . v_j - Delta_i) q_i / sqrt(D),   dv_j = sum_i P_ij dy_i
// The first backward kernel recomputes m_i, l_i and Delta_i per (row, head); the second writes dq, dk, dv.

import * as tf from '@tensorflow/tfjs';
import { registerFused, THREADS, type CustomGradFunc, type Program } from './program';

/** A program with one thread per (row, head) and the shape constants it needs; D is compiled in; `helpers` goes before main. */
function perHeadProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  H: number,
  D: number,
  body: string,
  helpers = '',
) {
  const threads = outputShape[0] * H;
  const program: Program = {
    outputShape,
    shaderKey: `${key}_D${D}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    variableNames,
    uniforms: 'rows : i32, T : i32, H : i32, maskBatch : i32,',
    getUserCode: () => `
${HELPERS(D)}
${helpers}
fn main(index : i32) {
  if (index >= uniforms.rows * uniforms.H) { return; }
  let T = uniforms.T;
  let h = index % uniforms.H;
  let i = index / uniforms.H;          // the query's row in [B*T]
  let t = i % T;                       // its position in its sequence
  let first = i - t;                   // the sequence's first row
  let maskRow = ((i / T) % uniforms.maskBatch) * T * T + t * T;
${body}
}`,
  };
  return program;
}

/** WGSL: where q, k, v of (row, head) start in the [rows, 3C] input, their dot products, and a row's softmax. */
const HELPERS = (D: number) => `
const D = ${D};
fn qAt(row : i32, h : i32) -> i32 { return row * 3 * uniforms.H * D + h * D; }
fn kAt(row : i32, h : i32) -> i32 { return qAt(row, h) + uniforms.H * D; }
fn vAt(row : i32, h : i32) -> i32 { return qAt(row, h) + 2 * uniforms.H * D; }
fn dotQK(qi : i32, kj : i32) -> f32 {
  var s = 0.0;
  for (var d = 0; d < D; d = d + 1) { s = s + qkv[qi + d] * qkv[kj + d]; }
  return s * inverseSqrt(f32(D));
}
// The score of query row i against key row j (both in sequence \`first\`), mask added.
fn score(i : i32, j : i32, h : i32, maskAt : i32) -> f32 {
  return dotQK(qAt(i, h), kAt(j, h)) + mask[maskAt];
}
// Row i's softmax over the T keys of its sequence, as (m, l): P_ij = exp((s_ij - m) - l), with m the
// largest score and l = log sum_j exp(s_ij - m). (Kept apart: m + l would lose l where every key is
// masked and m is -1e9.)
fn softmaxOf(i : i32, first : i32, h : i32, maskRow : i32) -> vec2<f32> {
  var m = -3.0e38;
  for (var j = 0; j < uniforms.T; j = j + 1) { m = max(m, score(i, first + j, h, maskRow + j)); }
  var sum = 0.0;
  for (var j = 0; j < uniforms.T; j = j + 1) { sum = sum + exp(score(i, first + j, h, maskRow + j) - m); }
  return vec2<f32>(m, log(sum));
}`;

/** The shape uniforms from the inputs' shapes: qkv as [B, T, 3, H, D], the mask as [maskBatch, T, T]. */
function shapesOf([[B, T, , H, D], [maskBatch]]: number[][]) {
  return { rows: B * T, H, D, uniforms: [B * T, T, H, maskBatch] };
}

/** y [B*T, C]: each (row, head) attends over its sequence's keys. */
const forwardKernel = registerFused('PlaygroundAttention', ['qkv', 'mask'], (shapes) => {
  const { rows, H, D, uniforms } = shapesOf(shapes);
  const body = `
  let sm = softmaxOf(i, first, h, maskRow);
  var y : array<f32, D>;
  for (var j = 0; j < T; j = j + 1) {
    let p = exp((score(i, first + j, h, maskRow + j) - sm.x) - sm.y);
    let v = vAt(first + j, h);
    for (var d = 0; d < D; d = d + 1) { y[d] = y[d] + p * qkv[v + d]; }
  }
  for (var d = 0; d < D; d = d + 1) { result[i * uniforms.H * D + h * D + d] = y[d]; }`;
  return { uniforms, program: perHeadProgram('playgroundAttention', ['qkv', 'mask'], [rows, H * D], H, D, body) };
});

/** (m_i, l_i, Delta_i) of every (row, head), [B*T, 3H]: m in the first H columns, l in the next H, then Delta. */
const statsKernel = registerFused('PlaygroundAttentionStats', ['qkv', 'mask', 'dy'], (shapes) => {
  const { rows, H, D, uniforms } = shapesOf(shapes);
  const body = `
  let sm = softmaxOf(i, first, h, maskRow);
  var delta = 0.0;
  let dyAt = i * uniforms.H * D + h * D;
  for (var j = 0; j < T; j = j + 1) {
    let p = exp((score(i, first + j, h, maskRow + j) - sm.x) - sm.y);
    let v = vAt(first + j, h);
    var dyv = 0.0;
    for (var d = 0; d < D; d = d + 1) { dyv = dyv + dy[dyAt + d] * qkv[v + d]; }
    delta = delta + p * dyv;
  }
  let at = i * 3 * uniforms.H + h;
  result[at] = sm.x;
  result[at + uniforms.H] = sm.y;
  result[at + 2 * uniforms.H] = delta;`;
  return {
    uniforms,
    program: perHeadProgram('playgroundAttentionStats', ['qkv', 'mask', 'dy'], [rows, 3 * H], H, D, body),
  };
});

/**
 * d(qkv) [B*T, 3C]: the thread of (row r, head h) writes dq_r (over the keys r attends to), and
 * dk_r, dv_r (over the queries that attend to r).
 */
const gradKernel = registerFused('PlaygroundAttentionGrad', ['qkv', 'mask', 'dy', 'stats'], (shapes) => {
  const { rows, H, D, uniforms } = shapesOf(shapes);
  const body = `
  let scale = inverseSqrt(f32(D));
  let Hn = uniforms.H;
  var dq : array<f32, D>;
  var dk : array<f32, D>;
  var dv : array<f32, D>;
  for (var j = 0; j < T; j = j + 1) {
    // Row i as the query, against key first + j.
    let a = first + j;
    let p = probability(i, a, h, maskRow + j);
    let dS = p * (dotDyV(i, a, h) - stats[i * 3 * Hn + 2 * Hn + h]);
    let k = kAt(a, h);
    for (var d = 0; d < D; d = d + 1) { dq[d] = dq[d] + dS * qkv[k + d] * scale; }
    // Row i as the key, against query first + j (whose mask row is j's).
    let qMask = maskRow - t * T + j * T + t;
    let pq = probability(a, i, h, qMask);
    let dSq = pq * (dotDyV(a, i, h) - stats[a * 3 * Hn + 2 * Hn + h]);
    let q = qAt(a, h);
    for (var d = 0; d < D; d = d + 1) {
      dk[d] = dk[d] + dSq * qkv[q + d] * scale;
      dv[d] = dv[d] + pq * dy[a * Hn * D + h * D + d];
    }
  }
  for (var d = 0; d < D; d = d + 1) {
    result[qAt(i, h) + d] = dq[d];
    result[kAt(i, h) + d] = dk[d];
    result[vAt(i, h) + d] = dv[d];
  }`;
  const dyHelper = `
fn dotDyV(i : i32, j : i32, h : i32) -> f32 {
  var s = 0.0;
  let dyAt = i * uniforms.H * D + h * D;
  let v = vAt(j, h);
  for (var d = 0; d < D; d = d + 1) { s = s + dy[dyAt + d] * qkv[v + d]; }
  return s;
}
// P_ij from row i's saved softmax statistics.
fn probability(i : i32, j : i32, h : i32, maskAt : i32) -> f32 {
  let at = i * 3 * uniforms.H + h;
  return exp((score(i, j, h, maskAt) - stats[at]) - stats[at + uniforms.H]);
}`;
  const names = ['qkv', 'mask', 'dy', 'stats'];
  return {
    uniforms,
    program: perHeadProgram('playgroundAttentionGrad', names, [rows, 3 * H * D], H, D, body, dyHelper),
  };
});

/**
 * Self-attention of qkv [B*T, 3C] under the additive mask (broadcast over the batch when it has
 * one row of T x T), through the fused kernels; its gradient is taken with respect to qkv only.
 */
export function fusedAttention(qkv: tf.Tensor2D, B: number, T: number, H: number, mask: tf.Tensor): tf.Tensor2D {
  if (mask.size !== T * T && mask.size !== B * T * T)
    throw new Error(`attention: a mask of ${mask.size} for ${B} x ${T} x ${T}`);
  const C = qkv.shape[1] / 3;
  const heads = qkv.reshape([B, T, 3, H, C / H]);
  const masks = mask.reshape([-1, T, T]);
  const fn = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: forwardKernel(x, masks).reshape([B * T, C]),
      gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => {
        const stats = statsKernel(sx, masks, dy);
        const grad = gradKernel(sx, masks, dy, stats);
        stats.dispose();
        return grad.reshape(sx.shape);
      },
    };
  }) as unknown as CustomGradFunc);
  return fn(heads) as tf.Tensor2D;
}
