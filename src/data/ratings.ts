// Ratings: a person judges one answer on its own, with a thumbs up or down or on a 1-7 scale.
//
// A thumb is an unpaired preference (the shape KTO learns from; TRL's unpaired rows are
// {"prompt", "completion", "label": true/false}). The reward model learns from ratings in one of
// two ways, chosen in its settings:
//  - 'pairs': answers of the same prompt with different ratings become pairs, the higher-rated one
//    chosen, with a margin that grows with the rating gap (Touvron et al. 2023, Llama 2, section 3.2.2);
//  - 'pointwise': each rating is a target for the reward itself, sigmoid(r) ~ (value - min) / (max - min).

import { labelerGold, validateLabeler, type LabelerSpec } from './labelers';
import { newId } from './preferences';
import { MAX_RESPONSE_TOKENS } from './scenarios/common';
import { splitWords } from './tokenizer';
import type { BuiltInScenarioId, ScenarioId } from './types';

export type RatingScale = 'thumbs' | 'seven';

/** The values each scale allows: thumbs 0 (down) and 1 (up); seven 1 to 7. */
export const RATING_RANGE: Record<RatingScale, { min: number; max: number }> = {
  thumbs: { min: 0, max: 1 },
  seven: { min: 1, max: 7 },
};

export interface Rating {
  id: string;
  scenario: ScenarioId;
  prompt: string;
  completion: string;
  scale: RatingScale;
  /** thumbs: 0 = down, 1 = up; seven: 1 (worst) to 7 (best). */
  value: number;
  /** 'human', or the id of a simulated labeler. */
  annotator: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  source: 'rating' | 'import';
}

/** The scales, in the order the page offers them. */
export const RATING_SCALES: readonly RatingScale[] = ['thumbs', 'seven'];

/** Whether `value` is a rating the scale allows: a whole number within its range. */
export function isRatingValue(scale: RatingScale, value: unknown): value is number {
  const range = RATING_RANGE[scale];
  return (
    range !== undefined && Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max
  );
}

/** What a scale allows, as the end of a sentence: "on the seven-point scale it must be a whole number from 1 to 7". */
export function ratingRule(scale: RatingScale): string {
  return scale === 'thumbs'
    ? 'on the thumbs scale it must be 0 (down) or 1 (up)'
    : 'on the seven-point scale it must be a whole number from 1 to 7';
}

/** value -> (value - min) / (max - min): where a rating sits on its scale, 0 the worst and 1 the best. */
export function normalisedRating(scale: RatingScale, value: number): number {
  const { min, max } = RATING_RANGE[scale];
  return (value - min) / (max - min);
}

/**
 * The thumbs-style label a rating gives (TRL's unpaired "label", the desirable/undesirable of KTO):
 * thumbs: value = 1; seven: value >= 5 is good, value <= 3 bad, and the midpoint 4 is neither (null).
 */
export function ratingLabel(r: Pick<Rating, 'scale' | 'value'>): boolean | null {
  if (r.scale === 'thumbs') return r.value === 1;
  return r.value === 4 ? null : r.value > 4;
}

/** The ratings that say good or bad, as KTO's unpaired examples (TRL's {prompt, completion, label}); a middle 4 says neither. */
export function ratedAnswers(ratings: readonly Rating[]): { prompt: string; completion: string; label: boolean }[] {
  return ratings.flatMap((r) => {
    const label = ratingLabel(r);
    return label === null ? [] : [{ prompt: r.prompt, completion: r.completion, label }];
  });
}

// ---------------------------------------------------------------------------------------------
// Ratings -> reward-model examples

/** One example for the reward model, the shape of a RewardPair plus what a rating adds. */
export interface RatingExample {
  prompt: string;
  /** The higher-rated completion; for a pointwise example, the rated completion itself. */
  chosen: string;
  /** The lower-rated completion; for a pointwise example, the same text as chosen. */
  rejected: string;
  /** Pairs: 1 (chosen is better). Pointwise: the normalised rating, (value - min) / (max - min). */
  target: number;
  weight: number;
  /** How much further apart the rewards should be, from the rating gap (Llama 2); 0 for pointwise. */
  margin: number;
  /** True when chosen === rejected and target is a reward target, not a preference. */
  pointwise: boolean;
}

/** The margin of the widest gap a scale has (thumbs up vs down, or 7 vs 1). */
export const RATING_MARGIN_MAX = 1;

/** Weight of a pointwise example: two ratings count as much as one compared pair. */
export const POINTWISE_WEIGHT = 0.5;

/** Which ratings can be compared with each other: one annotator's, of one prompt, on one scale. */
export function ratingGroupKey(r: Pick<Rating, 'scale' | 'annotator' | 'prompt'>): string {
  return `${r.scale}\u0000${r.annotator}\u0000${r.prompt}`;
}

/**
 * Llama 2's pairs (Touvron et al. 2023, section 3.2.2): one annotator's ratings of the same prompt on the same scale
 * (each person's scale is their own), two at a time;
 * the higher-rated is chosen, target 1, margin = RATING_MARGIN_MAX * (gap / (max - min)), weight 1 / (n - 1).
 * A prompt rated n times gives up to C(n,2) pairs, each rating in n - 1 of them: with weight 1/(n - 1) they weigh
 * at most n/2 pairs together, so the correlated pairs of a much-rated prompt do not dominate (InstructGPT weighs
 * a ranking's C(K,2) pairs by 1/C(K,2) for the same reason). Equal ratings, or one text rated twice, order nothing.
 */
export function ratingPairs(ratings: readonly Rating[]): RatingExample[] {
  const groups = new Map<string, Rating[]>();
  for (const r of ratings) {
    const key = ratingGroupKey(r);
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const examples: RatingExample[] = [];
  for (const group of groups.values()) {
    const weight = 1 / (group.length - 1);
    const { min, max } = RATING_RANGE[group[0].scale];
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i], group[j]];
        if (a.value === b.value || a.completion === b.completion) continue;
        const [better, worse] = a.value > b.value ? [a, b] : [b, a];
        const margin = (RATING_MARGIN_MAX * (better.value - worse.value)) / (max - min);
        examples.push({
          prompt: a.prompt,
          chosen: better.completion,
          rejected: worse.completion,
          target: 1,
          weight,
          margin,
          pointwise: false,
        });
      }
    }
  }
  return examples;
}

/** One target per rating: sigmoid(reward) should approach (value - min) / (max - min), weight POINTWISE_WEIGHT. */
export function pointwiseExamples(ratings: readonly Rating[]): RatingExample[] {
  return ratings.map((r) => ({
    prompt: r.prompt,
    chosen: r.completion,
    rejected: r.completion,
    target: normalisedRating(r.scale, r.value),
    weight: POINTWISE_WEIGHT,
    margin: 0,
    pointwise: true,
  }));
}

/** The reward model's examples from ratings, in the way its settings choose. */
export function ratingExamples(ratings: readonly Rating[], loss: 'pairs' | 'pointwise'): RatingExample[] {
  return loss === 'pairs' ? ratingPairs(ratings) : pointwiseExamples(ratings);
}

// ---------------------------------------------------------------------------------------------
// Ratings given by a person and by a simulated labeler

/**
 * How many points of the seven-point scale one unit of the labeler's logit z moves: 4 + 0.75 z, rounded. A z of +-4
 * (a thumb up 98% or 2% of the time) reaches the ends 7 and 1; the logistic noise (sd pi / sqrt(3) = 1.8) spreads
 * the ratings of one answer over about +-1.4 points, as a person's ratings of the same answer wander.
 */
export const SEVEN_STEP = 0.75;
/** The midpoint of the seven-point scale, where z = 0 lands. */
const SEVEN_MIDPOINT = 4;
/** u is kept this far inside (0, 1), so the noise log(u / (1 - u)) stays finite. */
const NOISE_EPSILON = 1e-9;

/**
 * The labeler's rating of one answer, one draw of `rand`:
 *   z = (gold - neutral) / temperature + lengthBias * (len - 16/2) / 16 + log(u / (1 - u)),  u = rand(),
 * thumbs: 1 if z > 0, else 0, so P(up) = sigmoid((gold - neutral) / temperature + length term): the Bradley-Terry
 * model of labelers.ts, against an answer of gold `neutral` and middle length; seven: clamp(round(4 + SEVEN_STEP z), 1, 7).
 * leftBias plays no part: one answer has no left. `neutral` is the caller's reference gold value.
 */
export function simulatedRating(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  completion: string,
  scale: RatingScale,
  neutral: number,
  rand: () => number,
): number {
  const problem = validateLabeler(spec);
  if (problem !== null) throw new Error(`labeler "${spec.name}": ${problem}`);
  if (!Number.isFinite(neutral)) throw new Error(`the neutral gold value must be a finite number, got ${neutral}`);
  const gold = labelerGold(spec, scenario, prompt, completion);
  const length = typeof completion === 'string' ? splitWords(completion).length : 0;
  const lengthTerm = (spec.lengthBias * (length - MAX_RESPONSE_TOKENS / 2)) / MAX_RESPONSE_TOKENS;
  const u = Math.min(1 - NOISE_EPSILON, Math.max(NOISE_EPSILON, rand()));
  const z = (gold - neutral) / spec.temperature + lengthTerm + Math.log(u / (1 - u));
  if (scale === 'thumbs') return z > 0 ? 1 : 0;
  const { min, max } = RATING_RANGE.seven;
  return Math.min(max, Math.max(min, Math.round(SEVEN_MIDPOINT + SEVEN_STEP * z)));
}

/** A batch of answers rated by the simulated labeler, as Ratings stamped `createdAt` (one draw of `rand` each). */
export function simulatedRatings(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  answers: readonly { prompt: string; completion: string }[],
  scale: RatingScale,
  neutral: number,
  rand: () => number,
  createdAt: number,
): Rating[] {
  return answers.map((answer) => ({
    id: newId(),
    scenario,
    prompt: answer.prompt,
    completion: answer.completion,
    scale,
    value: simulatedRating(spec, scenario, answer.prompt, answer.completion, scale, neutral, rand),
    annotator: spec.id,
    createdAt,
    source: 'rating',
  }));
}

/** A person's rating of one answer; throws when the value is not one the scale allows. */
export function humanRating(
  answer: { prompt: string; completion: string },
  scale: RatingScale,
  value: number,
  scenario: ScenarioId,
): Rating {
  if (!RATING_SCALES.includes(scale)) throw new Error(`There is no rating scale ${JSON.stringify(scale)}.`);
  if (!isRatingValue(scale, value)) throw new Error(`A rating of ${value} is not possible: ${ratingRule(scale)}.`);
  return {
    id: newId(),
    scenario,
    prompt: answer.prompt,
    completion: answer.completion,
    scale,
    value,
    annotator: 'human',
    createdAt: Date.now(),
    source: 'rating',
  };
}
