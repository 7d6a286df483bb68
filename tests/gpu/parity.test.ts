// WebGPU against the CPU backend: the same tiny model, the same batch, the same numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { GPT } from '../../src/model/model';
import { forward, lmLogits } from '../../src/model/gpt';
import { crossEntropy } from '../../src/model/logprobs';
import { lossAndFlatGrad } from '../../src/model/params';
import { sample } from '../../src/model/sample';
import type { GPTConfig } from '../../src/model/config';

const config: GPTConfig = { vocabSize: 17, contextLength: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const rows = [
  [1, 5, 6, 7, 3, 8, 9, 2],
  [1, 9, 3, 10, 11, 2, 0, 0],
];
const targets = [5, 6, 7, 3, 8, 9, 2, 0, 9, 3, 10, 11, 2, 0, 0, 0];
const weights = targets.map((_, i) => (i < 7 || (i >= 8 && i < 13) ? 1 / 12 : 0));

/** Logits, loss and the flat gradient of every weight, as one array: [logits..., loss, grad...]. */
async function run(backend: string): Promise<{ logits: Float32Array; loss: number; grad: Float32Array }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const model = GPT.random(config, 42);
  const out = tf.tidy(() => {
    const ids = tf.tensor2d(rows, undefined, 'int32');
    const logitsOf = (w: ReturnType<GPT['weights']>) => lmLogits(w, forward(w, config, ids));
    const logits = logitsOf(model.weights());
    const { value, grad } = lossAndFlatGrad(model.flat, model.layout, (w) =>
      crossEntropy(logitsOf(w), tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)),
    );
    return tf.concat([logits.reshape([-1]), value.reshape([1]), grad]);
  });
  const all = (await out.data()) as Float32Array;
  out.dispose();
  model.dispose();
  const n = rows.length * rows[0].length * config.vocabSize;
  return { logits: all.slice(0, n), loss: all[n], grad: all.slice(n + 1) };
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

describe('WebGPU (Dawn on SwiftShader) matches the CPU backend', () => {
  beforeAll(async () => {
    await useDawn();
  });

  it('forward logits, loss and all gradients agree within 1e-4', async () => {
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const logitDiff = maxAbs(cpu.logits, gpu.logits);
    const gradDiff = maxAbs(cpu.grad, gpu.grad);
    console.log(
      `max |logit difference| ${logitDiff.toExponential(2)}, max |gradient difference| ` +
        `${gradDiff.toExponential(2)}, loss ${cpu.loss} vs ${gpu.loss}`,
    );
    expect(logitDiff).toBeLessThan(1e-4);
    expect(Math.abs(cpu.loss - gpu.loss)).toBeLessThan(1e-5);
    expect(gradDiff).toBeLessThan(1e-4);
    // The gradients are not trivially zero (the comparison means something).
    expect(Math.max(...Array.from(cpu.grad).map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('samples the same tokens on both backends, with the KV cache', async () => {
    const draws: number[][][] = [];
    for (const backend of ['cpu', 'webgpu']) {
      await tf.setBackend(backend);
      const model = GPT.random(config, 43);
      draws.push(
        (
          await sample(
            model,
            [
              [1, 5, 3],
              [1, 6, 7, 3],
            ],
            { maxNewTokens: 4, temperature: 1, topK: 5, seed: 9 },
          )
        ).tokens,
      );
      model.dispose();
    }
    expect(draws[1]).toEqual(draws[0]);
  });
});
