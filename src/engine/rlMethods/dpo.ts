// DPO (Rafailov et al. 2023): from labelled pairs, loss = -log sigmoid(beta * h), h = chosen-minus-rejected log-ratio margin.

import { preferenceStep } from './preferenceStep';
import type { RlMethod } from './rlMethod';

export const dpo: RlMethod = {
  usesValueModel: false,
  usesKlController: false,
  step: (inp) => preferenceStep(inp, 'dpo'),
};
