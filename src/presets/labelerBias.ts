// A labeler's bias leaks into the reward model: "Fan of long reviews" judges like "Positive" plus a
// taste for length, so the reward model learns to pay for length. The control is the same run
// with "Positive"'s labels: the length premium the probe finds must be higher with the fan's.

import type { Preset } from './preset';
import { eventsOf, fmt } from './measures';

const LABELS = 40;
const PROMPT = 'the pizza shop is';
const SHORT_WARM = 'amazing and cozy.';
const LONG_DULL = 'passable. the food is okay. the price is average. it does the job.';

export const labelerBias: Preset = {
  id: 'labeler-bias',
  title: 'Labeler noise and bias leaking into the reward model',
  watch:
    `The ${LABELS} labels come from "Fan of long reviews", who judges like "Positive" plus a taste for length: probe ` +
    `"${PROMPT} ${LONG_DULL}" against "${PROMPT} ${SHORT_WARM}" and the long dull review's score comes closer to (or above) ` +
    'the short warm one\'s than it does after labels from "Positive".',
  values: { scenario: 'reviews', size: 'small', gold: 'positive', panel: ['positive', 'long-fan'] },
  commands: [{ type: 'autoLabel', labelerId: 'long-fan', count: LABELS }, { type: 'trainReward', steps: 100 }],
  stage: 'reward',
  effect: {
    id: 'labeler-bias',
    title: 'A length bias leaks into the reward model',
    criterion: 'r(long dull) - r(short warm) after the fan\'s labels > the same after "Positive"\'s labels (the control)',
    verified: { met: 1, seeds: 2 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const premium = async (labelerId: string) => {
        const session = await start({ ...labelerBias.values, seed });
        await session.run(labelerBias.commands.map((c) => (c.type === 'autoLabel' ? { ...c, labelerId } : c)));
        const events = await session.run([
          { type: 'probeReward', requestId: 1, prompt: PROMPT, response: LONG_DULL },
          { type: 'probeReward', requestId: 2, prompt: PROMPT, response: SHORT_WARM },
        ]);
        const [long, short] = [1, 2].map((id) => eventsOf(events, 'probeResult').find((e) => e.requestId === id)!.reward);
        return long - short;
      };
      const biased = await premium('long-fan');
      const control = await premium('positive');
      return { met: biased > control, measured: `length premium ${fmt(biased)} with the fan's labels, ${fmt(control)} with Positive's` };
    },
  },
};
