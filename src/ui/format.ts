// Small number formatters shared by the panels and charts.

import { wilsonInterval } from '../rlhf/interval';

/** A number to `d` places with a true minus sign; a dash when there is none. */
export function num(v: number | null | undefined, d = 2): string {
  return v == null ? '—' : Number.isFinite(v) ? v.toFixed(d).replace('-', '−') : String(v);
}

/** A token as it can be seen: ∅ for the empty token, ⏎ for a newline. */
export function showToken(tok: string): string {
  return tok === '' ? '∅' : tok.replace(/\n/g, '⏎');
}

export function fmtLoss(x: number | null | undefined): string {
  return x == null || !Number.isFinite(x) ? '—' : x.toFixed(3);
}

export function fmtInt(x: number | null | undefined): string {
  return x == null || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-US');
}

export function fmtRate(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  if (x >= 1000) return `${(x / 1000).toFixed(1)}k`;
  return x.toFixed(0);
}

export function fmtMs(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** Learning rates are small: show them in a compact scientific-ish form. */
export function fmtLr(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  return x >= 0.001 ? String(+x.toPrecision(3)) : x.toExponential(2);
}

export function fmtParams(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** A share as a percentage with its 95% Wilson interval over n pairs: "67% (30-90%)". */
export function fmtShare(share: number | null | undefined, n: number): string {
  if (share == null || !Number.isFinite(share)) return '—';
  const range = wilsonInterval(share * n, n);
  const pct = (x: number) => (x * 100).toFixed(0);
  return range ? `${pct(share)}% (${pct(range.low)}–${pct(range.high)}%)` : `${pct(share)}%`;
}
