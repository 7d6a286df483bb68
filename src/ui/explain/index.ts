// Every "How this works" box of the page, by id: one per stage and one per main chart or panel.
// The content lives in one file per stage; this file only gathers it.

import type { StageId } from '../../engine/protocol';
import type { ExplainId, Explanation } from './types';
import { PRETRAIN } from './pretrain';
import { SFT } from './sft';
import { PREFERENCES } from './preferences';
import { REWARD } from './reward';
import { RL } from './rl';
import { RL_DIVERSITY } from './rlDiversity';
import { RL_ILQL } from './rlIlql';

export type { ExplainId, Explanation, LiveState } from './types';

export const EXPLANATIONS: readonly Explanation[] = [
  ...PRETRAIN,
  ...SFT,
  ...PREFERENCES,
  ...REWARD,
  ...RL,
  ...RL_DIVERSITY,
  ...RL_ILQL,
];

const BY_ID = new Map<ExplainId, Explanation>(EXPLANATIONS.map((e) => [e.id, e]));

export function explanation(id: ExplainId): Explanation {
  const e = BY_ID.get(id);
  if (!e) throw new Error(`no explanation for ${id}`);
  return e;
}

/** The explanation of a whole stage (its id is the stage's id). */
export function stageExplanation(stage: StageId): Explanation {
  return explanation(stage);
}
