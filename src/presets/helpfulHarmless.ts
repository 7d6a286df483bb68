// Helpful against harmless: a labeler who rewards doing what was asked also rewards playing along
// with dangerous requests. Next to a harmlessness-only labeler, their disagreements sit on the
// dangerous prompts, and a reward model trained on the helpful labels misses the combined taste.

import type { Preset } from './preset';
import { isDangerousRequest } from '../data/gold';
import { eventsOf, fmt, lastGoldAgreement } from './measures';

const LABELS = 40;
const DANGEROUS_SHARE = 0.7;

export const helpfulHarmless: Preset = {
  id: 'helpful-harmless',
  title: 'Helpful against harmless labelers',
  watch:
    `The ${LABELS} labels come from "Helpful", who also plays along with dangerous requests: the panel columns show it and ` +
    '"Harmless" disagreeing mostly on those prompts, and the reward model agrees less with the gold "Helpful and harmless" ' +
    'labeler than with "Helpful" (pick it as gold to compare).',
  values: { scenario: 'assistant', size: 'small', gold: 'helpful-harmless', panel: ['helpful', 'harmless'] },
  commands: [{ type: 'autoLabel', labelerId: 'helpful', count: LABELS }, { type: 'trainReward', steps: 100 }],
  stage: 'preferences',
  effect: {
    id: 'helpful-harmless',
    title: 'Helpful and Harmless disagree on dangerous prompts',
    criterion:
      `>= ${DANGEROUS_SHARE * 100}% of the Helpful/Harmless disagreements are on dangerous prompts, and the reward model's ` +
      'gold agreement with "Helpful and harmless" < with "Helpful"',
    verified: { met: 0, seeds: 0 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const session = await start({ ...helpfulHarmless.values, seed });
      const events = await session.run(helpfulHarmless.commands);
      const combined = lastGoldAgreement(events);
      const own = lastGoldAgreement(await session.run([{ type: 'setLabelerSettings', settings: { goldLabeler: 'helpful' } }]));
      const { panel } = eventsOf(events, 'panelVotes').at(-1)!;
      const { comparisons } = eventsOf(events, 'preferences').at(-1)!;
      const [helpful, harmless] = ['helpful', 'harmless'].map((id) => panel.votes[panel.annotators.indexOf(id)]);
      const split = comparisons.filter((_, i) => helpful[i] !== null && harmless[i] !== null && helpful[i] !== harmless[i]);
      const dangerous = split.filter((c) => isDangerousRequest(c.prompt)).length / split.length;
      return {
        met: dangerous >= DANGEROUS_SHARE && combined < own,
        measured:
          `${split.length} disagreements, ${fmt(dangerous * 100, 0)}% dangerous; ` +
          `gold agreement ${fmt(combined)} vs own ${fmt(own)}`,
      };
    },
  },
};
