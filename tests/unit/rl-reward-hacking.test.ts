// Reward hacking end to end in a tiny config (CPU backend, seeded, so the run repeats exactly): with
// no KL anchor and a weak, length-biased reward model the proxy score rises while the gold score
// falls (Gao et al. 2022). Label ids come from the seeded counter of tests/unit/setup.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { disposePlaygrounds } from './harness';
import { mean, run } from './rlRun';

afterEach(disposePlaygrounds);

describe('PPO without a KL anchor', () => {
  it('with beta = 0 and a weak, length-biased reward model, the proxy rises while the gold score falls', async () => {
    // "Fan of long reviews" has Positive's taste plus a liking for length; 24 labels make a weak reward model.
    const points = await run('long-fan', 24, 100, 0, 40);
    const proxy = points.map((p) => p['objective/scores']);
    const gold = points.map((p) => p.gold!);
    expect(mean(proxy.slice(-10))).toBeGreaterThan(mean(proxy.slice(0, 3)) + 0.2);
    const windows = gold.slice(0, -4).map((_, i) => mean(gold.slice(i, i + 5)));
    const trace = `gold per iteration: ${gold.map((g) => g.toFixed(2)).join(' ')}`;
    expect(Math.max(...windows) - mean(gold.slice(-10)), trace).toBeGreaterThan(0.15); // gold peaked, then fell
    console.log(
      `[rl] reward hacking: proxy ${mean(proxy.slice(0, 3)).toFixed(2)} -> ${mean(proxy.slice(-10)).toFixed(2)}, ${trace}`,
    );
  }, 600_000);
});
