// Ratings: how they become reward-model examples, how a simulated labeler rates, and what a person may enter.
import { describe, expect, it } from 'vitest';
import { BUILT_IN_LABELERS, sigmoid, type LabelerSpec } from '../../src/data/labelers';
import { mulberry32 } from '../../src/data/random';
import {
  humanRating,
  pointwiseExamples,
  RATING_MARGIN_MAX,
  ratingExamples,
  ratingLabel,
  ratingPairs,
  SEVEN_STEP,
  simulatedRating,
  simulatedRatings,
  type Rating,
  type RatingScale,
} from '../../src/data/ratings';

/** A rating of `completion` to `prompt`; the other fields do not matter to the examples. */
function rated(prompt: string, completion: string, value: number, scale: RatingScale = 'thumbs'): Rating {
  const id = `${prompt}-${completion}-${value}`;
  return { id, scenario: 'reviews', prompt, completion, scale, value, annotator: 'a', createdAt: 0, source: 'rating' };
}

const labeler = (id: string): LabelerSpec => BUILT_IN_LABELERS.reviews.find((l) => l.id === id)!;
const prompt = 'review of the cafe:';

describe('ratingPairs (Llama 2)', () => {
  it('three thumbs of one prompt, up, down, up: two pairs, each weight 1/2 and margin 1', () => {
    expect(RATING_MARGIN_MAX).toBe(1);
    const pairs = ratingPairs([rated('p', 'a', 1), rated('p', 'b', 0), rated('p', 'c', 1)]);
    expect(pairs).toEqual([
      { prompt: 'p', chosen: 'a', rejected: 'b', target: 1, weight: 0.5, margin: 1, pointwise: false },
      { prompt: 'p', chosen: 'c', rejected: 'b', target: 1, weight: 0.5, margin: 1, pointwise: false },
    ]);
  });

  it('seven-point 7, 5, 5, 2: margins gap/6, weight 1/(4 - 1), equal ratings give no pair', () => {
    const ratings = [rated('p', 'a', 7, 'seven'), rated('p', 'b', 5, 'seven'), rated('p', 'c', 5, 'seven')];
    ratings.push(rated('p', 'd', 2, 'seven'));
    const pairs = ratingPairs(ratings);
    expect(pairs.map((e) => [e.chosen, e.rejected])).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'd'],
      ['b', 'd'],
      ['c', 'd'],
    ]);
    const margins = [2 / 6, 2 / 6, 5 / 6, 3 / 6, 3 / 6];
    pairs.forEach((e, i) => {
      expect(e.margin).toBeCloseTo(margins[i], 12);
      expect(e.weight).toBeCloseTo(1 / 3, 12);
      expect(e.target).toBe(1);
    });
  });

  it('a 7 against a 6 has margin 1/6; a lower rating listed first is still the rejected one', () => {
    const [pair] = ratingPairs([rated('p', 'low', 6, 'seven'), rated('p', 'high', 7, 'seven')]);
    expect(pair.chosen).toBe('high');
    expect(pair.rejected).toBe('low');
    expect(pair.margin).toBeCloseTo(1 / 6, 12);
    expect(pair.weight).toBe(1);
  });

  it('keeps prompts and scales apart, and skips two ratings of the same text', () => {
    const ratings = [rated('p', 'a', 1), rated('q', 'b', 0), rated('p', 'c', 1, 'seven'), rated('q', 'd', 1)];
    expect(ratingPairs(ratings)).toEqual([
      { prompt: 'q', chosen: 'd', rejected: 'b', target: 1, weight: 1, margin: 1, pointwise: false },
    ]);
    expect(ratingPairs([rated('p', 'same', 1), rated('p', 'same', 0)])).toEqual([]);
    expect(ratingPairs([rated('p', 'a', 1), rated('p', 'b', 1)])).toEqual([]);
  });

  it('n ratings of one prompt weigh at most n/2 pairs together', () => {
    const ratings = [1, 2, 3, 4, 5, 6, 7].map((v) => rated('p', `t${v}`, v, 'seven'));
    const total = ratingPairs(ratings).reduce((s, e) => s + e.weight, 0);
    expect(total).toBeCloseTo(7 / 2, 12);
  });
});

describe('pointwiseExamples', () => {
  it('one example per rating, target (value - min) / (max - min), weight 0.5', () => {
    const examples = pointwiseExamples([rated('p', 'a', 5, 'seven'), rated('p', 'b', 1, 'seven'), rated('p', 'c', 0)]);
    expect(examples.map((e) => e.target)).toEqual([(5 - 1) / 6, 0, 0]);
    expect(examples[0]).toEqual({
      prompt: 'p',
      chosen: 'a',
      rejected: 'a',
      target: 4 / 6,
      weight: 0.5,
      margin: 0,
      pointwise: true,
    });
    expect(pointwiseExamples([rated('p', 'a', 1)])[0].target).toBe(1);
  });

  it('ratingExamples dispatches on the loss', () => {
    const ratings = [rated('p', 'a', 1), rated('p', 'b', 0)];
    expect(ratingExamples(ratings, 'pairs')).toEqual(ratingPairs(ratings));
    expect(ratingExamples(ratings, 'pointwise')).toEqual(pointwiseExamples(ratings));
  });
});

describe('simulatedRating', () => {
  // "great" is one of the reviews' positive verdict words and "terrible" a negative one; nothing repeats. So for
  // 'positive' (sentiment 1, repetition 0.3, temperature 0.3): gold("great food .") = 1 * (1/1) + 0.3 * 0 = 1,
  // gold("terrible food .") = -1. rand() = 0.5 gives noise log(0.5/0.5) = 0.
  const half = () => 0.5;

  it('with no noise: thumbs is the sign of z, seven is round(4 + 0.75 z)', () => {
    expect(SEVEN_STEP).toBe(0.75);
    const positive = labeler('positive');
    const rate = (text: string, scale: RatingScale) =>
      simulatedRating(positive, 'reviews', prompt, text, scale, 0.1, half);
    // z = (1 - 0.1) / 0.3 = 3 -> up; 4 + 2.25 = 6.25 -> 6
    expect(rate('great food .', 'thumbs')).toBe(1);
    expect(rate('great food .', 'seven')).toBe(6);
    // z = (-1 - 0.1) / 0.3 = -3.67 -> down; 4 - 2.75 = 1.25 -> 1
    expect(rate('terrible food .', 'thumbs')).toBe(0);
    expect(rate('terrible food .', 'seven')).toBe(1);
    // far above neutral, the seven-point rating stops at 7
    expect(simulatedRating(positive, 'reviews', prompt, 'great food .', 'seven', -5, half)).toBe(7);
  });

  it('the length term and the noise: the fan of long reviews with rand() = 0.5 and 0.2', () => {
    const fan = labeler('long-fan'); // 'positive' with lengthBias 2
    // 3 tokens: z = (1 - 0.7) / 0.3 + 2 * (3 - 8) / 16 = 1 - 0.625 = 0.375 -> up; 4 + 0.28 -> 4
    expect(simulatedRating(fan, 'reviews', prompt, 'great food .', 'thumbs', 0.7, half)).toBe(1);
    expect(simulatedRating(fan, 'reviews', prompt, 'great food .', 'seven', 0.7, half)).toBe(4);
    // noise log(0.2 / 0.8) = -1.386: z = -1.011 -> down; 4 - 0.758 = 3.24 -> 3
    const fifth = () => 0.2;
    expect(simulatedRating(fan, 'reviews', prompt, 'great food .', 'thumbs', 0.7, fifth)).toBe(0);
    expect(simulatedRating(fan, 'reviews', prompt, 'great food .', 'seven', 0.7, fifth)).toBe(3);
  });

  it('draws rand() once per rating, and survives rand() = 0', () => {
    let calls = 0;
    const counting = () => (calls++, 0);
    const answers = [1, 2, 3].map(() => ({ prompt, completion: 'great food .' }));
    const ratings = simulatedRatings(labeler('positive'), 'reviews', answers, 'seven', 0, counting, 42);
    expect(calls).toBe(3);
    expect(ratings.map((r) => r.value)).toEqual([1, 1, 1]); // u = 1e-9: noise -20.7
    expect(ratings[0]).toMatchObject({ annotator: 'positive', source: 'rating', scenario: 'reviews', createdAt: 42 });
    expect(new Set(ratings.map((r) => r.id)).size).toBe(3);
  });

  it('P(up) = sigmoid((gold - neutral) / T + length term) over 4000 seeded draws', () => {
    const fan = labeler('long-fan');
    const rand = mulberry32(20240611);
    const draws = 4000;
    let ups = 0;
    for (let i = 0; i < draws; i++) ups += simulatedRating(fan, 'reviews', prompt, 'great food .', 'thumbs', 0.8, rand);
    const expected = sigmoid((1 - 0.8) / 0.3 + (2 * (3 - 8)) / 16); // sigmoid(0.0417) = 0.51
    expect(Math.abs(ups / draws - expected)).toBeLessThan(0.03);
  });

  it('refuses an unusable labeler or neutral value', () => {
    const broken = { ...labeler('positive'), temperature: 0 };
    expect(() => simulatedRating(broken, 'reviews', prompt, 'great food .', 'thumbs', 0, half)).toThrow(/Temperature/);
    expect(() => simulatedRating(labeler('positive'), 'reviews', prompt, 'x', 'thumbs', NaN, half)).toThrow(/neutral/);
  });
});

describe('humanRating and ratingLabel', () => {
  const answer = { prompt: 'p', completion: 'c' };

  it("records a person's rating", () => {
    const r = humanRating(answer, 'seven', 6, 'reviews');
    expect(r).toMatchObject({ prompt: 'p', completion: 'c', scale: 'seven', value: 6, annotator: 'human' });
    expect(r.source).toBe('rating');
    expect(Math.abs(r.createdAt - Date.now())).toBeLessThan(5000);
  });

  it('refuses values the scale does not allow', () => {
    expect(() => humanRating(answer, 'seven', 0, 'reviews')).toThrow(
      'A rating of 0 is not possible: on the seven-point scale it must be a whole number from 1 to 7.',
    );
    expect(() => humanRating(answer, 'thumbs', 2, 'reviews')).toThrow(
      'A rating of 2 is not possible: on the thumbs scale it must be 0 (down) or 1 (up).',
    );
    expect(() => humanRating(answer, 'seven', 3.5, 'reviews')).toThrow(/3\.5 is not possible/);
  });

  it('ratingLabel: thumbs up is true; on seven, 5-7 true, 1-3 false, 4 neither', () => {
    expect(ratingLabel(rated('p', 'c', 1))).toBe(true);
    expect(ratingLabel(rated('p', 'c', 0))).toBe(false);
    expect([1, 2, 3, 4, 5, 6, 7].map((v) => ratingLabel(rated('p', 'c', v, 'seven')))).toEqual([
      false,
      false,
      false,
      null,
      true,
      true,
      true,
    ]);
  });
});
