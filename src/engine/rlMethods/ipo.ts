// IPO (Azar et al. 2023): from labelled pairs, loss = (h - 1 / (2 beta))^2, h = chosen-minus-rejected log-ratio margin.

import { preferenceStep } from './preferenceStep';
import type { RlMethod } from './rlMethod';

export const ipo: RlMethod = {
  usesValueModel: false,
  usesKlController: false,
  step: (inp) => preferenceStep(inp, 'ipo'),
};
