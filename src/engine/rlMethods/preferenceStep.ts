// The iteration DPO and IPO share: one step on a batch of labelled pairs (dpoTrainer.ts), then
// fresh answers to measure the policy's KL and score (the measurement KTO shares too).

import { preferenceStep as trainOnPairs } from '../../rlhf/dpoTrainer';
import { measurePolicy, type PolicyMeasure } from '../../rlhf/measurePolicy';
import { drawPrompts, encode, type StepInputs, type StepOutcome } from './rlMethod';

export async function preferenceStep(inp: StepInputs, loss: 'dpo' | 'ipo'): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const all = inp.preferencePairs();
  if (all.length === 0) throw new Error('DPO and IPO learn from the preference dataset: label some pairs first');
  const batch = Array.from({ length: s.batchSize }, () => all[Math.floor(inp.rand() * all.length)]);
  const result = await trainOnPairs(
    m.policy,
    m.reference,
    m.policyOpt,
    inp.data.tokenizer,
    batch,
    {
      beta: Math.max(inp.beta, 1e-3),
      learningRate: s.learningRate,
      loss,
    },
    m.referenceLogProbs,
  );
  return { kind: 'preference', result, ...(await measureOnFreshPrompts(inp)) };
}

/** The policy's answers to batchSize freshly drawn prompts: their KL from the reference and their score. */
export async function measureOnFreshPrompts(inp: StepInputs): Promise<{ prompts: string[]; measured: PolicyMeasure }> {
  const { models: m, settings: s } = inp;
  const prompts = drawPrompts(inp, s.batchSize);
  const measured = await measurePolicy(
    m.policy,
    m.reference,
    inp.reward,
    encode(inp, prompts),
    s.responseLength,
    s.temperature,
    inp.normalization,
    inp.seed,
  );
  return { prompts, measured };
}
