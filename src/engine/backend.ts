// Choosing the compute backend: WebGPU first, then WebGL, then WebAssembly (SIMD, 3-6x the plain
// CPU backend on every interaction here), then the CPU.
// A backend is only used if it starts AND passes a self-test: a small forward and backward
// pass whose loss and gradient must match the CPU backend's. The reason for every fallback
// is kept, so the UI can say why the playground is not on WebGPU.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from './protocol';
import { GPT } from '../model/model';
import { lossAndFlatGrad } from '../model/params';
import { forward, lmLogits } from '../model/gpt';
import { crossEntropy } from '../model/logprobs';

export interface BackendChoice {
  backend: BackendName;
  reason: string | null; // why the preferred backend(s) were not used; null on WebGPU
}

const SELF_TEST_TOLERANCE = 1e-3;

/** Loss and gradient of a tiny fixed model on a fixed batch: [loss, ...gradient]. */
async function selfTestValues(): Promise<Float32Array> {
  const model = GPT.random({ vocabSize: 11, contextLength: 6, nLayer: 1, nHead: 2, nEmbd: 8 }, 7);
  try {
    const out = tf.tidy(() => {
      const ids = tf.tensor2d(
        [
          [1, 5, 6, 7, 3, 8],
          [1, 9, 3, 10, 2, 0],
        ],
        [2, 6],
        'int32',
      );
      const targets = tf.tensor1d([5, 6, 7, 3, 8, 2, 9, 3, 10, 2, 0, 0], 'int32');
      const weights = tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0].map((x) => x / 10));
      const { value, grad } = lossAndFlatGrad(model.flat, model.layout, (w) =>
        crossEntropy(lmLogits(w, forward(w, model.config, ids)), targets, weights),
      );
      return tf.concat([value.reshape([1]), grad]);
    });
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  } finally {
    model.dispose();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return Number.isNaN(worst) ? Infinity : worst;
}

/** Why WebGPU cannot even be tried here, or null if an adapter exists. */
async function webgpuUnavailable(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } })?.gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  try {
    if (!(await gpu.requestAdapter())) return 'no WebGPU adapter is available';
  } catch (e) {
    return `requesting a WebGPU adapter failed (${(e as Error).message})`;
  }
  return null;
}

/** The order backends are tried in. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Picks the first backend of `order` that starts and passes the self-test; CPU always works. */
export async function chooseBackend(order: readonly BackendName[] = BACKEND_ORDER): Promise<BackendChoice> {
  await tf.setBackend('cpu');
  const reference = await selfTestValues();
  const reasons: string[] = [];
  for (const name of order) {
    if (name === 'cpu') break;
    const label = name === 'webgpu' ? 'WebGPU' : name === 'webgl' ? 'WebGL' : 'WASM';
    if (name === 'webgpu') {
      const missing = await webgpuUnavailable();
      if (missing) {
        reasons.push(missing);
        continue;
      }
    }
    try {
      if (!(await tf.setBackend(name))) {
        reasons.push(`${label} failed to start`);
        continue;
      }
      await tf.ready();
      const diff = maxDifference(await selfTestValues(), reference);
      if (diff <= SELF_TEST_TOLERANCE) return { backend: name, reason: reasons.length ? reasons.join('; ') : null };
      reasons.push(`${label} failed the self-test (differs from CPU by ${diff.toExponential(1)})`);
    } catch (e) {
      reasons.push(`${label} failed: ${(e as Error).message}`);
    }
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', reason: reasons.join('; ') || null };
}
