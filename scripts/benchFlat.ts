// Memory over a long RL session through the playground, on one backend (the benchmark runs it on
// the null device): PPO iterations in rounds, each round ended by an RL reset. After each round it
// records the live tensors and the WebGPU buffer pool's bytes; issue 12 asks that neither grows.
// Small preset, shipped checkpoints, 20 simulated labels for the reward model.

import * as tf from '@tensorflow/tfjs';
import { disposePlaygrounds, start } from '../tests/unit/harness';
import { poolBytes } from '../src/engine/gpuMemory';
import { rlStepRollingBack } from './benchMedium';

export interface FlatRound {
  iterations: number;
  tensors: number;
  poolAllocatedBytes: number;
  poolUsedBytes: number;
}

export interface FlatReport {
  rounds: FlatRound[];
  /** Same tensors, pool bytes in use and pool bytes allocated after every round (the first one sets them). */
  flat: boolean;
}

export async function benchFlat(rounds: number, iterationsPerRound: number): Promise<FlatReport | null> {
  const pool = () => poolBytes();
  if (!pool()) return null;
  const { send, pg, events } = start(true);
  await send({ type: 'init', scenario: 'reviews', preset: 'small', seed: 1 });
  await send({ type: 'autoLabel', labelerId: 'positive', count: 20 });
  await send({ type: 'setRlSettings', settings: { algorithm: 'ppo' } });
  await pg.idle();
  const ppoStep = rlStepRollingBack({ send, pg, events }); // see benchMedium.ts
  const out: FlatRound[] = [];
  let iterations = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < iterationsPerRound; i++) {
      await ppoStep();
      iterations += 1;
    }
    await send({ type: 'rlReset' });
    await pg.idle();
    const p = pool()!;
    out.push({ iterations, tensors: tf.memory().numTensors, poolAllocatedBytes: p.allocated, poolUsedBytes: p.used });
  }
  disposePlaygrounds();
  const first = out[0];
  const flat = out.every(
    (o) =>
      o.tensors === first.tensors &&
      o.poolUsedBytes === first.poolUsedBytes &&
      o.poolAllocatedBytes === first.poolAllocatedBytes,
  );
  return { rounds: out, flat };
}
