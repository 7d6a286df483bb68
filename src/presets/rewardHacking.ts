// Reward hacking: with no KL anchor the policy climbs the reward model's score by exploiting what
// the reward model got wrong (here a length bias it learned from a biased labeler), while the score
// of the labeler it should have pleased peaks and falls. A small anchor (the counterpart) holds it.

import type { Preset } from './preset';
import { BRISK_PPO } from './briskPpo';
import { earlyLate, fmt, peak, rlPoints, rlSteps } from './measures';

const ITERATIONS = 30;
const LABELS = 24;
const COUNTERPART_BETA = 0.1;
const PROXY_RISE = 0.2;
const GOLD_FALL = 0.05;

export const rewardHacking: Preset = {
  id: 'reward-hacking',
  title: 'Reward hacking with a weak KL anchor',
  watch:
    `Press Play on RL fine-tune for ${ITERATIONS} iterations: with β = 0 nothing ties the policy to the fine-tuned model, so the ` +
    'reward model\'s score keeps climbing on what it learned from biased labels, while the gold score of the "Positive" labeler ' +
    `often (not always) peaks and falls. Set β to ${COUNTERPART_BETA}, Reset and Play again: the gold score then holds.`,
  // The tiny model, a weak reward model from biased labels, and a brisk PPO.
  values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 0, algo: 'ppo', ...BRISK_PPO },
  commands: [{ type: 'autoLabel', labelerId: 'long-fan', count: LABELS }, { type: 'trainReward', steps: 100 }],
  stage: 'rl',
  effect: {
    id: 'reward-hacking',
    title: 'Reward hacking at β = 0, not at the counterpart β',
    criterion:
      `at β = 0: proxy score late - early >= ${PROXY_RISE} and gold late < gold peak - ${GOLD_FALL}; ` +
      `at β = ${COUNTERPART_BETA}: gold late >= gold peak - ${GOLD_FALL} (5-iteration means)`,
    verified: { met: 3, seeds: 10 },
    budget: { labels: LABELS, iterations: ITERATIONS },
    async check(start, seed) {
      const judge = async (beta: number) => {
        const session = await start({ ...rewardHacking.values, beta, seed });
        await session.run(rewardHacking.commands);
        const points = rlPoints(await session.run(rlSteps(ITERATIONS)));
        const proxy = earlyLate(points, (p) => p['objective/scores']);
        const gold = { ...earlyLate(points, (p) => p.gold ?? NaN), peak: peak(points, (p) => p.gold ?? NaN) };
        return { proxyRise: proxy.late - proxy.early, gold };
      };
      const free = await judge(0);
      const held = await judge(COUNTERPART_BETA);
      const hacked = free.proxyRise >= PROXY_RISE && free.gold.late < free.gold.peak - GOLD_FALL;
      const holds = held.gold.late >= held.gold.peak - GOLD_FALL;
      return {
        met: hacked && holds,
        measured:
          `β=0: proxy +${fmt(free.proxyRise)}, gold ${fmt(free.gold.early)} -> peak ${fmt(free.gold.peak)} -> ${fmt(free.gold.late)}; ` +
          `β=${COUNTERPART_BETA}: gold peak ${fmt(held.gold.peak)} -> ${fmt(held.gold.late)}`,
      };
    },
  },
};
