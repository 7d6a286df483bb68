// Saving demonstrations to files and reading them back.
//
// A demonstrations file is JSONL in TRL's prompt-completion shape, one demonstration a line:
//   {"prompt", "completion", "annotator", "created_at", "source", "original", "scenario"}
// so an SFT trainer reads it as it is; "original" is the model answer a correction replaced. A TRL file of
// {"prompt", "completion"} rows reads back as demonstrations.
//
// A file is untrusted input, checked completely before anything is accepted (as ratingIO.ts does): any problem
// refuses the whole file, with a message naming the line and the reason, shown as text, never as HTML.

import { cut, MAX_ANNOTATOR_CHARS, MAX_COMPARISONS } from './preferenceIO';
import { newId } from './preferences';
import type { Demonstration } from './demonstrations';
import type { ScenarioId, Tokenizer } from './types';
import { listed, quote } from './fileChecks';
import {
  checkSavedLabels,
  jsonlObjects,
  present,
  readText,
  readTime,
  refusedAsMessage,
  shortText,
} from './jsonlFields';

/** One demonstration as a JSONL line: prompt and completion first, as TRL's prompt-completion rows. */
function jsonlRecord(d: Demonstration): Record<string, unknown> {
  return {
    prompt: d.prompt,
    completion: d.completion,
    annotator: d.annotator,
    created_at: new Date(d.createdAt).toISOString(),
    source: d.source,
    ...(d.original !== undefined ? { original: d.original } : {}),
    scenario: d.scenario,
  };
}

export function exportDemonstrationsJsonl(list: readonly Demonstration[]): string {
  return list.map((d) => JSON.stringify(jsonlRecord(d)) + '\n').join('');
}

/** A download of the demonstrations: the JSONL text and a file name with the scenario and today's date. */
export function demonstrationsFile(
  list: readonly Demonstration[],
  scenario: string,
): { text: string; filename: string } {
  return {
    text: exportDemonstrationsJsonl(list),
    filename: `demonstrations-${scenario}-${new Date().toISOString().slice(0, 10)}.jsonl`,
  };
}

export type DemonstrationImportResult =
  { ok: true; demonstrations: Demonstration[]; warnings: string[] } | { ok: false; message: string };

/** The fields a line may have; any other is ignored, with a warning. */
const JSONL_FIELDS = new Set(['prompt', 'completion', 'annotator', 'created_at', 'source', 'original', 'scenario']);

/** Reads a demonstrations JSONL file into `scenario`; with a tokenizer, unknown words refuse it. Never throws; all or none. */
export function importDemonstrations(
  text: string,
  options: { scenario: ScenarioId; tokenizer?: Tokenizer },
): DemonstrationImportResult {
  return refusedAsMessage(() => readFile(text, options));
}

function readFile(text: string, options: { scenario: ScenarioId; tokenizer?: Tokenizer }): DemonstrationImportResult {
  const otherScenarios = new Set<string>();
  const extraFields = new Set<string>();
  const demonstrations = jsonlObjects(text, MAX_COMPARISONS, 'demonstrations').map(({ item, where }): Demonstration => {
    for (const key of Object.keys(item)) if (!JSONL_FIELDS.has(key)) extraFields.add(key);
    const scenario = shortText(item, 'scenario', where);
    if (scenario !== undefined && scenario !== options.scenario) otherScenarios.add(scenario);
    shortText(item, 'source', where); // checked for its length; an imported demonstration's source is 'import'
    const original =
      present(item.original) === undefined ? undefined : readText(item, 'original', where, options.tokenizer);
    return {
      id: newId(),
      scenario: options.scenario,
      prompt: readText(item, 'prompt', where, options.tokenizer),
      completion: readText(item, 'completion', where, options.tokenizer),
      annotator: shortText(item, 'annotator', where, MAX_ANNOTATOR_CHARS) || 'imported',
      createdAt: readTime(item, 'created_at', where) ?? Date.now(),
      source: 'import',
      ...(original !== undefined ? { original } : {}),
    };
  });
  const warnings: string[] = [];
  if (otherScenarios.size > 0) {
    const scenarios = listed([...otherScenarios].map(quote));
    warnings.push(`some were written in scenario ${scenarios}; they are imported into "${options.scenario}"`);
  }
  if (extraFields.size > 0) warnings.push(`extra fields were ignored: ${listed([...extraFields].map(cut))}`);
  return { ok: true, demonstrations, warnings };
}

/** The fields of a Demonstration as a session stores it. */
const SAVED_FIELDS = new Set([
  'id',
  'scenario',
  'prompt',
  'completion',
  'annotator',
  'createdAt',
  'source',
  'original',
]);
const SOURCES: readonly Demonstration['source'][] = ['demonstration', 'correction', 'import'];

/**
 * The demonstrations of a saved session, kept as saved, so checked strictly: every field of a Demonstration and no
 * other, ids unique, the session's scenario, texts within the limits and the vocabulary. Throws naming `demonstrations[i]`.
 */
export function checkSavedDemonstrations(
  items: unknown,
  options: { scenario: ScenarioId; tokenizer: Tokenizer },
): Demonstration[] {
  const rules = { fields: SAVED_FIELDS, scenario: options.scenario, sources: SOURCES };
  return checkSavedLabels(items, 'demonstrations', rules, ({ item, where, ...base }): Demonstration => {
    const original = item.original === undefined ? undefined : readText(item, 'original', where, options.tokenizer);
    return {
      ...base,
      scenario: options.scenario,
      prompt: readText(item, 'prompt', where, options.tokenizer),
      completion: readText(item, 'completion', where, options.tokenizer),
      ...(original !== undefined ? { original } : {}),
    };
  });
}
