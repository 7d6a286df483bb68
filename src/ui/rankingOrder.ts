// Ranking mode: the user orders K completions of one prompt, best first. This file holds the
// parts that need no browser: moving one entry of an order, and what a key press means while
// focus is inside the ranking board, so both can be tested in Node.

import { keyIsTaken } from './pairKeys';

/**
 * A new order with the entry at position `from` taken out and put back at position `to`
 * (both 0-based, `to` counted in the result). Out-of-range positions are clamped; the input
 * array is never changed.
 */
export function moveItem(order: number[], from: number, to: number): number[] {
  const out = order.slice();
  if (out.length === 0) return out;
  const last = out.length - 1;
  const src = Math.min(Math.max(Math.trunc(from), 0), last);
  const dst = Math.min(Math.max(Math.trunc(to), 0), last);
  const [entry] = out.splice(src, 1);
  out.splice(dst, 0, entry);
  return out;
}

/** The starting order of a ranking: the completions as they came, 0..k-1. */
export function identityOrder(k: number): number[] {
  return Array.from({ length: Math.max(0, Math.trunc(k)) }, (_, i) => i);
}

/** What a key asks of the board. Positions are 0-based; `delta` is -1 (up, better) or +1 (down). */
export type RankingAction =
  | { type: 'focus'; delta: -1 | 1 }
  | { type: 'move'; delta: -1 | 1 }
  | { type: 'moveTo'; to: number }
  | { type: 'submit' }
  | { type: 'skip' }
  | { type: 'undo' };

/** The parts of a KeyboardEvent the ranking keys look at. */
export interface RankingKeyLike {
  key: string;
  altKey?: boolean;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  target?: EventTarget | null;
}

/** The keys of ranking mode, in the words the board shows under the list. */
export const RANKING_KEY_HELP: ReadonlyArray<{ keys: readonly string[]; does: string }> = [
  { keys: ['↑', '↓'], does: 'choose a completion' },
  { keys: ['Alt+↑', 'Alt+↓'], does: 'move it up or down (Shift works too)' },
  { keys: ['1…K'], does: 'move it to that place' },
  { keys: ['Enter'], does: 'submit' },
  { keys: ['s'], does: 'skip' },
  { keys: ['z'], does: 'undo' },
];

const arrowDelta = (key: string): -1 | 1 | null => (key === 'ArrowUp' ? -1 : key === 'ArrowDown' ? 1 : null);

/**
 * What a key press means for a ranking of `k` completions, or null when it is not one of the
 * ranking keys (the caller then leaves the event alone). Text fields keep their keys, and Enter
 * on a button stays that button's click.
 */
export function rankingKeyAction(e: RankingKeyLike, k: number): RankingAction | null {
  const target = e.target ?? null;
  if (keyIsTaken(target)) return null;
  const delta = arrowDelta(e.key);
  // Ctrl/Cmd: only undo, as in pair mode; Ctrl+Shift+Z (key 'Z') is someone else's redo.
  if (e.ctrlKey || e.metaKey) return e.key === 'z' && !e.altKey ? { type: 'undo' } : null;
  if (e.altKey) return delta !== null && !e.shiftKey ? { type: 'move', delta } : null;
  if (delta !== null) return e.shiftKey ? { type: 'move', delta } : { type: 'focus', delta };
  // Digits are taken with or without Shift: some layouts (AZERTY) need Shift to type them.
  if (/^[1-9]$/.test(e.key)) {
    const place = Number(e.key);
    return place <= k ? { type: 'moveTo', to: place - 1 } : null;
  }
  if (e.key === 'Enter') {
    const tag = (target as { tagName?: unknown } | null)?.tagName;
    const onButton = typeof tag === 'string' && tag.toUpperCase() === 'BUTTON';
    return e.shiftKey || onButton ? null : { type: 'submit' };
  }
  if (e.key === 's' || e.key === 'S') return { type: 'skip' };
  if (e.key === 'z' || e.key === 'Z') return { type: 'undo' };
  return null;
}
