// What every RL method shares: the models it trains, the inputs of one iteration, what the
// iteration measured, the method object the table in index.ts holds, and two helpers for prompts.

import type { UnpairedExample } from '../../rlhf/ktoTrainer';
import type { ReferenceLogProbs } from '../../rlhf/referenceLogProbs';
import type { GPT } from '../../model/model';
import type { ScenarioData } from '../../data/types';
import { encodePrompt } from '../../data/sequences';
import type { AdamW } from '../../model/adamw';
import { pickMany } from '../../data/random';
import type { PpoIterationResult } from '../../rlhf/ppo';
import type { BestOfNResult } from '../../rlhf/bestOfN';
import type { PreferencePair, PreferenceStepResult } from '../../rlhf/dpoTrainer';
import type { KtoStepResult } from '../../rlhf/ktoTrainer';
import type { IlqlStepResult } from '../../rlhf/ilqlTrainer';
import type { PolicyMeasure } from '../../rlhf/measurePolicy';
import type { RlSettings } from '../protocol';

/** Rows of token details the panels show per iteration. */
export const DETAIL_ROWS = 3;

/** What a method keeps from one iteration to the next beside the shared models (ILQL's heads); disposed with them. */
export interface MethodState {
  dispose(): void;
}

/** The models and optimisers a method trains. */
export interface StepModels {
  policy: GPT;
  reference: GPT;
  value: GPT | null;
  policyOpt: AdamW;
  valueOpt: AdamW | null;
  /** The reference's log-probs of the labelled responses DPO, IPO and KTO have drawn so far. */
  referenceLogProbs: ReferenceLogProbs;
  /** Made by the method on its first iteration, when it needs more than the above. */
  methodState?: MethodState;
}

/** What every method's iteration gets: the models, the settings and this iteration's β, seed and random draws. */
export interface StepInputs {
  models: StepModels;
  reward: GPT;
  data: ScenarioData;
  settings: RlSettings;
  beta: number;
  seed: number;
  /** Draws the prompts (and DPO's pairs); seeded per iteration. */
  rand: () => number;
  normalization: { mean: number; std: number };
  /** REINFORCE's moving-average baseline before this iteration. */
  baseline: number;
  /** Preference pairs for DPO, IPO and KTO (the same clicks the reward model learns from). */
  preferencePairs: () => PreferencePair[];
  /** Answers rated good or bad (thumbs, or 1-7 away from the middle), for KTO. */
  ratedAnswers: () => UnpairedExample[];
}

/**
 * What an iteration measured, by kind: a policy-gradient update, best-of-n sampling, a pair step, an unpaired (KTO)
 * step or an offline (ILQL) step.
 */
export type StepOutcome =
  | { kind: 'update'; prompts: string[]; result: PpoIterationResult; baseline?: number }
  | { kind: 'bestOfN'; prompts: string[]; result: BestOfNResult }
  | { kind: 'preference'; prompts: string[]; result: PreferenceStepResult; measured: PolicyMeasure }
  | { kind: 'unpaired'; prompts: string[]; result: KtoStepResult; measured: PolicyMeasure }
  | { kind: 'offline'; prompts: string[]; result: IlqlStepResult; measured: PolicyMeasure };

/** One RL method: what it needs built, whether its KL steers the adaptive KL controller, and one iteration. */
export interface RlMethod {
  /** A value model (or the policy's value head) is trained beside the policy: only PPO. */
  usesValueModel: boolean;
  /** After an iteration its measured KL updates the adaptive KL controller (its β is a KL penalty it pays). */
  usesKlController: boolean;
  /** One iteration: draw prompts, train (or sample), measure. */
  step(inp: StepInputs): Promise<StepOutcome>;
}

/** `count` prompts drawn at random (with replacement) from the scenario. */
export function drawPrompts(inp: StepInputs, count: number): string[] {
  return pickMany(inp.rand, inp.data.prompts, count);
}

/** The prompts as token ids (<bos> prompt <sep>). */
export function encode(inp: StepInputs, prompts: string[]): number[][] {
  return prompts.map((p) => encodePrompt(inp.data.tokenizer, p));
}
