// REINFORCE with a baseline (Williams 1992): one answer per prompt, A = (s - beta * sum_t KL_t) - b, b a moving average.

import { groupStep } from './groupStep';
import type { RlMethod } from './rlMethod';

export const reinforce: RlMethod = {
  usesValueModel: false,
  usesKlController: true,
  step: (inp) => groupStep(inp, 'reinforce'),
};
