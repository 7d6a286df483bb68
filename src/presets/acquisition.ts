// Random against uncertainty-based pair selection: asking about the pairs the reward model is least
// sure of should teach it faster than random pairs, measured against the same gold labeler.

import type { Preset } from './preset';
import { eventsOf, fmt, mean } from './measures';

const LABELS = 40;

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
    title: 'Uncertainty-based picking beats random',
    criterion: 'mean gold accuracy over the curve (after the first label) of "uncertain" > of "random"',
    verified: { met: 0, seeds: 2 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const session = await start({ ...acquisition.values, seed });
      const points = eventsOf(await session.run(acquisition.commands), 'acquisitionCurve').flatMap((e) => e.points);
      const area = (strategy: string) => mean(points.filter((p) => p.strategy === strategy && p.labels > 0).map((p) => p.accuracy));
      const [random, uncertain] = [area('random'), area('uncertain')];
      return { met: uncertain > random, measured: `uncertain ${fmt(uncertain)}, random ${fmt(random)}` };
    },
  },
};
