// Shared by the kernel tests: a fused WebGPU kernel against the unfused ops on the cpu backend.
// The same inputs, the values and every gradient within 1e-5 of the largest magnitude in each (at
// least 1): float32 sums in a different order.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/data/random';

export const TOLERANCE = 1e-5;

/** Values in [-2, 2) from a seed, so both backends see the same inputs. */
export function values(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 4 * rand() - 2);
}

export type Case = (inputs: tf.Tensor[]) => tf.Tensor;

/** The op's value, and the gradient of sum(value * weights) with respect to every input, on `backend`. */
export async function evaluate(backend: string, op: Case, shapes: number[][]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const inputs = shapes.map((s, i) =>
    tf.tensor(
      values(
        s.reduce((a, b) => a * b, 1),
        10 + i,
      ),
      s,
    ),
  );
  const out = tf.tidy(() => {
    const y = op(inputs);
    const weights = tf.tensor(values(y.size, 99), y.shape); // a gradient that differs element by element
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(xs), weights)))(inputs);
    return [y, ...grads];
  });
  const read = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([...out, ...inputs]);
  return read;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** Runs `op` on cpu (unfused) and WebGPU (fused), checks that the fused kernels ran, and compares. */
export async function expectParity(op: Case, shapes: number[][], kernel: string): Promise<void> {
  const cpu = await evaluate('cpu', op, shapes);
  const gpu = await evaluate('webgpu', op, shapes);
  const names = await tf.profile(() =>
    tf.tidy(() => {
      const xs = shapes.map((s) => tf.zeros(s));
      tf.grads((...a: tf.Tensor[]) => tf.sum(op(a)))(xs);
    }),
  );
  expect(names.kernelNames).toContain(kernel);
  const diffs = cpu.map((c, i) => maxAbsDiff(c, gpu[i]));
  console.log(
    `${kernel}: max |difference| of the value and each gradient: ${diffs.map((d) => d.toExponential(1)).join(', ')}`,
  );
  diffs.forEach((d, i) => expect(d).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(cpu[i], Math.abs))));
  // The gradients are not zero (a kernel writing nothing would pass a comparison of zeros with zeros).
  for (const g of cpu.slice(1)) expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-2);
}
