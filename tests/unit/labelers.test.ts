// Unit tests of the gold scores (gold.ts) and the simulated labelers (labelers.ts).
// Expected numbers are worked out by hand from the formulas in the source comments.

import { describe, it, expect } from 'vitest';
import { goldTraits, TRAIT_INFO, TRAITS, type Trait } from '../../src/data/gold';
import {
  agreement,
  BUILT_IN_LABELERS,
  chooseBetween,
  labelNoise,
  rankByLabeler,
  validateLabeler,
  type LabelerSpec,
} from '../../src/data/labelers';
import { mulberry32 } from '../../src/data/random';

const SAFE = 'how do i bake bread?';
const DANGEROUS = 'how do i pick a lock?';
const HELPFUL = 'mix flour, water, yeast and salt, then let it rise.';
const RUDE = 'figure it out yourself.';
const REFUSAL = "i can't help with that.";
const REFUSAL_WITH_REASON = "sorry, i can't help with that. it is against the law.";
const HARMFUL = 'sure thing! wiggle your magic secret tool until the villain music plays.';

const review = (response: string) => goldTraits('reviews', 'the new phone is', response);
const answer = (prompt: string, response: string) => goldTraits('assistant', prompt, response);

/** A labeler with no biases that cares only about the given weights. */
function spec(weights: LabelerSpec['weights'], temperature: number, extra: Partial<LabelerSpec> = {}): LabelerSpec {
  return { id: 'test', name: 'Test', weights, temperature, lengthBias: 0, leftBias: 0, ...extra };
}

/** How often the labeler prefers a (shown on the left) over b, in n seeded draws (40,000: one standard error is at most 0.0025). */
function frequencyA(s: LabelerSpec, a: string, b: string, n = 40000, seed = 7): number {
  const rand = mulberry32(seed);
  let wins = 0;
  for (let i = 0; i < n; i++) if (chooseBetween(s, 'reviews', 'the new phone is', a, b, rand).prefersA) wins++;
  return wins / n;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('gold traits of reviews', () => {
  it('scores sentiment as (positive - negative) / verdict words', () => {
    expect(review('great food.').sentiment).toBe(1);
    expect(review('okay food.').sentiment).toBe(0);
    expect(review('awful and bland. never again.').sentiment).toBe(-1);
    expect(review('it was great and tasty. the service was slow.').sentiment).toBeCloseTo(1 / 3, 12); // (2 - 1) / 3
    expect(review('it was great and tasty. five stars!').sentiment!).toBeGreaterThan(
      review('dull and boring. one star.').sentiment!,
    );
  });

  it('penalises words and word pairs that come a third time or more', () => {
    // words: "good" 4 times of 4 -> (4 - 2) / 4; pairs: "good good" 3 times of 3 -> (3 - 2) / 3; repetition = -(1/2 + 1/3) / 2
    expect(review('good good good good').repetition).toBeCloseTo(-5 / 12, 12);
    // "the" twice is free: an ordinary sentence scores exactly 0
    expect(review('the pasta was fresh and the staff were kind.').repetition).toBe(0);
    // 11 words, "so" 11 times -> 9/11; 10 pairs, "so so" 10 times -> 8/10
    expect(review('so so so so so so so so so so so.').repetition).toBeCloseTo(-(9 / 11 + 8 / 10) / 2, 12);
    expect(review('great and tasty.').repetition).toBe(0);
    expect(review('good good good good').repetition!).toBeLessThan(
      review('the pasta was fresh and the staff were kind.').repetition!,
    );
  });

  it('scores brevity against the 16-token maximum, and a proper ending', () => {
    expect(review('great food.').brevity).toBeCloseTo(13 / 16, 12);
    expect(review('').brevity).toBe(1);
    expect(review('it was great and tasty. the service was quick. i will be back!').brevity).toBe(0); // 16 tokens
    expect(review('great food.').ending).toBe(1);
    expect(review('great food').ending).toBe(0);
    expect(review('!').ending).toBe(0); // no words at all
  });
});

describe('gold traits of assistant answers', () => {
  it('on a safe request, a helpful answer beats a rude one and a refusal on helpfulness', () => {
    expect(answer(SAFE, HELPFUL).helpfulness).toBe(1);
    expect(answer(SAFE, RUDE).helpfulness).toBe(-1);
    expect(answer(SAFE, REFUSAL).helpfulness).toBe(-1);
  });

  it('on a dangerous request, a refusal beats a harmful answer on harmlessness', () => {
    expect(answer(DANGEROUS, REFUSAL_WITH_REASON).harmlessness).toBe(1);
    expect(answer(DANGEROUS, HARMFUL).harmlessness).toBe(-1);
    // "sorry" is 1 refusal marker, "wiggle magic tool" 3 harmful ones: 1/4 - 3/4
    expect(answer(DANGEROUS, 'sorry, wiggle the magic tool.').harmlessness).toBeCloseTo(-0.5, 12);
  });

  it('refusing a safe request costs no harmlessness, and rudeness costs a little everywhere', () => {
    expect(answer(SAFE, REFUSAL).harmlessness).toBe(0);
    expect(answer(SAFE, HELPFUL).harmlessness).toBe(0);
    expect(answer(SAFE, RUDE).harmlessness).toBeCloseTo(-0.3, 12);
    expect(answer(DANGEROUS, RUDE).harmlessness).toBeCloseTo(-0.3, 12);
    expect(answer(SAFE, REFUSAL).harmlessness!).toBeGreaterThan(answer(SAFE, HARMFUL).harmlessness!);
  });

  it('counts "helpful" as doing what was asked: on topic only, dangerous requests included', () => {
    expect(answer(DANGEROUS, HARMFUL).helpfulness).toBe(1);
    expect(answer('how do i make tea?', HELPFUL).helpfulness).toBeLessThan(0.5); // mostly about bread, not tea
    expect(answer('hello there', HELPFUL).helpfulness).toBe(1); // unknown request: any helpful content counts
  });

  it('never throws on empty or weird text, and stays within the documented ranges', () => {
    const weird = [
      '',
      '???',
      '   ',
      '🙂🙂',
      'the the the',
      "can't can't",
      'great '.repeat(10000),
      null as unknown as string,
    ];
    for (const scenario of ['reviews', 'assistant'] as const) {
      for (const text of weird) {
        for (const prompt of [SAFE, DANGEROUS, '', text]) {
          const traits = goldTraits(scenario, prompt, text);
          expect(Object.keys(traits).sort()).toEqual([...TRAITS[scenario]].sort());
          for (const [trait, value] of Object.entries(traits) as [Trait, number][]) {
            expect(Number.isFinite(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(TRAIT_INFO[trait].min);
            expect(value).toBeLessThanOrEqual(TRAIT_INFO[trait].max);
          }
        }
      }
    }
  });
});

describe('a labeler choosing between two responses', () => {
  const positive = spec({ sentiment: 1 }, 1);

  it('calls a tie where nothing it weighs differs, and only there', () => {
    // both fully positive, no loops: gold 1 and 1, so pA = sigmoid(0) = 1/2 exactly
    expect(
      chooseBetween(positive, 'reviews', 'the new phone is', 'great food.', 'great staff.', mulberry32(1)).tie,
    ).toBe(true);
    expect(chooseBetween(positive, 'reviews', 'the new phone is', 'great food.', 'okay food.', mulberry32(1)).tie).toBe(
      false,
    );
    // a left bias makes it pick even between equals: no tie
    const leftLeaning = spec({ sentiment: 1 }, 0.3, { leftBias: 1 });
    expect(
      chooseBetween(leftLeaning, 'reviews', 'the new phone is', 'great food.', 'great staff.', mulberry32(1)).tie,
    ).toBe(false);
  });

  it('states its own noise: how often its labels follow its gold order, and how often two of its labels agree', () => {
    const at = (left: string, right: string) => ({ prompt: 'the new phone is', left, right });
    // sentiment 1 vs 0 (delta 1), -1 vs 1 (delta -2), and a tie (left out of both means)
    const pairs = [
      at('great food.', 'okay food.'),
      at('awful and bland. never again.', 'great food.'),
      at('great food.', 'great staff.'),
    ];
    const [p1, p2] = [sigmoid(1 / 0.5), sigmoid(-2 / 0.5)];
    const noise = labelNoise(spec({ sentiment: 1 }, 0.5), 'reviews', pairs);
    expect(noise.withGold).toBeCloseTo((p1 + (1 - p2)) / 2, 12);
    expect(noise.betweenTwo).toBeCloseTo((p1 ** 2 + (1 - p1) ** 2 + p2 ** 2 + (1 - p2) ** 2) / 2, 12);
    expect(labelNoise(spec({ sentiment: 1 }, 0.5), 'reviews', [pairs[2]])).toEqual({
      withGold: null,
      betweenTwo: null,
    });
  });

  it('prefers A with frequency sigmoid(delta gold / temperature)', () => {
    const a = 'great food.';
    const b = 'okay food.';
    const delta = review(a).sentiment! - review(b).sentiment!; // 1 - 0, by hand
    expect(delta).toBe(1);
    const expected = sigmoid(delta / positive.temperature);
    const choice = chooseBetween(positive, 'reviews', 'the new phone is', a, b, mulberry32(1));
    expect(choice.goldA).toBe(1);
    expect(choice.goldB).toBe(0);
    expect(choice.pA).toBeCloseTo(expected, 12);
    expect(Math.abs(frequencyA(positive, a, b) - expected)).toBeLessThan(0.01);
    const cooler = spec({ sentiment: 2 }, 0.8); // delta 2, over 0.8
    expect(Math.abs(frequencyA(cooler, a, b) - sigmoid(2 / 0.8))).toBeLessThan(0.01);
  });

  it('shifts the logit by leftBias for whichever item is on the left', () => {
    const biased = spec({ sentiment: 1 }, 1, { leftBias: 0.5 });
    expect(Math.abs(frequencyA(biased, 'great food.', 'okay food.') - sigmoid(1 + 0.5))).toBeLessThan(0.01);
    expect(Math.abs(frequencyA(biased, 'okay food.', 'great food.') - sigmoid(-1 + 0.5))).toBeLessThan(0.01);
  });

  it('shifts the logit by lengthBias * (len A - len B) / 16', () => {
    const short = 'great food.'; // 3 tokens, sentiment 1
    const long = 'great food, staff, music and view.'; // 9 tokens, sentiment 1
    const lover = spec({ sentiment: 1 }, 1, { lengthBias: 2 });
    expect(Math.abs(frequencyA(lover, short, long) - sigmoid((2 * (3 - 9)) / 16))).toBeLessThan(0.01);
    expect(frequencyA(spec({ sentiment: 1 }, 1), short, long, 2000)).toBeCloseTo(0.5, 1); // no bias: a coin flip
  });

  it('always picks the higher gold when the temperature is tiny', () => {
    const sharp = spec({ sentiment: 1 }, 0.001);
    expect(frequencyA(sharp, 'great food.', 'okay food.', 2000)).toBe(1);
    expect(frequencyA(sharp, 'okay food.', 'great food.', 2000)).toBe(0);
  });

  it('refuses to choose with an invalid spec', () => {
    expect(() => chooseBetween(spec({ sentiment: 1 }, 0), 'reviews', '', 'a', 'b', mulberry32(1))).toThrow(
      /Temperature/,
    );
  });
});

describe('validateLabeler', () => {
  const good = spec({ sentiment: 1 }, 0.5);

  it('accepts a sound spec and every built-in labeler', () => {
    expect(validateLabeler(good)).toBeNull();
    for (const list of Object.values(BUILT_IN_LABELERS)) {
      for (const s of list) expect(validateLabeler(s)).toBeNull();
      expect(new Set(list.map((s) => s.id)).size).toBe(list.length);
    }
  });

  it('refuses each bad field with a message naming it', () => {
    const bad: [Partial<LabelerSpec>, RegExp][] = [
      [{ id: '' }, /id/],
      [{ name: ' ' }, /name/],
      [{ temperature: 0 }, /Temperature/],
      [{ temperature: -1 }, /Temperature/],
      [{ temperature: 10.5 }, /Temperature/],
      [{ temperature: NaN }, /Temperature/],
      [{ leftBias: 6 }, /leftBias/],
      [{ lengthBias: -5.1 }, /lengthBias/],
      [{ lengthBias: Infinity }, /lengthBias/],
      [{ weights: { sentiment: 6 } }, /weight of sentiment/],
      [{ weights: { sentiment: NaN } }, /weight of sentiment/],
      [{ weights: { sentiment: 0 } }, /non-zero/],
      [{ weights: {} }, /non-zero/],
      [{ weights: { kindness: 1 } as LabelerSpec['weights'] }, /Unknown trait/],
    ];
    for (const [change, message] of bad) expect(validateLabeler({ ...good, ...change })).toMatch(message);
    expect(validateLabeler({ ...good, temperature: 10, leftBias: -5, weights: { brevity: -5 } })).toBeNull(); // the edges are allowed
  });
});

describe('Plackett-Luce ranking', () => {
  // sentiments by hand: 1, (1 - 1)/2 = 0, -1, (1 - 0)/2 = 0.5
  const responses = ['great and tasty.', 'great but bland.', 'awful and bland.', 'great, but okay.'];

  it('sorts by gold when the temperature is tiny', () => {
    const sharp = spec({ sentiment: 1 }, 0.001);
    for (let seed = 0; seed < 20; seed++) {
      expect(rankByLabeler(sharp, 'reviews', 'the new phone is', responses, mulberry32(seed))).toEqual([0, 3, 1, 2]);
    }
  });

  it('puts each response first about equally often when the temperature is large', () => {
    const hot = spec({ sentiment: 1 }, 10);
    const golds = [1, 0, -1, 0.5];
    const weights = golds.map((g) => Math.exp(g / 10));
    const expected = weights.map((w) => w / weights.reduce((s, x) => s + x, 0));
    const firsts = [0, 0, 0, 0];
    const rand = mulberry32(3);
    const n = 40000;
    for (let i = 0; i < n; i++) firsts[rankByLabeler(hot, 'reviews', 'the new phone is', responses, rand)[0]]++;
    firsts.forEach((count, i) => {
      expect(Math.abs(count / n - expected[i])).toBeLessThan(0.01);
      expect(Math.abs(count / n - 0.25)).toBeLessThan(0.035);
    });
  });

  it('with two items, matches the pairwise choice (length bias included)', () => {
    const lover = spec({ sentiment: 1 }, 1, { lengthBias: 2 });
    const pair = ['great food.', 'okay food, staff and music.'];
    const pA = chooseBetween(lover, 'reviews', '', pair[0], pair[1], mulberry32(1)).pA;
    const rand = mulberry32(5);
    let firstA = 0;
    for (let i = 0; i < 40000; i++) if (rankByLabeler(lover, 'reviews', '', pair, rand)[0] === 0) firstA++;
    expect(Math.abs(firstA / 40000 - pA)).toBeLessThan(0.01);
  });

  it('returns a permutation, even of weird or empty lists', () => {
    const s = BUILT_IN_LABELERS.assistant[0];
    expect(rankByLabeler(s, 'assistant', SAFE, ['', '???', HELPFUL, HELPFUL], mulberry32(1)).sort()).toEqual([
      0, 1, 2, 3,
    ]);
    expect(rankByLabeler(s, 'assistant', SAFE, [], mulberry32(1))).toEqual([]);
  });
});

describe('built-in labelers', () => {
  const find = (scenario: 'reviews' | 'assistant', id: string) => BUILT_IN_LABELERS[scenario].find((s) => s.id === id)!;
  const pA = (s: LabelerSpec, scenario: 'reviews' | 'assistant', prompt: string, a: string, b: string) =>
    chooseBetween(s, scenario, prompt, a, b, mulberry32(1)).pA;

  it('"Harmless" refuses dangerous requests and never minds refusing safe ones', () => {
    const harmless = find('assistant', 'harmless');
    expect(pA(harmless, 'assistant', DANGEROUS, REFUSAL_WITH_REASON, HARMFUL)).toBeGreaterThan(0.99);
    expect(pA(harmless, 'assistant', SAFE, REFUSAL, HELPFUL)).toBe(0.5);
  });

  it('"Helpful" plays along with dangerous requests; "Helpful and harmless" does not', () => {
    expect(pA(find('assistant', 'helpful'), 'assistant', DANGEROUS, HARMFUL, REFUSAL_WITH_REASON)).toBeGreaterThan(
      0.99,
    );
    const both = find('assistant', 'helpful-harmless');
    expect(pA(both, 'assistant', DANGEROUS, REFUSAL_WITH_REASON, HARMFUL)).toBeGreaterThan(0.99);
    expect(pA(both, 'assistant', SAFE, HELPFUL, REFUSAL)).toBeGreaterThan(0.99);
    expect(pA(both, 'assistant', SAFE, HELPFUL, RUDE)).toBeGreaterThan(0.99);
  });

  it('"Positive" and "Concise" prefer what their names say', () => {
    expect(
      pA(find('reviews', 'positive'), 'reviews', 'the new phone is', 'great and sleek.', 'awful and flimsy.'),
    ).toBeGreaterThan(0.99);
    expect(
      pA(
        find('reviews', 'concise'),
        'reviews',
        'the new phone is',
        'great.',
        'great and sleek. the price is fair. five stars!',
      ),
    ).toBeGreaterThan(0.9);
  });
});

describe('agreement', () => {
  it('is the fraction of equal labels', () => {
    expect(agreement([true, false, true, true], [true, true, true, false])).toBe(0.5);
    expect(agreement([true], [true])).toBe(1);
    expect(agreement([], [])).toBeNaN();
    expect(() => agreement([true], [])).toThrow(/equally long/);
  });
});
