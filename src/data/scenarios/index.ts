// Loads a built-in scenario: runs its seeded generator and attaches a word tokenizer.
//
// The tokenizer is built from the text of one fixed seed (VOCAB_SEED), not from the seed asked
// for, so a scenario has the same vocabulary, in the same order, whatever the seed: a checkpoint
// trained under one seed stays usable under another. Every seed draws from the same word lists,
// so its words are all in that vocabulary (the unit tests check this for many seeds).

import { buildWordTokenizer } from '../tokenizer';
import type { ScenarioData, Tokenizer } from '../types';
import { generateAssistant } from './assistant';
import type { ScenarioCorpus } from './common';
import { SCENARIO_LIST, scenarioInfo, type BuiltInScenarioId } from './list';
import { generateReviews } from './reviews';

export { SCENARIO_LIST, type BuiltInScenarioId, type ScenarioInfo } from './list';

/** The built-in scenarios, for menus: id, title, description. */
export const SCENARIOS = SCENARIO_LIST;

/** The seed whose text defines each scenario's vocabulary. */
export const VOCAB_SEED = 0;

const GENERATORS: Record<BuiltInScenarioId, (seed: number) => ScenarioCorpus> = {
  reviews: generateReviews,
  assistant: generateAssistant,
};

/** The full data of a built-in scenario for a seed: the same seed always gives the same data. */
export function loadScenario(id: BuiltInScenarioId, seed: number): ScenarioData {
  const generate = GENERATORS[id];
  if (!generate)
    throw new Error(`unknown scenario "${String(id)}" (expected one of: ${SCENARIO_LIST.map((s) => s.id).join(', ')})`);
  const { pretrain, demonstrations, prompts } = generate(seed);
  const { title, description } = scenarioInfo(id);
  return { id, title, description, tokenizer: scenarioTokenizer(id), pretrain, demonstrations, prompts };
}

const tokenizers = new Map<BuiltInScenarioId, Tokenizer>();

/** The word tokenizer of a scenario, built once from the VOCAB_SEED text and then reused. */
export function scenarioTokenizer(id: BuiltInScenarioId): Tokenizer {
  let tokenizer = tokenizers.get(id);
  if (!tokenizer) {
    const { pretrain, demonstrations, prompts } = GENERATORS[id](VOCAB_SEED);
    const texts = [...pretrain, ...demonstrations].flatMap((e) => [e.prompt, e.response]).concat(prompts);
    tokenizer = buildWordTokenizer(texts);
    tokenizers.set(id, tokenizer);
  }
  return tokenizer;
}
