// The interactions a person causes, measured through the playground as the worker runs them (the
// small model, shipped checkpoints): the 4 sample completions under a stage, the next pair with
// nothing sampled ahead (the sampler fills its queue of pairs in one batched call), and one label
// with 10 and with 200 comparisons saved (what a click sets off: the reward model's steps, the
// re-scoring of a bounded slice of the comparisons, the pairs topped up). For each: ms (one run,
// unprofiled), then kernels (tf.profile), WebGPU programs, device reads and the peak of tensor bytes
// (a second run). Called by benchBackend.ts in its own process.
// On Dawn's null device nothing is computed: sampled answers come out alike and the sampler draws
// again, so there the pair's counts are those of more than one draw.

import * as tf from '@tensorflow/tfjs';
import { disposePlaygrounds, start } from '../tests/unit/harness';
import type { Command, PairToLabel } from '../src/engine/protocol';
import type { PhaseReport } from './benchRl';

export interface InteractionReport extends PhaseReport {
  /** WebGPU shader dispatches (null off WebGPU). */
  programs: number | null;
  /** The most tensor memory alive at once during the interaction (tf.profile's peakBytes). */
  peakBytes: number;
}

export interface InteractionsReport {
  stageSamples: InteractionReport;
  /** A pair asked for with nothing sampled ahead: the sampler samples its queue of pairs in one call. */
  nextPair: InteractionReport;
  /** One label, by how many comparisons were saved before it. */
  label: Record<number, InteractionReport>;
}

type Counts = { reads: number; programs: number };

/**
 * ms of one run, unprofiled (tf.profile slows what it measures about 2.9x); kernels, programs, reads
 * and peak bytes of a second run of the same kind, counted under tf.profile. `run(k)` is told which run it is.
 */
async function measure(
  counts: Counts,
  webgpu: boolean,
  run: (k: number) => Promise<unknown>,
): Promise<InteractionReport> {
  const t0 = performance.now();
  await run(0);
  const ms = performance.now() - t0;
  const before = { ...counts };
  const profile = await tf.profile(async () => {
    await run(1);
  });
  return {
    ms,
    kernels: profile.kernels.length,
    reads: counts.reads - before.reads,
    programs: webgpu ? counts.programs - before.programs : null,
    peakBytes: profile.peakBytes,
  };
}

/** Measures each interaction once, after a warm-up; a label at each count of comparisons in `saved`. */
export async function benchInteractions(counts: Counts, webgpu: boolean, saved: number[]): Promise<InteractionsReport> {
  const { send, of, pg, judge } = start(true);
  const init: Command = { type: 'init', scenario: 'reviews', preset: 'small', seed: 1 };
  await send(init);
  await pg.idle();
  const sampleSft = () => send({ type: 'sample', stage: 'sft' });
  await sampleSft(); // warm up
  const stageSamples = await measure(counts, webgpu, sampleSft);

  // A new left temperature drops the pairs sampled ahead, so the next request samples afresh.
  let flip = 0;
  const setTemperature = () =>
    send({ type: 'setPairSettings', settings: { temperatureLeft: 0.8 + 0.01 * (flip++ % 2) } });
  const pairNow = async () => {
    await send({ type: 'nextPair' });
    await pg.idle();
  };
  await setTemperature();
  await pairNow();
  const nextPair = await measure(counts, webgpu, async () => {
    await setTemperature();
    await pairNow();
  });

  const label: Record<number, InteractionReport> = {};
  let have = 0;
  for (const n of saved) {
    if (n > have) await send({ type: 'autoLabel', labelerId: 'positive', count: n - have });
    await pg.idle();
    have = n;
    const pairs: PairToLabel[] = [];
    for (let k = 0; k < 2; k++) {
      await send({ type: 'nextPair' });
      await pg.idle();
      pairs.push(of('pair').at(-1)!.pair);
    }
    // Timed with n saved, counted with n + 1.
    label[n] = await measure(counts, webgpu, (k) => judge(pairs[k], 'left'));
    have += 2;
  }
  disposePlaygrounds();
  return { stageSamples, nextPair, label };
}
