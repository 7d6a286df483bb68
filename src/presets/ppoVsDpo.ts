// PPO against DPO on the same labels: DPO learns from the preferences directly, PPO through a reward
// model and rollouts; both should raise the gold score.

import type { Preset } from './preset';
import { earlyLate, fmt, rlPoints, rlSteps } from './measures';

const LABELS = 60;
const ITERATIONS = 20;
const GOLD_RISE = 0.05;

export const ppoVsDpo: Preset = {
  id: 'ppo-vs-dpo',
  title: 'PPO against DPO on the same labels',
  watch:
    `DPO learns straight from the ${LABELS} labels with no reward model and no rollouts: press Play on RL fine-tune for ` +
    `${ITERATIONS} iterations, then switch the algorithm to PPO, Reset, and compare the gold score and the KL the two reach.`,
  values: { scenario: 'reviews', size: 'small', gold: 'positive', algo: 'dpo' },
  commands: [{ type: 'autoLabel', labelerId: 'positive', count: LABELS }],
  stage: 'rl',
  effect: {
    id: 'ppo-vs-dpo',
    title: 'PPO and DPO both raise gold',
    criterion: `gold late - early >= ${GOLD_RISE} (5-iteration means) for DPO and for PPO`,
    verified: { met: 9, seeds: 10 },
    budget: { labels: LABELS, iterations: ITERATIONS },
    async check(start, seed) {
      const rise = async (algo: 'dpo' | 'ppo') => {
        const session = await start({ ...ppoVsDpo.values, algo, seed });
        await session.run(ppoVsDpo.commands);
        const gold = earlyLate(rlPoints(await session.run(rlSteps(ITERATIONS))), (p) => p.gold ?? NaN);
        return gold.late - gold.early;
      };
      const [dpo, ppo] = [await rise('dpo'), await rise('ppo')];
      return { met: dpo >= GOLD_RISE && ppo >= GOLD_RISE, measured: `gold rise DPO ${fmt(dpo)}, PPO ${fmt(ppo)}` };
    },
  },
};
