// PPO (Schulman et al. 2017; RLHF: Ziegler et al. 2019): a value model, GAE advantages, loss max(-A r, -A clip(r, 1 ± eps)).

import { ppoIteration } from '../../rlhf/ppo';
import { DETAIL_ROWS, drawPrompts, encode, type RlMethod, type StepInputs, type StepOutcome } from './rlMethod';

async function step(inp: StepInputs): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const prompts = drawPrompts(inp, s.batchSize);
  const result = await ppoIteration({
    models: { policy: m.policy, reference: m.reference, reward: inp.reward, value: m.value },
    optimizers: { policy: m.policyOpt, value: m.valueOpt },
    settings: s,
    beta: inp.beta,
    seed: inp.seed,
    promptIds: encode(inp, prompts),
    normalization: inp.normalization,
    detailRows: DETAIL_ROWS,
  });
  return { kind: 'update', prompts, result };
}

export const ppo: RlMethod = { usesValueModel: true, usesKlController: true, step };
