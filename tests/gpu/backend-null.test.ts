// backend.ts is imported after useDawn(): TensorFlow.js registers WebGPU only if navigator.gpu exists.
// Dawn's null device accepts every command and computes nothing: a WebGPU that starts but gives
// wrong numbers. The self-test must catch it and fall back, saying why.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';

describe('chooseBackend on a WebGPU device that computes wrong values', () => {
  it('rejects it by the self-test and runs on the CPU', async () => {
    await useDawn(['backend=null']);
    const { chooseBackend } = await import('../../src/engine/backend');
    const choice = await chooseBackend(['webgpu', 'cpu']);
    expect(choice.backend).toBe('cpu');
    expect(choice.reason).toMatch(/WebGPU failed the self-test/);
    expect(tf.getBackend()).toBe('cpu');
  });
});
