// RLOO (Ahmadian et al. 2024): k answers per prompt, A_i = r_i - baseline, baseline = mean of the other k - 1 rewards r_j.

import { groupStep } from './groupStep';
import type { RlMethod } from './rlMethod';

export const rloo: RlMethod = {
  usesValueModel: false,
  usesKlController: true,
  step: (inp) => groupStep(inp, 'rloo'),
};
