// A KL anchor so strong that nothing moves: every nat of drift costs more than the reward pays.

import type { Preset } from './preset';
import { BRISK_PPO } from './briskPpo';
import { earlyLate, fmt, peak, rlPoints, rlSteps } from './measures';

const ITERATIONS = 30;
const LABELS = 24;
// On the 5-iteration mean: one batch's KL estimate is noisy (at β = 1 single iterations reached 2.1 nats
// where the 5-iteration mean stayed below 1.5); PPO at the default β drifts 3-10 nats in 20 iterations.
const MAX_KL = 2;
const MAX_GOLD_CHANGE = 0.2; // PPO at the default β raises gold by 0.2-0.4 in 20 iterations

export const strongAnchor: Preset = {
  id: 'strong-anchor',
  title: 'An anchor so strong nothing moves',
  watch:
    `Press Play on RL fine-tune for ${ITERATIONS} iterations: with β = 1 every bit of drift costs more than the reward can pay ` +
    `back, so the KL (averaged over 5 iterations) stays below ${MAX_KL} nats, the gold score hardly moves and the ` +
    "answers stay the fine-tuned model's.",
  // The brisk PPO at the default policy learning rate: at 3e-3 the first update alone drifts 3-10 nats.
  values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 1, algo: 'ppo', ...BRISK_PPO, lr: 3e-4 },
  commands: [
    { type: 'autoLabel', labelerId: 'positive', count: LABELS },
    { type: 'trainReward', steps: 100 },
  ],
  stage: 'rl',
  effect: {
    id: 'strong-anchor',
    title: 'A strong anchor keeps the policy in place',
    criterion: `KL < ${MAX_KL} in every 5-iteration mean and |gold late - early| < ${MAX_GOLD_CHANGE} (5-iteration means)`,
    verified: { met: 10, seeds: 10 },
    budget: { labels: LABELS, iterations: ITERATIONS },
    async check(start, seed) {
      const session = await start({ ...strongAnchor.values, seed });
      await session.run(strongAnchor.commands);
      const points = rlPoints(await session.run(rlSteps(ITERATIONS)));
      const maxKl = Math.max(...points.map((p) => p['objective/kl']));
      const peakKl = peak(points, (p) => p['objective/kl']);
      const gold = earlyLate(points, (p) => p.gold ?? NaN);
      const change = gold.late - gold.early;
      return {
        met: peakKl < MAX_KL && Math.abs(change) < MAX_GOLD_CHANGE,
        measured: `KL's 5-iteration mean at most ${fmt(peakKl)} (one iteration's at most ${fmt(maxKl)}), gold change ${fmt(change)}`,
      };
    },
  },
};
