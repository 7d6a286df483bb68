// Backend choice in Node, where neither WebGPU nor WebGL exists: it must end on the CPU and say why.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../../src/engine/backend';

describe('chooseBackend', () => {
  it('falls back to the CPU and gives the reason for each backend it passed over', async () => {
    const choice = await chooseBackend(['webgpu', 'webgl', 'cpu']);
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.reason).toMatch(/navigator\.gpu is missing/);
    expect(choice.reason).toMatch(/WebGL/);
  });
});
