// One backend's benchmark, run as its own process by scripts/bench.ts (so that each WebGPU
// device, SwiftShader or null, gets a fresh TensorFlow.js). Prints one line: BENCH_JSON {...}.

import * as tf from '@tensorflow/tfjs';
import { GPT } from '../src/model/model';
import { configFor } from '../src/model/config';
import { sample } from '../src/model/sample';
import { stageTrainer, TRAIN_DEFAULTS } from '../src/engine/lmTrainer';
import { loadScenario } from '../src/data/scenarios';
import { encodePrompt } from '../src/data/sequences';
import { DATA_SEED } from '../src/engine/playground';
import type { BackendReport } from './bench';
import { benchRl } from './benchRl';
import { benchInteractions } from './benchInteractions';
import { benchMedium } from './benchMedium';
import { benchFlat } from './benchFlat';
import { FUSED_FLAG } from '../src/model/kernels/program';

const backend = process.argv[2] as BackendReport['backend'];
const quick = process.argv.includes('--quick');

async function useBackend(): Promise<void> {
  if (backend.startsWith('webgpu')) {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: create(backend.startsWith('webgpu-null') ? ['backend=null'] : []) },
      configurable: true,
    });
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('WebGPU did not start');
    // The same null device with the fused kernels off: what they save, measured in the same run.
    if (backend === 'webgpu-null-unfused') tf.env().set(FUSED_FLAG, false);
  } else {
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(backend))) throw new Error(`${backend} did not start`);
  }
  await tf.ready();
}

/** Counts reads from the device (await data() -> read, dataSync -> readSync) and WebGPU dispatches. */
function instrument() {
  const counts = { reads: 0, syncReads: 0, programs: 0 };
  const b = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const [method, key] of [
    ['read', 'reads'],
    ['readSync', 'syncReads'],
    ['runWebGPUProgram', 'programs'],
  ] as const) {
    const original = b[method];
    if (typeof original !== 'function') continue;
    b[method] = function (this: unknown, ...args: unknown[]) {
      counts[key] += 1;
      return original.apply(this, args);
    };
  }
  return counts;
}

async function main() {
  await useBackend();
  const data = loadScenario('reviews', DATA_SEED);
  const config = configFor('small', data.tokenizer.vocabSize);
  const model = GPT.random(config, 1);
  const trainer = stageTrainer(model, data, 'pretrain', { ...TRAIN_DEFAULTS.pretrain, batchSize: 16 }, 1);
  const counts = instrument();

  // Warm up (shader compilation, buffer pools), then count one step's kernels and reads.
  for (let i = 0; i < 3; i++) await trainer.trainStep();
  const before = { ...counts };
  const profile = await tf.profile(async () => {
    await trainer.trainStep();
  });
  const kernelsPerStep = profile.kernels.length; // read now: later tf.profile calls may add to this list
  const kernelsByName: Record<string, number> = {};
  for (const k of profile.kernels) kernelsByName[k.name] = (kernelsByName[k.name] ?? 0) + 1;
  const readsPerStep = counts.reads - before.reads;
  const syncReadsPerStep = counts.syncReads - before.syncReads;
  const programsPerStep = backend.startsWith('webgpu') ? counts.programs - before.programs : null;

  // Time steps and watch memory from step 10 to step 200.
  const totalSteps = quick ? 30 : 200;
  let step10 = { numTensors: 0, numBytes: 0 };
  const timed: number[] = [];
  while (trainer.step < totalSteps) {
    const t0 = performance.now();
    await trainer.trainStep();
    timed.push(performance.now() - t0);
    if (trainer.step === 10) step10 = tf.memory();
  }
  const end = tf.memory();
  const steady = timed.slice(Math.floor(timed.length / 3));
  const msPerStep = steady.reduce((a, b) => a + b, 0) / steady.length;

  // Sampling 16 new tokens for 16 prompts, with and without the KV cache.
  const prompts = data.prompts.slice(0, 16).map((p) => encodePrompt(data.tokenizer, p));
  const newTokens = 16;
  const timeSampling = async (useCache: boolean) => {
    await sample(model, prompts, { maxNewTokens: newTokens, temperature: 1, topK: 0, seed: 1, useCache });
    const reps = quick ? 1 : 3;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++)
      await sample(model, prompts, { maxNewTokens: newTokens, temperature: 1, topK: 0, seed: 2 + r, useCache });
    return (performance.now() - t0) / reps / newTokens;
  };
  const cached = await timeSampling(true);
  const recomputed = await timeSampling(false);

  const rl = await benchRl(data, config, counts);
  // SwiftShader emulates the GPU on the CPU, minutes per hundred labels: there a label is measured with 10 saved only.
  const saved = backend === 'webgpu-swiftshader' ? [10] : quick ? [10, 50] : [10, 200];
  const interactions = await benchInteractions(counts, backend.startsWith('webgpu'), saved);
  // The medium preset's memory, on the null device only (elsewhere it would take minutes of arithmetic).
  const medium = backend === 'webgpu-null' ? await benchMedium() : null;
  // Tensors and pool bytes over a long RL session: 5 rounds of PPO iterations, each ended by a reset.
  const flat = backend === 'webgpu-null' ? await benchFlat(5, quick ? 4 : 60) : null;

  const report: BackendReport = {
    backend,
    ok: true,
    msPerStep,
    kernelsPerStep,
    kernelsByName,
    programsPerStep,
    readsPerStep,
    syncReadsPerStep,
    tensors: {
      step10: step10.numTensors,
      step200: end.numTensors,
      bytesStep10: step10.numBytes,
      bytesStep200: end.numBytes,
      stepsRun: trainer.step,
    },
    samplingMsPerToken: { cached, recomputed, speedup: recomputed / cached, newTokens },
    rl,
    interactions,
    medium,
    flat,
  };
  console.log('BENCH_JSON ' + JSON.stringify(report));
  process.exit(0);
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
