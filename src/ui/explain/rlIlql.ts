// Stage 5, ILQL: offline Q-learning on the labelled answers, and how its heads steer decoding.

import type { RlMetricPoint } from '../../engine/protocol';
import type { Explanation, LiveState } from './types';
import { num } from './live';

/** One sentence on the latest ILQL point: its losses, and how far V has spread. */
function ilqlHint(m: readonly RlMetricPoint[]): string {
  const points = m.filter((p) => p['losses/loss_q'] != null);
  if (points.length === 0)
    return (
      'Choose ILQL in the RL settings: it learns from the answers you labelled, scored once by the reward model, ' +
      'and never samples to train.'
    );
  const first = points[0],
    last = points[points.length - 1];
  const q = last['losses/loss_q'] as number,
    q0 = first['losses/loss_q'] as number;
  const spread = `V spans ${num(last['values/min'] as number)} to ${num(last['values/max'] as number)}`;
  if (points.length >= 3 && q < 0.7 * q0)
    return `The Q loss fell from ${num(q0, 3)} to ${num(q, 3)}: the heads now predict the rewards of the labelled answers; ${spread}.`;
  const v = num(last['losses/loss_v'] as number, 3),
    cql = num(last['losses/loss_cql'] as number, 3);
  return `Q loss ${num(q, 3)}, V loss ${v}, CQL ${cql}; ${spread}.`;
}

export const RL_ILQL: Explanation[] = [
  {
    id: 'rl-ilql',
    stage: 'rl',
    title: 'ILQL, Q-learning from a fixed dataset',
    text:
      'ILQL learns only from answers that already exist: every answer you labelled, scored once by the reward model, with ' +
      "the score arriving at the answer's last token. Two Q heads on the policy learn what each next token is worth (its " +
      'reward plus the value of where it leads), a V head learns a high expectile τ of those Q values, and a CQL term keeps ' +
      "Q low for tokens the dataset never chose. To answer, the policy's own log-probabilities are shifted by β (Q − V), " +
      'so tokens better than the state’s usual choice become likelier; with β = 0 it answers as the policy does.',
    formula:
      String.raw`\log\pi(a \mid s) = \log\pi_\theta(a \mid s) + \beta\,\big(Q(s,a) - V(s)\big) + \text{const},\quad ` +
      String.raw`Q(s_t,a_t) \leftarrow r_t + \gamma V(s_{t+1})`,
    lookFor: (s: LiveState) => ilqlHint(s.rlMetrics ?? []),
  },
];
