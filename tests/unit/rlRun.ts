// One RLHF run end to end in the tiny config, as the worker drives it (CPU backend, seeded): a
// simulated labeler labels pairs, the reward model trains, then PPO iterates. Used by the reward-hacking
// test; that PPO raises the gold score is checked on the default model over five seeds by phenomena.test.ts.
import { expect } from 'vitest';
import { start } from './harness';
import type { RlMetricPoint } from '../../src/engine/protocol';

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Labels `count` pairs with `labeler`, trains the reward model, then runs `iterations` PPO iterations. */
export async function run(
  labeler: string,
  count: number,
  rewardSteps: number,
  beta: number,
  iterations: number,
): Promise<RlMetricPoint[]> {
  const { send, of } = start(true);
  await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
  await send({ type: 'setRewardSettings', settings: { learningRate: 5e-3 } });
  await send({ type: 'autoLabel', labelerId: labeler, count });
  await send({ type: 'trainReward', steps: rewardSteps });
  await send({ type: 'setLabelerSettings', settings: { goldLabeler: 'positive' } });
  await send({
    type: 'setRlSettings',
    settings: { learningRate: 3e-3, beta, batchSize: 16, responseLength: 12, epochs: 2, minibatches: 2 },
  });
  for (let i = 0; i < iterations; i++) await send({ type: 'rlStep' });
  expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
  return of('rlMetrics').map((e) => e.points[0]);
}
