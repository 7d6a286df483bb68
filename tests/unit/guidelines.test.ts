// The labelling guideline and the calibration check (data/guidelines.ts), against hand-computed gold values.
import { describe, expect, test } from 'vitest';
import {
  agreementWithGuideline,
  checkAgainstGuideline,
  guidelineLabeler,
  guidelineLines,
} from '../../src/data/guidelines';
import { BUILT_IN_LABELERS, defaultCustomLabeler } from '../../src/data/labelers';
import { NEGATIVE_WORDS, POSITIVE_WORDS } from '../../src/data/scenarios/reviews';

const positive = BUILT_IN_LABELERS.reviews.find((l) => l.id === 'positive')!;
const prompt = 'review of the pasta place :';

describe('labelling guideline', () => {
  test('lists the weighed traits heaviest first, with weights relative to the heaviest', () => {
    // Positive weighs sentiment 1 and repetition 0.3.
    const lines = guidelineLines(positive);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Sentiment \(counts most\): /);
    expect(lines[1]).toMatch(/^No repetition \(counts 0\.3 as much\): /);
    const balanced = BUILT_IN_LABELERS.reviews.find((l) => l.id === 'balanced')!; // 0.6, 0.6, 0.3, 0.4
    expect(guidelineLines(balanced).map((l) => l.split(':')[0])).toEqual([
      'Sentiment (counts most)',
      'No repetition (counts 1 as much)',
      'Proper ending (counts 0.67 as much)',
      'Brevity (counts 0.5 as much)',
    ]);
  });

  test('follows the chosen gold labeler, the custom one, or the scenario default', () => {
    const custom = defaultCustomLabeler('reviews');
    expect(guidelineLabeler('reviews', null, custom).id).toBe('positive');
    expect(guidelineLabeler('reviews', 'concise', custom).id).toBe('concise');
    expect(guidelineLabeler('reviews', 'custom', custom)).toBe(custom);
    expect(guidelineLabeler('assistant', null, defaultCustomLabeler('assistant')).id).toBe('helpful-harmless');
  });

  test('checks a label against the gold order and names the trait that decided it', () => {
    const good = POSITIVE_WORDS[0];
    const bad = NEGATIVE_WORDS[0];
    // sentiment: "good ." = (1 - 0) / 1 = 1, "bad ." = -1; repetition 0 for both; gap = 1 * (1 - (-1)) = 2.
    const right = checkAgainstGuideline(positive, 'reviews', prompt, `${good} .`, `${bad} .`);
    expect(right).toEqual({ prefers: 'chosen', agrees: true, reasons: ['Sentiment 1 against -1'] });
    const wrong = checkAgainstGuideline(positive, 'reviews', prompt, `${bad} .`, `${good} .`);
    expect(wrong).toEqual({ prefers: 'rejected', agrees: false, reasons: ['Sentiment -1 against 1'] });
    // A mixed review: (1 - 1) / 2 = 0 sentiment, against "good ." at 1: the guideline prefers the rejected one.
    const mixed = checkAgainstGuideline(positive, 'reviews', prompt, `${good} and ${bad} .`, `${good} .`);
    expect(mixed.prefers).toBe('rejected');
    expect(mixed.reasons).toEqual(['Sentiment 0 against 1']);
    // Two answers equal in everything it weighs: a tie, which no label contradicts.
    const tie = checkAgainstGuideline(positive, 'reviews', prompt, `${good} food .`, `${good} staff .`);
    expect(tie).toEqual({ prefers: 'tie', agrees: null, reasons: [] });
  });

  test("counts agreement over the person's preferred labels, leaving out ties", () => {
    const good = POSITIVE_WORDS[0];
    const bad = NEGATIVE_WORDS[0];
    const c = (chosen: string, rejected: string, verdict = 'preferred') => ({ prompt, chosen, rejected, verdict });
    const labels = [
      c(`${good} .`, `${bad} .`), // agrees
      c(`${bad} .`, `${good} .`), // differs
      c(`${good} .`, `${bad} .`, 'tie'), // not a preference
      c(`${good} food .`, `${good} staff .`), // the guideline sees no difference
      c(`${good} .`, `${good} and ${bad} .`), // agrees
    ];
    expect(agreementWithGuideline(positive, 'reviews', labels)).toEqual({ agreed: 2, judged: 3 });
  });
});
