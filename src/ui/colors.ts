// The colours the charts and panels use, in one place: the Okabe-Ito palette, which people with the
// common colour-vision deficiencies can still tell apart, and the token cells' two colour scales.
import { interpolateLab, interpolatePurples, lab } from 'd3';

export const OKABE_ITO = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  black: '#000000',
  yellow: '#F0E442',
} as const;

/** `v` held between `lo` and `hi`. */
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

const toNeg = interpolateLab('#f7f7f7', OKABE_ITO.blue);
const toPos = interpolateLab('#f7f7f7', OKABE_ITO.vermillion);

/** Blue below 0, vermillion above, for u in [−1, 1]: of similar lightness, so neither side shouts louder. */
export const diverging = (u: number) => (u < 0 ? toNeg(clamp(-u, 0, 1)) : toPos(clamp(u, 0, 1)));

/** A purple, darker for larger u in [0, 1]. */
export const sequential = (u: number) => interpolatePurples(0.04 + 0.86 * clamp(u, 0, 1));

/** The largest finite |v|, and at least `floor`: what a colour scale divides by (an all-zero batch still has one). */
export function maxAbs(values: number[], floor = 1e-6): number {
  let m = floor;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/** A cell's inline style: background `bg` with a text colour that reads on it. */
export function cellColours(bg: string): string {
  return `background:${bg};color:${lab(bg).l < 58 ? '#fff' : '#1b2330'}`;
}
