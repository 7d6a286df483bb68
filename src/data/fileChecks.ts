// The small pieces every file reader here shares (preferenceIO.ts for comparisons, ratingIO.ts for
// ratings): how a value from an untrusted file is named in a message, and the vocabulary check.

import { splitWords } from './tokenizer';
import { UNK, type Tokenizer } from './types';

/** A warning names at most this many extra fields or scenarios, then says how many more. */
const MAX_NAMED = 10;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value from the file, quoted and cut short, for a message. */
export function quote(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** The first MAX_NAMED of a list, then how many more: a warning's length does not grow with the file. */
export function listed(names: string[]): string {
  const more = names.length - MAX_NAMED;
  return names.slice(0, MAX_NAMED).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** What kind of value a file holds where another was expected, for a message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${quote(v)})`;
  if (typeof v === 'boolean') return `true/false (${v})`;
  return `a ${typeof v} (${quote(v)})`;
}

/** Why text the tokenizer would turn into UNK is refused, naming the first unknown word; null when every word is known. */
export function vocabularyProblem(text: string, tokenizer: Tokenizer, field: string): string | null {
  const at = tokenizer.encode(text).indexOf(UNK);
  if (at < 0) return null;
  // Both tokenizers make one token per word (or per character), so the position finds the piece.
  const isWord = tokenizer.spec.kind === 'word';
  const piece = (isWord ? splitWords(text) : Array.from(text))[at] ?? '?';
  return `${quote(field)} has the ${isWord ? 'word' : 'character'} ${quote(piece)}, which is not in this scenario's vocabulary`;
}
