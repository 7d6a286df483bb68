// The medium preset end to end through the playground, on one backend (the benchmark runs it on the
// null device): auto-label 200, three PPO iterations, an RL reset, 40 imported pairs, three DPO steps. Reports the
// WebGPU buffer pool's bytes (allocated, and in live tensors) after each phase and the largest seen:
// issue 12's budget is 512 MB. Random weights (no medium checkpoints are shipped).

import * as tf from '@tensorflow/tfjs';
import { disposePlaygrounds, start } from '../tests/unit/harness';
import { poolBytes } from '../src/engine/gpuMemory';
import type { Command } from '../src/engine/protocol';
import { loadScenario } from '../src/data/scenarios';
import { DATA_SEED } from '../src/engine/playground';

export interface MediumPhase {
  phase: string;
  poolAllocatedBytes: number;
  poolUsedBytes: number;
  tensorBytes: number;
}

export interface MediumReport {
  phases: MediumPhase[];
  peakPoolBytes: number;
  /** Error notices, less the guard's pauses on the null device's meaningless metrics. */
  errors: string[];
}

/**
 * One RL iteration through the playground, rolled back if the run's guard paused it. The null device
 * computes nothing, so what is read back is whatever the buffers held: a metric can look broken and
 * the guard pause the run; a rollback (the product's own way on) lets the next iteration run.
 */
export function rlStepRollingBack({ send, pg, events }: Pick<ReturnType<typeof start>, 'send' | 'pg' | 'events'>) {
  const paused = () => events.filter((e) => e.type === 'notice' && /training paused/.test(e.message)).length;
  return async (): Promise<void> => {
    const before = paused();
    await send({ type: 'rlStep' });
    await pg.idle();
    if (paused() > before) await send({ type: 'rlRollback' });
  };
}

export async function benchMedium(): Promise<MediumReport | null> {
  if (!poolBytes()) return null;
  const { send, pg, events } = start(false);
  const phases: MediumPhase[] = [];
  const run = async (phase: string, work: Command[] | (() => Promise<void>)) => {
    if (typeof work === 'function') await work();
    else for (const c of work) await send(c);
    await pg.idle();
    const pool = poolBytes()!;
    phases.push({
      phase,
      poolAllocatedBytes: pool.allocated,
      poolUsedBytes: pool.used,
      tensorBytes: tf.memory().numBytes,
    });
  };
  const repeat = (n: number, c: Command) => Array.from({ length: n }, () => c);
  await run('start', [{ type: 'init', scenario: 'reviews', preset: 'medium', seed: 1 }]);
  await run('auto-label 200', repeat(10, { type: 'autoLabel', labelerId: 'positive', count: 20 }));
  const rlStep = rlStepRollingBack({ send, pg, events });
  await run('3 PPO iterations', async () => {
    await send({ type: 'setRlSettings', settings: { algorithm: 'ppo' } });
    for (let i = 0; i < 3; i++) await rlStep();
  });
  await run('RL reset', [{ type: 'rlReset' }]);
  // On the null device sampled answers are garbage and often come out alike (ties, which DPO skips):
  // DPO gets 40 decided pairs made of the scenario's demonstrations, imported as a file would be.
  const demos = loadScenario('reviews', DATA_SEED).demonstrations;
  const lines = demos
    .slice(0, 40)
    .map((d, i) =>
      JSON.stringify({ prompt: d.prompt, chosen: d.response, rejected: demos[(i + 1) % demos.length].response }),
    );
  await run('import 40 decided pairs', [{ type: 'importPreferences', text: lines.join('\n'), name: 'pairs.jsonl' }]);
  await run('3 DPO steps', async () => {
    await send({ type: 'setRlSettings', settings: { algorithm: 'dpo' } });
    for (let i = 0; i < 3; i++) await rlStep();
  });
  const errors = events.flatMap((e) =>
    e.type === 'notice' && e.level === 'error' && !/training paused/.test(e.message) ? [e.message] : [],
  );
  disposePlaygrounds();
  return { phases, peakPoolBytes: Math.max(...phases.map((p) => p.poolAllocatedBytes)), errors };
}
