// One effect over seeds, each seed on fresh playgrounds driven as the worker drives them. Shared by
// the phenomena harness (scripts/phenomena.ts) and its quick test (tests/unit/phenomena.test.ts).
import { start, disposePlaygrounds } from '../tests/unit/harness';
import { commandsFor } from '../src/ui/linkValues';
import type { Effect, EffectRun, Outcome } from '../src/presets/preset';
import { countWork, gpuFloorMs, noWork, type Work } from './gpuFloor';

/** What the current seed's playgrounds have done, for the GPU-time floor. */
let work: Work = noWork();

/** A fresh playground on the link values, as the page applies a link (all settings sent). */
export const startEffect: EffectRun = async (values) => {
  const { events, send, pg } = start(true);
  for (const cmd of commandsFor(values, true)) await send(cmd);
  await pg.idle();
  let rewardStep = 0;
  return {
    async run(commands) {
      const from = events.length;
      for (const cmd of commands) await send(cmd);
      await pg.idle();
      const caused = events.slice(from);
      const errors = caused.filter((e) => e.type === 'notice' && e.level === 'error');
      if (errors.length) throw new Error(`the playground reported: ${JSON.stringify(errors)}`);
      rewardStep = countWork(work, commands, caused, rewardStep);
      return caused;
    },
  };
};

/** Comparison ids from a counter, so the held-out split (it hashes ids) is the same on every run. */
function seedIds(): void {
  let n = 0;
  type Uuid = ReturnType<Crypto['randomUUID']>;
  globalThis.crypto.randomUUID = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` as Uuid;
}

export interface EffectResult {
  id: string;
  criterion: string;
  budget: Effect['budget'];
  met: number;
  seeds: { seed: number; met: boolean; measured: string; ms: number; gpuFloorMs: number }[];
  ms: number;
  gpuFloorMs: number;
}

export async function checkEffect(
  effect: Effect,
  seeds: number[],
  onSeed?: (seed: number, o: Outcome, ms: number) => void,
): Promise<EffectResult> {
  const rows: EffectResult['seeds'] = [];
  for (const seed of seeds) {
    seedIds();
    work = noWork();
    const t0 = performance.now();
    try {
      const outcome = await effect.check(startEffect, seed);
      const ms = performance.now() - t0;
      rows.push({ seed, ...outcome, ms, gpuFloorMs: gpuFloorMs(work) });
      onSeed?.(seed, outcome, ms);
    } finally {
      disposePlaygrounds();
    }
  }
  return {
    id: effect.id,
    criterion: effect.criterion,
    budget: effect.budget,
    met: rows.filter((r) => r.met).length,
    seeds: rows,
    ms: rows.reduce((s, r) => s + r.ms, 0),
    gpuFloorMs: rows.reduce((s, r) => s + r.gpuFloorMs, 0),
  };
}
