// Each fused WebGPU kernel of the model (src/model/kernels/) against the unfused ops on the cpu
// backend (kernelParity.ts; decoding's and RL's kernels are in decodeRlKernels.test.ts).
// Shapes are odd on purpose: more columns than a workgroup has threads (the threads stride), more
// rows than threads (the column sums stride), and sizes that are no multiple of 64.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { expectParity, maxAbsDiff, TOLERANCE, values, type Case } from './kernelParity';
import { causalMask, layerNorm, linear, linearGelu, selfAttention } from '../../src/model/layers';
import { paddedMask } from '../../src/model/padding';
import { columnSums } from '../../src/model/kernels/columnSums';
import { FUSED_FLAG } from '../../src/model/kernels/program';
import { AdamW, ADAMW_DEFAULTS } from '../../src/model/adamw';
import { crossEntropy, logSoftmax, pickLogProbs } from '../../src/model/logprobs';
import { GPT } from '../../src/model/model';
import { flatConcat, flatSplit } from '../../src/model/kernels/flatCopies';
import { makeLayout, unflatten } from '../../src/model/params';
import { embed, forward } from '../../src/model/gpt';

describe('fused WebGPU kernels (Dawn on SwiftShader) match the unfused ops on the cpu backend', () => {
  beforeAll(async () => {
    await useDawn();
  });

  it('LayerNorm: y, dx, dg and db', async () => {
    const op: Case = ([x, g, b]) => layerNorm(x as tf.Tensor2D, g, b);
    await expectParity(op, [[37, 70], [70], [70]], 'PlaygroundLayerNorm');
    await expectParity(op, [[130, 16], [16], [16]], 'PlaygroundLayerNormDg');
    await expectParity(op, [[130, 16], [16], [16]], 'PlaygroundLayerNormDx');
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

  it("the log-prob of each row's token (a gather forward, a scatter backward): value and gradient", async () => {
    const targets = Array.from({ length: 37 }, (_, r) => (r * 53) % 197);
    const op: Case = ([m]) => pickLogProbs(m as tf.Tensor2D, tf.tensor1d(targets, 'int32'));
    await expectParity(op, [[37, 197]], 'PlaygroundPickColumns');
    await expectParity(op, [[37, 197]], 'PlaygroundPickColumnsGrad');
  });

  it('the token and position embeddings: value, and the gradients of both tables', async () => {
    const [B, T, V, P, C] = [5, 13, 70, 16, 9];
    const ids = Array.from({ length: B * T }, (_, i) => (i * 17) % V);
    const positions = Array.from({ length: B * T }, (_, i) => Math.max(0, (i % T) - (i % 3))); // left padding
    const config = { vocabSize: V, contextLength: P, nLayer: 1, nHead: 1, nEmbd: C };
    const op: Case = ([wte, wpe]) =>
      embed({ wte, wpe }, config, tf.tensor2d(ids, [B, T], 'int32'), tf.tensor2d(positions, [B, T], 'int32'));
    await expectParity(
      op,
      [
        [V, C],
        [P, C],
      ],
      'PlaygroundEmbedding',
    );
    await expectParity(
      op,
      [
        [V, C],
        [P, C],
      ],
      'PlaygroundEmbeddingGrad',
    );
    const plain: Case = ([wte, wpe]) => embed({ wte, wpe }, config, tf.tensor2d(ids.slice(0, 2 * P), [2, P], 'int32'));
    await expectParity(
      plain,
      [
        [V, C],
        [P, C],
      ],
      'PlaygroundEmbeddingGrad',
    );
  });

  it('the weighted cross-entropy of next-token predictions: value and gradient', async () => {
    const targets = Array.from({ length: 37 }, (_, r) => (r * 31) % 197);
    const weights = Array.from({ length: 37 }, (_, r) => (r % 4 === 3 ? 0 : 1 / 28)); // padding weighs 0
    const op: Case = ([z]) =>
      crossEntropy(tf.mul(z, 3) as tf.Tensor2D, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)).reshape([1]);
    await expectParity(op, [[37, 197]], 'PlaygroundCrossEntropyRows');
    await expectParity(op, [[37, 197]], 'PlaygroundCrossEntropyGrad');
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

  it('the flat vector cut into pieces and laid back end to end by buffer copies, between programs', async () => {
    const sizes = [70, 1, 129, 30];
    // Programs before, between and after the copies: the copies must run in order with them.
    const op: Case = ([flat]) => {
      const pieces = flatSplit(tf.mul(flat, 3) as tf.Tensor1D, sizes);
      const scaled = pieces.map((p, i) =>
        i === 2 ? tf.mul(p.reshape([3, 43]), p.reshape([3, 43])) : tf.mul(p, i + 1),
      );
      return tf.add(flatConcat([scaled[0], 5, scaled[1], scaled[2], 3, scaled[3]]), 1); // with runs of zeros
    };
    await expectParity(op, [[230]], 'PlaygroundFlatSplit');
    await expectParity(op, [[230]], 'PlaygroundFlatConcat');
    // A gradient through the model's weight views: the split's own gradient is the concat of the pieces'.
    const config = { vocabSize: 11, contextLength: 6, nLayer: 1, nHead: 2, nEmbd: 8 };
    const weights = GPT.randomWeights(config, 3);
    const layout = makeLayout(config);
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      const flat = tf.tensor1d(weights);
      const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32');
      const g = tf.grad((f) => tf.sum(tf.square(forward(unflatten(f as tf.Tensor1D, layout), config, ids))))(flat);
      const out = (await g.data()) as Float32Array;
      tf.dispose([flat, ids, g]);
      return out;
    };
    const [onCpu, onGpu] = [await grad('cpu'), await grad('webgpu')];
    expect(maxAbsDiff(onCpu, onGpu)).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(onCpu, Math.abs)));
    expect(Math.max(...Array.from(onCpu, Math.abs))).toBeGreaterThan(1e-2);
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
