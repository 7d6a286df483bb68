// How varied a batch of answers is, the signs of mode collapse the KL anchor guards against: the
// share of distinct words and word pairs over the batch (distinct-1 and distinct-2, Li et al. 2016),
// and the share of the batch taken by its single most common answer. Answers are token ids, read
// up to <eos>; special tokens (ids below `firstWord`) do not count as words.

export interface Diversity {
  /** Distinct single tokens over all the batch's answer tokens (1 when no token repeats). */
  distinct1: number;
  /** Distinct adjacent token pairs over all the batch's pairs (1 when no pair repeats). */
  distinct2: number;
  /** Answers identical to the most common one, over the batch size (1 / B when all differ, 1 when all agree). */
  topAnswerShare: number;
}

/** The answer's words: its ids before the first <eos>, without special tokens. */
function words(answer: readonly number[], eos: number, firstWord: number): number[] {
  const end = answer.indexOf(eos);
  return (end < 0 ? answer : answer.slice(0, end)).filter((t) => t >= firstWord);
}

/** distinct-n = |unique n-grams in the batch| / |n-grams in the batch|      (Li et al. 2016); 0 when there are none. */
export function distinctN(answers: readonly number[][], n: number): number {
  const seen = new Set<string>();
  let total = 0;
  for (const a of answers) {
    for (let i = 0; i + n <= a.length; i++) {
      seen.add(a.slice(i, i + n).join(','));
      total++;
    }
  }
  return total ? seen.size / total : 0;
}

/** distinct-1, distinct-2 and the most common answer's share, over a batch of answers (token ids). */
export function batchDiversity(answers: readonly (readonly number[])[], eos: number, firstWord: number): Diversity {
  const cut = answers.map((a) => words(a, eos, firstWord));
  const counts = new Map<string, number>();
  for (const a of cut) counts.set(a.join(','), (counts.get(a.join(',')) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  return {
    distinct1: distinctN(cut, 1),
    distinct2: distinctN(cut, 2),
    topAnswerShare: cut.length ? most / cut.length : 0,
  };
}
