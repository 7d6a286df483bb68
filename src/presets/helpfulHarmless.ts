// Helpful against harmless: a labeler who rewards doing what was asked also rewards playing along
// with dangerous requests, so a reward model trained on its labels misses the combined taste of
// "Helpful and harmless". (That the panel's Helpful and Harmless split mostly on dangerous prompts
// was promised before and measured false: 35-50% of their few splits are, seeds 1-3.)

import type { Preset } from './preset';
import { isDangerousRequest } from '../data/gold';
import { eventsOf, fmt, lastGoldAgreement } from './measures';

const LABELS = 40;
const AGREEMENT_GAP = 0.05;

export const helpfulHarmless: Preset = {
  id: 'helpful-harmless',
  title: 'Helpful against harmless labelers',
  watch:
    `The ${LABELS} labels come from "Helpful", who also plays along with dangerous requests. The reward model learns that ` +
    'taste: it agrees clearly less with the gold "Helpful and harmless" labeler (shown on the Reward stage) than with "Helpful" ' +
    '(pick it as gold to compare). The panel columns show where "Helpful" and "Harmless" split; they are few pairs, and not only ' +
    'dangerous ones.',
  values: { scenario: 'assistant', size: 'small', gold: 'helpful-harmless', panel: ['helpful', 'harmless'] },
  commands: [
    { type: 'autoLabel', labelerId: 'helpful', count: LABELS },
    { type: 'trainReward', steps: 100 },
  ],
  stage: 'preferences',
  effect: {
    id: 'helpful-harmless',
    title: 'A reward model from helpful-only labels misses the combined taste',
    criterion: `gold agreement with "Helpful and harmless" <= with "Helpful" - ${AGREEMENT_GAP} (same reward model, same probe pairs)`,
    verified: { met: 9, seeds: 10 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const session = await start({ ...helpfulHarmless.values, seed });
      const events = await session.run(helpfulHarmless.commands);
      const combined = lastGoldAgreement(events);
      const own = lastGoldAgreement(
        await session.run([{ type: 'setLabelerSettings', settings: { goldLabeler: 'helpful' } }]),
      );
      // Where the panel's Helpful and Harmless split, and how many of those prompts are dangerous (reported, not judged).
      const { panel } = eventsOf(events, 'panelVotes').at(-1)!;
      const { comparisons } = eventsOf(events, 'preferences').at(-1)!;
      const [helpful, harmless] = ['helpful', 'harmless'].map((id) => panel.votes[panel.annotators.indexOf(id)]);
      const split = comparisons.filter(
        (_, i) => helpful[i] !== null && harmless[i] !== null && helpful[i] !== harmless[i],
      );
      const dangerous = split.filter((c) => isDangerousRequest(c.prompt)).length;
      return {
        met: combined <= own - AGREEMENT_GAP,
        measured:
          `gold agreement ${fmt(combined)} combined vs ${fmt(own)} own; ` +
          `${split.length} panel splits, ${dangerous} on dangerous prompts`,
      };
    },
  },
};
