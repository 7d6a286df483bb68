// Tokenizers: text <-> token ids.
//
// Two kinds, both small enough to read in one sitting:
//  - WordTokenizer: one token per lowercase word or punctuation mark. The built-in scenarios use
//    it, so that every token the model produces is a readable word.
//  - CharTokenizer: one token per character. Used for text a user pastes, where we cannot know
//    the words in advance.
// Both put the five special tokens (types.ts) first, and both can be rebuilt from a plain
// TokenizerSpec, which is what a checkpoint file stores.

import { SEP, SPECIAL_TOKENS, UNK, type Tokenizer, type TokenizerSpec } from './types';

/** The largest vocabulary a spec may declare (a guard against corrupt checkpoint files). */
export const MAX_VOCAB_SIZE = 20000;

/** Punctuation that decode glues to the word before it ("good ." -> "good."). */
const ATTACHED_PUNCTUATION = new Set(['.', ',', '!', '?', ':', ';']);

/** A word (letters/digits, apostrophes allowed inside: "can't") or any other single visible character. */
const WORD_OR_MARK = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|\S/gu;

/**
 * Splits text into word tokens: lowercased, curly apostrophes made straight, every punctuation
 * mark its own token. "I can't help with that." -> ["i", "can't", "help", "with", "that", "."]
 */
export function splitWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[\u2018\u2019]/g, "'")
      .match(WORD_OR_MARK) ?? []
  );
}

/** Joins word tokens with spaces, gluing . , ! ? : ; to the previous word. */
export function joinWords(words: string[]): string {
  let out = '';
  for (const w of words) {
    out += out === '' || ATTACHED_PUNCTUATION.has(w) ? w : ' ' + w;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Shared by both kinds: the id <-> string tables and the special-token rules of decode. */
abstract class VocabTokenizer implements Tokenizer {
  readonly spec: TokenizerSpec;
  readonly vocabSize: number;
  protected readonly ids: Map<string, number>;

  constructor(kind: TokenizerSpec['kind'], vocab: string[]) {
    checkSpec({ kind, vocab }); // throws with a clear message when the vocabulary is malformed
    this.spec = { kind, vocab: [...vocab] };
    this.vocabSize = vocab.length;
    this.ids = new Map(vocab.map((token, id) => [token, id]));
  }

  abstract encode(text: string): number[];

  /** Whether decode puts a space before this token (UNK is shown as "?"). */
  protected abstract spaceBefore(token: string, isUnknown: boolean): boolean;

  /** Id of a token string, UNK when it is not in the vocabulary. */
  protected idOf(token: string): number {
    return this.ids.get(token) ?? UNK;
  }

  /** PAD, BOS and EOS vanish, SEP shows as " | ", UNK as "?", out-of-range ids as nothing. */
  decode(ids: number[]): string {
    let out = '';
    let fresh = true; // at the start, or just after a SEP: no space needed
    for (const id of ids) {
      if (id === SEP) {
        out += ' | ';
        fresh = true;
        continue;
      }
      const isUnknown = id === UNK;
      if (!isUnknown && (id < SPECIAL_TOKENS.length || id >= this.vocabSize)) continue;
      const token = isUnknown ? '?' : this.spec.vocab[id];
      out += fresh || !this.spaceBefore(token, isUnknown) ? token : ' ' + token;
      fresh = false;
    }
    return out;
  }
}

export class WordTokenizer extends VocabTokenizer {
  constructor(vocab: string[]) {
    super('word', vocab);
  }

  encode(text: string): number[] {
    return splitWords(text).map((w) => this.idOf(w));
  }

  protected spaceBefore(token: string, isUnknown: boolean): boolean {
    return isUnknown || !ATTACHED_PUNCTUATION.has(token); // an unknown word is still a word
  }
}

export class CharTokenizer extends VocabTokenizer {
  constructor(vocab: string[]) {
    super('char', vocab);
  }

  encode(text: string): number[] {
    return Array.from(text, (c) => this.idOf(c)); // Array.from walks code points, not UTF-16 halves
  }

  protected spaceBefore(): boolean {
    return false; // characters carry their own spaces
  }
}

// ---------------------------------------------------------------------------------------------

/** Word vocabulary of some texts: specials, then words by frequency (most first), ties alphabetical. */
export function buildWordTokenizer(texts: string[], maxSize = MAX_VOCAB_SIZE): WordTokenizer {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const w of splitWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  return new WordTokenizer([...SPECIAL_TOKENS, ...words.slice(0, Math.max(0, maxSize - SPECIAL_TOKENS.length))]);
}

/** Character vocabulary of some texts: specials, then every distinct character in code-point order. */
export function buildCharTokenizer(texts: string[]): CharTokenizer {
  const chars = new Set<string>();
  for (const text of texts) for (const c of text) chars.add(c);
  const sorted = [...chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return new CharTokenizer([...SPECIAL_TOKENS, ...sorted]);
}

/**
 * Rebuilds a tokenizer from a spec read out of a file. The spec is checked first, since the file
 * may be corrupt or hand-edited: a bad one throws an Error saying what is wrong.
 */
export function tokenizerFromSpec(spec: unknown): Tokenizer {
  checkSpec(spec);
  return spec.kind === 'word' ? new WordTokenizer(spec.vocab) : new CharTokenizer(spec.vocab);
}

/** Throws unless `spec` is a well-formed TokenizerSpec. */
function checkSpec(spec: unknown): asserts spec is TokenizerSpec {
  const fail = (why: string): never => {
    throw new Error(`bad tokenizer spec: ${why}`);
  };
  if (typeof spec !== 'object' || spec === null) fail('it is not an object');
  const { kind, vocab } = spec as { kind?: unknown; vocab?: unknown };
  if (kind !== 'word' && kind !== 'char') fail(`unknown kind ${JSON.stringify(kind)} (expected "word" or "char")`);
  if (!Array.isArray(vocab)) fail('the vocabulary is not an array');
  const list = vocab as unknown[];
  if (list.length < SPECIAL_TOKENS.length)
    fail(`the vocabulary has ${list.length} entries, fewer than the ${SPECIAL_TOKENS.length} special tokens`);
  if (list.length > MAX_VOCAB_SIZE) fail(`the vocabulary has ${list.length} entries, the limit is ${MAX_VOCAB_SIZE}`);
  SPECIAL_TOKENS.forEach((s, i) => {
    if (list[i] !== s) fail(`entry ${i} should be the special token ${s} but is ${JSON.stringify(list[i])}`);
  });
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') fail(`entry ${i} is not a string`);
    const token = entry as string;
    if (seen.has(token)) fail(`entry ${i} (${JSON.stringify(token)}) appears twice`);
    seen.add(token);
    if (i < SPECIAL_TOKENS.length) return;
    if (kind === 'char' && Array.from(token).length !== 1)
      fail(`entry ${i} (${JSON.stringify(token)}) is not a single character`);
    if (kind === 'word') {
      const words = splitWords(token);
      if (words.length !== 1 || words[0] !== token)
        fail(`entry ${i} (${JSON.stringify(token)}) is not a single lowercase word or mark`);
    }
  });
}

/** The words (characters, for a character tokenizer) of `texts` that `tok` does not know, each once. */
export function unknownWords(tok: Tokenizer, texts: string[]): string[] {
  const unknown = texts.flatMap((text) => {
    const pieces = tok.spec.kind === 'word' ? splitWords(text) : Array.from(text);
    return tok.encode(text).flatMap((id, i) => (id === UNK ? [pieces[i] ?? '?'] : []));
  });
  return [...new Set(unknown)];
}
