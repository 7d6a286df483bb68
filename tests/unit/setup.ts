// Set-up shared by every unit test file:
// - TensorFlow.js runs on its plain cpu backend (a file that measures another one, such as the
//   phenomena test on wasm, sets its own in its beforeAll, which runs after this one);
// - comparison ids come from a seeded counter instead of crypto.randomUUID, so nothing that depends
//   on ids (the held-out split hashes them) changes from one run to the next.
import { beforeAll, beforeEach, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  let n = 0;
  vi.spyOn(globalThis.crypto, 'randomUUID').mockImplementation(
    () =>
      `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` as `${string}-${string}-${string}-${string}-${string}`,
  );
});
