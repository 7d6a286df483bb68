// RLHF end to end in a tiny config, with simulated labelers as the truth (CPU backend, seeded, so
// the runs repeat exactly): PPO against a reward model learned from "Positive" raises the gold
// score while the KL stays bounded. Label ids (which decide the held-out split) come from the
// seeded counter of tests/unit/setup.ts. Reward hacking without the anchor: rl-reward-hacking.test.ts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposePlaygrounds } from './harness';
import { mean, run } from './rlRun';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(disposePlaygrounds);

describe('PPO against a learned reward model', () => {
  it('raises the gold score of the labeler while the KL stays bounded', async () => {
    // 20 iterations: on the tiny model at this brisk learning rate the gold score peaks around iteration 15 (0.73 from 0.33)
    // and then drifts back as the policy starts to exploit the reward model, which is reward-hacking.test.ts's lesson.
    const points = await run('positive', 300, 300, 0.05, 20);
    const gold = points.map((p) => p.gold!);
    expect(mean(gold.slice(-5)), gold.map((g) => g.toFixed(2)).join(' ')).toBeGreaterThan(mean(gold.slice(0, 3)) + 0.2);
    expect(Math.max(...points.map((p) => p['objective/kl']))).toBeLessThan(30);
    console.log(`[rl] PPO: gold ${mean(gold.slice(0, 3)).toFixed(2)} -> ${mean(gold.slice(-5)).toFixed(2)}, max KL ${Math.max(...points.map((p) => p['objective/kl'])).toFixed(1)}`);
  }, 600_000);
});
