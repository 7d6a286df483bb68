// Each fused WebGPU kernel (src/model/kernels/) against the unfused ops on the cpu backend: the
// same inputs, the values and every gradient within 1e-5 of the largest magnitude in each (at least
// 1): float32 sums in a different order.
// Shapes are odd on purpose: more columns than a workgroup has threads (the threads stride), more
// rows than threads (the column sums stride), and sizes that are no multiple of 64.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { causalMask, layerNorm, linear, linearGelu, selfAttention } from '../../src/model/layers';
import { paddedMask } from '../../src/model/padding';
import { columnSums } from '../../src/model/kernels/columnSums';
import { FUSED_FLAG } from '../../src/model/kernels/program';
import { mulberry32 } from '../../src/data/random';
import { AdamW, ADAMW_DEFAULTS } from '../../src/model/adamw';
import { logSoftmax } from '../../src/model/logprobs';
import { GPT } from '../../src/model/model';
import { sample } from '../../src/model/sample';

const TOLERANCE = 1e-5;

/** Values in [-2, 2) from a seed, so both backends see the same inputs. */
function values(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 4 * rand() - 2);
}

type Case = (inputs: tf.Tensor[]) => tf.Tensor;

/** The op's value, and the gradient of sum(value * weights) with respect to every input, on `backend`. */
async function evaluate(backend: string, op: Case, shapes: number[][]): Promise<Float32Array[]> {
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

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** Runs `op` on cpu (unfused) and WebGPU (fused), checks that the fused kernels ran, and compares. */
async function expectParity(op: Case, shapes: number[][], kernel: string): Promise<void> {
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

describe('fused WebGPU kernels (Dawn on SwiftShader) match the unfused ops on the cpu backend', () => {
  beforeAll(async () => {
    await useDawn();
  });

  it('LayerNorm: y, dx, dg and db', async () => {
    const op: Case = ([x, g, b]) => layerNorm(x as tf.Tensor2D, g, b);
    await expectParity(op, [[37, 70], [70], [70]], 'PlaygroundLayerNorm');
    await expectParity(op, [[130, 16], [16], [16]], 'PlaygroundLayerNormDg');
  });

  it('bias + GELU after a matrix product: y, dx, dW and db', async () => {
    const op: Case = ([x, w, b]) => linearGelu(x as tf.Tensor2D, w, b);
    await expectParity(op, [[37, 20], [20, 70], [70]], 'PlaygroundBiasGelu');
  });

  it('column sums, the bias gradient of a linear layer', async () => {
    // Alone (it has no gradient of its own: it is used inside gradients).
    const sums = async (backend: string) => {
      await tf.setBackend(backend);
      const m = tf.tensor2d(values(130 * 70, 5), [130, 70]);
      const s = columnSums(m);
      const out = (await s.data()) as Float32Array;
      tf.dispose([m, s]);
      return out;
    };
    expect(maxAbsDiff(await sums('cpu'), await sums('webgpu'))).toBeLessThan(TOLERANCE * 10);
    const op: Case = ([x, w, b]) => linear(x as tf.Tensor2D, w, b);
    await expectParity(op, [[37, 20], [20, 70], [70]], 'PlaygroundColumnSums');
  });

  it('attention, all heads at once: y and d(qkv), under a causal mask and under left padding', async () => {
    const [B, T, H, D] = [3, 7, 2, 5];
    const causal: Case = ([qkv]) => tf.tidy(() => selfAttention(qkv as tf.Tensor2D, B, T, H, causalMask(T)));
    await expectParity(causal, [[B * T, 3 * H * D]], 'PlaygroundAttention');
    const padded: Case = ([qkv]) =>
      tf.tidy(() => selfAttention(qkv as tf.Tensor2D, B, T, H, paddedMask([0, 2, 4], 0, T, T)));
    await expectParity(padded, [[B * T, 3 * H * D]], 'PlaygroundAttentionGrad');
  });

  it('log softmax over a vocabulary wider than a workgroup: value and gradient', async () => {
    await expectParity(([z]) => logSoftmax(tf.mul(z, 3) as tf.Tensor2D), [[37, 197]], 'PlaygroundLogSoftmax');
  });

  it('KV-cache decoding (cache writes and attention over the cache): the same tokens and log-probs', async () => {
    const config = { vocabSize: 23, contextLength: 12, nLayer: 2, nHead: 2, nEmbd: 16 };
    const draw = async (backend: string) => {
      await tf.setBackend(backend);
      const model = GPT.random(config, 7);
      const prompts = [
        [1, 5, 3],
        [1, 6, 7, 8, 3],
      ];
      const out = await sample(model, prompts, { maxNewTokens: 6, temperature: 1, topK: 0, seed: 4, useCache: true });
      model.dispose();
      return out;
    };
    const cpu = await draw('cpu');
    const gpu = await draw('webgpu');
    expect(gpu.tokens).toEqual(cpu.tokens);
    const diffs = cpu.logProbs.flatMap((row, b) => row.map((lp, i) => Math.abs(lp - gpu.logProbs[b][i])));
    console.log(
      `KV-cache decoding: ${diffs.length} tokens, max |log-prob difference| ${Math.max(...diffs).toExponential(1)}`,
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
    const { kernelNames } = await tf.profile(async () => {
      const model = GPT.random(config, 7);
      await sample(model, [[1, 5, 3]], { maxNewTokens: 2, temperature: 1, topK: 0, seed: 4, useCache: true });
      model.dispose();
    });
    expect(kernelNames).toContain('PlaygroundDecodeAttention');
    expect(kernelNames).toContain('PlaygroundCacheWrite2');
  });

  it('AdamW: three steps with clipping, weight decay on part of the vector and a per-weight rate', async () => {
    const N = 1000; // more than a workgroup's threads, no multiple of 64
    const steps = async (backend: string, withScale: boolean) => {
      await tf.setBackend(backend);
      const mask = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 0 : 1));
      const scale = withScale ? Float32Array.from({ length: N }, (_, i) => 1 + (i % 5) / 4) : undefined;
      const opt = new AdamW(N, mask, { ...ADAMW_DEFAULTS, gradClip: 2 }, scale);
      const params = tf.variable(tf.tensor1d(values(N, 1)));
      const norms: number[] = [];
      for (let k = 0; k < 3; k++) {
        const grad = tf.tensor1d(values(N, 20 + k));
        const norm = opt.update(params, grad, 0.01);
        norms.push(((await norm.data()) as Float32Array)[0]);
        tf.dispose([grad, norm]);
      }
      const out = (await params.data()) as Float32Array;
      tf.dispose(params);
      opt.dispose();
      return { out, norms };
    };
    for (const withScale of [false, true]) {
      const cpu = await steps('cpu', withScale);
      const gpu = await steps('webgpu', withScale);
      const moved = maxAbsDiff(cpu.out, values(N, 1));
      console.log(
        `AdamW: weights moved up to ${moved.toFixed(3)}; max |difference| ${maxAbsDiff(cpu.out, gpu.out).toExponential(1)}`,
      );
      expect(moved).toBeGreaterThan(0.01); // the steps did something (each moves a weight by about lr)
      expect(maxAbsDiff(cpu.out, gpu.out)).toBeLessThan(TOLERANCE);
      cpu.norms.forEach((n, k) => expect(Math.abs(n - gpu.norms[k]) / n).toBeLessThan(TOLERANCE));
      expect(cpu.norms[0]).toBeGreaterThan(2); // so the clip bit
    }
    const { kernelNames } = await tf.profile(async () => {
      const opt = new AdamW(N, new Float32Array(N));
      const p = tf.variable(tf.zeros([N]));
      tf.dispose([opt.update(p, tf.ones([N]), 0.1), p]);
      opt.dispose();
    });
    expect(kernelNames).toContain('PlaygroundAdamWeights');
  });

  it('with the flag off, WebGPU runs the unfused ops', async () => {
    await tf.setBackend('webgpu');
    tf.env().set(FUSED_FLAG, false);
    try {
      const { kernelNames } = await tf.profile(() => layerNorm(tf.ones([4, 8]), tf.ones([8]), tf.zeros([8])));
      expect(kernelNames.some((n) => n.startsWith('Playground'))).toBe(false);
      expect(kernelNames).toContain('Rsqrt');
    } finally {
      tf.env().set(FUSED_FLAG, true);
    }
  });
});
