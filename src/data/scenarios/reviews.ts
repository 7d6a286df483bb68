// Built-in scenario "reviews": short reviews of restaurants, gadgets and films.
//
// A prompt opens a review ("review of the pasta place:" or "the new phone is"); the response
// finishes it in one of four ways: positive, negative, neutral, or a degenerate repetitive
// ending ("good good good good ..."). The pretraining corpus mixes all four, so a pretrained
// model writes all four; the demonstrations lean positive and fluent. Every word list below is
// exported so that scoring functions can reuse them.

import { mulberry32, pick } from '../random';
import {
  assemble,
  DEMONSTRATION_SIZE,
  examplesFor,
  MAX_RESPONSE_TOKENS,
  pickWeighted,
  PRETRAIN_SIZE,
  tokenCount,
  type ScenarioCorpus,
} from './common';
import { scenarioInfo } from './list';
import type { Example } from '../types';

export const REVIEWS_TITLE = scenarioInfo('reviews').title;
export const REVIEWS_DESCRIPTION = scenarioInfo('reviews').description;

export type ReviewKind = 'positive' | 'negative' | 'neutral' | 'repetitive';
export type Category = 'food' | 'product' | 'film';

/** Share of each kind of ending: in the pretraining text, and in the demonstrations. */
export const PRETRAIN_MIX: Record<ReviewKind, number> = {
  positive: 0.35,
  negative: 0.25,
  neutral: 0.2,
  repetitive: 0.2,
};
export const DEMONSTRATION_MIX: Record<ReviewKind, number> = {
  positive: 0.5,
  neutral: 0.2,
  negative: 0.2,
  repetitive: 0.1,
};

/** What gets reviewed. Each subject gives two prompts: "review of X:" and "X is". */
export const SUBJECTS: Record<Category, string[]> = {
  food: [
    'the pasta place',
    'the pizza shop',
    'the noodle bar',
    'the taco truck',
    'the burger place',
    'the coffee shop',
    'the sushi bar',
  ],
  product: [
    'the new phone',
    'the new laptop',
    'the speaker',
    'the blender',
    'the backpack',
    'the desk lamp',
    'the kettle',
  ],
  film: ['the space movie', 'the horror film', 'the new cartoon', 'the spy movie', 'the musical', 'the war film'],
};

/** Overall verdicts, used right after the prompt ("the new phone is" + "great and fast."). */
const GENERAL_GOOD = [
  'great',
  'wonderful',
  'excellent',
  'fantastic',
  'lovely',
  'brilliant',
  'amazing',
  'charming',
  'delightful',
];
const GENERAL_BAD = ['awful', 'terrible', 'bad', 'poor', 'dreadful', 'horrible', 'miserable', 'disappointing'];
const GENERAL_MEH = ['okay', 'fine', 'average', 'alright', 'ordinary', 'mediocre', 'passable'];
const FLAVOUR: Record<Category, { good: string[]; bad: string[] }> = {
  food: { good: ['delicious', 'tasty', 'fresh', 'cozy'], bad: ['bland', 'greasy', 'dirty', 'stale'] },
  product: { good: ['sturdy', 'handy', 'sleek', 'reliable'], bad: ['flimsy', 'clunky', 'useless', 'fragile'] },
  film: { good: ['funny', 'exciting', 'moving', 'clever'], bad: ['boring', 'dull', 'silly', 'confusing'] },
};

/** One thing a reviewer comments on, with adjectives for each verdict. */
interface Aspect {
  noun: string;
  plural: boolean;
  good: string[];
  bad: string[];
  meh: string[];
}

const ASPECTS: Record<Category, Aspect[]> = {
  food: [
    {
      noun: 'the food',
      plural: false,
      good: ['delicious', 'fresh', 'tasty'],
      bad: ['cold', 'bland', 'stale'],
      meh: ['fine', 'okay'],
    },
    {
      noun: 'the staff',
      plural: true,
      good: ['friendly', 'kind', 'helpful'],
      bad: ['rude', 'grumpy'],
      meh: ['okay', 'fine'],
    },
    { noun: 'the service', plural: false, good: ['quick', 'fast'], bad: ['slow', 'awful'], meh: ['average', 'normal'] },
    { noun: 'the prices', plural: true, good: ['fair', 'low'], bad: ['steep', 'silly'], meh: ['normal', 'average'] },
    {
      noun: 'the portions',
      plural: true,
      good: ['huge', 'generous'],
      bad: ['tiny', 'sad'],
      meh: ['normal', 'average'],
    },
  ],
  product: [
    {
      noun: 'the quality',
      plural: false,
      good: ['superb', 'great'],
      bad: ['poor', 'shoddy'],
      meh: ['okay', 'average'],
    },
    { noun: 'the price', plural: false, good: ['fair', 'low'], bad: ['steep', 'silly'], meh: ['normal', 'average'] },
    {
      noun: 'the design',
      plural: false,
      good: ['beautiful', 'clever', 'lovely'],
      bad: ['ugly', 'clumsy'],
      meh: ['plain', 'ordinary'],
    },
    { noun: 'the buttons', plural: true, good: ['solid', 'handy'], bad: ['flimsy', 'broken'], meh: ['okay', 'normal'] },
    {
      noun: 'the size',
      plural: false,
      good: ['perfect', 'handy'],
      bad: ['awkward', 'clumsy'],
      meh: ['normal', 'okay'],
    },
  ],
  film: [
    {
      noun: 'the story',
      plural: false,
      good: ['gripping', 'clever', 'moving'],
      bad: ['confusing', 'dull'],
      meh: ['simple', 'ordinary'],
    },
    {
      noun: 'the acting',
      plural: false,
      good: ['superb', 'brilliant'],
      bad: ['wooden', 'awful'],
      meh: ['fine', 'okay'],
    },
    {
      noun: 'the music',
      plural: false,
      good: ['beautiful', 'lovely'],
      bad: ['annoying', 'harsh'],
      meh: ['fine', 'plain'],
    },
    {
      noun: 'the ending',
      plural: false,
      good: ['perfect', 'clever'],
      bad: ['rushed', 'silly'],
      meh: ['okay', 'simple'],
    },
    { noun: 'the jokes', plural: true, good: ['hilarious', 'clever'], bad: ['lame', 'stale'], meh: ['okay', 'normal'] },
  ],
};

/** Last sentences of a review. */
const CLOSERS_GOOD: Record<Category, string[]> = {
  food: ['i will be back!', 'best meal in town.', 'five stars!', 'highly recommend it.'],
  product: ['worth every penny.', 'best thing i ever bought.', 'five stars!', 'highly recommend it.'],
  film: ['i would watch it again.', 'best film of the year.', 'five stars!', 'highly recommend it.'],
};
const CLOSERS_BAD = [
  'one star.',
  'never again.',
  'avoid it.',
  'what a waste of money.',
  'i want my money back.',
  'do not bother.',
];
const CLOSERS_MEH = [
  'three stars.',
  'nothing special.',
  'it does the job.',
  'take it or leave it.',
  'fine for the price.',
];

/** Openers after a "review of X:" prompt, which needs a subject before the verdict. */
const OPENERS = ['it was', 'honestly, it was', 'i thought it was', 'overall it was', 'i found it'];

/** Words a degenerate model loops on, alone or as a pair ("so good so good so good"). */
export const REPEAT_WORDS = ['good', 'great', 'bad', 'nice', 'very', 'the', 'food', 'it', 'so', 'yes'];
const REPEAT_PAIRS = ['so good', 'very nice', 'the the', 'it is', 'bad bad', 'great food'];

/** Words that carry each verdict: every positive ending holds one of the first list, and so on. */
export const POSITIVE_WORDS = unique([
  ...GENERAL_GOOD,
  ...Object.values(FLAVOUR).flatMap((f) => f.good),
  ...aspectWords('good'),
  'recommend',
  'worth',
  'best',
]);
export const NEGATIVE_WORDS = unique([
  ...GENERAL_BAD,
  ...Object.values(FLAVOUR).flatMap((f) => f.bad),
  ...aspectWords('bad'),
  'never',
  'waste',
  'avoid',
  'bother',
]);
export const NEUTRAL_WORDS = unique([...GENERAL_MEH, ...aspectWords('meh'), 'special', 'three']);

/** A prompt, with what the response needs to know to follow it grammatically. */
interface ReviewPrompt {
  text: string;
  category: Category;
  needsOpener: boolean; // "review of X:" needs "it was ..."; "X is" goes straight to the verdict
}

const PROMPTS: ReviewPrompt[] = (Object.keys(SUBJECTS) as Category[]).flatMap((category) =>
  SUBJECTS[category].flatMap((subject) => [
    { text: `review of ${subject}:`, category, needsOpener: true },
    { text: `${subject} is`, category, needsOpener: false },
  ]),
);

/** The scenario's corpus for a seed: 4000 pretraining examples, 1000 demonstrations, 40 prompts. */
export function generateReviews(seed: number): ScenarioCorpus {
  const rand = mulberry32(seed);
  const pretrain = examplesFor(rand, PROMPTS, PRETRAIN_SIZE, (p) => review(rand, p, pickWeighted(rand, PRETRAIN_MIX)));
  const demonstrations = examplesFor(rand, PROMPTS, DEMONSTRATION_SIZE, (p) =>
    review(rand, p, pickWeighted(rand, DEMONSTRATION_MIX)),
  );
  return { pretrain, demonstrations, prompts: PROMPTS.map((p) => p.text) };
}

/** One example: the prompt and an ending of the given kind. */
function review(rand: () => number, prompt: ReviewPrompt, kind: ReviewKind): Example {
  if (kind === 'repetitive') return { prompt: prompt.text, response: repetitive(rand, prompt) };

  const opener = prompt.needsOpener ? pick(rand, OPENERS) + ' ' : '';
  const verdict = kind === 'positive' ? 'good' : kind === 'negative' ? 'bad' : 'meh';
  const aspect = pick(rand, ASPECTS[prompt.category]);
  const be = prompt.needsOpener ? (aspect.plural ? 'were' : 'was') : aspect.plural ? 'are' : 'is';
  const headline =
    verdict === 'meh'
      ? `${pick(rand, GENERAL_MEH)}.`
      : `${pick(rand, verdict === 'good' ? GENERAL_GOOD : GENERAL_BAD)} and ${pick(rand, FLAVOUR[prompt.category][verdict])}.`;
  const closers = verdict === 'good' ? CLOSERS_GOOD[prompt.category] : verdict === 'bad' ? CLOSERS_BAD : CLOSERS_MEH;
  const response = assemble(rand, [
    { text: opener + headline },
    // a one-word neutral verdict ("okay.") is too thin alone, so neutral endings always say why
    { text: `${aspect.noun} ${be} ${pick(rand, aspect[verdict])}.`, chance: verdict === 'meh' ? undefined : 0.8 },
    { text: pick(rand, closers), chance: 0.6 },
  ]);
  return { prompt: prompt.text, response };
}

/** A degenerate ending: one word or a pair of words over and over, sometimes after an opener. */
function repetitive(rand: () => number, prompt: ReviewPrompt): string {
  const lead = prompt.needsOpener && rand() < 0.5 ? pick(rand, OPENERS) + ' ' : '';
  const unit = rand() < 0.3 ? pick(rand, REPEAT_PAIRS) : pick(rand, REPEAT_WORDS);
  const room = Math.floor((MAX_RESPONSE_TOKENS - 1 - tokenCount(lead)) / tokenCount(unit)); // 1 kept for the '.'
  const times = Math.min(room, 5 + Math.floor(rand() * 7)); // 5 to 11 times, as far as it fits
  return lead + Array(times).fill(unit).join(' ') + (rand() < 0.5 ? '.' : '');
}

function aspectWords(verdict: 'good' | 'bad' | 'meh'): string[] {
  return Object.values(ASPECTS).flatMap((list) => list.flatMap((a) => a[verdict]));
}

function unique(words: string[]): string[] {
  return [...new Set(words)];
}
