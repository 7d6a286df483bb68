// Ratings files: the export reads back as it was written, TRL's unpaired rows read as thumbs, and a bad line
// refuses the whole file with a message naming the line and the reason.
import { describe, expect, it } from 'vitest';
import {
  checkSavedRatings,
  exportRatingsJsonl,
  importRatings,
  isRatingsJsonl,
  ratingsFile,
} from '../../src/data/ratingIO';
import { exportJsonl } from '../../src/data/preferenceIO';
import { judgedPair } from '../../src/data/preferences';
import type { Rating } from '../../src/data/ratings';
import { buildWordTokenizer } from '../../src/data/tokenizer';

const tokenizer = buildWordTokenizer(['review of the cafe : great food , bad food .', 'p c']);

const ratings: Rating[] = [
  {
    id: 'r1',
    scenario: 'reviews',
    prompt: 'review of the cafe:',
    completion: 'great food.',
    scale: 'seven',
    value: 6,
    annotator: 'human',
    createdAt: Date.UTC(2024, 5, 1, 12),
    source: 'rating',
  },
  {
    id: 'r2',
    scenario: 'reviews',
    prompt: 'review of the cafe:',
    completion: 'bad food.',
    scale: 'thumbs',
    value: 0,
    annotator: 'positive',
    createdAt: Date.UTC(2024, 5, 2),
    source: 'rating',
  },
  {
    id: 'r3',
    scenario: 'reviews',
    prompt: 'review of the cafe:',
    completion: 'great food, bad food.',
    scale: 'seven',
    value: 4,
    annotator: 'human',
    createdAt: Date.UTC(2024, 5, 3),
    source: 'import',
  },
];

const line = (over: Record<string, unknown> = {}) => JSON.stringify({ prompt: 'p', completion: 'c', ...over });
const refusal = (text: string, options = { scenario: 'reviews' as const, tokenizer }) => {
  const result = importRatings(text, options);
  return result.ok ? 'accepted' : result.message;
};

describe('export and import', () => {
  it('writes TRL unpaired rows, prompt, completion and label first', () => {
    const [first, , third] = exportRatingsJsonl(ratings).trimEnd().split('\n');
    expect(Object.keys(JSON.parse(first)).slice(0, 3)).toEqual(['prompt', 'completion', 'label']);
    expect(JSON.parse(first)).toEqual({
      prompt: 'review of the cafe:',
      completion: 'great food.',
      label: true,
      rating: 6,
      scale: 'seven',
      annotator: 'human',
      created_at: '2024-06-01T12:00:00.000Z',
      source: 'rating',
      scenario: 'reviews',
    });
    expect(JSON.parse(third).label).toBeNull(); // a 4 is neither up nor down
    const file = ratingsFile(ratings, 'reviews');
    expect(file.filename).toMatch(/^ratings-reviews-\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect(file.text).toBe(exportRatingsJsonl(ratings));
  });

  it('reads back what it wrote, with fresh ids and source "import"', () => {
    const result = importRatings(exportRatingsJsonl(ratings), { scenario: 'reviews', tokenizer });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    const keep = (r: Rating) => [r.prompt, r.completion, r.scale, r.value, r.annotator, r.createdAt, r.scenario];
    expect(result.ratings.map(keep)).toEqual(ratings.map(keep));
    expect(result.ratings.every((r) => r.source === 'import')).toBe(true);
    const ids = result.ratings.map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.some((id) => ['r1', 'r2', 'r3'].includes(id))).toBe(false);
  });

  it('reads TRL-only rows as thumbs, with the defaults', () => {
    const result = importRatings(`\uFEFF${line({ label: true })}\n\n${line({ label: false })}\r\n`, {
      scenario: 'assistant',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ratings.map((r) => [r.scale, r.value])).toEqual([
      ['thumbs', 1],
      ['thumbs', 0],
    ]);
    expect(result.ratings[0]).toMatchObject({ annotator: 'imported', scenario: 'assistant', source: 'import' });
  });

  it('a rating without a scale is on the seven-point scale; a time may be milliseconds', () => {
    const result = importRatings(line({ rating: 2, created_at: 1000 }), { scenario: 'reviews' });
    expect(result.ok && [result.ratings[0].scale, result.ratings[0].value, result.ratings[0].createdAt]).toEqual([
      'seven',
      2,
      1000,
    ]);
  });

  it('warns about another scenario and extra fields, without refusing', () => {
    const text = [line({ label: true, scenario: 'assistant', score: 3 }), line({ label: true, id: 'x' })].join('\n');
    const result = importRatings(text, { scenario: 'reviews' });
    expect(result.ok && result.warnings).toEqual([
      '1 rating(s) were given in scenario "assistant"; they are imported into "reviews"',
      'extra fields were ignored: score, id',
    ]);
  });
});

describe('refusals', () => {
  it('names the line and the reason', () => {
    expect(refusal(`${line({ label: true })}\n{"prompt": "p",`)).toMatch(/^line 2: not valid JSON \(/);
    expect(refusal(JSON.stringify({ prompt: 'p', label: true }))).toBe('line 1: missing "completion"');
    expect(refusal(`${line({ label: true })}\n\n${line({ rating: 9, scale: 'seven' })}`)).toBe(
      'line 3: "rating" is 9; on the seven-point scale it must be a whole number from 1 to 7',
    );
    expect(refusal(line({ rating: 2, label: true }))).toBe(
      'line 1: "label" is true but "rating" is 2, which on the seven-point scale is a bad rating',
    );
    expect(refusal(line({ rating: 1, scale: 'thumbs', label: false }))).toBe(
      'line 1: "label" is false but "rating" is 1, which on the thumbs scale is a good rating',
    );
    expect(refusal(line({ completion: 'great pizza', label: true }))).toBe(
      'line 1: "completion" has the word "pizza", which is not in this scenario\'s vocabulary',
    );
    expect(refusal(line({ prompt: 'p '.repeat(1001), label: true }))).toBe(
      'line 1: "prompt" is 2002 characters long; the limit is 2000',
    );
  });

  it('refuses a line with no value, a bad scale, a bad label, and an empty file', () => {
    expect(refusal(line())).toBe('line 1: it needs a "label" (true or false) or a "rating"');
    expect(refusal(line({ rating: 3, scale: 'five' }))).toBe(
      'line 1: "scale" is "five"; it must be "thumbs" or "seven"',
    );
    expect(refusal(line({ label: 'yes' }))).toBe('line 1: "label" should be true or false but is a string ("yes")');
    expect(refusal(line({ rating: 0.5, scale: 'thumbs' }))).toBe(
      'line 1: "rating" is 0.5; on the thumbs scale it must be 0 (down) or 1 (up)',
    );
    expect(refusal('\uFEFF \n')).toBe('the file is empty');
  });

  it('never throws, and accepts a seven-point 4 next to either label', () => {
    expect(refusal(line({ rating: 4, label: false }))).toBe('accepted');
    expect(refusal('[1, 2]')).toBe('line 1: expected a JSON object, found an array');
  });
});

describe('isRatingsJsonl', () => {
  it('tells a ratings file from a preference file', () => {
    expect(isRatingsJsonl(exportRatingsJsonl(ratings))).toBe(true);
    expect(isRatingsJsonl(`\n\n${line({ label: true })}`)).toBe(true);
    const pair = judgedPair({ prompt: 'p', left: 'a', right: 'b' }, 'left', 'reviews');
    expect(isRatingsJsonl(exportJsonl([pair]))).toBe(false);
    expect(isRatingsJsonl(JSON.stringify({ prompt: 'p', chosen: 'a', completion: 'c' }))).toBe(false);
    expect(isRatingsJsonl('not json')).toBe(false);
    expect(isRatingsJsonl('')).toBe(false);
  });
});

describe('checkSavedRatings', () => {
  const options = { scenario: 'reviews' as const, tokenizer };

  it('keeps saved ratings exactly', () => {
    expect(checkSavedRatings(ratings, options)).toEqual(ratings);
  });

  it('refuses a duplicate id, a wrong scenario, a bad value and an unknown field, naming the item', () => {
    const twice = [ratings[0], { ...ratings[1], id: 'r1' }];
    expect(() => checkSavedRatings(twice, options)).toThrow('ratings[1]: the id "r1" is used twice');
    expect(() => checkSavedRatings([{ ...ratings[0], scenario: 'assistant' }], options)).toThrow(
      'ratings[0]: "scenario" is "assistant", not the session\'s "reviews"',
    );
    expect(() => checkSavedRatings([{ ...ratings[0], value: 8 }], options)).toThrow(
      'ratings[0]: "value" is 8; on the seven-point scale it must be a whole number from 1 to 7',
    );
    expect(() => checkSavedRatings([{ ...ratings[0], weight: 1 }], options)).toThrow(
      'ratings[0]: it has an unknown field "weight"',
    );
    expect(() => checkSavedRatings([{ ...ratings[0], source: 'pair' }], options)).toThrow(/"source" is "pair"/);
    expect(() => checkSavedRatings({}, options)).toThrow('its ratings are not a list');
  });
});
