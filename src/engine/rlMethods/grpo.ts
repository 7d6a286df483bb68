// GRPO (Shao et al. 2024, DeepSeekMath): k answers per prompt, A_i = (s_i - mean) / (std + 1e-4) in the group, KL in the loss.

import { groupStep } from './groupStep';
import type { RlMethod } from './rlMethod';

export const grpo: RlMethod = {
  usesValueModel: false,
  usesKlController: true,
  step: (inp) => groupStep(inp, 'grpo'),
};
