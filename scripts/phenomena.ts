// The phenomena harness: runs every effect the playground promises (src/presets) over seeds, the
// Playground driven in Node as the worker drives it, and prints how often each criterion held.
//   npm run phenomena                        every effect, seeds 1-10
//   npm run phenomena -- --seeds 1-5 --only ppo-raises-gold,strong-anchor
// Writes bench-results/phenomena.json (or --json FILE). Times: wall time here, and an estimate of the
// GPU dispatch time from the WebGPU null device's cost per kind of work (scripts/gpuFloor.ts).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EFFECTS, type Effect } from '../src/presets';
import { checkEffect } from './phenomenaRun';

function parseSeeds(text: string): number[] {
  const [a, b] = text.split('-').map(Number);
  if (text.includes('-') && Number.isInteger(a) && Number.isInteger(b) && b >= a)
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const list = text.split(',').map(Number);
  if (list.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`--seeds takes "1-10" or "1,4,7" (got "${text}")`);
  return list;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const seeds = parseSeeds(option('seeds') ?? '1-10');
const only = option('only')?.split(',');
const jsonPath = option('json') ?? 'bench-results/phenomena.json';
const effects: Effect[] = only ? EFFECTS.filter((e) => only.includes(e.id)) : [...EFFECTS];
if (only && effects.length !== only.length) {
  throw new Error(`unknown effect in --only; the effects are: ${EFFECTS.map((e) => e.id).join(', ')}`);
}

await tf.setBackend(process.env.PHENOMENA_BACKEND ?? 'wasm');
console.log(`phenomena: ${effects.length} effects x seeds ${seeds.join(',')} on ${tf.getBackend()}`);
const report = [];
for (const effect of effects) {
  const result = await checkEffect(effect, seeds, (seed, outcome, ms) =>
    console.log(
      `  ${effect.id} seed ${seed}: ${outcome.met ? 'met' : 'NOT met'} (${outcome.measured}) ${(ms / 1000).toFixed(0)} s`,
    ),
  );
  console.log(
    `${effect.id}: ${result.met}/${seeds.length} seeds | ${effect.criterion} | budget ${effect.budget.labels} labels, ` +
      `${effect.budget.iterations} iterations | ${(result.ms / 1000).toFixed(0)} s here, ` +
      `~${(result.gpuFloorMs / 1000).toFixed(0)} s of GPU dispatch (estimate)`,
  );
  report.push(result);
}
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ backend: tf.getBackend(), seeds, effects: report }, null, 2));
console.log(`wrote ${jsonPath}`);
process.exit(0);
