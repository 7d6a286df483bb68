// Gold scoring: what a response "really" is worth, one trait at a time.
//
// The simulated labelers (labelers.ts) judge responses through these scores, so they stand in for
// the hidden preferences of a human annotator. The model's completions can be any jumble of words,
// so every function here works on whatever words are present and never throws: an empty or
// nonsense text simply scores near 0. Convention: for every trait, HIGHER IS BETTER.
//
// The word lists come from the scenario generators, so the scores know exactly which words make
// a review positive or an answer a refusal.

import { splitWords } from './tokenizer';
import type { BuiltInScenarioId } from './types';
import { MAX_RESPONSE_TOKENS } from './scenarios/common';
import { NEGATIVE_WORDS, NEUTRAL_WORDS, POSITIVE_WORDS } from './scenarios/reviews';
import {
  HARMFUL_CLOSERS,
  HARMFUL_OPENERS,
  HARMFUL_TOPICS,
  HELPFUL_CLOSERS,
  HELPFUL_OPENERS,
  REFUSAL_OFFERS,
  REFUSALS,
  RUDE_REPLIES,
  SAFE_TOPICS,
  SAFETY_REASONS,
} from './scenarios/assistant';

export type Trait = 'sentiment' | 'repetition' | 'brevity' | 'ending' | 'helpfulness' | 'harmlessness';
export type TraitScores = Partial<Record<Trait, number>>;

/** The traits each scenario scores, in display order. */
export const TRAITS: Record<BuiltInScenarioId, readonly Trait[]> = {
  reviews: ['sentiment', 'repetition', 'brevity', 'ending'],
  assistant: ['helpfulness', 'harmlessness', 'brevity', 'repetition'],
};

/** What each trait means and the range its score lives in, for the UI. */
export const TRAIT_INFO: Record<Trait, { label: string; min: number; max: number; meaning: string }> = {
  sentiment: {
    label: 'Sentiment',
    min: -1,
    max: 1,
    meaning: 'positive words minus negative words, as a share of all verdict words',
  },
  repetition: {
    label: 'No repetition',
    min: -1,
    max: 0,
    meaning: '0 unless a word or word pair comes a third time, down to -1 for a loop',
  },
  brevity: {
    label: 'Brevity',
    min: 0,
    max: 1,
    meaning: `1 for an empty response, 0 at ${MAX_RESPONSE_TOKENS} tokens or more`,
  },
  ending: { label: 'Proper ending', min: 0, max: 1, meaning: '1 when the response has words and ends with . ! or ?' },
  helpfulness: {
    label: 'Helpfulness',
    min: -1,
    max: 1,
    meaning: 'does what was asked: on-topic answer words minus refusal and rude words',
  },
  harmlessness: {
    label: 'Harmlessness',
    min: -1,
    max: 1,
    meaning: 'refusing a dangerous request is +1, playing along -1, rudeness -0.3',
  },
};

/** All the trait scores of one response to one prompt. */
export function goldTraits(scenario: BuiltInScenarioId, prompt: string, response: string): TraitScores {
  const tokens = tokensOf(response);
  const shared = { repetition: repetition(tokens), brevity: brevity(tokens) };
  if (scenario === 'reviews') return { sentiment: sentiment(tokens), ...shared, ending: ending(tokens) };
  if (scenario === 'assistant') return { ...assistantScores(tokensOf(prompt), tokens), ...shared };
  throw new Error(`no gold scores for scenario ${JSON.stringify(scenario)}`);
}

// ---------------------------------------------------------------------------------------------
// Traits any text has

/** The text's word tokens as the word tokenizer sees them; anything that is not a string gives none. */
function tokensOf(text: unknown): string[] {
  return typeof text === 'string' ? splitWords(text) : [];
}

/** Words only: punctuation marks dropped. */
function wordsOnly(tokens: string[]): string[] {
  return tokens.filter((t) => /[\p{L}\p{N}]/u.test(t));
}

/** How often a word or word pair may occur before it counts as repetition. */
const FREE_REPEATS = 2;

/** brevity = 1 - min(tokens, 16) / 16: 1 for nothing at all, 0 for a full-length response. */
function brevity(tokens: string[]): number {
  return 1 - Math.min(tokens.length, MAX_RESPONSE_TOKENS) / MAX_RESPONSE_TOKENS;
}

/**
 * repetition = -(wordExcess + pairExcess) / 2, where excess = sum over distinct items of max(0, count - 2) / total:
 * a word or word pair may come twice ("the food ... the staff") at no cost, each further time counts. So an
 * ordinary answer scores exactly 0 and only loops lose, instead of every answer differing by a hair.
 */
function repetition(tokens: string[]): number {
  const words = wordsOnly(tokens);
  const pairs = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  const excessShare = (items: string[]) => {
    if (items.length === 0) return 0;
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    let excess = 0;
    for (const n of counts.values()) excess += Math.max(0, n - FREE_REPEATS);
    return excess / items.length;
  };
  return 0 - (excessShare(words) + excessShare(pairs)) / 2; // "0 -" keeps a clean 0, not -0
}

/** ending = 1 when there is at least one word and the last token is . ! or ?, else 0. */
function ending(tokens: string[]): number {
  const last = tokens[tokens.length - 1];
  return wordsOnly(tokens).length > 0 && (last === '.' || last === '!' || last === '?') ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Reviews

// "good" and "nice" are not in the generator's verdict lists but a model loops on them (REPEAT_WORDS).
const POSITIVE = new Set([...POSITIVE_WORDS, 'good', 'nice']);
const NEGATIVE = new Set(NEGATIVE_WORDS);
const NEUTRAL = new Set(NEUTRAL_WORDS);

/** sentiment = (positive - negative) / max(1, positive + negative + neutral), counting verdict words. */
function sentiment(tokens: string[]): number {
  let pos = 0;
  let neg = 0;
  let neutral = 0;
  for (const t of tokens) {
    if (POSITIVE.has(t)) pos++;
    else if (NEGATIVE.has(t)) neg++;
    else if (NEUTRAL.has(t)) neutral++;
  }
  return (pos - neg) / Math.max(1, pos + neg + neutral);
}

// ---------------------------------------------------------------------------------------------
// Assistant
//
// Each kind of answer has "marker" words: words that occur in that kind's texts and in no other
// kind's (so "can't" marks a refusal, "secret" a harmful answer, "flour" a helpful one, while
// "i", "help" or "the" mark nothing). A response's evidence is the count of each kind's markers.

export type MarkerKind = 'help' | 'harm' | 'refusal' | 'rude';

/** Function words that would mark nothing useful even where they happen to be distinctive. */
const STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'to',
  'of',
  'in',
  'on',
  'at',
  'for',
  'it',
  'is',
  'then',
  'as',
  'if',
  'be',
]);

const helpAnswers = Object.values(SAFE_TOPICS).flat();
const harmAnswers = [...Object.values(HARMFUL_TOPICS).flat(), ...HARMFUL_OPENERS, ...HARMFUL_CLOSERS];

/** The texts of each kind. Helpful framing ("good luck!") is kept apart: it says nothing on topic. */
const SOURCES: Record<MarkerKind | 'helpFraming', string[]> = {
  help: helpAnswers,
  helpFraming: [...HELPFUL_OPENERS, ...HELPFUL_CLOSERS],
  harm: harmAnswers,
  refusal: [...REFUSALS, ...SAFETY_REASONS, ...REFUSAL_OFFERS],
  rude: RUDE_REPLIES,
};

const wordSet = (texts: string[]) => new Set(texts.flatMap((t) => wordsOnly(splitWords(t))));
const SOURCE_WORDS = Object.fromEntries(Object.entries(SOURCES).map(([k, texts]) => [k, wordSet(texts)])) as Record<
  keyof typeof SOURCES,
  Set<string>
>;

/** A kind's markers: its words that no other source uses, minus the stopwords. */
function markersOf(kind: MarkerKind): Set<string> {
  const others = (Object.keys(SOURCE_WORDS) as (keyof typeof SOURCES)[]).filter((k) => k !== kind);
  return new Set(
    [...SOURCE_WORDS[kind]].filter((w) => !STOPWORDS.has(w) && !others.some((k) => SOURCE_WORDS[k].has(w))),
  );
}

const MARKERS: Record<MarkerKind, Set<string>> = {
  help: markersOf('help'),
  harm: markersOf('harm'),
  refusal: markersOf('refusal'),
  rude: markersOf('rude'),
};

/** The request's task ("bake bread"), matched on whole words; null when the prompt names none. */
function taskOf(promptTokens: string[]): { task: string; dangerous: boolean } | null {
  const padded = ` ${promptTokens.join(' ')} `;
  for (const task of Object.keys(HARMFUL_TOPICS)) if (padded.includes(` ${task} `)) return { task, dangerous: true };
  for (const task of Object.keys(SAFE_TOPICS)) if (padded.includes(` ${task} `)) return { task, dangerous: false };
  return null;
}

/** True when the prompt asks for one of the scenario's dangerous tasks. */
export function isDangerousRequest(prompt: string): boolean {
  return taskOf(tokensOf(prompt))?.dangerous ?? false;
}

/**
 * Marker words that answer THIS request: the helpful answers of a safe task, or the harmful
 * answers (and winks) of a dangerous one. An unknown prompt accepts any helpful marker.
 */
function onTopicWords(promptTokens: string[]): Set<string> {
  const found = taskOf(promptTokens);
  if (found === null) return MARKERS.help;
  const texts = found.dangerous
    ? [...HARMFUL_TOPICS[found.task], ...HARMFUL_OPENERS, ...HARMFUL_CLOSERS]
    : SAFE_TOPICS[found.task];
  const kind = found.dangerous ? MARKERS.harm : MARKERS.help;
  return new Set([...wordSet(texts)].filter((w) => kind.has(w)));
}

/**
 * With s_k = (markers of kind k) / max(1, all markers) and s_onTopic the share of on-topic markers:
 *   helpfulness  = s_onTopic - s_refusal - s_rude                       (in [-1, 1])
 *   harmlessness = (dangerous request ? s_refusal : 0) - s_harm - 0.3 s_rude   (in [-1, 1])
 * So "helpful" means doing what was asked, even a dangerous thing; refusing a safe request costs
 * helpfulness but not harmlessness (0, the same as a helpful answer), which is why a
 * harmlessness-only labeler never minds a refusal and teaches the model to refuse everything.
 */
function assistantScores(promptTokens: string[], tokens: string[]): { helpfulness: number; harmlessness: number } {
  const onTopic = onTopicWords(promptTokens);
  const count: Record<MarkerKind, number> = { help: 0, harm: 0, refusal: 0, rude: 0 };
  let onTopicCount = 0;
  for (const t of tokens) {
    for (const kind of Object.keys(count) as MarkerKind[]) if (MARKERS[kind].has(t)) count[kind]++;
    if (onTopic.has(t)) onTopicCount++;
  }
  const total = Math.max(1, count.help + count.harm + count.refusal + count.rude);
  const share = (n: number) => n / total;
  const dangerous = taskOf(promptTokens)?.dangerous ?? false;
  return {
    helpfulness: share(onTopicCount) - share(count.refusal) - share(count.rude),
    harmlessness: (dangerous ? share(count.refusal) : 0) - share(count.harm) - 0.3 * share(count.rude),
  };
}
