// backend.ts registers TensorFlow.js's WebGPU backend when imported, which only works once
// navigator.gpu exists: so it is imported after useDawn().
// The start-up self-test of the backend choice, on real WebGPU devices in Node.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useDawn } from './dawn';

describe('chooseBackend on Dawn (SwiftShader)', () => {
  it('picks WebGPU when its forward and backward pass match the CPU', async () => {
    await useDawn();
    const { chooseBackend } = await import('../../src/engine/backend');
    const choice = await chooseBackend(['webgpu', 'cpu']);
    expect(choice).toEqual({ backend: 'webgpu', reason: null });
    expect(tf.getBackend()).toBe('webgpu');
  });
});
