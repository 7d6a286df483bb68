// The iteration REINFORCE, RLOO and GRPO share: k answers per prompt (1 for REINFORCE), one
// advantage per answer from the group's scores (groupMethods.ts), clipped updates, no value model.

import { groupIteration, GROUP_DEFAULTS, type GroupMethod } from '../../rlhf/groupMethods';
import { DETAIL_ROWS, drawPrompts, encode, type StepInputs, type StepOutcome } from './rlMethod';

export async function groupStep(inp: StepInputs, method: GroupMethod): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const k = method === 'reinforce' ? 1 : s.groupSize;
  const distinct = drawPrompts(inp, s.batchSize / k);
  const prompts = distinct.flatMap((p) => Array(k).fill(p) as string[]);
  const result = await groupIteration({
    method,
    models: { policy: m.policy, reference: m.reference, reward: inp.reward },
    optimizer: m.policyOpt,
    settings: { ...s, groupSize: k, baselineDecay: GROUP_DEFAULTS.baselineDecay },
    beta: inp.beta,
    seed: inp.seed,
    promptIds: encode(inp, distinct),
    normalization: inp.normalization,
    detailRows: DETAIL_ROWS,
    baseline: inp.baseline,
  });
  return { kind: 'update', prompts, result, baseline: result.baseline };
}
