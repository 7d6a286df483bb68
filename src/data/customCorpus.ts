// Turns text a user pastes into a scenario: one example per line, the prompt and the response
// split by a separator of the user's choice ("|", "=>", a tab ...). The model reads it
// character by character, since we cannot know the user's words in advance.
//
// Bad input is answered with a message, never an exception, because it comes straight from a
// text box. Blank lines are skipped quietly; lines without the separator, or with an empty
// prompt or response, are skipped and reported, and the whole text is refused when fewer than
// MIN_LINES usable lines remain. The model reads `contextLength` tokens (one per character, plus
// <bos>, <sep> and <eos>): a line whose prompt leaves no room for an answer is skipped and named,
// since the model could never answer it; a line whose answer runs past the context is kept, its
// answer cut short, and named in a warning.

import { buildCharTokenizer, MAX_VOCAB_SIZE } from './tokenizer';
import type { Example, ScenarioData } from './types';

export const MAX_CHARACTERS = 200_000;
export const MIN_LINES = 10;
export const MAX_PROMPTS = 40;

/**
 * The context of the smaller model sizes (PRESETS in src/model/config.ts; data/ cannot import model/),
 * used when the caller does not say which model will read the corpus.
 */
export const DEFAULT_CONTEXT_LENGTH = 32;

/** Tokens a prompt must leave free for its answer: a quarter of the context, at least 4. */
export function answerRoom(contextLength: number): number {
  return Math.max(4, Math.ceil(contextLength / 4));
}

/** The longest prompt, in characters, that leaves an answer its room: <bos> prompt <sep> answer... */
export function maxPromptCharacters(contextLength: number): number {
  return contextLength - 2 - answerRoom(contextLength);
}

export const CUSTOM_TITLE = 'Your own text';
export const CUSTOM_DESCRIPTION =
  'A character-level model of the prompt and response pairs you pasted, one pair a line.';

export type CustomCorpusResult = { ok: true; data: ScenarioData; warnings: string[] } | { ok: false; message: string };

/** Parses pasted text into a custom scenario for a model reading `contextLength` tokens, or says what is wrong with it. */
export function parseCustomCorpus(
  text: string,
  separator: string,
  contextLength = DEFAULT_CONTEXT_LENGTH,
): CustomCorpusResult {
  const maxPrompt = maxPromptCharacters(contextLength);
  if (!Number.isInteger(contextLength) || maxPrompt < 1) {
    return refuse(`a model context of ${contextLength} tokens leaves no room for prompts`);
  }
  if (text.trim() === '') return refuse('the text is empty');
  if (separator === '') return refuse('the separator is empty');
  if (/[\r\n]/.test(separator)) return refuse('the separator cannot contain a line break');
  if (text.length > MAX_CHARACTERS) {
    return refuse(`too large: ${withCommas(text.length)} characters, the limit is ${withCommas(MAX_CHARACTERS)}`);
  }

  const examples: Example[] = [];
  const noSeparator: number[] = [];
  const noPrompt: number[] = [];
  const noResponse: number[] = [];
  const longPrompt: number[] = [];
  const cut: number[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(separator);
    if (at < 0) return void noSeparator.push(i + 1);
    const prompt = line.slice(0, at).trim();
    const response = line.slice(at + separator.length).trim();
    if (prompt === '') return void noPrompt.push(i + 1);
    if (response === '') return void noResponse.push(i + 1);
    const promptChars = [...prompt].length; // the tokenizer reads code points, as for...of does
    if (promptChars > maxPrompt) return void longPrompt.push(i + 1);
    // <bos> prompt <sep> response <eos> must fit one training row of T + 1 tokens (src/data/sequences.ts).
    if (1 + promptChars + 1 + [...response].length + 1 > contextLength + 1) cut.push(i + 1);
    examples.push({ prompt, response });
  });

  const context = `${contextLength}-token context`;
  const q = JSON.stringify(separator).slice(1, -1); // the separator as typed, tabs shown as \t
  const problems = [
    describe(noSeparator, `has no '${q}'`, `have no '${q}'`),
    describe(noPrompt, `has nothing before '${q}'`, `have nothing before '${q}'`),
    describe(noResponse, `has nothing after '${q}'`, `have nothing after '${q}'`),
    describe(
      longPrompt,
      ...both(`a prompt over ${maxPrompt} characters, leaving no room for an answer in the model's ${context}`),
    ),
  ].filter((p) => p !== '');
  const cutShort = describe(cut, ...both(`an answer that runs past the model's ${context}: it is cut short`));

  if (examples.length < MIN_LINES) {
    const found =
      examples.length === 0
        ? 'no usable lines'
        : `only ${examples.length} usable line${examples.length === 1 ? '' : 's'}`;
    const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
    return refuse(`${found}, at least ${MIN_LINES} are needed, each "prompt ${q} response"${why}`);
  }

  const tokenizer = buildCharTokenizer(examples.flatMap((e) => [e.prompt, e.response]));
  if (tokenizer.vocabSize > MAX_VOCAB_SIZE) {
    return refuse(`too many distinct characters (${tokenizer.vocabSize}), the limit is ${MAX_VOCAB_SIZE}`);
  }
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
  const warnings = [...problems.map((p) => `skipped: ${p}`), ...(cutShort ? [`cut: ${cutShort}`] : [])];
  return { ok: true, data, warnings };
}

/**
 * Non-blank lines, and those holding the separator, for the paste dialog's live count. One pass of
 * indexOf with no arrays, so that counting the largest allowed text takes a millisecond or two.
 */
export function countLines(text: string, separator: string): { lines: number; withSeparator: number } {
  let lines = 0;
  let withSeparator = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      lines++;
      if (separator !== '' && line.includes(separator)) withSeparator++;
    }
    start = end + 1;
  }
  return { lines, withSeparator };
}

function refuse(message: string): CustomCorpusResult {
  return { ok: false, message };
}

/** The singular and plural forms of "has <what>", for describe(). */
function both(what: string): [string, string] {
  return [`has ${what}`, `have ${what}`];
}

/** "line 3 has no '|'" or "lines 3, 5 and 9 have no '|'", listing at most five numbers. */
function describe(lines: number[], one: string, many: string): string {
  if (lines.length === 0) return '';
  if (lines.length === 1) return `line ${lines[0]} ${one}`;
  const shown = lines.slice(0, 5);
  const list =
    lines.length > 5
      ? `${shown.join(', ')} and ${lines.length - 5} more`
      : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return `lines ${list} ${many}`;
}

/** 250000 -> "250,000", independent of the machine's locale. */
function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
