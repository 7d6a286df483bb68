// Turns text a user pastes into a scenario: one example per line, the prompt and the response
// split by a separator of the user's choice ("|", "=>", a tab ...). The model reads it
// character by character, since we cannot know the user's words in advance.
//
// Bad input is answered with a message, never an exception, because it comes straight from a
// text box. Blank lines are skipped quietly; lines without the separator, or with an empty
// prompt or response, are skipped and reported, and the whole text is refused when fewer than
// MIN_LINES usable lines remain. Lines too long for the model's context are accepted: the
// engine cuts them.

import { buildCharTokenizer, MAX_VOCAB_SIZE } from './tokenizer';
import type { Example, ScenarioData } from './types';

export const MAX_CHARACTERS = 200_000;
export const MIN_LINES = 10;
export const MAX_PROMPTS = 40;

export const CUSTOM_TITLE = 'Your own text';
export const CUSTOM_DESCRIPTION = 'A character-level model of the prompt and response pairs you pasted, one pair a line.';

export type CustomCorpusResult =
  | { ok: true; data: ScenarioData; warnings: string[] }
  | { ok: false; message: string };

/** Parses pasted text into a custom scenario, or says what is wrong with it. */
export function parseCustomCorpus(text: string, separator: string): CustomCorpusResult {
  if (text.trim() === '') return refuse('the text is empty');
  if (separator === '') return refuse('the separator is empty');
  if (/[\r\n]/.test(separator)) return refuse('the separator cannot contain a line break');
  if (text.length > MAX_CHARACTERS) return refuse(`too large: ${withCommas(text.length)} characters, the limit is ${withCommas(MAX_CHARACTERS)}`);

  const examples: Example[] = [];
  const noSeparator: number[] = [];
  const noPrompt: number[] = [];
  const noResponse: number[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(separator);
    if (at < 0) return void noSeparator.push(i + 1);
    const prompt = line.slice(0, at).trim();
    const response = line.slice(at + separator.length).trim();
    if (prompt === '') return void noPrompt.push(i + 1);
    if (response === '') return void noResponse.push(i + 1);
    examples.push({ prompt, response });
  });

  const q = JSON.stringify(separator).slice(1, -1); // the separator as typed, tabs shown as \t
  const problems = [
    describe(noSeparator, `has no '${q}'`, `have no '${q}'`),
    describe(noPrompt, `has nothing before '${q}'`, `have nothing before '${q}'`),
    describe(noResponse, `has nothing after '${q}'`, `have nothing after '${q}'`),
  ].filter((p) => p !== '');

  if (examples.length < MIN_LINES) {
    const found = examples.length === 0 ? 'no usable lines' : `only ${examples.length} usable line${examples.length === 1 ? '' : 's'}`;
    const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
    return refuse(`${found}, at least ${MIN_LINES} are needed, each "prompt ${q} response"${why}`);
  }

  const tokenizer = buildCharTokenizer(examples.flatMap((e) => [e.prompt, e.response]));
  if (tokenizer.vocabSize > MAX_VOCAB_SIZE) return refuse(`too many distinct characters (${tokenizer.vocabSize}), the limit is ${MAX_VOCAB_SIZE}`);
  const prompts = [...new Set(examples.map((e) => e.prompt))].slice(0, MAX_PROMPTS);
  const data: ScenarioData = {
    id: 'custom',
    title: CUSTOM_TITLE,
    description: CUSTOM_DESCRIPTION,
    tokenizer,
    pretrain: examples,
    demonstrations: examples,
    prompts,
  };
  return { ok: true, data, warnings: problems.map((p) => `skipped: ${p}`) };
}

function refuse(message: string): CustomCorpusResult {
  return { ok: false, message };
}

/** "line 3 has no '|'" or "lines 3, 5 and 9 have no '|'", listing at most five numbers. */
function describe(lines: number[], one: string, many: string): string {
  if (lines.length === 0) return '';
  if (lines.length === 1) return `line ${lines[0]} ${one}`;
  const shown = lines.slice(0, 5);
  const list = lines.length > 5 ? `${shown.join(', ')} and ${lines.length - 5} more` : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return `lines ${list} ${many}`;
}

/** 250000 -> "250,000", independent of the machine's locale. */
function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
