// KTO (Ethayarajh et al. 2024): from answers marked good or bad, loss = 1 - sigmoid(beta (r - z0)) for a good one and
// 1 - sigmoid(beta (z0 - r)) for a bad one, r = log pi(y) - log ref(y), z0 the policy's KL on mismatched rows.
// It learns from the ratings (a thumb, or a 1-7 rating away from the middle) and from every labelled pair, which
// gives one good answer (the chosen) and one bad (the rejected), as the paper and TRL's docs do with paired data.
// TRL: KTOTrainer / KTOConfig (beta, desirable_weight, undesirable_weight).

import { ktoStep, unpairPreferences } from '../../rlhf/ktoTrainer';
import { measureOnFreshPrompts } from './preferenceStep';
import type { RlMethod, StepInputs, StepOutcome } from './rlMethod';

async function step(inp: StepInputs): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const all = [...unpairPreferences(inp.preferencePairs()), ...inp.ratedAnswers()];
  if (all.length === 0) throw new Error('KTO learns from your labels: rate some answers or label some pairs first');
  const batch = Array.from({ length: s.batchSize }, () => all[Math.floor(inp.rand() * all.length)]);
  const result = await ktoStep(
    m.policy,
    m.reference,
    m.policyOpt,
    inp.data.tokenizer,
    batch,
    { beta: Math.max(inp.beta, 1e-3), learningRate: s.learningRate },
    m.referenceLogProbs,
  );
  return { kind: 'unpaired', result, ...(await measureOnFreshPrompts(inp)) };
}

export const kto: RlMethod = {
  usesValueModel: false,
  usesKlController: false,
  step,
};
