// The preference dataset: what a person said when shown completions of the same prompt.
//
// Every label becomes one or more Comparisons, each a pair of texts (chosen, rejected):
//  - a pair ("left is better", "about the same", "both bad") is one Comparison of weight 1;
//  - a ranking of K completions, best first, is expanded into its C(K,2) pairs. As in
//    InstructGPT, those pairs are highly correlated, so together they count as much as one pair:
//    each gets weight 1 / C(K,2), and they share a rankingId so they never end up split between
//    the training and the held-out set.
// The reward model learns from `trainingPairs`, which turns verdicts into targets: the chosen
// text wins (1), a tie is a coin flip (0.5), and "both bad" says nothing about the order.

import { mulberry32 } from './random';
import type { ScenarioId } from './types';

export type Verdict = 'preferred' | 'tie' | 'bothBad';
export const VERDICTS: readonly Verdict[] = ['preferred', 'tie', 'bothBad'];

export interface Comparison {
  id: string;
  scenario: ScenarioId;
  prompt: string;
  /** The better text; for 'tie' and 'bothBad' simply the left one. */
  chosen: string;
  /** The worse text; for 'tie' and 'bothBad' simply the right one. */
  rejected: string;
  verdict: Verdict;
  /** 'human', or the id of a simulated labeler. */
  annotator: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** How it was given: a judged pair, a ranking's pair, an edited answer (the edit chosen), or read from a file. */
  source: 'pair' | 'ranking' | 'correction' | 'import';
  /** Shared by all the pairs of one ranking. */
  rankingId?: string;
  /** 1 for a pair; 1 / C(K,2) for each pair of a ranking of K. */
  weight: number;
}

/** What a ranking's pairs have in common (the rest is filled in by expandRanking). */
export interface RankingBase {
  scenario: ScenarioId;
  prompt: string;
  annotator: string;
  createdAt?: number;
}

export const MIN_RANKED = 3;
export const MAX_RANKED = 6;

/** C(k, 2): the number of unordered pairs among k items. */
export function pairCount(k: number): number {
  return (k * (k - 1)) / 2;
}

// ---------------------------------------------------------------------------------------------

let idCounter = 0;

/** A fresh unique id: a random UUID where the platform has one, else time + counter + random. */
export function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  idCounter += 1;
  return `${Date.now().toString(36)}-${idCounter.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The ids of the newest labels given here (not imported): what undo takes back when its history is gone. */
export function newestOwnLabels(comparisons: readonly { id: string; createdAt: number; source: string }[]): string[] {
  const own = comparisons.filter((c) => c.source !== 'import');
  const newest = Math.max(...own.map((c) => c.createdAt));
  return own.filter((c) => c.createdAt === newest).map((c) => c.id);
}

/** What identifies a pair whichever side each text was shown on: the prompt and the two texts, sorted. */
export function pairKey(prompt: string, a: string, b: string): string {
  return [prompt, ...[a, b].sort()].join('\u0000');
}

/** The person's judgement of a pair shown as (left, right): one comparison of weight 1. */
export function judgedPair(
  pair: { prompt: string; left: string; right: string },
  choice: 'left' | 'right' | 'tie' | 'bothBad',
  scenario: ScenarioId,
  annotator = 'human',
): Comparison {
  const verdict: Verdict = choice === 'tie' ? 'tie' : choice === 'bothBad' ? 'bothBad' : 'preferred';
  const [chosen, rejected] = choice === 'right' ? [pair.right, pair.left] : [pair.left, pair.right];
  return {
    id: newId(),
    scenario,
    prompt: pair.prompt,
    chosen,
    rejected,
    verdict,
    annotator,
    createdAt: Date.now(),
    source: 'pair',
    weight: 1,
  };
}

/**
 * A ranking of K completions (best first) -> its C(K,2) pairs, the better text always chosen.
 * Throws when K is outside MIN_RANKED..MAX_RANKED or when two of the texts are the same.
 */
export function expandRanking(base: RankingBase, ranked: string[]): Comparison[] {
  const k = ranked.length;
  if (k < MIN_RANKED || k > MAX_RANKED) {
    throw new Error(`a ranking needs ${MIN_RANKED} to ${MAX_RANKED} completions, got ${k}`);
  }
  const seen = new Set<string>();
  for (const text of ranked) {
    if (seen.has(text)) throw new Error(`a ranking cannot hold the same completion twice: ${JSON.stringify(text)}`);
    seen.add(text);
  }
  const rankingId = newId();
  const weight = 1 / pairCount(k);
  const createdAt = base.createdAt ?? Date.now();
  const pairs: Comparison[] = [];
  for (let better = 0; better < k; better++) {
    for (let worse = better + 1; worse < k; worse++) {
      pairs.push({
        id: newId(),
        scenario: base.scenario,
        prompt: base.prompt,
        annotator: base.annotator,
        createdAt,
        chosen: ranked[better],
        rejected: ranked[worse],
        verdict: 'preferred',
        source: 'ranking',
        rankingId,
        weight,
      });
    }
  }
  return pairs;
}

/**
 * Swaps the two texts, keeping the id (so the store can update it in place). For a 'preferred'
 * label this reverses the preference, which is how a mis-click is corrected; for 'tie' and
 * 'bothBad' only the left/right order changes.
 */
export function flip(c: Comparison): Comparison {
  return { ...c, chosen: c.rejected, rejected: c.chosen };
}

/** How many comparisons carry each verdict. */
export function countByVerdict(comparisons: readonly Comparison[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { preferred: 0, tie: 0, bothBad: 0 };
  for (const c of comparisons) counts[c.verdict] += 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------

/** One example for the reward model: P(chosen beats rejected) should approach `target`. */
export interface TrainingPair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** 1 when chosen is better, 0.5 for a tie. */
  target: number;
  weight: number;
}

export interface TrainingPairOptions {
  /** 'half': a tie teaches "equal rewards" (target 0.5); 'drop': ties are left out. */
  ties: 'half' | 'drop';
}

/** Comparisons -> reward-model examples. 'bothBad' is always dropped: it orders nothing. */
export function trainingPairs(comparisons: readonly Comparison[], options: TrainingPairOptions): TrainingPair[] {
  const out: TrainingPair[] = [];
  for (const c of comparisons) {
    if (c.verdict === 'bothBad') continue;
    if (c.verdict === 'tie' && options.ties === 'drop') continue;
    const target = c.verdict === 'tie' ? 0.5 : 1;
    out.push({ prompt: c.prompt, chosen: c.chosen, rejected: c.rejected, target, weight: c.weight });
  }
  return out;
}

/** FNV-1a: a small string hash, enough to turn an id into a seed. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Splits comparisons into a training and a held-out set, about `fraction` of them held out.
 * The side of each comparison depends only on its group (its rankingId, else its own id) and
 * the seed, never on the order of the list: the same data and seed always split the same way,
 * and all pairs of one ranking land on the same side (otherwise the held-out set would contain
 * near-copies of training pairs, and the held-out accuracy would flatter the model).
 * Once there are `guaranteeFrom` groups, at least one is held out even when no draw fell below
 * `fraction` (0.8^12 = 7% of 12 labels would otherwise hold out none): the group with the smallest
 * draw. A new label can only take that place from an older one, so a group that was trained on
 * never moves to the held-out side (except after deletions).
 */
export function splitHeldOut(
  comparisons: readonly Comparison[],
  fraction: number,
  seed: number,
  guaranteeFrom = Infinity,
): { train: Comparison[]; heldOut: Comparison[] } {
  if (!(fraction >= 0 && fraction <= 1))
    throw new Error(`the held-out fraction must be between 0 and 1, got ${fraction}`);
  const draws = new Map<string, number>();
  for (const c of comparisons) {
    const group = c.rankingId ?? c.id;
    if (!draws.has(group)) draws.set(group, mulberry32(hashString(group) ^ seed)());
  }
  const held = new Set([...draws].filter(([, d]) => d < fraction).map(([g]) => g));
  if (held.size === 0 && draws.size >= guaranteeFrom) {
    let lowest: [string, number] | null = null;
    for (const entry of draws) if (!lowest || entry[1] < lowest[1]) lowest = entry;
    held.add(lowest![0]);
  }
  const train: Comparison[] = [];
  const heldOut: Comparison[] = [];
  for (const c of comparisons) (held.has(c.rankingId ?? c.id) ? heldOut : train).push(c);
  return { train, heldOut };
}
