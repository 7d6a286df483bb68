// Small helpers the "what to look for now" sentences share: the newest value of a metric,
// the mean of a window, and number formats that read well inside a sentence.

/** The newest finite value that `pick` finds, scanning from the end. */
export function newest<T>(xs: readonly T[] | undefined, pick: (x: T) => number | null | undefined): number | null {
  if (!xs) return null;
  for (let i = xs.length - 1; i >= 0; i--) {
    const v = pick(xs[i]);
    if (v != null && Number.isFinite(v)) return v;
  }
  return null;
}

/** The mean of the finite values among `values`, or null when there are none. */
export function mean(values: readonly (number | null | undefined)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v != null && Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : null;
}

/**
 * The mean of the last `w` values and of the `w` before them, when there are at least 2·w values:
 * a cheap, noise-tolerant way to tell whether a curve is still moving.
 */
export function lastTwoWindows(
  values: readonly (number | null | undefined)[],
  w: number,
): { before: number; now: number } | null {
  if (w < 1 || values.length < 2 * w) return null;
  const n = values.length;
  const before = mean(values.slice(n - 2 * w, n - w));
  const now = mean(values.slice(n - w));
  return before == null || now == null ? null : { before, now };
}

/** A number for a sentence: fixed decimals and a real minus sign. */
export function num(x: number, digits = 2): string {
  return x.toFixed(digits).replace('-', '−');
}

/** A share as a whole percentage. */
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** "1 label", "3 labels". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
