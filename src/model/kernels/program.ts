// What every fused WebGPU kernel shares: the shape of a program TensorFlow.js's WebGPU backend can
// run (backend.runWebGPUProgram compiles its WGSL once per shader key and dispatches it), the WGSL
// helpers the kernels are written with, and the switch between the fused and the unfused path.
//
// A kernel here is registered for the 'webgpu' backend only; every other backend (WebGL, wasm, cpu)
// and a WebGPU run with the flag off take the unfused path of plain tfjs ops, which is also what
// the parity tests compare each kernel against.

import * as tf from '@tensorflow/tfjs';

/** The function type tf.customGrad takes (tfjs does not export it by name). */
export type CustomGradFunc = Parameters<typeof tf.customGrad>[0];

/** The flag that turns the fused kernels off on WebGPU (the benchmark counts both paths). */
export const FUSED_FLAG = 'PLAYGROUND_FUSED_KERNELS';
tf.env().registerFlag(FUSED_FLAG, () => true);

/** Whether the current backend runs the fused kernels. */
export function fusedKernelsActive(): boolean {
  return tf.getBackend() === 'webgpu' && tf.env().getBool(FUSED_FLAG);
}

/** The part of tfjs-backend-webgpu's WebGPUProgram interface these kernels fill in. */
export interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames: string[];
  uniforms?: string;
  getUserCode: () => string;
}

interface WebGPUBackendLike {
  runWebGPUProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    dtype: 'float32',
    uniforms?: { type: 'int32' | 'float32'; data: number[] }[],
  ): tf.TensorInfo;
}

/** Threads per workgroup in every kernel here; the workgroup reductions below assume a power of two. */
export const THREADS = 64;

/**
 * A program with one workgroup of THREADS threads per output group (a row, or a column), for
 * `groups` groups; in `body`, `slot` is the workgroup's row or column; `helpers` is WGSL placed before
 * main. `rows` and `cols` reach the shader as uniforms, so one compiled pipeline serves every shape.
 */
export function groupProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  groups: number,
  body: string,
  helpers = '',
): Program {
  return {
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [groups, 1, 1],
    workgroupSize: [THREADS, 1, 1],
    variableNames,
    uniforms: 'rows : i32, cols : i32,',
    getUserCode: () =>
      `${WORKGROUP_SUM}\n${helpers}\nfn main(index : i32) {\n  let slot = workgroupIndex();\n${body}\n}`,
  };
}

/**
 * A program with one thread per element of a [rows, cols] output; in `body`, `i` is the element's
 * flat index (the body runs only where i < rows * cols) and `c` its column; `helpers` is WGSL
 * placed before main (functions the body calls).
 */
export function elementwiseProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  body: string,
  helpers = '',
): Program {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    variableNames,
    uniforms: 'rows : i32, cols : i32,',
    getUserCode: () => `${helpers}
fn main(index : i32) {
  let i = index;
  if (i < uniforms.rows * uniforms.cols) {
    let c = i % uniforms.cols;
${body}
  }
}`,
  };
}

/** A program for inputs of the given shapes, and the values of its uniforms (all i32, in declared order). */
export type ProgramFor = (shapes: number[][]) => { program: Program; uniforms: number[] };

/**
 * Registers kernel `name` for the WebGPU backend: it runs the program `build` makes for its inputs
 * (named `inputNames`, in the program's variable order). Returns the op that runs it, through the
 * engine's kernel registry (so tf.profile and tf.memory see it like any other kernel).
 */
export function registerFused(name: string, inputNames: string[], build: ProgramFor) {
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const list = inputNames.map((n) => {
        const input = inputs[n];
        if (!input) throw new Error(`${name}: no input '${n}'`);
        return input;
      });
      const { program, uniforms } = build(list.map((t) => t.shape));
      const values = uniforms.map((v) => ({ type: 'int32' as const, data: [v] }));
      return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, list, 'float32', values);
    },
  });
  return (...inputs: tf.Tensor[]): tf.Tensor =>
    tf.engine().runKernel(name, Object.fromEntries(inputNames.map((n, i) => [n, inputs[i]]))) as tf.Tensor;
}

/** The [rows, cols] a kernel works over: its first input's shape (a vector of n is 1 x n). */
function rowsCols(shape: number[]): [number, number] {
  return shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
}

/**
 * Registers kernel `name` as a groupProgram over its first input [rows, cols]: `plan` says the
 * output's shape, how many workgroups, the body and any helpers.
 */
export function registerGroupKernel(
  name: string,
  inputNames: string[],
  plan: (rows: number, cols: number) => { outputShape: number[]; groups: number; body: string; helpers?: string },
) {
  return registerFused(name, inputNames, ([first]) => {
    const [rows, cols] = rowsCols(first);
    const p = plan(rows, cols);
    return {
      uniforms: [rows, cols],
      program: groupProgram(name, inputNames, p.outputShape, p.groups, p.body, p.helpers),
    };
  });
}

/** Registers kernel `name` as an elementwiseProgram whose output is shaped like its first input. */
export function registerElementwiseKernel(name: string, inputNames: string[], body: string, helpers = '') {
  return registerFused(name, inputNames, ([first]) => ({
    uniforms: rowsCols(first),
    program: elementwiseProgram(name, inputNames, first, body, helpers),
  }));
}

/**
 * WGSL shared by the kernels. workgroupIndex(): this workgroup's number, also when the backend has
 * reshaped a long dispatch into 2-D or 3-D. workgroupSum(v): the sum of v over the workgroup's
 * threads, given to every thread (a tree reduction in workgroup memory; every thread must call it,
 * so it is never called under a branch that differs between threads).
 */
const WORKGROUP_SUM = `
var<workgroup> partialSums : array<f32, ${THREADS}>;

fn workgroupIndex() -> i32 {
  return i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
}

fn workgroupSum(v : f32) -> f32 {
  partialSums[localIndex] = v;
  workgroupBarrier();
  for (var stride = ${THREADS / 2}u; stride > 0u; stride = stride >> 1u) {
    if (localIndex < stride) {
      partialSums[localIndex] = partialSums[localIndex] + partialSums[localIndex + stride];
    }
    workgroupBarrier();
  }
  let total = partialSums[0];
  workgroupBarrier();
  return total;
}
`;

/** WGSL: workgroupMax(v), the largest v over the workgroup's threads, given to every thread. */
const WORKGROUP_MAX = `
var<workgroup> partialMax : array<f32, ${THREADS}>;
fn workgroupMax(v : f32) -> f32 {
  partialMax[localIndex] = v;
  workgroupBarrier();
  for (var stride = ${THREADS / 2}u; stride > 0u; stride = stride >> 1u) {
    if (localIndex < stride) { partialMax[localIndex] = max(partialMax[localIndex], partialMax[localIndex + stride]); }
    workgroupBarrier();
  }
  let best = partialMax[0];
  workgroupBarrier();
  return best;
}`;

/**
 * WGSL helper for a groupProgram over logits named `z` [rows, cols]: rowLogSum(slot, valid, t), for
 * the row slot's logits divided by t, the largest m and log sum_j exp(z_j / t - m), as (m, log s);
 * every thread must call it (t = 1.0 leaves the logits exactly as they are).
 */
export const ROW_LOG_SUM = `${WORKGROUP_MAX}
fn rowLogSum(slot : i32, valid : bool, t : f32) -> vec2<f32> {
  let cols = uniforms.cols;
  let base = slot * cols;
  var m = -3.0e38;
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { m = max(m, z[base + c] / t); } }
  let rowMax = workgroupMax(m);
  var s = 0.0;
  if (valid) { for (var c = i32(localIndex); c < cols; c = c + ${THREADS}) { s = s + exp(z[base + c] / t - rowMax); } }
  return vec2<f32>(rowMax, log(workgroupSum(s)));
}`;
