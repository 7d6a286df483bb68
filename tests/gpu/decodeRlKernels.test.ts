// The fused kernels of decoding and of RL (src/model/kernels/): a sampling step's embedding
// lookup, cache writes, attention and draw, and PPO's loss, each against the unfused ops on the cpu
// backend (see kernelParity.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { maxAbsDiff, TOLERANCE, values } from './kernelParity';
import { GPT } from '../../src/model/model';
import { sample } from '../../src/model/sample';
import { drawTokens } from '../../src/model/kernels/drawToken';
import { ppoLoss } from '../../src/rlhf/ppoLoss';

describe('fused WebGPU kernels of decoding and RL (Dawn on SwiftShader) match the unfused ops on the cpu backend', () => {
  beforeAll(async () => {
    await useDawn();
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
      'PlaygroundEmbedding',
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
});
