// Best-of-n (Stiennon et al. 2020; Nakano et al. 2021): n answers, the best-scored kept, KL = log n - (n - 1) / n; no training.

import { bestOfN as sampleBestOfN } from '../../rlhf/bestOfN';
import { drawPrompts, encode, type RlMethod, type StepInputs, type StepOutcome } from './rlMethod';

async function step(inp: StepInputs): Promise<StepOutcome> {
  const s = inp.settings;
  const prompts = drawPrompts(inp, Math.max(1, Math.floor(s.batchSize / s.groupSize)));
  const result = await sampleBestOfN({
    policy: inp.models.policy,
    reward: inp.reward,
    promptIds: encode(inp, prompts),
    n: s.groupSize,
    responseLength: s.responseLength,
    temperature: s.temperature,
    normalization: inp.normalization,
    missingEosPenalty: s.missingEosPenalty,
    seed: inp.seed,
  });
  return { kind: 'bestOfN', prompts, result };
}

export const bestOfN: RlMethod = { usesValueModel: false, usesKlController: false, step };
