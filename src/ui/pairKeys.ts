// The keyboard shortcuts of the Preferences panel, as a pure function of a key event, so the
// rules (which keys, and when the page keeps them for itself) can be tested without a browser.

import type { PairChoice } from '../engine/protocol';

export type PairAction = PairChoice | 'skip' | 'undo';

/** The parts of a KeyboardEvent the shortcuts look at. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

const PLAIN_KEYS: Record<string, PairAction> = {
  '1': 'left',
  ArrowLeft: 'left',
  '2': 'right',
  ArrowRight: 'right',
  '0': 'tie',
  ArrowDown: 'tie',
  s: 'skip',
  S: 'skip',
  z: 'undo',
  Z: 'undo',
};

/** True when the key belongs to whatever has focus: a text field, a menu, an open dialog. */
export function keyIsTaken(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; closest?: (s: string) => unknown } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true;
  return typeof el.closest === 'function' && el.closest('dialog[open]') != null;
}

/** What a key press means for the pair on screen, or null when it is not a shortcut here. */
export function keyAction(e: KeyLike): PairAction | null {
  if (keyIsTaken(e.target)) return null;
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) return e.key === 'z' ? 'undo' : null; // Ctrl+Shift+Z (redo elsewhere) is left alone
  return PLAIN_KEYS[e.key] ?? null;
}

/** What a key means on the rating desk: a rating value, skip or undo (thumbs: ↑/u/+ up, ↓/d/- down; 1-7: the digit). */
export function ratingKeyAction(e: KeyLike, scale: 'thumbs' | 'seven'): number | 'skip' | 'undo' | null {
  if (keyIsTaken(e.target) || e.altKey) return null;
  if (e.ctrlKey || e.metaKey) return e.key === 'z' ? 'undo' : null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key === 's') return 'skip';
  if (key === 'z') return 'undo';
  if (scale === 'seven') return /^[1-7]$/.test(key) ? Number(key) : null;
  if (key === 'ArrowUp' || key === 'u' || key === '+') return 1;
  if (key === 'ArrowDown' || key === 'd' || key === '-') return 0;
  return null;
}
