// The body of one RL iteration for each of the seven methods, in one table keyed by method:
// PPO, the group methods (REINFORCE, RLOO, GRPO), best-of-n, and DPO/IPO. Each draws its prompts,
// runs its training (or sampling) step and returns what it measured; rlTrainer.ts turns that into
// the metric point.

import type { GPT } from '../model/model';
import type { ScenarioData } from '../data/types';
import { encodePrompt } from '../data/sequences';
import type { AdamW } from '../model/adamw';
import { ppoIteration, type PpoIterationResult } from '../rlhf/ppo';
import { groupIteration, GROUP_DEFAULTS, type GroupMethod } from '../rlhf/groupMethods';
import { bestOfN, type BestOfNResult } from '../rlhf/bestOfN';
import { preferenceStep, type PreferencePair, type PreferenceStepResult } from '../rlhf/dpoTrainer';
import { measurePolicy, type PolicyMeasure } from '../rlhf/measurePolicy';
import type { RlAlgorithm, RlSettings } from './protocol';
import { pickMany } from '../data/random';

/** Rows of token details the panels show per iteration. */
const DETAIL_ROWS = 3;

/** The models and optimisers a method trains. */
export interface StepModels {
  policy: GPT;
  reference: GPT;
  value: GPT | null;
  policyOpt: AdamW;
  valueOpt: AdamW | null;
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
  /** Preference pairs for DPO and IPO (the same clicks the reward model learns from). */
  preferencePairs: () => PreferencePair[];
}

/** What an iteration measured, by kind: a policy-gradient update, best-of-n sampling, or a preference step. */
export type StepOutcome =
  | { kind: 'update'; prompts: string[]; result: PpoIterationResult; baseline?: number }
  | { kind: 'bestOfN'; prompts: string[]; result: BestOfNResult }
  | { kind: 'preference'; prompts: string[]; result: PreferenceStepResult; measured: PolicyMeasure };

/** `count` prompts drawn at random (with replacement) from the scenario. */
function drawPrompts(inp: StepInputs, count: number): string[] {
  return pickMany(inp.rand, inp.data.prompts, count);
}

/** The prompts as token ids (<bos> prompt <sep>). */
function encode(inp: StepInputs, prompts: string[]): number[][] {
  return prompts.map((p) => encodePrompt(inp.data.tokenizer, p));
}

/** PPO: one rollout per prompt, a value head, GAE and clipped updates. */
async function ppoStep(inp: StepInputs): Promise<StepOutcome> {
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

/** REINFORCE, RLOO and GRPO: k answers per prompt (1 for REINFORCE), advantages from the group's scores. */
async function groupStep(inp: StepInputs, method: GroupMethod): Promise<StepOutcome> {
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

/** Best-of-n: n answers per prompt, the best kept; nothing is trained. */
async function bestOfNStep(inp: StepInputs): Promise<StepOutcome> {
  const s = inp.settings;
  const prompts = drawPrompts(inp, Math.max(1, Math.floor(s.batchSize / s.groupSize)));
  const result = await bestOfN({
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

/** DPO and IPO: one step on a batch of labelled pairs, then fresh answers to measure KL and score. */
async function preferenceMethodStep(inp: StepInputs, loss: 'dpo' | 'ipo'): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const all = inp.preferencePairs();
  if (all.length === 0) throw new Error('DPO and IPO learn from the preference dataset: label some pairs first');
  const batch = Array.from({ length: s.batchSize }, () => all[Math.floor(inp.rand() * all.length)]);
  const result = await preferenceStep(m.policy, m.reference, m.policyOpt, inp.data.tokenizer, batch, {
    beta: Math.max(inp.beta, 1e-3),
    learningRate: s.learningRate,
    loss,
  });
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
  return { kind: 'preference', prompts, result, measured };
}

/** One iteration of each method. */
export const METHOD_STEPS: Record<RlAlgorithm, (inp: StepInputs) => Promise<StepOutcome>> = {
  ppo: ppoStep,
  reinforce: (inp) => groupStep(inp, 'reinforce'),
  rloo: (inp) => groupStep(inp, 'rloo'),
  grpo: (inp) => groupStep(inp, 'grpo'),
  bestOfN: bestOfNStep,
  dpo: (inp) => preferenceMethodStep(inp, 'dpo'),
  ipo: (inp) => preferenceMethodStep(inp, 'ipo'),
};
