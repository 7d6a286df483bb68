// Random against uncertainty-based pair selection: asking about the pairs the reward model is least
// sure of is meant to teach it faster than random pairs. Measured against the same gold labeler, it
// does not here (random led or kept level in 9 of 10 seeds; seed 5: uncertain 0.86, random 0.79), so
// the page promises what was measured: random keeps up.

import type { Preset } from './preset';
import { eventsOf, fmt, mean } from './measures';

const LABELS = 40;
const KEEPS_UP = 0.02; // random's mean accuracy may trail by this much and still count as keeping up

export const acquisition: Preset = {
  id: 'acquisition',
  title: 'Random against uncertainty-based pair selection',
  watch:
    `Both curves label ${LABELS} pairs with the same annotator. Asking about the pairs the reward model is least sure of is ` +
    'meant to teach it faster, but here random pairs kept up or led (measured): the least sure pairs are often near-ties, ' +
    'which teach little. Watch whether your run agrees.',
  values: { scenario: 'reviews', size: 'small', gold: 'positive', acq: 'uncertain' },
  commands: [{ type: 'compareAcquisition', labelerId: 'positive', labels: LABELS }],
  stage: 'preferences',
  effect: {
    id: 'acquisition',
    title: 'Random picking keeps up with uncertainty-based picking',
    criterion: `mean gold accuracy over the curve (after the first label) of "random" >= of "uncertain" - ${KEEPS_UP}`,
    verified: { met: 9, seeds: 10 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const session = await start({ ...acquisition.values, seed });
      const points = eventsOf(await session.run(acquisition.commands), 'acquisitionCurve').flatMap((e) => e.points);
      const area = (strategy: string) =>
        mean(points.filter((p) => p.strategy === strategy && p.labels > 0).map((p) => p.accuracy));
      const [random, uncertain] = [area('random'), area('uncertain')];
      return { met: random >= uncertain - KEEPS_UP, measured: `uncertain ${fmt(uncertain)}, random ${fmt(random)}` };
    },
  },
};
