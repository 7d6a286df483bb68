// The diversity measures against counts made by hand.
import { describe, expect, test } from 'vitest';
import { batchDiversity, distinctN } from '../../src/rlhf/diversity';

const EOS = 2;
const FIRST_WORD = 5;

describe('batch diversity', () => {
  test('distinct-1, distinct-2 and the top answer share of a small batch, counted by hand', () => {
    // Words: [5 6 7], [5 6 8], [5 6 7] (the first answer's <eos> and padding are cut, the <sep> of the second dropped).
    const d = batchDiversity(
      [
        [5, 6, 7, EOS, 0],
        [3, 5, 6, 8],
        [5, 6, 7],
      ],
      EOS,
      FIRST_WORD,
    );
    expect(d.distinct1).toBeCloseTo(4 / 9, 12); // 9 tokens, 4 different (5, 6, 7, 8)
    expect(d.distinct2).toBeCloseTo(3 / 6, 12); // 6 pairs: 56 67 56 68 56 67, 3 different
    expect(d.topAnswerShare).toBeCloseTo(2 / 3, 12); // [5 6 7] twice in 3
  });

  test('all answers different: top share 1 / B; all the same: 1, and distinct-n falls to 1 / B', () => {
    const differ = batchDiversity([[5], [6], [7], [8]], EOS, FIRST_WORD);
    expect(differ).toEqual({ distinct1: 1, distinct2: 0, topAnswerShare: 0.25 });
    const same = batchDiversity(
      [
        [5, 6],
        [5, 6],
        [5, 6],
        [5, 6],
      ],
      EOS,
      FIRST_WORD,
    );
    expect(same.distinct1).toBeCloseTo(2 / 8, 12);
    expect(same.distinct2).toBeCloseTo(1 / 4, 12);
    expect(same.topAnswerShare).toBe(1);
  });

  test('no words at all gives 0, not NaN', () => {
    expect(distinctN([], 1)).toBe(0);
    expect(batchDiversity([], EOS, FIRST_WORD)).toEqual({ distinct1: 0, distinct2: 0, topAnswerShare: 0 });
    expect(batchDiversity([[EOS], [EOS]], EOS, FIRST_WORD).topAnswerShare).toBe(1);
  });
});
