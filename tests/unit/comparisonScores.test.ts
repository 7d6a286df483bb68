// A label re-scores a bounded slice of the dataset (src/engine/comparisonScores.ts): the choice of
// what to score, and through the playground, a click that costs the same at 40 and at 80 comparisons.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ComparisonScores, RESCORE_BUDGET } from '../../src/engine/comparisonScores';
import type { Comparison } from '../../src/data/preferences';
import { disposePlaygrounds, start } from './harness';

const comparison = (i: number): Comparison =>
  ({ id: `c${i}`, prompt: `p${i}`, chosen: `a${i}`, rejected: `b${i}` }) as unknown as Comparison;

/** Scores whatever toScore picks with margin = version tag, as the reward session does. */
function report(cache: ComparisonScores, list: Comparison[], tag: number): Comparison[] {
  const picked = cache.toScore(list);
  cache.record(
    picked,
    picked.map(() => tag),
    list,
  );
  return picked;
}

describe('which comparisons a report scores', () => {
  it('below the budget, every comparison after every change of the weights', () => {
    const cache = new ComparisonScores();
    const list = Array.from({ length: RESCORE_BUDGET }, (_, i) => comparison(i));
    expect(report(cache, list, 0)).toHaveLength(RESCORE_BUDGET);
    expect(report(cache, list, 0)).toHaveLength(0); // nothing changed: nothing to score
    cache.weightsChanged();
    expect(report(cache, list, 1)).toHaveLength(RESCORE_BUDGET);
    expect(cache.margins(list)).toEqual({ margins: list.map(() => 1), stale: 0 });
  });

  it('above it: the new ones and the edited ones, then the stalest, up to the budget', () => {
    const cache = new ComparisonScores();
    const n = 3 * RESCORE_BUDGET;
    let list = Array.from({ length: n }, (_, i) => comparison(i));
    expect(report(cache, list, 0)).toHaveLength(n); // nothing scored yet: all of them, once
    cache.weightsChanged();
    const first = report(cache, list, 1).map((c) => c.id);
    expect(first).toHaveLength(RESCORE_BUDGET);
    expect(cache.margins(list).stale).toBe(n - RESCORE_BUDGET);
    cache.weightsChanged();
    const second = report(cache, list, 2).map((c) => c.id);
    expect(second.filter((id) => first.includes(id))).toEqual([]); // the ones scored longest ago go first
    // A new comparison and a flipped one are scored first, whatever the budget.
    const flipped = { ...list[5], chosen: list[5].rejected, rejected: list[5].chosen };
    list = [...list.slice(0, 5), flipped, ...list.slice(6), comparison(n)];
    cache.weightsChanged();
    const third = report(cache, list, 3).map((c) => c.id);
    expect(third.slice(0, 2).sort()).toEqual(['c5', `c${n}`].sort());
    expect(third).toHaveLength(RESCORE_BUDGET);
    // Deleted comparisons are forgotten; every comparison has a margin.
    list = list.slice(1);
    report(cache, list, 4);
    expect(cache.margins(list).margins.every(Number.isFinite)).toBe(true);
    expect(cache.margins([comparison(0)]).margins).toEqual([NaN]);
  });
});

describe('through the playground', () => {
  afterEach(disposePlaygrounds);

  it('a click costs exactly the same kernels with 40 and with 80 comparisons saved', async () => {
    const { send, pg } = start(true);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    const click = async () => {
      const profile = await tf.profile(async () => {
        await send({ type: 'autoLabel', labelerId: 'positive', count: 1 });
        await pg.idle();
      });
      return profile.kernels.length;
    };
    await send({ type: 'autoLabel', labelerId: 'positive', count: 40 });
    const at40 = await click();
    await send({ type: 'autoLabel', labelerId: 'positive', count: 39 });
    const at80 = await click();
    console.log(`[label cost] kernels of one click: ${at40} with 40 saved, ${at80} with 80 saved`);
    // Exactly: kernel counts are deterministic, and re-scoring all of them would run two more 64-row chunks.
    expect(at80).toBe(at40);
  }, 300_000);
});
