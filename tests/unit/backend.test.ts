// Backend choice in Node, where neither WebGPU nor WebGL exists: on WebAssembly when it is in the order,
// else on the CPU, saying why each backend before it was passed over.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, chooseBackend } from '../../src/engine/backend';

describe('chooseBackend', () => {
  it('falls back to the CPU and gives the reason for each backend it passed over', async () => {
    const choice = await chooseBackend(['webgpu', 'webgl', 'cpu']);
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.reason).toMatch(/navigator\.gpu is missing/);
    expect(choice.reason).toMatch(/WebGL/);
  });

  it('tries WebAssembly after WebGPU and WebGL, and uses it once it passes the self-test', async () => {
    expect(BACKEND_ORDER).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    const choice = await chooseBackend();
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toMatch(/navigator\.gpu is missing/);
    expect(choice.reason).toMatch(/WebGL/);
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });
});
