// The WebGPU buffer pool (Dawn on SwiftShader): released buffers stay allocated for reuse until
// releaseIdleBuffers() destroys them, after which the pool still works and takes buffers back.
// And the fused kernels' paths (sampling, PPO, DPO) leave no tensor behind from call to call.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { poolBytes, releaseIdleBuffers } from '../../src/engine/gpuMemory';
import { GPT } from '../../src/model/model';
import { AdamW } from '../../src/model/adamw';
import { decayMask } from '../../src/model/params';
import { sample } from '../../src/model/sample';
import { RL_DEFAULTS } from '../../src/engine/rlTrainer';
import { ppoIteration } from '../../src/rlhf/ppo';
import { preferenceStep } from '../../src/rlhf/dpoTrainer';
import { ReferenceLogProbs } from '../../src/rlhf/referenceLogProbs';
import type { Tokenizer } from '../../src/data/types';

describe('the WebGPU buffer pool', () => {
  beforeAll(async () => {
    await useDawn();
    expect(await tf.setBackend('webgpu')).toBe(true);
  });

  it('frees idle buffers, keeps live ones, and goes on reusing', async () => {
    const live = tf.tidy(() => tf.add(tf.ones([1000]), 1)); // 4,000 bytes that must survive
    // Tensors of sizes nothing else uses, computed (so they reach the GPU) and disposed.
    for (const n of [3001, 5003, 7001]) {
      const t = tf.tidy(() => tf.mul(tf.ones([n]), 2));
      await t.data();
      t.dispose();
    }
    const before = poolBytes()!;
    expect(before.allocated - before.used).toBeGreaterThanOrEqual(4 * (3001 + 5003 + 7001));
    const freed = releaseIdleBuffers();
    const after = poolBytes()!;
    expect(freed).toBeGreaterThanOrEqual(4 * (3001 + 5003 + 7001));
    expect(after.allocated).toBe(before.allocated - freed);
    // What is idle now is at most the read buffer still being unmapped: less than the smallest tensor.
    expect(after.allocated - after.used).toBeLessThan(4 * 3001);
    expect(Array.from((await live.data()) as Float32Array).every((x) => x === 2)).toBe(true);

    // The pool still takes a buffer back and hands it out again (no new allocation for the same size).
    const a = tf.tidy(() => tf.mul(tf.ones([9001]), 3));
    await a.data();
    a.dispose();
    const held = poolBytes()!.allocated;
    const b = tf.tidy(() => tf.mul(tf.ones([9001]), 4));
    expect(Array.from((await b.data()) as Float32Array).every((x) => x === 4)).toBe(true);
    expect(poolBytes()!.allocated).toBe(held);
    tf.dispose([b, live]);
  });

  it('the fused paths leave no tensor behind: sampling, a PPO iteration, a DPO step with kept reference log-probs', async () => {
    const config = { vocabSize: 23, contextLength: 16, nLayer: 1, nHead: 2, nEmbd: 16 };
    const [policy, reference, reward, value] = [1, 1, 2, 2].map((seed) => GPT.random(config, seed));
    const optimizers = {
      policy: new AdamW(policy.paramCount, decayMask(policy.layout)),
      value: new AdamW(value.paramCount, decayMask(value.layout)),
    };
    const settings = { ...RL_DEFAULTS, batchSize: 4, minibatches: 2, epochs: 1, responseLength: 6 };
    const promptIds = [
      [1, 5, 3],
      [1, 6, 7, 3],
      [1, 9, 3],
      [1, 4, 4, 8, 3],
    ];
    const tok = { encode: (text: string) => text.split(' ').map((w) => 4 + (w.length % 15)) } as unknown as Tokenizer;
    const pairs = [{ prompt: 'a b', chosen: 'cc dd', rejected: 'e' }];
    const cache = new ReferenceLogProbs();
    const once = async (i: number) => {
      await sample(policy, promptIds, { maxNewTokens: 6, temperature: [0.7, 1, 1.3, 1], topK: 0, seed: i });
      await ppoIteration({
        models: { policy, reference, reward, value },
        optimizers,
        settings,
        beta: 0.05,
        promptIds,
        normalization: { mean: 0, std: 1 },
        seed: i,
        detailRows: 2,
      });
      await preferenceStep(
        policy,
        reference,
        optimizers.policy,
        tok,
        pairs,
        { beta: 0.1, learningRate: 1e-3, loss: 'dpo' },
        cache,
      );
    };
    await once(1);
    const tensors = tf.memory().numTensors;
    await once(2);
    await once(3);
    expect(tf.memory().numTensors).toBe(tensors);
    [policy, reference, reward, value].forEach((m) => m.dispose());
    optimizers.policy.dispose();
    optimizers.value.dispose();
  });

  it('does nothing off WebGPU', async () => {
    await tf.setBackend('cpu');
    expect(poolBytes()).toBeNull();
    expect(releaseIdleBuffers()).toBe(0);
    await tf.setBackend('webgpu');
  });
});
