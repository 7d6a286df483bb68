// The RL methods, one small object each (one file per method): what it needs built, whether its
// KL steers the adaptive KL controller, and one iteration. rlTrainer.ts reads only this table.

import type { RlAlgorithm } from '../protocol';
import type { RlMethod } from './rlMethod';
import { ppo } from './ppo';
import { reinforce } from './reinforce';
import { rloo } from './rloo';
import { grpo } from './grpo';
import { bestOfN } from './bestOfN';
import { dpo } from './dpo';
import { ipo } from './ipo';
import { kto } from './kto';
import { ilql } from './ilql';

export type { MethodState, RlMethod, StepInputs, StepModels, StepOutcome } from './rlMethod';

export const RL_METHODS: Record<RlAlgorithm, RlMethod> = { ppo, reinforce, rloo, grpo, bestOfN, dpo, ipo, kto, ilql };
