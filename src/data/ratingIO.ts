// Saving ratings to files and reading them back.
//
// A ratings file is JSONL in TRL's unpaired-preference shape, one rating a line:
//   {"prompt", "completion", "label": true/false, "rating", "scale", "annotator", "created_at", "source", "scenario"}
// "label" is the thumb the rating gives (ratingLabel: null for a 4 on the seven-point scale), so a KTO trainer can read
// the file as it is; "rating" and "scale" keep the value itself. A TRL file of {"prompt", "completion", "label"} rows
// reads back as thumbs.
//
// A file is untrusted input, checked completely before anything is accepted, as preferenceIO.ts does with
// comparisons: any problem refuses the whole file, with a message naming the line and the reason. The message quotes
// bits of the file, so it must be shown as text, never as HTML.

import { cut, MAX_ANNOTATOR_CHARS, MAX_COMPARISONS } from './preferenceIO';
import { newId } from './preferences';
import { isRatingValue, RATING_SCALES, ratingLabel, ratingRule, type Rating, type RatingScale } from './ratings';
import type { ScenarioId, Tokenizer } from './types';
import { describe, listed, quote } from './fileChecks';
import {
  checkSavedLabels,
  fail,
  jsonlKind,
  jsonlObjects,
  present,
  readText,
  readTime,
  refusedAsMessage,
  shortText,
} from './jsonlFields';

/** One rating as a JSONL line: prompt, completion and label first, as TRL's unpaired rows. */
function jsonlRecord(r: Rating): Record<string, unknown> {
  return {
    prompt: r.prompt,
    completion: r.completion,
    label: ratingLabel(r),
    rating: r.value,
    scale: r.scale,
    annotator: r.annotator,
    created_at: new Date(r.createdAt).toISOString(),
    source: r.source,
    scenario: r.scenario,
  };
}

export function exportRatingsJsonl(ratings: readonly Rating[]): string {
  return ratings.map((r) => JSON.stringify(jsonlRecord(r)) + '\n').join('');
}

/** A download of the ratings: the JSONL text and a file name with the scenario and today's date. */
export function ratingsFile(ratings: readonly Rating[], scenario: string): { text: string; filename: string } {
  return {
    text: exportRatingsJsonl(ratings),
    filename: `ratings-${scenario}-${new Date().toISOString().slice(0, 10)}.jsonl`,
  };
}

/** Whether a file holds ratings rather than comparisons or demonstrations: its first line has "completion" and a "label" or "rating". */
export function isRatingsJsonl(text: string): boolean {
  return jsonlKind(text) === 'ratings';
}

// ---------------------------------------------------------------------------------------------

export type RatingImportResult = { ok: true; ratings: Rating[]; warnings: string[] } | { ok: false; message: string };

export interface RatingImportOptions {
  /** The scenario the ratings are imported into. */
  scenario: ScenarioId;
  /** When given, text with a word (or character) this tokenizer does not know is refused. */
  tokenizer?: Tokenizer;
}

/** The fields a line of a ratings file may have; any other is ignored, with a warning. */
const JSONL_FIELDS = new Set([
  'prompt',
  'completion',
  'label',
  'rating',
  'scale',
  'annotator',
  'created_at',
  'source',
  'scenario',
]);

/** Reads a ratings JSONL file. Never throws; accepts all of it or none of it. */
export function importRatings(text: string, options: RatingImportOptions): RatingImportResult {
  return refusedAsMessage(() => readFile(text, options));
}

function readFile(text: string, options: RatingImportOptions): RatingImportResult {
  const lines = jsonlObjects(text, MAX_COMPARISONS, 'ratings');
  const otherScenarios = new Set<string>();
  let mismatched = 0;
  const extraFields = new Set<string>();
  const ratings = lines.map(({ item, where }): Rating => {
    for (const key of Object.keys(item)) if (!JSONL_FIELDS.has(key)) extraFields.add(key);
    const prompt = readText(item, 'prompt', where, options.tokenizer);
    const completion = readText(item, 'completion', where, options.tokenizer);
    const { scale, value } = readValue(item, where);
    const scenario = shortText(item, 'scenario', where);
    if (scenario !== undefined && scenario !== options.scenario) {
      mismatched += 1;
      otherScenarios.add(scenario);
    }
    shortText(item, 'source', where); // checked for its length; an imported rating's source is 'import'
    return {
      id: newId(),
      scenario: options.scenario,
      prompt,
      completion,
      scale,
      value,
      annotator: shortText(item, 'annotator', where, MAX_ANNOTATOR_CHARS) || 'imported',
      createdAt: readTime(item, 'created_at', where) ?? Date.now(),
      source: 'import',
    };
  });

  const warnings: string[] = [];
  if (mismatched > 0) {
    const scenarios = listed([...otherScenarios].map(quote));
    warnings.push(
      `${mismatched} rating(s) were given in scenario ${scenarios}; they are imported into "${options.scenario}"`,
    );
  }
  if (extraFields.size > 0) warnings.push(`extra fields were ignored: ${listed([...extraFields].map(cut))}`);
  return { ok: true, ratings, warnings };
}

/**
 * The scale and value of one line. The scale is "scale" when given; else thumbs when there is no "rating" (then the
 * value is the "label", up 1 or down 0), else seven. A "label" next to a "rating" must agree with it (ratingLabel).
 */
function readValue(item: Record<string, unknown>, where: string): { scale: RatingScale; value: number } {
  const label = present(item.label);
  if (label !== undefined && typeof label !== 'boolean')
    fail(where, `"label" should be true or false but is ${describe(label)}`);
  const rating = present(item.rating);
  if (rating !== undefined && typeof rating !== 'number')
    fail(where, `"rating" should be a number but is ${describe(rating)}`);
  const scaleField = present(item.scale);
  if (scaleField !== undefined && !RATING_SCALES.includes(scaleField as RatingScale))
    fail(where, `"scale" is ${quote(scaleField)}; it must be "thumbs" or "seven"`);
  const scale = (scaleField as RatingScale | undefined) ?? (rating === undefined ? 'thumbs' : 'seven');

  if (rating === undefined) {
    if (scale === 'seven') fail(where, '"scale" is "seven" but there is no "rating"');
    if (label === undefined) fail(where, 'it needs a "label" (true or false) or a "rating"');
    return { scale, value: label ? 1 : 0 };
  }
  if (!isRatingValue(scale, rating)) fail(where, `"rating" is ${quote(rating)}; ${ratingRule(scale)}`);
  const thumb = ratingLabel({ scale, value: rating });
  if (label !== undefined && thumb !== null && thumb !== label) {
    const meaning = thumb ? 'a good rating' : 'a bad rating';
    fail(where, `"label" is ${label} but "rating" is ${rating}, which on the ${scaleName(scale)} is ${meaning}`);
  }
  return { scale, value: rating };
}

function scaleName(scale: RatingScale): string {
  return scale === 'thumbs' ? 'thumbs scale' : 'seven-point scale';
}

/** The fields of a Rating as a session stores it. */
const SAVED_FIELDS = new Set<string>([
  'id',
  'scenario',
  'prompt',
  'completion',
  'scale',
  'value',
  'annotator',
  'createdAt',
  'source',
]);
const SOURCES: readonly Rating['source'][] = ['rating', 'import'];

/**
 * The ratings of a saved session, kept as saved, so checked strictly: every field of a Rating and no other, ids
 * unique, the session's scenario, texts within the limits and the vocabulary. Throws an Error naming `ratings[i]`.
 */
export function checkSavedRatings(items: unknown, options: { scenario: ScenarioId; tokenizer: Tokenizer }): Rating[] {
  const rules = { fields: SAVED_FIELDS, scenario: options.scenario, sources: SOURCES };
  return checkSavedLabels(items, 'ratings', rules, ({ item, where, ...base }): Rating => {
    if (!RATING_SCALES.includes(item.scale as RatingScale))
      fail(where, `"scale" is ${quote(item.scale)}; it must be "thumbs" or "seven"`);
    const scale = item.scale as RatingScale;
    if (!isRatingValue(scale, item.value)) fail(where, `"value" is ${quote(item.value)}; ${ratingRule(scale)}`);
    return {
      ...base,
      scenario: options.scenario,
      prompt: readText(item, 'prompt', where, options.tokenizer),
      completion: readText(item, 'completion', where, options.tokenizer),
      scale,
      value: item.value,
    };
  });
}
