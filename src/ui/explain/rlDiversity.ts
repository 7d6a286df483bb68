// Stage 5, the diversity chart: distinct-n and the most common answer's share, the signs of mode
// collapse that the KL anchor is there to prevent.

import type { RlMetricPoint } from '../../engine/protocol';
import type { Explanation, LiveState } from './types';
import { num, pct } from './live';

/** One sentence on the latest diversity readings against the run's first. */
function diversityHint(m: readonly RlMetricPoint[]): string {
  const measured = m.filter((p) => p['diversity/distinct_2'] != null);
  if (measured.length === 0) return 'No iterations yet: each one reports how varied its answers were.';
  const first = measured[0];
  const last = measured[measured.length - 1];
  const d2 = last['diversity/distinct_2'] as number;
  const top = last['diversity/top_answer_share'] as number;
  const was = first['diversity/distinct_2'] as number;
  if (measured.length >= 5 && top >= 0.5) {
    return (
      `${pct(top)} of the last batch's answers are the same answer, and distinct-2 is ${num(d2)} (it began at ` +
      `${num(was)}): the policy has collapsed onto one reply. Raise β to hold it nearer the fine-tuned model.`
    );
  }
  if (measured.length >= 5 && d2 < 0.7 * was) {
    return `Distinct-2 fell from ${num(was)} to ${num(d2)}: the answers are growing alike; watch whether one takes over.`;
  }
  return `Distinct-2 is ${num(d2)} (it began at ${num(was)}) and the most common answer is ${pct(top)} of the batch.`;
}

export const RL_DIVERSITY: Explanation[] = [
  {
    id: 'rl-diversity',
    stage: 'rl',
    title: 'diversity and mode collapse',
    text:
      'A policy that finds one answer the reward model loves can learn to give it to every prompt: its score rises while ' +
      "its variety vanishes. Distinct-1 and distinct-2 count how many of the batch's words and adjacent word pairs are " +
      'different from each other; the dashed curve is the share of the batch taken by its single most common answer. ' +
      'The KL penalty keeps the policy near the varied fine-tuned model, so with β = 0 these curves fall faster.',
    formula:
      String.raw`\text{distinct-}n = \frac{\lvert \text{unique } n\text{-grams in the batch} \rvert}` +
      String.raw`{\lvert n\text{-grams in the batch} \rvert}`,
    lookFor: (s: LiveState) => diversityHint(s.rlMetrics ?? []),
  },
];
