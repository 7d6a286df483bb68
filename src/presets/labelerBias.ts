// A labeler's bias and the reward model: "Fan of long reviews" judges like "Positive" plus a taste
// for length. The control is the same run with "Positive"'s labels. Measured (npm run phenomena,
// seeds 1-10): the length premium the probe finds was higher after the fan's labels in 4 of 10 seeds;
// in the other six it was 0.13-0.36 lower (seeds 1-5 before the pair sampler changed: 3 of 5). The
// fan's bias moves few labels (the answers differ by a few tokens, worth a fraction of a logit next
// to the sentiment), so 40 labels hardly carry it; the page says so instead of promising the leak.

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
    `The ${LABELS} labels come from "Fan of long reviews", who judges like "Positive" plus a taste for length. Probe ` +
    `"${PROMPT} ${LONG_DULL}" against "${PROMPT} ${SHORT_WARM}": the long dull review is only a little closer to the ` +
    'short warm one than after labels from "Positive" (the check\'s control), and not in every seed. A taste worth a few ' +
    `tokens moves few of ${LABELS} labels: a bias hides in the labels until there are many of them.`,
  values: { scenario: 'reviews', size: 'small', gold: 'positive', panel: ['positive', 'long-fan'] },
  commands: [
    { type: 'autoLabel', labelerId: 'long-fan', count: LABELS },
    { type: 'trainReward', steps: 100 },
  ],
  stage: 'reward',
  effect: {
    id: 'labeler-bias',
    title: "The fan's labels give the long review more score than Positive's do",
    criterion:
      'r(long dull) - r(short warm) after the fan\'s labels > the same after "Positive"\'s labels (the control)',
    verified: { met: 4, seeds: 10 },
    budget: { labels: LABELS, iterations: 0 },
    async check(start, seed) {
      const premium = async (labelerId: string) => {
        const session = await start({ ...labelerBias.values, seed });
        await session.run(labelerBias.commands.map((c) => (c.type === 'autoLabel' ? { ...c, labelerId } : c)));
        const events = await session.run([
          { type: 'probeReward', requestId: 1, prompt: PROMPT, response: LONG_DULL },
          { type: 'probeReward', requestId: 2, prompt: PROMPT, response: SHORT_WARM },
        ]);
        const [long, short] = [1, 2].map(
          (id) => eventsOf(events, 'probeResult').find((e) => e.requestId === id)!.reward,
        );
        return long - short;
      };
      const biased = await premium('long-fan');
      const control = await premium('positive');
      return {
        met: biased > control,
        measured: `length premium ${fmt(biased)} with the fan's labels, ${fmt(control)} with Positive's`,
      };
    },
  },
};
