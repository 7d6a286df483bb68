// Building blocks shared by the built-in scenario generators (reviews.ts, assistant.ts):
// the size limits every example must respect, a weighted choice of response kind, a way to
// grow a response from optional parts while it still fits, and the prompt-cycling loop that
// turns a "respond to this prompt" function into a shuffled list of examples.

import { shuffle } from '../random';
import { splitWords } from '../tokenizer';
import type { Example } from '../types';

/** What each generator returns; index.ts adds the tokenizer, id and titles. */
export interface ScenarioCorpus {
  pretrain: Example[];
  demonstrations: Example[];
  prompts: string[];
}

/** The model's context: <bos> prompt <sep> response <eos> must fit in this many tokens. */
export const CONTEXT_TOKENS = 32;
/** Budgets the generators keep to (10 + 16 + 3 specials = 29, inside the context). */
export const MAX_PROMPT_TOKENS = 10;
export const MAX_RESPONSE_TOKENS = 16;

export const PRETRAIN_SIZE = 4000;
export const DEMONSTRATION_SIZE = 1000;

/** Number of word tokens in a text. */
export function tokenCount(text: string): number {
  return splitWords(text).length;
}

/** Picks a key with probability proportional to its weight. */
export function pickWeighted<K extends string>(rand: () => number, weights: Record<K, number>): K {
  const keys = Object.keys(weights) as K[];
  const total = keys.reduce((sum, k) => sum + weights[k], 0);
  let r = rand() * total;
  for (const k of keys) {
    r -= weights[k];
    if (r < 0) return k;
  }
  return keys[keys.length - 1];
}

/** A part of a response; an optional one is kept with probability `chance`, and only if it fits. */
export interface Part {
  text: string;
  chance?: number; // absent: the part is required
}

/**
 * Joins parts with spaces, leaving out optional parts that lose their coin flip or would push
 * the response past `maxTokens`. Required parts are always kept (the generators keep them short).
 */
export function assemble(rand: () => number, parts: Part[], maxTokens = MAX_RESPONSE_TOKENS): string {
  const requiredTokens = parts.filter((p) => p.chance === undefined).reduce((n, p) => n + tokenCount(p.text), 0);
  let budget = maxTokens - requiredTokens;
  const kept: string[] = [];
  for (const part of parts) {
    if (part.chance === undefined) {
      kept.push(part.text);
      continue;
    }
    const cost = tokenCount(part.text);
    if (rand() < part.chance && cost <= budget) {
      kept.push(part.text);
      budget -= cost;
    }
  }
  return kept.join(' ');
}

/**
 * Makes `count` examples: walks the prompts in a shuffled order, over and over (so every prompt
 * appears about equally often), asks `respond` for each, and shuffles the result.
 */
export function examplesFor<P>(
  rand: () => number,
  prompts: readonly P[],
  count: number,
  respond: (prompt: P) => Example,
): Example[] {
  const order = shuffle(rand, [...prompts]);
  const examples: Example[] = [];
  for (let i = 0; i < count; i++) examples.push(respond(order[i % order.length]));
  return shuffle(rand, examples);
}
