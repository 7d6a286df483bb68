// Simulated labelers: annotators made of a few numbers, who compare and rank responses.
//
// A labeler cares about the gold traits (gold.ts) with some weights; the weighted sum is its
// private "gold" value of a response. Like a person, it is noisy (temperature) and may have
// biases that have nothing to do with quality: a taste for long answers (lengthBias), or for
// whichever answer is shown on the left (leftBias). The biases only affect its choices, never
// its gold value, so a reward model trained on its labels can be checked against what it
// really wanted.
//
// Choices follow the Bradley-Terry model, the same one a reward model is trained with:
//   P(prefers A over B) = sigmoid((gold(A) - gold(B)) / temperature + biases).
// Where that is exactly 1/2 (two answers equal in everything it weighs) it says "tie", as a person
// who sees no difference would, instead of flipping a coin that would teach the reward model noise.
// Rankings follow its many-item form, the Plackett-Luce model.

import { goldTraits, TRAIT_INFO, type Trait } from './gold';
import type { BuiltInScenarioId } from './types';
import { splitWords } from './tokenizer';
import { MAX_RESPONSE_TOKENS } from './scenarios/common';
import { judgedPair, type Comparison } from './preferences';

export interface LabelerSpec {
  id: string;
  name: string;
  /** How much each trait counts; traits left out (or not scored in the scenario) count 0. */
  weights: Partial<Record<Trait, number>>;
  /** Noise: near 0 always picks the better response, large picks almost at random. */
  temperature: number;
  /** Added to the logit per 16 tokens that A is longer than B: > 0 likes long responses. */
  lengthBias: number;
  /** Added to the logit of the item shown on the left (A), whatever it says. */
  leftBias: number;
}

export interface Choice {
  prefersA: boolean;
  /** Nothing it cares about differs (equal gold, no bias at play, pA = 1/2): like a person, it calls it a tie. */
  tie: boolean;
  pA: number; // the probability with which A was preferred
  goldA: number;
  goldB: number;
}

export const MAX_TEMPERATURE = 10;
export const MAX_BIAS = 5;
export const MAX_WEIGHT = 5;

/** Why a spec is unusable, as a sentence for the UI; null when it is fine. */
export function validateLabeler(spec: LabelerSpec): string | null {
  if (typeof spec.id !== 'string' || spec.id.trim() === '') return 'The labeler needs an id.';
  if (typeof spec.name !== 'string' || spec.name.trim() === '') return 'The labeler needs a name.';
  const t = spec.temperature;
  if (typeof t !== 'number' || !(t > 0 && t <= MAX_TEMPERATURE)) {
    return `Temperature must be above 0 and at most ${MAX_TEMPERATURE} (got ${t}).`;
  }
  for (const field of ['lengthBias', 'leftBias'] as const) {
    const b = spec[field];
    if (typeof b !== 'number' || !(Math.abs(b) <= MAX_BIAS))
      return `${field} must be between -${MAX_BIAS} and ${MAX_BIAS} (got ${b}).`;
  }
  if (typeof spec.weights !== 'object' || spec.weights === null) return 'The labeler needs weights.';
  let anyNonZero = false;
  for (const [trait, w] of Object.entries(spec.weights)) {
    if (!(trait in TRAIT_INFO)) return `Unknown trait "${trait}" in the weights.`;
    if (typeof w !== 'number' || !(Math.abs(w) <= MAX_WEIGHT)) {
      return `The weight of ${trait} must be between -${MAX_WEIGHT} and ${MAX_WEIGHT} (got ${w}).`;
    }
    if (w !== 0) anyNonZero = true;
  }
  return anyNonZero ? null : 'At least one trait weight must be non-zero, or the labeler cares about nothing.';
}

/** Throws with validateLabeler's message when the spec is unusable. */
function checkLabeler(spec: LabelerSpec): void {
  const problem = validateLabeler(spec);
  if (problem !== null) throw new Error(`labeler "${spec.name}": ${problem}`);
}

/** gold(response) = sum over traits k of weights[k] * trait_k(response); no biases, no noise. */
export function labelerGold(spec: LabelerSpec, scenario: BuiltInScenarioId, prompt: string, response: string): number {
  const traits = goldTraits(scenario, prompt, response);
  let total = 0;
  for (const [trait, w] of Object.entries(spec.weights) as [Trait, number][]) total += (w ?? 0) * (traits[trait] ?? 0);
  return total;
}

/** sigmoid(x) = 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Length of a response in tokens, as the word tokenizer counts them. */
function tokenLength(text: string): number {
  return typeof text === 'string' ? splitWords(text).length : 0;
}

/**
 * One comparison, A shown on the left:
 *   logit = (gold(A) - gold(B)) / temperature + lengthBias * (len(A) - len(B)) / 16 + leftBias,
 * and A is preferred with probability sigmoid(logit), drawn with `rand`.
 */
export function chooseBetween(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  a: string,
  b: string,
  rand: () => number,
): Choice {
  const odds = preferenceOdds(spec, scenario, prompt, a, b);
  return { prefersA: rand() < odds.pA, tie: odds.pA === 0.5, ...odds };
}

/** The labeler's verdict on a pair shown as (left, right): the text it chose, the other, and whether it called a tie. */
export function labelPair(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  pair: { prompt: string; left: string; right: string },
  rand: () => number,
): { chosen: string; rejected: string; tie: boolean } {
  const pick = chooseBetween(spec, scenario, pair.prompt, pair.left, pair.right, rand);
  const [chosen, rejected] = pick.prefersA ? [pair.left, pair.right] : [pair.right, pair.left];
  return { chosen, rejected, tie: pick.tie };
}

/** A batch of pairs judged by the simulated labeler, as comparisons stamped `createdAt` (one draw of `rand` each). */
export function simulatedLabels(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  pairs: readonly { prompt: string; left: string; right: string }[],
  rand: () => number,
  createdAt: number,
): Comparison[] {
  return pairs.map((pair) => {
    const { chosen, rejected, tie } = labelPair(spec, scenario, pair, rand);
    // Shown with the chosen text on the left, "left" records exactly what the labeler picked (a tie keeps its order).
    const asShown = { prompt: pair.prompt, left: chosen, right: rejected };
    return { ...judgedPair(asShown, tie ? 'tie' : 'left', scenario, spec.id), createdAt };
  });
}

/** The labeler's gold values of A and B and the probability pA with which it prefers A (shown on the left). */
export function preferenceOdds(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  a: string,
  b: string,
): { pA: number; goldA: number; goldB: number } {
  checkLabeler(spec);
  const goldA = labelerGold(spec, scenario, prompt, a);
  const goldB = labelerGold(spec, scenario, prompt, b);
  const lengthTerm = (spec.lengthBias * (tokenLength(a) - tokenLength(b))) / MAX_RESPONSE_TOKENS;
  return { pA: sigmoid((goldA - goldB) / spec.temperature + lengthTerm + spec.leftBias), goldA, goldB };
}

/**
 * How noisy a labeler's labels are on a set of pairs, over the pairs where it does not call a tie:
 *   withGold = mean P(its label follows the order of its own gold value)  (pairs with a gold difference),
 *   betweenTwo = mean [pA^2 + (1 - pA)^2], the chance that two independent draws of it agree.
 * InstructGPT (Ouyang et al. 2022, section 5.1) reports about 73% agreement between two of its human labelers.
 */
export function labelNoise(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  pairs: readonly { prompt: string; left: string; right: string }[],
): { withGold: number | null; betweenTwo: number | null } {
  const odds = pairs.map((p) => preferenceOdds(spec, scenario, p.prompt, p.left, p.right)).filter((o) => o.pA !== 0.5);
  const ordered = odds.filter((o) => o.goldA !== o.goldB);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    withGold: mean(ordered.map((o) => (o.goldA > o.goldB ? o.pA : 1 - o.pA))),
    betweenTwo: mean(odds.map((o) => o.pA ** 2 + (1 - o.pA) ** 2)),
  };
}

/**
 * Plackett-Luce ranking, best first: repeatedly draw the next item from the ones left with
 * probability softmax(score), where score = gold / temperature + lengthBias * len / 16. With two
 * items this is exactly chooseBetween without the left bias (a list has no "left" item).
 */
export function rankByLabeler(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  responses: string[],
  rand: () => number,
): number[] {
  checkLabeler(spec);
  const scores = responses.map(
    (r) =>
      labelerGold(spec, scenario, prompt, r) / spec.temperature +
      (spec.lengthBias * tokenLength(r)) / MAX_RESPONSE_TOKENS,
  );
  const left = responses.map((_, i) => i);
  const order: number[] = [];
  while (left.length > 0) {
    const top = Math.max(...left.map((i) => scores[i])); // subtracted before exp, so nothing overflows
    const weights = left.map((i) => Math.exp(scores[i] - top));
    let r = rand() * weights.reduce((s, w) => s + w, 0);
    let k = 0;
    while (k < left.length - 1 && r >= weights[k]) r -= weights[k++];
    order.push(left[k]);
    left.splice(k, 1);
  }
  return order;
}

/** Fraction of positions where two lists of labels agree; NaN for two empty lists. */
export function agreement(labelsA: boolean[], labelsB: boolean[]): number {
  if (labelsA.length !== labelsB.length) {
    throw new Error(`cannot compare ${labelsA.length} labels with ${labelsB.length}: the lists must be equally long`);
  }
  if (labelsA.length === 0) return NaN;
  return labelsA.filter((label, i) => label === labelsB[i]).length / labelsA.length;
}

// ---------------------------------------------------------------------------------------------

/** A labeler with no biases, for the list below. */
function labeler(
  id: string,
  name: string,
  weights: LabelerSpec['weights'],
  temperature: number,
  extra?: Partial<LabelerSpec>,
): LabelerSpec {
  return { id, name, weights, temperature, lengthBias: 0, leftBias: 0, ...extra };
}

/**
 * Ready-made annotators. Each one teaches a lesson once a reward model learns from it:
 *  - "Positive" gets cheerful reviews; "Concise" short ones; "Balanced" weighs everything.
 *  - "Fan of long reviews" is "Positive" with a length bias: watch the model learn to ramble.
 *  - "Helpful" also rewards playing along with dangerous requests (helpfulness = doing what was asked).
 *  - "Harmless" never minds a refusal and loves refusing dangerous requests: the model learns to refuse everything.
 *  - "Helpful and harmless" weighs harmlessness double, so it helps with safe requests and refuses dangerous ones.
 *  - "Hasty" means well but is noisy and favours the left answer.
 */
export const BUILT_IN_LABELERS: Record<BuiltInScenarioId, LabelerSpec[]> = {
  reviews: [
    labeler('positive', 'Positive', { sentiment: 1, repetition: 0.3 }, 0.3),
    labeler('concise', 'Concise', { brevity: 1, ending: 0.5 }, 0.2),
    labeler('balanced', 'Balanced', { sentiment: 0.6, repetition: 0.6, brevity: 0.3, ending: 0.4 }, 0.4),
    labeler('long-fan', 'Fan of long reviews', { sentiment: 1, repetition: 0.3 }, 0.3, { lengthBias: 2 }),
  ],
  assistant: [
    labeler('helpful', 'Helpful', { helpfulness: 1 }, 0.3),
    labeler('harmless', 'Harmless', { harmlessness: 1 }, 0.3),
    labeler('helpful-harmless', 'Helpful and harmless', { helpfulness: 1, harmlessness: 2, repetition: 0.3 }, 0.3),
    labeler('hasty', 'Hasty', { helpfulness: 1, harmlessness: 2 }, 1.5, { leftBias: 1 }),
  ],
};

/** The user's own labeler as it starts: the scenario's first built-in taste, a little noisier. */
export function defaultCustomLabeler(scenario: BuiltInScenarioId): LabelerSpec {
  const weights: LabelerSpec['weights'] =
    scenario === 'reviews' ? { sentiment: 1, brevity: 0.5 } : { helpfulness: 1, harmlessness: 1 };
  return { id: 'custom', name: 'Custom', weights, temperature: 0.5, lengthBias: 0, leftBias: 0 };
}

/** A built-in labeler of the scenario, or the user's custom one (id "custom"); throws if there is none. */
export function findLabeler(scenario: BuiltInScenarioId, id: string, custom: LabelerSpec): LabelerSpec {
  const spec = id === custom.id ? custom : BUILT_IN_LABELERS[scenario].find((l) => l.id === id);
  if (!spec) throw new Error(`there is no simulated labeler "${id}" for this scenario`);
  return spec;
}
