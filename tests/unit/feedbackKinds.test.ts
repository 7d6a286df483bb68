// The feedback-kind comparison through the worker's Playground (CPU backend, tiny model): every
// strategy spends the same seconds at the stated costs, and a bad cost is refused with nothing run.
import { afterEach, describe, expect, it } from 'vitest';
import { disposePlaygrounds, start } from './harness';
import { FEEDBACK_STRATEGIES } from '../../src/engine/feedbackKindExperiment';

afterEach(disposePlaygrounds);

describe('the feedback-kind comparison', () => {
  it(
    'gives each strategy a curve from 0 s to the budget, and refuses an out-of-range cost',
    { timeout: 180_000 },
    async () => {
      const { send, pg, of } = start(true);
      await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
      await pg.idle();
      await send({
        type: 'compareFeedbackKinds',
        labelerId: 'positive',
        seconds: 20,
        costs: { pair: 10, ranking: 10, rating: 5, correction: 10 }, // few questions: the CPU backend is slow
      });
      await pg.idle();
      expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
      const points = of('feedbackCurve').flatMap((e) => e.points);
      for (const strategy of FEEDBACK_STRATEGIES) {
        const curve = points.filter((p) => p.strategy === strategy);
        expect(curve[0].seconds).toBe(0);
        expect(curve.at(-1)!.seconds).toBe(20);
        expect(curve.every((p) => p.accuracy >= 0 && p.accuracy <= 1)).toBe(true);
        // seconds only grow
        expect(curve.map((p) => p.seconds)).toEqual([...curve.map((p) => p.seconds)].sort((a, b) => a - b));
      }
      // Rankings at 10 s each: measured after each of the two the budget holds; thumbs at 5 s: after each of four.
      expect(points.filter((p) => p.strategy === 'rankings').map((p) => p.seconds)).toEqual([0, 10, 20]);
      expect(points.filter((p) => p.strategy === 'ratings').map((p) => p.seconds)).toEqual([0, 5, 10, 15, 20]);
      // Corrections at 10 s each, or 5 s (a thumb's time) for an answer with nothing to fix: a point after each.
      const corrected = points.filter((p) => p.strategy === 'corrections').map((p) => p.seconds);
      expect(corrected.slice(1).every((t, i) => t - corrected[i] === 5 || t - corrected[i] === 10)).toBe(true);

      const before = of('feedbackCurve').length;
      await send({
        type: 'compareFeedbackKinds',
        labelerId: 'positive',
        seconds: 20,
        costs: { pair: 0, ranking: 8, rating: 2, correction: 15 },
      });
      await pg.idle();
      expect(of('notice').at(-1)!.message).toBe('Seconds per question must be a number from 0.5 to 120 (got 0).');
      expect(of('feedbackCurve').length).toBe(before);
    },
  );
});
