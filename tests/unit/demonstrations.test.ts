// Demonstrations and corrections as data: what can be saved, a correction's comparison, the mix the
// fine-tuning stage draws from, the simulated annotator's sentence edits (hand-derived), and the
// TRL prompt-completion file format, read back whole or refused whole.
import { describe, expect, it } from 'vitest';
import {
  answerProblem,
  correction,
  correctionSentences,
  sentences,
  simulatedCorrection,
  withOwnDemonstrations,
  type Demonstration,
} from '../../src/data/demonstrations';
import {
  checkSavedDemonstrations,
  demonstrationsFile,
  exportDemonstrationsJsonl,
  importDemonstrations,
} from '../../src/data/demonstrationIO';
import { jsonlKind } from '../../src/data/jsonlFields';
import { goldTraits } from '../../src/data/gold';
import { defaultCustomLabeler, findLabeler, labelerGold, type LabelerSpec } from '../../src/data/labelers';
import { loadScenario } from '../../src/data/scenarios';
import { exportJsonl } from '../../src/data/preferenceIO';
import { exportRatingsJsonl } from '../../src/data/ratingIO';
import { humanRating } from '../../src/data/ratings';

const reviews = loadScenario('reviews', 1);
const tok = reviews.tokenizer;

describe('what a person may save as an answer', () => {
  it('needs words, every one in the vocabulary, and room in the context', () => {
    expect(answerProblem(tok, 32, 'the food is', '   ')).toBe('Write an answer first.');
    expect(answerProblem(tok, 32, 'the food is', 'great and zqxv blorp.')).toBe(
      "Not in the vocabulary (the model would read them as '?'): zqxv, blorp.",
    );
    expect(answerProblem(tok, 32, 'the food is', 'great.')).toBeNull();
    // <bos> + 3 prompt words + <sep> + answer + <eos> must fit 33 tokens: 33 - 3 - 3 = 27 answer tokens at most.
    const long = Array.from({ length: 28 }, () => 'great').join(' ');
    expect(answerProblem(tok, 32, 'the food is', long)).toBe(
      'The answer is 28 tokens long; with this prompt the model reads at most 27.',
    );
    expect(answerProblem(tok, 32, 'the food is', long.slice('great '.length))).toBeNull();
  });
});

describe('a correction', () => {
  it('is the edit preferred over the original, with the demonstration kept when asked', () => {
    const answer = { prompt: 'the food is', original: 'awful.', edited: 'lovely.' };
    const { comparison, demonstration } = correction(answer, 'reviews', true, 'human', 1000);
    expect(comparison).toMatchObject({
      prompt: 'the food is',
      chosen: 'lovely.',
      rejected: 'awful.',
      verdict: 'preferred',
      source: 'correction',
      weight: 1,
      createdAt: 1000,
    });
    expect(demonstration).toMatchObject({
      completion: 'lovely.',
      original: 'awful.',
      source: 'correction',
      createdAt: 1000,
    });
    expect(correction(answer, 'reviews', false).demonstration).toBeNull();
    expect(() => correction({ ...answer, edited: 'awful.' }, 'reviews', true)).toThrow(/same as the answer/);
  });
});

describe('the fine-tuning mix', () => {
  it('repeats the own demonstrations so that about a quarter of the rows are theirs', () => {
    const scenario = Array.from({ length: 9 }, (_, i) => ({ prompt: `p${i}`, response: 'r' }));
    const own = [{ prompt: 'mine', response: 'yes' }];
    // r = ceil(0.25 * 9 / (0.75 * 1)) = 3: 9 + 3 rows, 3 of them theirs (exactly a quarter).
    const mix = withOwnDemonstrations(scenario, own);
    expect(mix).toHaveLength(12);
    expect(mix.filter((e) => e.prompt === 'mine')).toHaveLength(3);
    expect(withOwnDemonstrations(scenario, [])).toEqual(scenario);
    // Many of their own: each once at least (r = max(1, ceil(0.25 * 9 / (0.75 * 20))) = 1).
    expect(withOwnDemonstrations(scenario, Array(20).fill(own[0]))).toHaveLength(29);
  });
});

describe("a simulated annotator's correction", () => {
  const sentimentOnly: LabelerSpec = {
    id: 'sentiment',
    name: 'Sentiment only',
    weights: { sentiment: 1 },
    temperature: 1,
    lengthBias: 0,
    leftBias: 0,
  };

  it('splits text into sentences with their marks', () => {
    expect(sentences('good food. rude staff! ok')).toEqual(['good food.', 'rude staff!', 'ok']);
    expect(sentences('')).toEqual([]);
  });

  it('keeps the sentence edit that raises gold most, and stops when none helps (hand-derived)', () => {
    // Preconditions, by the word lists: each sentence has one verdict word.
    expect(goldTraits('reviews', 'the food is', 'the food was awful.').sentiment).toBe(-1);
    expect(goldTraits('reviews', 'the food is', 'the staff were lovely.').sentiment).toBe(1);
    // Round 1 from "the food was awful." (gold -1): delete -> "" (0); replace by the lovely sentence -> +1;
    // replace by "it was awful." -> -1; append lovely -> (1 - 1) / 2 = 0. Replace wins (+1).
    // Round 2 from "the staff were lovely." (+1): delete 0, replace -1, append awful 0, append itself +1 (no gain): stop.
    const candidates = ['the staff were lovely.', 'it was awful.'];
    const edited = simulatedCorrection(sentimentOnly, 'reviews', 'the food is', 'the food was awful.', candidates);
    expect(edited).toBe('the staff were lovely.');
    // An answer it cannot improve is left as it was.
    expect(simulatedCorrection(sentimentOnly, 'reviews', 'x', 'the staff were lovely.', candidates)).toBe(
      'the staff were lovely.',
    );
  });

  it('never lowers the gold value, raises it on average, and writes only words of the vocabulary', () => {
    for (const [scenario, id] of [
      ['reviews', 'positive'],
      ['assistant', 'helpful'],
    ] as const) {
      const data = loadScenario(scenario, 1);
      const spec = findLabeler(scenario, id, defaultCustomLabeler(scenario));
      let gain = 0;
      const prompts = data.prompts.slice(0, 20);
      prompts.forEach((prompt, i) => {
        const answer = data.demonstrations[(i * 37) % data.demonstrations.length].response; // an answer to another prompt
        const edited = simulatedCorrection(
          spec,
          scenario,
          prompt,
          answer,
          correctionSentences(spec, scenario, prompt, data.demonstrations),
        );
        const delta = labelerGold(spec, scenario, prompt, edited) - labelerGold(spec, scenario, prompt, answer);
        expect(delta).toBeGreaterThanOrEqual(0);
        expect(answerProblem(data.tokenizer, 32, prompt, edited)).toBeNull();
        gain += delta / prompts.length;
      });
      expect(gain).toBeGreaterThan(0.3); // measured 0.75 (Positive) and 1.39 (Helpful) on 40 prompts
    }
  });
});

describe('the demonstrations file (TRL prompt-completion JSONL)', () => {
  const mine: Demonstration[] = [
    {
      id: 'a',
      scenario: 'reviews',
      prompt: 'the food is',
      completion: 'lovely.',
      annotator: 'human',
      createdAt: 1.7e12,
      source: 'demonstration',
    },
    {
      id: 'b',
      scenario: 'reviews',
      prompt: 'the food is',
      completion: 'great.',
      annotator: 'human',
      createdAt: 1.7e12 + 1,
      source: 'correction',
      original: 'awful.',
    },
  ];

  it('writes prompt and completion first and reads them back as imports', () => {
    const text = exportDemonstrationsJsonl(mine);
    expect(Object.keys(JSON.parse(text.split('\n')[0])).slice(0, 2)).toEqual(['prompt', 'completion']);
    expect(demonstrationsFile(mine, 'reviews').filename).toMatch(/^demonstrations-reviews-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const back = importDemonstrations(text, { scenario: 'reviews', tokenizer: tok });
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(
      back.demonstrations.map(({ prompt, completion, annotator, createdAt, original }) => ({
        prompt,
        completion,
        annotator,
        createdAt,
        original,
      })),
    ).toEqual(
      mine.map(({ prompt, completion, annotator, createdAt, original }) => ({
        prompt,
        completion,
        annotator,
        createdAt,
        original,
      })),
    );
    expect(back.demonstrations.every((d) => d.source === 'import' && d.id !== 'a' && d.id !== 'b')).toBe(true);
  });

  it("reads TRL's bare rows, and tells the three kinds of file apart", () => {
    const bare = '{"prompt":"the food is","completion":"lovely."}\n';
    const read = importDemonstrations(bare, { scenario: 'reviews' });
    expect(read.ok && read.demonstrations[0]).toMatchObject({ completion: 'lovely.', annotator: 'imported' });
    expect(jsonlKind(bare)).toBe('demonstrations');
    const rating = humanRating({ prompt: 'p', completion: 'c' }, 'thumbs', 1, 'reviews');
    expect(jsonlKind(exportRatingsJsonl([rating]))).toBe('ratings');
    expect(jsonlKind('{"prompt":"p","chosen":"a","rejected":"b"}')).toBe('comparisons');
    expect(jsonlKind('[{"prompt":"p"}]')).toBe('comparisons');
    expect(jsonlKind(exportJsonl([]))).toBe('comparisons');
  });

  it('refuses a bad file whole, naming the line and the reason', () => {
    const good = '{"prompt":"the food is","completion":"lovely."}';
    const refuse = (text: string) => {
      const r = importDemonstrations(text, { scenario: 'reviews', tokenizer: tok });
      return r.ok ? 'accepted' : r.message;
    };
    expect(refuse(`${good}\n{"prompt":"the food is"}`)).toBe('line 2: missing "completion"');
    expect(refuse(`${good}\nnot json`)).toMatch(/^line 2: not valid JSON/);
    expect(refuse(`${good}\n{"prompt":"the food is","completion":"zqxv."}`)).toMatch(
      /^line 2: "completion" has the word "zqxv"/,
    );
    expect(refuse(`{"prompt":"the food is","completion":7}`)).toMatch(/^line 1: "completion" should be a string/);
    expect(refuse('')).toBe('the file is empty');
  });

  it("checks a session's demonstrations strictly", () => {
    const opts = { scenario: 'reviews' as const, tokenizer: tok };
    expect(checkSavedDemonstrations(mine, opts)).toEqual(mine);
    expect(() => checkSavedDemonstrations([{ ...mine[0], extra: 1 }], opts)).toThrow(/unknown field "extra"/);
    expect(() => checkSavedDemonstrations([mine[0], mine[0]], opts)).toThrow(/used twice/);
    expect(() => checkSavedDemonstrations([{ ...mine[0], source: 'pair' }], opts)).toThrow(/"source" is "pair"/);
  });
});
