// Demonstrations and corrections: a person writes the answer they want.
//
//  - A demonstration is an answer written from scratch for a prompt. It is supervised data: TRL's
//    prompt-completion row {"prompt", "completion"}, what the fine-tuning stage learns from.
//  - A correction is a model answer the person edited. The edit is stored as a comparison, the edit
//    preferred over the original (source 'correction'), so the reward model learns from it; it may
//    also be kept as a demonstration (source 'correction', with the original beside it).
// Simulated annotators correct too: they make the few word edits that raise their gold value most.

import { labelerGold, type LabelerSpec } from './labelers';
import { newId, type Comparison } from './preferences';
import { MAX_RESPONSE_TOKENS } from './scenarios/common';
import { splitWords, unknownWords } from './tokenizer';
import type { BuiltInScenarioId, Example, ScenarioId, Tokenizer } from './types';

export interface Demonstration {
  id: string;
  scenario: ScenarioId;
  prompt: string;
  /** The answer the annotator wants. */
  completion: string;
  /** 'human', or the id of a simulated labeler. */
  annotator: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Written from scratch, kept from a correction, or read from a file. */
  source: 'demonstration' | 'correction' | 'import';
  /** For a correction: the model's answer it replaced. */
  original?: string;
}

/** The special tokens around an example: <bos> prompt <sep> answer <eos>. */
const FRAME_TOKENS = 3;

/**
 * Why an answer cannot be saved for this prompt, as a sentence; null when it can. It must have words, all of them in
 * the vocabulary (else they would be read as '?'), and fit the model's context with the prompt.
 */
export function answerProblem(
  tokenizer: Tokenizer,
  contextLength: number,
  prompt: string,
  answer: string,
): string | null {
  if (answer.trim() === '') return 'Write an answer first.';
  const unknown = unknownWords(tokenizer, [answer]);
  if (unknown.length) return `Not in the vocabulary (the model would read them as '?'): ${unknown.join(', ')}.`;
  const room = contextLength + 1 - FRAME_TOKENS - tokenizer.encode(prompt).length;
  const length = tokenizer.encode(answer).length;
  if (length > room) return `The answer is ${length} tokens long; with this prompt the model reads at most ${room}.`;
  return null;
}

/** A person's (or a simulated annotator's) demonstration. */
export function newDemonstration(
  fields: Pick<Demonstration, 'scenario' | 'prompt' | 'completion'> & Partial<Demonstration>,
): Demonstration {
  return { id: newId(), annotator: 'human', createdAt: Date.now(), source: 'demonstration', ...fields };
}

/**
 * A correction: the edited answer preferred over the original, one comparison of weight 1 (source 'correction'),
 * and, when `keep` is set, the edit as a demonstration too, both stamped with the same time (undone together).
 */
export function correction(
  answer: { prompt: string; original: string; edited: string },
  scenario: ScenarioId,
  keep: boolean,
  annotator = 'human',
  createdAt = Date.now(),
): { comparison: Comparison; demonstration: Demonstration | null } {
  if (answer.edited === answer.original)
    throw new Error('The correction is the same as the answer: change something first.');
  const comparison: Comparison = {
    id: newId(),
    scenario,
    prompt: answer.prompt,
    chosen: answer.edited,
    rejected: answer.original,
    verdict: 'preferred',
    annotator,
    createdAt,
    source: 'correction',
    weight: 1,
  };
  const demonstration = keep
    ? newDemonstration({ scenario, prompt: answer.prompt, completion: answer.edited, annotator, createdAt })
    : null;
  if (demonstration) [demonstration.source, demonstration.original] = ['correction', answer.original];
  return { comparison, demonstration };
}

/** The demonstrations as supervised examples (prompt, response). */
export function demonstrationExamples(list: readonly Demonstration[]): Example[] {
  return list.map((d) => ({ prompt: d.prompt, response: d.completion }));
}

/** The share of fine-tuning draws that come from the person's demonstrations when they are added to the scenario's. */
export const OWN_DEMONSTRATION_SHARE = 0.25;

/**
 * The scenario's examples with the person's added, each of theirs repeated r = ceil(share n / ((1 - share) m)) times
 * (n scenario examples, m of theirs), so that about `share` of the batches' rows are theirs: a handful among a
 * thousand would otherwise hardly be drawn.
 */
export function withOwnDemonstrations(
  scenario: readonly Example[],
  own: readonly Example[],
  share = OWN_DEMONSTRATION_SHARE,
) {
  if (own.length === 0) return [...scenario];
  const repeats = Math.max(1, Math.ceil((share * scenario.length) / ((1 - share) * own.length)));
  return [...scenario, ...Array.from({ length: repeats }, () => own).flat()];
}

// ---------------------------------------------------------------------------------------------
// A simulated annotator's correction

/** Edits a simulated annotator makes to one answer at most. */
export const CORRECTION_EDITS = 3;
/** Sentences a simulated annotator chooses from for one prompt, at most. */
const CORRECTION_SENTENCES = 40;

/** A text's sentences, each with its closing mark: "good. bad!" -> ["good.", "bad!"]; a trailing fragment is one too. */
export function sentences(text: string): string[] {
  return (text.match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The sentences a simulated annotator writes with for a prompt: those of the scenario's demonstrations of the same
 * prompt (of every prompt when it has none), the ones from answers the labeler values most (labelerGold) first, at most
 * CORRECTION_SENTENCES. They are the scenario's own text, so every word is in the vocabulary and the edit reads well.
 */
export function correctionSentences(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  demonstrations: readonly Example[],
): string[] {
  const same = demonstrations.filter((d) => d.prompt === prompt);
  const pool = (same.length ? same : demonstrations).map((d) => ({
    d,
    gold: labelerGold(spec, scenario, d.prompt, d.response),
  }));
  pool.sort((a, b) => b.gold - a.gold);
  const found = new Set<string>();
  for (const { d } of pool) {
    for (const s of sentences(d.response)) if (found.size < CORRECTION_SENTENCES && !loops(s)) found.add(s);
    if (found.size >= CORRECTION_SENTENCES) break;
  }
  return [...found];
}

/** A sentence with a word three times or more: a loop the corpus teaches the model to avoid, not one to write. */
function loops(sentence: string): boolean {
  const counts = new Map<string, number>();
  return splitWords(sentence).some((w) => counts.set(w, (counts.get(w) ?? 0) + 1).get(w)! >= 3);
}

/**
 * Greedy hill-climbing on the labeler's gold value, a sentence at a time: each of up to `edits` rounds tries every
 * one-sentence edit (delete a sentence, replace it with one of `candidates`, or add one at the end, within
 * MAX_RESPONSE_TOKENS words or the answer's own length) and keeps the one that raises gold most; it stops when no
 * edit helps. So it fixes first what costs the answer most in the labeler's eyes (a refusal of a safe request, a
 * negative verdict, a loop).
 */
export function simulatedCorrection(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  answer: string,
  candidates: readonly string[],
  edits = CORRECTION_EDITS,
): string {
  let current = sentences(answer);
  const text = (parts: string[]) => parts.join(' ');
  let best = labelerGold(spec, scenario, prompt, text(current));
  // An edit may not make the answer longer than MAX_RESPONSE_TOKENS words, or than it was if it was longer already.
  const limit = Math.max(MAX_RESPONSE_TOKENS, splitWords(answer).length);
  const fits = (parts: string[]) => splitWords(text(parts)).length <= limit;
  for (let round = 0; round < edits; round++) {
    let found: string[] | null = null;
    const consider = (candidate: string[]) => {
      const gold = labelerGold(spec, scenario, prompt, text(candidate));
      if (gold > best + 1e-9 && fits(candidate)) [best, found] = [gold, candidate];
    };
    for (let i = 0; i < current.length; i++) {
      consider([...current.slice(0, i), ...current.slice(i + 1)]);
      for (const c of candidates) if (c !== current[i]) consider([...current.slice(0, i), c, ...current.slice(i + 1)]);
    }
    for (const c of candidates) consider([...current, c]);
    if (found === null) break;
    current = found;
  }
  return text(current);
}
