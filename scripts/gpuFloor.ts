// An estimate of how long an effect's work takes on a real GPU: the time the WebGPU null device (which
// dispatches every kernel but does no arithmetic) took for the same kinds of work in `npm run bench`
// (README, "Benchmark results"). For the default model that is a floor, as no GPU beats its dispatch
// overhead; the tiny model dispatches fewer kernels per step, so for it the figure is an over-estimate.
import { learnsFromLabels, type Command, type WorkerEvent } from '../src/engine/protocol';
import { AUTO_LABEL_CHUNK } from '../src/engine/labelDataset';
import { MAX_ANSWER_TOKENS as ANSWER_TOKENS } from '../src/engine/pairSampler';

const NULL_DEVICE_MS = { ppoIteration: 884.4, dpoStep: 55.8, rewardStep: 12.2, decodeStep: 6.1 };

export interface Work {
  ppoIterations: number;
  dpoSteps: number;
  rewardSteps: number;
  decodeSteps: number;
}

export const noWork = (): Work => ({ ppoIterations: 0, dpoSteps: 0, rewardSteps: 0, decodeSteps: 0 });

/** Adds what `commands` asked for and `events` report: RL iterations, reward-model steps, sampling for labels. */
export function countWork(work: Work, commands: Command[], events: WorkerEvent[], rewardStepBefore: number): number {
  let rewardStep = rewardStepBefore;
  for (const e of events) {
    if (e.type === 'rlMetrics') {
      for (const p of e.points) {
        if (learnsFromLabels(p.algorithm)) work.dpoSteps += 1;
        else work.ppoIterations += 1;
      }
    }
    if (e.type === 'rewardMetrics') for (const p of e.points) rewardStep = Math.max(rewardStep, p.step);
  }
  work.rewardSteps += rewardStep - rewardStepBefore;
  for (const c of commands) {
    // Two completions (left and right temperature) per batch of pairs, one decode step per token.
    if (c.type === 'autoLabel') work.decodeSteps += Math.ceil(c.count / AUTO_LABEL_CHUNK) * 2 * ANSWER_TOKENS;
  }
  return rewardStep;
}

/** floor = sum over kinds of work of (count x null-device ms), in ms. */
export function gpuFloorMs(w: Work): number {
  const ms = NULL_DEVICE_MS;
  return (
    w.ppoIterations * ms.ppoIteration +
    w.dpoSteps * ms.dpoStep +
    w.rewardSteps * ms.rewardStep +
    w.decodeSteps * ms.decodeStep
  );
}
