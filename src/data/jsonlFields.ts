// Reading the lines of an untrusted JSONL file (ratingIO.ts, demonstrationIO.ts): the file's size and lines, and
// each field of a line checked for its type and length. Any problem throws a FileRefusal naming the line and the
// reason; the importer turns it into its { ok: false, message } answer, so a bad file changes nothing.

import { MAX_ANNOTATOR_CHARS, MAX_COMPARISONS, MAX_FILE_BYTES, MAX_SHORT_CHARS, MAX_TEXT_CHARS } from './preferenceIO';
import { describe, isObject, quote, vocabularyProblem } from './fileChecks';
import type { ScenarioId, Tokenizer } from './types';

/** A file refused, with the reason a person is shown. */
export class FileRefusal extends Error {}

/** Refuses the file: `where` (a line, or '' for the whole file) and why. */
export function fail(where: string, why: string): never {
  throw new FileRefusal(where === '' ? why : `${where}: ${why}`);
}

/** Runs a reader; a refusal (or any other failure) becomes { ok: false, message }. Never throws. */
export function refusedAsMessage<T>(read: () => T): T | { ok: false; message: string } {
  try {
    return read();
  } catch (e) {
    return { ok: false, message: e instanceof FileRefusal ? e.message : `the file could not be read (${String(e)})` };
  }
}

/** The non-blank lines of a JSONL file, each parsed to an object, with where it stands ("line 3"). */
export function jsonlObjects(
  text: string,
  limit: number,
  what: string,
): { item: Record<string, unknown>; where: string }[] {
  if (text.length > MAX_FILE_BYTES || new TextEncoder().encode(text).length > MAX_FILE_BYTES) {
    fail('', `the file is larger than the limit of ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  }
  text = text.replace(/^\uFEFF/, ''); // a byte-order mark some editors add
  if (text.trim() === '') fail('', 'the file is empty');
  const lines: { line: string; where: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== '') lines.push({ line, where: `line ${i + 1}` });
  });
  if (lines.length > limit) fail('', `the file holds ${lines.length} ${what}; the limit is ${limit}`);
  return lines.map(({ line, where }) => {
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (e) {
      fail(where, `not valid JSON (${(e as Error).message})`);
    }
    if (!isObject(item)) fail(where, `expected a JSON object, found ${describe(item)}`);
    return { item, where };
  });
}

/** The first non-blank line of a file as an object, or null (not JSON, not an object, or no line). */
export function firstJsonlObject(text: string): Record<string, unknown> | null {
  const line = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .find((l) => l.trim() !== '');
  if (line === undefined) return null;
  try {
    const first: unknown = JSON.parse(line);
    return isObject(first) ? first : null;
  } catch {
    return null;
  }
}

/** A field's value, with null counted as absent. */
export function present(v: unknown): unknown {
  return v === null ? undefined : v;
}

/** An optional text field of at most `max` characters; null counts as absent. */
export function shortText(item: Record<string, unknown>, field: string, where: string, max = MAX_SHORT_CHARS) {
  const v = present(item[field]);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(where, `${quote(field)} should be a string but is ${describe(v)}`);
  if (v.length > max) fail(where, `${quote(field)} is ${v.length} characters long; the limit is ${max}`);
  return v;
}

/** A required text field: a string of at most MAX_TEXT_CHARS, every word known to the tokenizer when one is given. */
export function readText(
  item: Record<string, unknown>,
  field: string,
  where: string,
  tokenizer: Tokenizer | undefined,
) {
  if (item[field] === undefined) fail(where, `missing ${quote(field)}`);
  const v = shortText(item, field, where, MAX_TEXT_CHARS);
  if (v === undefined) fail(where, `${quote(field)} should be a string but is null`);
  const problem = tokenizer ? vocabularyProblem(v, tokenizer, field) : null;
  if (problem) fail(where, problem);
  return v;
}

/** An optional time: an ISO date string or milliseconds since the epoch; null counts as absent. */
export function readTime(item: Record<string, unknown>, field: string, where: string): number | undefined {
  const time = present(item[field]);
  if (time === undefined) return undefined;
  if (typeof time === 'string') shortText(item, field, where);
  if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) return Date.parse(time);
  if (typeof time === 'number' && Number.isFinite(time)) return time;
  fail(where, `${quote(field)} is not a date: ${quote(time)}`);
}

/** What a JSONL file of labels holds, read off its first line: pairs ("chosen"), ratings ("label" or "rating"), or answers. */
export function jsonlKind(text: string): 'comparisons' | 'ratings' | 'demonstrations' {
  const first = firstJsonlObject(text);
  if (!first || 'chosen' in first || !('completion' in first)) return 'comparisons';
  return 'label' in first || 'rating' in first ? 'ratings' : 'demonstrations';
}

/** What every label a session saved has, checked: its id, source, time and annotator, and the object itself. */
export interface SavedLabelBase<S extends string> {
  item: Record<string, unknown>;
  where: string;
  id: string;
  source: S;
  createdAt: number;
  annotator: string;
}

/**
 * The labels of one kind in a saved session (`what`: "ratings", "demonstrations"), kept as saved, so checked strictly:
 * a list within the limit of objects with the kind's fields and no other, ids unique, the session's scenario, a source
 * of the kind's, a time and an annotator; `rest` checks and builds the rest. Throws naming `what[i]`.
 */
export function checkSavedLabels<T, S extends string>(
  items: unknown,
  what: string,
  rules: { fields: ReadonlySet<string>; scenario: ScenarioId; sources: readonly S[] },
  rest: (base: SavedLabelBase<S>) => T,
): T[] {
  if (!Array.isArray(items)) fail('', `its ${what} are not a list`);
  if (items.length > MAX_COMPARISONS) fail('', `it holds ${items.length} ${what}; the limit is ${MAX_COMPARISONS}`);
  const ids = new Set<string>();
  return items.map((item: unknown, i) => {
    const where = `${what}[${i}]`;
    if (!isObject(item)) fail(where, `expected an object, found ${describe(item)}`);
    const unknown = Object.keys(item).find((key) => !rules.fields.has(key));
    if (unknown !== undefined) fail(where, `it has an unknown field ${quote(unknown)}`);
    const id = shortText(item, 'id', where);
    if (!id) fail(where, 'missing "id"');
    if (ids.has(id)) fail(where, `the id ${quote(id)} is used twice`);
    ids.add(id);
    if (item.scenario !== rules.scenario)
      fail(where, `"scenario" is ${quote(item.scenario)}, not the session's "${rules.scenario}"`);
    if (!rules.sources.includes(item.source as S)) {
      const allowed = rules.sources.map((x) => `"${x}"`);
      fail(
        where,
        `"source" is ${quote(item.source)}; it must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`,
      );
    }
    if (typeof item.createdAt !== 'number' || !Number.isFinite(item.createdAt))
      fail(where, '"createdAt" should be a time in milliseconds');
    const annotator = shortText(item, 'annotator', where, MAX_ANNOTATOR_CHARS);
    if (!annotator) fail(where, 'missing "annotator"');
    return rest({ item, where, id, source: item.source as S, createdAt: item.createdAt, annotator });
  });
}
