// The WebGPU buffer pool (Dawn on SwiftShader): released buffers stay allocated for reuse until
// releaseIdleBuffers() destroys them, after which the pool still works and takes buffers back.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';
import { poolBytes, releaseIdleBuffers } from '../../src/engine/gpuMemory';

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

  it('does nothing off WebGPU', async () => {
    await tf.setBackend('cpu');
    expect(poolBytes()).toBeNull();
    expect(releaseIdleBuffers()).toBe(0);
    await tf.setBackend('webgpu');
  });
});
