// RLHF end to end in a tiny config, with simulated labelers as the truth (CPU backend, seeded, so
// the runs repeat exactly): PPO against a reward model learned from "Positive" raises the gold
// score while the KL stays bounded; with no KL anchor and a weak, length-biased reward model the
// proxy score rises while the gold score falls (reward hacking, Gao et al. 2022). Label ids (which
// decide the held-out split) come from the seeded counter of tests/unit/setup.ts, so each run repeats exactly.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposePlaygrounds, start } from './harness';
import type { RlMetricPoint } from '../../src/engine/protocol';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  disposePlaygrounds();
  vi.restoreAllMocks();
});
// Label ids come from the seeded counter of tests/unit/setup.ts.

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Labels `count` pairs with `labeler`, trains the reward model, then runs `iterations` PPO iterations. */
async function run(labeler: string, count: number, rewardSteps: number, beta: number, iterations: number): Promise<RlMetricPoint[]> {
  const { send, of } = start(true);
  await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
  await send({ type: 'setRewardSettings', settings: { learningRate: 5e-3 } });
  await send({ type: 'autoLabel', labelerId: labeler, count });
  await send({ type: 'trainReward', steps: rewardSteps });
  await send({ type: 'setLabelerSettings', settings: { goldLabeler: 'positive' } });
  await send({ type: 'setRlSettings', settings: { learningRate: 3e-3, beta, batchSize: 16, responseLength: 12, epochs: 2, minibatches: 2 } });
  for (let i = 0; i < iterations; i++) await send({ type: 'rlStep' });
  expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
  return of('rlMetrics').map((e) => e.points[0]);
}

describe('PPO against a learned reward model', () => {
  it('raises the gold score of the labeler while the KL stays bounded', async () => {
    const points = await run('positive', 300, 300, 0.05, 40);
    const gold = points.map((p) => p.gold!);
    expect(mean(gold.slice(-10)), gold.map((g) => g.toFixed(2)).join(' ')).toBeGreaterThan(mean(gold.slice(0, 3)) + 0.2);
    expect(Math.max(...points.map((p) => p['objective/kl']))).toBeLessThan(30);
    console.log(`[rl] PPO: gold ${mean(gold.slice(0, 3)).toFixed(2)} -> ${mean(gold.slice(-10)).toFixed(2)}, max KL ${Math.max(...points.map((p) => p['objective/kl'])).toFixed(1)}`);
  }, 600_000);

  it('with beta = 0 and a weak, length-biased reward model, the proxy rises while the gold score falls', async () => {
    // "Fan of long reviews" has Positive's taste plus a liking for length; 24 labels make a weak reward model.
    const points = await run('long-fan', 24, 100, 0, 40);
    const proxy = points.map((p) => p['objective/scores']);
    const gold = points.map((p) => p.gold!);
    expect(mean(proxy.slice(-10))).toBeGreaterThan(mean(proxy.slice(0, 3)) + 0.2);
    const windows = gold.slice(0, -4).map((_, i) => mean(gold.slice(i, i + 5)));
    const trace = `gold per iteration: ${gold.map((g) => g.toFixed(2)).join(' ')}`;
    expect(Math.max(...windows) - mean(gold.slice(-10)), trace).toBeGreaterThan(0.15); // gold peaked, then fell
    console.log(`[rl] reward hacking: proxy ${mean(proxy.slice(0, 3)).toFixed(2)} -> ${mean(proxy.slice(-10)).toFixed(2)}, ${trace}`);
  }, 600_000);
});
