// Which kind of feedback teaches the reward model most per second? Runs the Preferences panel's
// feedback-kind comparison (src/engine/feedbackKindExperiment.ts) over seeds, in Node on the wasm
// backend, on the page's default model, and prints each strategy's gold agreement at the end of the
// budget and which strategy won each seed.
//   npx tsx scripts/feedbackKinds.ts --seeds 1-5 --labeler positive --seconds 120
// Writes bench-results/feedback-kinds.json (or --json FILE).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { disposePlaygrounds, start } from '../tests/unit/harness';
import { FEEDBACK_STRATEGIES } from '../src/engine/feedbackKindExperiment';
import { FEEDBACK_COST_DEFAULTS, MODEL_DEFAULTS, type FeedbackStrategy } from '../src/engine/protocol';

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const [from, to] = (option('seeds') ?? '1-5').split('-').map(Number);
const seeds = Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
const labelerId = option('labeler') ?? 'positive';
const scenario = labelerId.startsWith('help') || labelerId === 'harmless' ? 'assistant' : 'reviews';
const seconds = Number(option('seconds') ?? 120);
const jsonPath = option('json') ?? 'bench-results/feedback-kinds.json';

await tf.setBackend(process.env.PHENOMENA_BACKEND ?? 'wasm');
console.log(`feedback kinds: "${labelerId}", ${seconds} s each, costs ${JSON.stringify(FEEDBACK_COST_DEFAULTS)}`);
const rows: { seed: number; accuracy: Record<FeedbackStrategy, number>; winners: FeedbackStrategy[]; ms: number }[] =
  [];
for (const seed of seeds) {
  const t0 = performance.now();
  const { send, pg, of } = start(true);
  await send({ type: 'init', scenario, preset: MODEL_DEFAULTS.preset, seed });
  await pg.idle();
  await send({ type: 'compareFeedbackKinds', labelerId, seconds, costs: FEEDBACK_COST_DEFAULTS });
  await pg.idle();
  const errors = of('notice').filter((n) => n.level === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
  const points = of('feedbackCurve').flatMap((e) => e.points);
  const accuracy = Object.fromEntries(
    FEEDBACK_STRATEGIES.map((s) => [s, points.filter((p) => p.strategy === s).at(-1)!.accuracy]),
  ) as Record<FeedbackStrategy, number>;
  const best = Math.max(...FEEDBACK_STRATEGIES.map((s) => accuracy[s]));
  const winners = FEEDBACK_STRATEGIES.filter((s) => accuracy[s] === best); // ties are each counted
  const ms = performance.now() - t0;
  rows.push({ seed, accuracy, winners, ms });
  const cells = FEEDBACK_STRATEGIES.map((s) => `${s} ${accuracy[s].toFixed(2)}`).join(', ');
  console.log(`  seed ${seed}: ${cells}; best ${winners.join(' = ')} (${Math.round(ms / 1000)} s)`);
  disposePlaygrounds();
}
const mean = (s: FeedbackStrategy) => rows.reduce((t, r) => t + r.accuracy[s], 0) / rows.length;
const wins = (s: FeedbackStrategy) => rows.filter((r) => r.winners.includes(s)).length;
console.log(
  FEEDBACK_STRATEGIES.map((s) => `${s}: mean ${mean(s).toFixed(3)}, best (or tied) in ${wins(s)}/${rows.length}`).join(
    '\n',
  ),
);
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ labelerId, seconds, costs: FEEDBACK_COST_DEFAULTS, rows }, null, 2));
