// Saving preference datasets to files and reading them back.
//
// Two formats go out:
//  - JSONL, one comparison a line, in the shape preference trainers read
//    ({"prompt", "chosen", "rejected"} plus annotator, created_at, source, verdict, weight,
//    ranking_id, scenario), so labels made here can be used elsewhere and the other way round;
//  - the playground's own JSON, { format, version, comparisons }, the Comparison objects as is.
// Either comes back in through importPreferences, which tells them apart by their content.
//
// A file is untrusted input. It is checked completely before anything is accepted: any problem
// refuses the whole file, with a message naming the line (JSONL) or the item (JSON) and the
// reason. The message quotes bits of the file, so it must be shown as text, never as HTML.

import { newId, VERDICTS, type Comparison, type Verdict } from './preferences';
import type { ScenarioId, Tokenizer } from './types';
import { describe, isObject, listed, quote, vocabularyProblem } from './fileChecks';

export const PLAYGROUND_FORMAT = 'rlhf-playground-preferences';
export const PLAYGROUND_VERSION = 1;
export const MAX_TEXT_CHARS = 2_000;
export const MAX_COMPARISONS = 20_000;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_ANNOTATOR_CHARS = 40;
/** Ids, ranking ids, sources, verdicts, scenario names and dates written as text. */
export const MAX_SHORT_CHARS = 64;

/** One comparison as a JSONL line, prompt/chosen/rejected first. */
function jsonlRecord(c: Comparison): Record<string, unknown> {
  return {
    prompt: c.prompt,
    chosen: c.chosen,
    rejected: c.rejected,
    annotator: c.annotator,
    created_at: new Date(c.createdAt).toISOString(),
    source: c.source,
    verdict: c.verdict,
    weight: c.weight,
    ...(c.rankingId !== undefined ? { ranking_id: c.rankingId } : {}),
    scenario: c.scenario,
  };
}

export function exportJsonl(comparisons: readonly Comparison[]): string {
  return comparisons.map((c) => JSON.stringify(jsonlRecord(c)) + '\n').join('');
}

/** The playground's own format: valid JSON, one comparison a line so that it diffs well. */
/** A download of the dataset: the text in `format` and a file name with the scenario and today's date. */
export function preferencesFile(comparisons: readonly Comparison[], scenario: string, format: 'jsonl' | 'json') {
  const text = format === 'jsonl' ? exportJsonl(comparisons) : exportJson(comparisons);
  return { text, filename: `preferences-${scenario}-${new Date().toISOString().slice(0, 10)}.${format}` };
}

export function exportJson(comparisons: readonly Comparison[]): string {
  const items = comparisons.map((c) => JSON.stringify(c)).join(',\n');
  return `{"format":"${PLAYGROUND_FORMAT}","version":${PLAYGROUND_VERSION},"comparisons":[\n${items}\n]}\n`;
}

// ---------------------------------------------------------------------------------------------

export type ImportResult = { ok: true; comparisons: Comparison[]; warnings: string[] } | { ok: false; message: string };

export interface ImportOptions {
  /** The scenario the comparisons are imported into. */
  scenario: ScenarioId;
  /** When given, text with a word (or character) this tokenizer does not know is refused. */
  tokenizer?: Tokenizer;
}

/** Thrown inside this file only; importPreferences turns it into { ok: false }. */
class Refusal extends Error {}
function fail(where: string, why: string): never {
  throw new Refusal(where === '' ? why : `${where}: ${why}`);
}

/** The field names of the two formats that differ; everything else is spelled the same. */
const JSONL_NAMES = { createdAt: 'created_at', rankingId: 'ranking_id' } as const;
const JSON_NAMES = { createdAt: 'createdAt', rankingId: 'rankingId' } as const;
type FieldNames = typeof JSONL_NAMES | typeof JSON_NAMES;

/** Reads a JSONL or playground-JSON file. Never throws; accepts all of it or none of it. */
export function importPreferences(text: string, options: ImportOptions): ImportResult {
  try {
    return readFile(text, options);
  } catch (e) {
    const message = e instanceof Refusal ? e.message : `the file could not be read (${String(e)})`;
    return { ok: false, message };
  }
}

function readFile(text: string, options: ImportOptions): ImportResult {
  if (text.length > MAX_FILE_BYTES || new TextEncoder().encode(text).length > MAX_FILE_BYTES) {
    fail('', `the file is larger than the limit of ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  }
  text = text.replace(/^\uFEFF/, ''); // a byte-order mark some editors add
  if (text.trim() === '') fail('', 'the file is empty');

  // Which format? A playground file is one JSON object with "format" and "comparisons". Anything
  // else is read as JSONL (a JSONL file of one line also parses as a whole, but as one record).
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  const items: { value: unknown; where: string }[] = [];
  let names: FieldNames = JSONL_NAMES;
  if (isObject(whole) && ('comparisons' in whole || whole.format === PLAYGROUND_FORMAT)) {
    if (whole.format !== PLAYGROUND_FORMAT)
      fail('', `unknown format ${quote(whole.format)} (expected "${PLAYGROUND_FORMAT}")`);
    if (whole.version !== PLAYGROUND_VERSION) {
      fail('', `unsupported version ${quote(whole.version)} (this playground reads version ${PLAYGROUND_VERSION})`);
    }
    if (!Array.isArray(whole.comparisons)) fail('', '"comparisons" should be an array');
    (whole.comparisons as unknown[]).forEach((value, i) => items.push({ value, where: `comparisons[${i}]` }));
    names = JSON_NAMES;
  } else if (whole !== undefined && !isObject(whole)) {
    fail('', `the file holds ${describe(whole)}, but should be JSONL (one object a line) or a playground file`);
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() !== '') items.push({ value: line, where: `line ${i + 1}` });
    });
  }
  if (items.length === 0) fail('', 'the file holds no comparisons');
  if (items.length > MAX_COMPARISONS)
    fail('', `the file holds ${items.length} comparisons; the limit is ${MAX_COMPARISONS}`);

  const notes: Notes = { otherScenarios: new Set(), mismatched: 0, extraFields: new Set(), rankingIds: new Map() };
  const comparisons = items.map(({ value, where }) => {
    if (names === JSONL_NAMES) {
      try {
        value = JSON.parse(value as string);
      } catch (e) {
        fail(where, `not valid JSON (${(e as Error).message})`);
      }
    }
    return readItem(value, where, names, options, notes);
  });

  const warnings: string[] = [];
  if (notes.mismatched > 0) {
    const scenarios = listed([...notes.otherScenarios].map(quote));
    warnings.push(
      `${notes.mismatched} comparison(s) were labelled in scenario ${scenarios}; they are imported into "${options.scenario}"`,
    );
  }
  if (notes.extraFields.size > 0)
    warnings.push(`extra fields were ignored: ${listed([...notes.extraFields].map(cut))}`);
  return { ok: true, comparisons, warnings };
}

/** What readItem notices along the way, for the warnings and for renaming rankings. */
interface Notes {
  otherScenarios: Set<string>;
  mismatched: number;
  extraFields: Set<string>;
  rankingIds: Map<string, string>; // ranking id in the file -> fresh ranking id
}

/** The fields of one item, each of its type and within its length limit (the import and session files both read these). */
interface Fields {
  prompt: string;
  chosen: string;
  rejected: string;
  verdict: Verdict;
  weight: number;
  annotator?: string;
  source?: string;
  id?: string;
  scenario?: string;
  rankingId?: string;
  createdAt?: number;
  /** Names of the fields the format does not know (they hold only text, a number, true/false or null). */
  extra: string[];
}

/** One item of a file -> its checked fields, or a Refusal naming `where` and the reason. */
function readFields(item: unknown, where: string, names: FieldNames, tokenizer: Tokenizer | undefined): Fields {
  if (!isObject(item)) fail(where, `expected a JSON object, found ${describe(item)}`);

  const known = new Set<string>([
    'prompt',
    'chosen',
    'rejected',
    'annotator',
    'source',
    'verdict',
    'weight',
    'scenario',
    'id',
    names.createdAt,
    names.rankingId,
  ]);
  const extra: string[] = [];
  for (const [key, v] of Object.entries(item)) {
    if (known.has(key)) continue;
    if (v !== null && typeof v === 'object') {
      fail(
        where,
        `extra field ${quote(key)} holds ${describe(v)}; extra fields may only hold text, a number, true/false or null`,
      );
    }
    extra.push(key);
  }

  /** An optional field of one type; null counts as absent. */
  const optional = <T extends 'string' | 'number'>(field: string, type: T) => {
    const v = item[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== type) fail(where, `${quote(field)} should be a ${type} but is ${describe(v)}`);
    return v as T extends 'string' ? string : number;
  };
  /** An optional text of at most `max` characters. */
  const short = (field: string, max = MAX_SHORT_CHARS): string | undefined => {
    const v = optional(field, 'string');
    if (v !== undefined && v.length > max)
      fail(where, `${quote(field)} is ${v.length} characters long; the limit is ${max}`);
    return v;
  };
  const text = (field: 'prompt' | 'chosen' | 'rejected'): string => {
    if (item[field] === undefined) fail(where, `missing ${quote(field)}`);
    const v = short(field, MAX_TEXT_CHARS);
    if (v === undefined) fail(where, `${quote(field)} should be a string but is null`);
    if (tokenizer) checkVocabulary(v, tokenizer, where, field);
    return v;
  };
  const prompt = text('prompt');
  const chosen = text('chosen');
  const rejected = text('rejected');

  const verdict = short('verdict') ?? 'preferred';
  if (!VERDICTS.includes(verdict as Verdict))
    fail(where, `"verdict" is ${quote(verdict)}; it must be "preferred", "tie" or "bothBad"`);
  const weight = optional('weight', 'number') ?? 1;
  if (!(weight > 0 && weight <= 1)) fail(where, `"weight" is ${weight}; it must be more than 0 and at most 1`);

  let createdAt: number | undefined;
  const time = item[names.createdAt];
  if (typeof time === 'string') short(names.createdAt);
  if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) createdAt = Date.parse(time);
  else if (typeof time === 'number' && Number.isFinite(time)) createdAt = time;
  else if (time !== undefined && time !== null) fail(where, `${quote(names.createdAt)} is not a date: ${quote(time)}`);

  return {
    prompt,
    chosen,
    rejected,
    verdict: verdict as Verdict,
    weight,
    createdAt,
    extra,
    annotator: short('annotator', MAX_ANNOTATOR_CHARS),
    source: short('source'),
    id: short('id'),
    scenario: short('scenario'),
    rankingId: short(names.rankingId),
  };
}

/** One item of an imported file -> a new Comparison (fresh ids, source 'import'), or a Refusal. */
function readItem(item: unknown, where: string, names: FieldNames, options: ImportOptions, notes: Notes): Comparison {
  const f = readFields(item, where, names, options.tokenizer);
  f.extra.forEach((key) => notes.extraFields.add(key));
  if (f.scenario !== undefined && f.scenario !== options.scenario) {
    notes.mismatched += 1;
    notes.otherScenarios.add(f.scenario);
  }
  // A ranking keeps its pairs together, under a fresh id (so it cannot collide with one we have).
  let rankingId: string | undefined;
  if (f.rankingId !== undefined) {
    rankingId = notes.rankingIds.get(f.rankingId) ?? newId();
    notes.rankingIds.set(f.rankingId, rankingId);
  }
  return {
    id: newId(),
    scenario: options.scenario,
    prompt: f.prompt,
    chosen: f.chosen,
    rejected: f.rejected,
    verdict: f.verdict,
    annotator: f.annotator || 'imported',
    createdAt: f.createdAt ?? Date.now(),
    source: 'import',
    weight: f.weight,
    ...(rankingId !== undefined ? { rankingId } : {}),
  };
}

const SOURCES: readonly Comparison['source'][] = ['pair', 'ranking', 'correction', 'import'];

/**
 * The comparisons of a saved session, checked by the same rules as an imported file (readFields),
 * and more strictly: ids (unique), sources, times and annotators are kept as saved, so they must be there.
 * Throws an Error naming the item and the reason.
 */
export function checkSavedComparisons(
  items: unknown,
  options: { scenario: ScenarioId; tokenizer: Tokenizer },
): Comparison[] {
  if (!Array.isArray(items)) fail('', 'its comparisons are not a list');
  if (items.length > MAX_COMPARISONS) fail('', `it holds ${items.length} comparisons; the limit is ${MAX_COMPARISONS}`);
  const ids = new Set<string>();
  return items.map((item: unknown, i): Comparison => {
    const where = `comparisons[${i}]`;
    const f = readFields(item, where, JSON_NAMES, options.tokenizer);
    if (f.extra.length) fail(where, `it has an unknown field ${quote(f.extra[0])}`);
    if (!f.id) fail(where, 'missing "id"');
    if (ids.has(f.id)) fail(where, `the id ${quote(f.id)} is used twice`);
    ids.add(f.id);
    if (f.scenario !== options.scenario)
      fail(where, `"scenario" is ${quote(f.scenario)}, not the session's "${options.scenario}"`);
    if (!SOURCES.includes(f.source as Comparison['source'])) {
      fail(where, `"source" is ${quote(f.source)}; it must be "pair", "ranking", "correction" or "import"`);
    }
    if (typeof (item as Record<string, unknown>).createdAt !== 'number')
      fail(where, '"createdAt" should be a time in milliseconds');
    if (!f.annotator) fail(where, 'missing "annotator"');
    return {
      id: f.id,
      scenario: options.scenario,
      prompt: f.prompt,
      chosen: f.chosen,
      rejected: f.rejected,
      verdict: f.verdict,
      annotator: f.annotator,
      createdAt: f.createdAt!,
      source: f.source as Comparison['source'],
      weight: f.weight,
      ...(f.rankingId !== undefined ? { rankingId: f.rankingId } : {}),
    };
  });
}

/** A name from the file cut short for a message, unquoted. */
export function cut(name: string): string {
  return name.length > MAX_ANNOTATOR_CHARS ? `${name.slice(0, MAX_ANNOTATOR_CHARS)}…` : name;
}

/** Refuses text that the tokenizer would turn into UNK, naming the first unknown word. */
function checkVocabulary(text: string, tokenizer: Tokenizer, where: string, field: string): void {
  const problem = vocabularyProblem(text, tokenizer, field);
  if (problem) fail(where, problem);
}
