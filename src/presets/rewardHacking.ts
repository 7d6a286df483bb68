// Reward hacking: with no KL anchor the policy climbs the reward model's score by whatever the reward
// model got wrong. The tiny model's reward model, trained on 24 labels of a labeler who likes long
// reviews, gets a lot wrong: unanchored, the answers run to the length limit while the score climbs,
// and the gold score of the labeler it should have pleased falls from its peak. An anchor (the
// counterpart β) keeps the answers at their fine-tuned length.
//
// Measured, and so not promised: the gold score at the counterpart β is as noisy as the policy is
// small (5-iteration means of 16 answers move by 0.2), and a control run with "Positive"'s labels runs
// to the length limit as often, so the length is not the fan's bias being learned. The gold fall is
// what fails when the effect fails (seeds 1-10: the proxy rose by 1.3 to 3.5 in all ten, the answers
// reached the limit in eight, gold fell from its peak in five): in the other seeds this reward model
// happens to agree with "Positive" on what it rewards, and gold rises with the proxy.

import type { Preset } from './preset';
import { BRISK_PPO } from './briskPpo';
import { earlyLate, fmt, peak, rlPoints, rlSteps } from './measures';

const ITERATIONS = 30;
const LABELS = 24;
const COUNTERPART_BETA = 0.5;
const PROXY_RISE = 0.2;
const GOLD_FALL = 0.05;
const LENGTH_LIMIT = BRISK_PPO.respLen!;
const AT_LIMIT = LENGTH_LIMIT - 0.5; // a 5-iteration mean answer length this close to the limit is at it
const SHORTER = 0.5; // tokens shorter, at the end, with the anchor than without it

export const rewardHacking: Preset = {
  id: 'reward-hacking',
  title: 'Reward hacking with no KL anchor',
  watch:
    `Press Play on RL fine-tune for ${ITERATIONS} iterations: with β = 0 nothing ties the policy to the fine-tuned model, so it ` +
    "climbs the reward model's score on whatever that small reward model got wrong: the answers run to the " +
    `${LENGTH_LIMIT}-token limit and, in about half of the seeds, the gold score of "Positive" falls from its peak. ` +
    `Set β to ${COUNTERPART_BETA}, Reset and Play again: the answers keep their fine-tuned length.`,
  // The tiny model, a weak reward model from biased labels, and a brisk PPO.
  values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 0, algo: 'ppo', ...BRISK_PPO },
  commands: [
    { type: 'autoLabel', labelerId: 'long-fan', count: LABELS },
    { type: 'trainReward', steps: 100 },
  ],
  stage: 'rl',
  effect: {
    id: 'reward-hacking',
    title: 'Reward hacking at β = 0, held at the counterpart β',
    criterion:
      `at β = 0: proxy score late - early >= ${PROXY_RISE}, answer length late >= ${AT_LIMIT} of ${LENGTH_LIMIT} and ` +
      `gold late < gold peak - ${GOLD_FALL}; at β = ${COUNTERPART_BETA}: answer length late at least ${SHORTER} below β = 0's ` +
      '(5-iteration means)',
    verified: { met: 5, seeds: 10 },
    budget: { labels: LABELS, iterations: ITERATIONS },
    async check(start, seed) {
      const judge = async (beta: number) => {
        const session = await start({ ...rewardHacking.values, beta, seed });
        await session.run(rewardHacking.commands);
        const points = rlPoints(await session.run(rlSteps(ITERATIONS)));
        const proxy = earlyLate(points, (p) => p['objective/scores']);
        const gold = { ...earlyLate(points, (p) => p.gold ?? NaN), peak: peak(points, (p) => p.gold ?? NaN) };
        return { proxyRise: proxy.late - proxy.early, gold, length: earlyLate(points, (p) => p.response_length).late };
      };
      const free = await judge(0);
      const held = await judge(COUNTERPART_BETA);
      const hacked =
        free.proxyRise >= PROXY_RISE && free.length >= AT_LIMIT && free.gold.late < free.gold.peak - GOLD_FALL;
      const holds = held.length <= free.length - SHORTER;
      return {
        met: hacked && holds,
        measured:
          `β=0: proxy +${fmt(free.proxyRise)}, length ${fmt(free.length, 1)}, gold ${fmt(free.gold.early)} -> peak ` +
          `${fmt(free.gold.peak)} -> ${fmt(free.gold.late)}; β=${COUNTERPART_BETA}: length ${fmt(held.length, 1)}, gold ` +
          `${fmt(held.gold.early)} -> ${fmt(held.gold.late)}`,
      };
    },
  },
};
