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
import { logSoftmax, pickLogProbs } from '../../src/model/logprobs';
import { GPT } from '../../src/model/model';
import { sample } from '../../src/model/sample';
import { flatConcat, flatSplit } from '../../src/model/kernels/flatCopies';
import { drawTokens } from '../../src/model/kernels/drawToken';
import { ppoLoss } from '../../src/rlhf/ppoLoss';
import { makeLayout, unflatten } from '../../src/model/params';
import { forward } from '../../src/model/gpt';

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

  it("the log-prob of each row's token (a gather forward, a scatter backward): value and gradient", async () => {
    const targets = Array.from({ length: 37 }, (_, r) => (r * 53) % 197);
    const op: Case = ([m]) => pickLogProbs(m as tf.Tensor2D, tf.tensor1d(targets, 'int32'));
    await expectParity(op, [[37, 197]], 'PlaygroundPickColumns');
    await expectParity(op, [[37, 197]], 'PlaygroundPickColumnsGrad');
  });

  it('KV-cache decoding (embedding lookup, cache writes, attention, the draw): the same tokens and log-probs', async () => {
    // A vocabulary wider than a workgroup (the draw's threads stride), per-row temperatures, and rows
    // that reach EOS early (a finished row must go on with PAD at log-prob 0).
    const config = { vocabSize: 97, contextLength: 16, nLayer: 2, nHead: 2, nEmbd: 16 };
    const prompts = [
      [1, 5, 3],
      [1, 6, 7, 8, 3],
      [1, 9, 3],
      [1, 4, 4, 3],
    ];
    const options = { maxNewTokens: 10, temperature: [0.6, 1, 1.4, 2.5], topK: 0, seed: 4, useCache: true };
    const draw = async (backend: string) => {
      await tf.setBackend(backend);
      const model = GPT.random(config, 7);
      const out = await sample(model, prompts, options);
      model.dispose();
      return out;
    };
    const cpu = await draw('cpu');
    const gpu = await draw('webgpu');
    expect(gpu.tokens).toEqual(cpu.tokens);
    expect(cpu.tokens.filter((row) => row.length < options.maxNewTokens).length, 'rows ended by EOS').toBeGreaterThan(
      0,
    );
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
    for (const name of [
      'PlaygroundDecodeEmbedding',
      'PlaygroundDecodeAttention',
      'PlaygroundCacheWrite2',
      'PlaygroundDrawToken',
    ])
      expect(kernelNames).toContain(name);
  });

  it('the fused draw: a finished row stays finished, and each row draws at its own temperature', async () => {
    const [B, V] = [3, 70];
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const logits = tf.tensor2d(values(B * V, 1), [B, V]);
      const noise = tf.tensor2d(values(B * V, 2), [B, V]);
      // Row 0 is done already; rows 1 and 2 are not.
      const state = tf.tensor2d([0, 0, 0, 0, 0, 0, 1, 0, 0], [3, B]);
      const temperature = tf.tensor1d([1, 0.5, 2]);
      const out = tf.tidy(() => {
        if (backend === 'webgpu') return drawTokens(logits, temperature, noise, state);
        // The unfused formula: argmax of log softmax(z / t) + noise, with the finished row's PAD and 0.
        const logp = tf.logSoftmax(tf.div(logits, temperature.reshape([B, 1])));
        const token = tf.argMax(tf.add(logp, noise), -1);
        const picked = tf.sum(tf.mul(logp, tf.oneHot(token, V).toFloat()), -1);
        const done = tf.tensor1d([1, 0, 0]);
        const kept = tf.mul(token.toFloat(), tf.sub(1, done));
        return tf.stack([kept, tf.mul(picked, tf.sub(1, done)), tf.maximum(done, tf.equal(kept, 2).toFloat())]);
      });
      const read = (await out.data()) as Float32Array;
      tf.dispose([logits, noise, state, temperature, out]);
      return read;
    };
    const [cpu, gpu] = [await run('cpu'), await run('webgpu')];
    expect(Array.from(gpu.slice(0, B))).toEqual(Array.from(cpu.slice(0, B)));
    expect(gpu[0]).toBe(0); // PAD for the finished row
    expect(gpu[B]).toBe(0); // at log-prob 0
    expect(gpu[2 * B]).toBe(1); // still done
    expect(maxAbsDiff(cpu, gpu)).toBeLessThan(1e-5 * 10);
    expect(Math.abs(gpu[B + 1])).toBeGreaterThan(0); // a real log-prob for the live rows
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
      return tf.add(flatConcat(scaled), 1);
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

  it("PPO's loss and metrics: every output, and the gradients of the four losses by logp, values and entropy", async () => {
    // Ratios and value changes on both sides of their clips, a third of the tokens masked, 90 tokens
    // (more than a workgroup's threads, no multiple of 64), an entropy bonus.
    const [B, T] = [6, 15];
    const opts = { clipEps: 0.2, clipEpsValue: 0.2, vfCoef: 0.1, entCoef: 0.05 };
    const run = async (backend: string, withEntropy: boolean) => {
      await tf.setBackend(backend);
      const t = (seed: number, scale: number) =>
        tf.tensor2d(
          values(B * T, seed).map((v) => v * scale),
          [B, T],
        );
      const [logp, oldLogp, values_, oldValues, returns, entropy] = [
        t(1, 0.15),
        t(2, 0.15),
        t(3, 0.3),
        t(4, 0.3),
        t(5, 1),
        t(6, 1),
      ];
      const advantages = t(7, 1);
      const mask = tf.tensor2d(
        Array.from({ length: B * T }, (_, i) => (i % 3 === 2 ? 0 : 1)),
        [B, T],
      );
      const lossOf = (l: tf.Tensor, v: tf.Tensor, e: tf.Tensor) =>
        ppoLoss(
          {
            logp: l as tf.Tensor2D,
            oldLogp,
            advantages,
            values: v as tf.Tensor2D,
            oldValues,
            returns,
            mask,
            entropy: withEntropy ? (e as tf.Tensor2D) : undefined,
          },
          opts,
        );
      const out = tf.tidy(() => {
        const o = lossOf(logp, values_, entropy);
        const all = tf.stack(Object.values(o));
        // d/d(logp, values, entropy) of a mix of the four differentiable outputs
        const mix = (p: ReturnType<typeof lossOf>) =>
          tf.addN([p.loss, tf.mul(p.pgLoss, 0.7), tf.mul(p.vfLoss, -1.3), tf.mul(p.entropy, 2.1)]) as tf.Scalar;
        const grads = withEntropy
          ? tf.grads((l: tf.Tensor, v: tf.Tensor, e: tf.Tensor) => mix(lossOf(l, v, e)))([logp, values_, entropy])
          : tf.grads((l: tf.Tensor, v: tf.Tensor) => mix(lossOf(l, v, entropy)))([logp, values_]);
        return [all, ...grads];
      });
      const read = await Promise.all(out.map((x) => x.data() as Promise<Float32Array>));
      tf.dispose([...out, logp, oldLogp, values_, oldValues, returns, entropy, advantages, mask]);
      return read;
    };
    for (const withEntropy of [true, false]) {
      const cpu = await run('cpu', withEntropy);
      const gpu = await run('webgpu', withEntropy);
      const diffs = cpu.map((c, i) => maxAbsDiff(c, gpu[i]));
      const outputs = Array.from(cpu[0], (v) => v.toFixed(4)).join(' ');
      const worst = diffs.map((d) => d.toExponential(1)).join(', ');
      console.log(`PPO loss (entropy ${withEntropy}): outputs ${outputs}; max |difference| ${worst}`);
      diffs.forEach((d, i) => expect(d).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(cpu[i], Math.abs))));
      // Both branches of both clips were taken: clip fractions strictly between 0 and 1.
      for (const frac of [cpu[0][5], cpu[0][6]]) expect(frac > 0 && frac < 1).toBe(true);
      expect(Math.max(...Array.from(cpu[1], Math.abs))).toBeGreaterThan(1e-3);
      expect(Math.max(...Array.from(cpu[2], Math.abs))).toBeGreaterThan(1e-3);
    }
    const { kernelNames } = await tf.profile(() =>
      tf.tidy(() => {
        const z = tf.zeros([2, 3]) as tf.Tensor2D;
        tf.grad(
          (l: tf.Tensor) =>
            ppoLoss(
              {
                logp: l as tf.Tensor2D,
                oldLogp: z,
                advantages: z,
                values: z,
                oldValues: z,
                returns: z,
                mask: tf.ones([2, 3]),
              },
              opts,
            ).loss,
        )(z);
      }),
    );
    expect(kernelNames).toContain('PlaygroundPpoLoss');
    expect(kernelNames).toContain('PlaygroundPpoLossGrad');
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
