// Mode collapse: with no KL anchor the policy can settle on a few answers the reward model scores
// highly and give them to every prompt; the anchor keeps the fine-tuned model's variety. Read from
// the diversity chart (rlhf/diversity.ts): distinct-2 over each batch of answers and the share of
// the batch taken by its most common answer.
//
// Measured (npm run phenomena -- --only mode-collapse, seeds 1-10): after 40 iterations distinct-2 ended at
// 0.00-0.35 with β = 0 (the most common answer took 85-100% of the batch in six seeds) and at 0.15-0.83 with
// β = 1; the anchored run kept the fine-tuned model's distinct-2 (within 0.1) in six seeds. At 30
// iterations and β = 0.5 the effect held in 8 of 10: β = 0 had not collapsed yet in one seed, and β = 0.5
// collapsed as far in another.

import type { Preset } from './preset';
import { BRISK_PPO } from './briskPpo';
import { earlyLate, fmt, rlPoints, rlSteps } from './measures';

const ITERATIONS = 40;
const LABELS = 24;
const COUNTERPART_BETA = 1;
const DISTINCT_2_DROP = 0.1; // distinct-2 late at β = 0 at least this far below the anchored run's

export const modeCollapse: Preset = {
  id: 'mode-collapse',
  title: 'Mode collapse with no KL anchor',
  watch:
    `Press Play on RL fine-tune for ${ITERATIONS} iterations and watch the diversity chart: with β = 0 the answers grow ` +
    `alike (distinct-2 falls). Keep the run, set β to ${COUNTERPART_BETA}, Reset and Play again: the anchored answers stay ` +
    'more varied in every seed checked, and as varied as the fine-tuned model’s in six of ten.',
  values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 0, algo: 'ppo', ...BRISK_PPO },
  commands: [
    { type: 'autoLabel', labelerId: 'positive', count: LABELS },
    { type: 'trainReward', steps: 100 },
  ],
  stage: 'rl',
  effect: {
    id: 'mode-collapse',
    title: 'β = 0 collapses the answers’ diversity, the counterpart β keeps it',
    criterion: `distinct-2 late at β = 0 <= distinct-2 late at β = ${COUNTERPART_BETA} - ${DISTINCT_2_DROP} (5-iteration means)`,
    verified: { met: 10, seeds: 10 },
    budget: { labels: LABELS, iterations: ITERATIONS },
    async check(start, seed) {
      const judge = async (beta: number) => {
        const session = await start({ ...modeCollapse.values, beta, seed });
        await session.run(modeCollapse.commands);
        const points = rlPoints(await session.run(rlSteps(ITERATIONS)));
        const d2 = earlyLate(points, (p) => p['diversity/distinct_2'] ?? NaN);
        const top = earlyLate(points, (p) => p['diversity/top_answer_share'] ?? NaN);
        const d1 = earlyLate(points, (p) => p['diversity/distinct_1'] ?? NaN);
        return { d1, d2, top };
      };
      const free = await judge(0);
      const held = await judge(COUNTERPART_BETA);
      const show = (r: typeof free) =>
        `distinct-1 ${fmt(r.d1.early)} -> ${fmt(r.d1.late)}, distinct-2 ${fmt(r.d2.early)} -> ${fmt(r.d2.late)}, ` +
        `top answer ${fmt(r.top.early)} -> ${fmt(r.top.late)}`;
      return {
        met: free.d2.late <= held.d2.late - DISTINCT_2_DROP,
        measured: `β=0: ${show(free)}; β=${COUNTERPART_BETA}: ${show(held)}`,
      };
    },
  },
};
