import { describe, expect, test } from 'vitest';
import {
  identityOrder,
  moveItem,
  rankingKeyAction,
  RANKING_KEY_HELP,
  type RankingKeyLike,
} from '../../src/ui/rankingOrder';

const key = (k: string, extra: Partial<RankingKeyLike> = {}): RankingKeyLike => ({ key: k, ...extra });
const el = (tagName: string) => ({ tagName, isContentEditable: false, closest: () => null }) as unknown as EventTarget;

describe('moveItem', () => {
  test('moves one entry and keeps the others in their order', () => {
    expect(moveItem([0, 1, 2, 3], 3, 0)).toEqual([3, 0, 1, 2]);
    expect(moveItem([0, 1, 2, 3], 0, 3)).toEqual([1, 2, 3, 0]);
    expect(moveItem([0, 1, 2, 3], 1, 2)).toEqual([0, 2, 1, 3]);
    expect(moveItem([0, 1, 2, 3], 2, 1)).toEqual([0, 2, 1, 3]);
    expect(moveItem([4, 2, 0, 5, 1, 3], 4, 1)).toEqual([4, 1, 2, 0, 5, 3]);
  });

  test('returns a new array and leaves the input alone', () => {
    const order = [2, 0, 1];
    const same = moveItem(order, 1, 1);
    expect(same).toEqual([2, 0, 1]);
    expect(same).not.toBe(order);
    moveItem(order, 0, 2);
    expect(order).toEqual([2, 0, 1]);
  });

  test('clamps positions outside the list', () => {
    expect(moveItem([0, 1, 2], 0, -1)).toEqual([0, 1, 2]);
    expect(moveItem([0, 1, 2], 0, 9)).toEqual([1, 2, 0]);
    expect(moveItem([0, 1, 2], 7, 0)).toEqual([2, 0, 1]);
    expect(moveItem([], 0, 1)).toEqual([]);
  });

  test('identityOrder starts from the order the completions came in', () => {
    expect(identityOrder(4)).toEqual([0, 1, 2, 3]);
    expect(identityOrder(0)).toEqual([]);
  });
});

describe('rankingKeyAction', () => {
  test('arrows choose, Alt or Shift with an arrow moves', () => {
    expect(rankingKeyAction(key('ArrowUp'), 4)).toEqual({ type: 'focus', delta: -1 });
    expect(rankingKeyAction(key('ArrowDown'), 4)).toEqual({ type: 'focus', delta: 1 });
    expect(rankingKeyAction(key('ArrowUp', { altKey: true }), 4)).toEqual({ type: 'move', delta: -1 });
    expect(rankingKeyAction(key('ArrowDown', { altKey: true }), 4)).toEqual({ type: 'move', delta: 1 });
    expect(rankingKeyAction(key('ArrowUp', { shiftKey: true }), 4)).toEqual({ type: 'move', delta: -1 });
    expect(rankingKeyAction(key('ArrowDown', { shiftKey: true }), 4)).toEqual({ type: 'move', delta: 1 });
  });

  test('digits 1..k move to that place (0-based), others are not ranking keys', () => {
    expect(rankingKeyAction(key('1'), 4)).toEqual({ type: 'moveTo', to: 0 });
    expect(rankingKeyAction(key('4'), 4)).toEqual({ type: 'moveTo', to: 3 });
    expect(rankingKeyAction(key('6'), 6)).toEqual({ type: 'moveTo', to: 5 });
    expect(rankingKeyAction(key('2', { shiftKey: true }), 3)).toEqual({ type: 'moveTo', to: 1 }); // AZERTY
    expect(rankingKeyAction(key('5'), 4)).toBeNull();
    expect(rankingKeyAction(key('7'), 4)).toBeNull();
    expect(rankingKeyAction(key('0'), 4)).toBeNull();
  });

  test('Enter submits, s skips, z and Ctrl/Cmd+Z undo', () => {
    expect(rankingKeyAction(key('Enter'), 3)).toEqual({ type: 'submit' });
    expect(rankingKeyAction(key('s'), 3)).toEqual({ type: 'skip' });
    expect(rankingKeyAction(key('S', { shiftKey: true }), 3)).toEqual({ type: 'skip' });
    expect(rankingKeyAction(key('z'), 3)).toEqual({ type: 'undo' });
    expect(rankingKeyAction(key('z', { ctrlKey: true }), 3)).toEqual({ type: 'undo' });
    expect(rankingKeyAction(key('z', { metaKey: true }), 3)).toEqual({ type: 'undo' });
  });

  test('leaves other keys and other modifier mixes alone', () => {
    for (const k of ['ArrowLeft', 'ArrowRight', ' ', 'a', 'Escape', 'Tab'])
      expect(rankingKeyAction(key(k), 4), k).toBeNull();
    expect(rankingKeyAction(key('Z', { ctrlKey: true, shiftKey: true }), 4)).toBeNull(); // redo
    expect(rankingKeyAction(key('1', { ctrlKey: true }), 4)).toBeNull();
    expect(rankingKeyAction(key('ArrowUp', { ctrlKey: true }), 4)).toBeNull();
    expect(rankingKeyAction(key('ArrowUp', { altKey: true, shiftKey: true }), 4)).toBeNull();
    expect(rankingKeyAction(key('s', { altKey: true }), 4)).toBeNull();
    expect(rankingKeyAction(key('2', { altKey: true }), 4)).toBeNull();
    expect(rankingKeyAction(key('Enter', { shiftKey: true }), 4)).toBeNull();
  });

  test('Enter on a button stays a click; text fields keep every key', () => {
    expect(rankingKeyAction(key('Enter', { target: el('BUTTON') }), 4)).toBeNull();
    expect(rankingKeyAction(key('Enter', { target: el('LI') }), 4)).toEqual({ type: 'submit' });
    expect(rankingKeyAction(key('2', { target: el('BUTTON') }), 4)).toEqual({ type: 'moveTo', to: 1 });
    for (const tag of ['INPUT', 'TEXTAREA', 'SELECT']) {
      expect(rankingKeyAction(key('ArrowDown', { target: el(tag) }), 4), tag).toBeNull();
      expect(rankingKeyAction(key('1', { target: el(tag) }), 4), tag).toBeNull();
    }
  });

  test('the help names every key the mapping knows', () => {
    const shown = RANKING_KEY_HELP.flatMap((h) => h.keys).join(' ');
    for (const k of ['↑', '↓', 'Alt+↑', 'Alt+↓', '1…K', 'Enter', 's', 'z']) expect(shown).toContain(k);
  });
});
