import { describe, expect, test } from 'vitest';
import { keyAction, type KeyLike } from '../../src/ui/pairKeys';

const key = (k: string, extra: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: null,
  ...extra,
});
const el = (tagName: string, inDialog = false) => ({
  tagName,
  isContentEditable: false,
  closest: () => (inDialog ? {} : null),
});

describe('preference keyboard shortcuts', () => {
  test('map the documented keys', () => {
    expect(['1', 'ArrowLeft', '2', 'ArrowRight', '0', 'ArrowDown', 's', 'z'].map((k) => keyAction(key(k)))).toEqual([
      'left',
      'left',
      'right',
      'right',
      'tie',
      'tie',
      'skip',
      'undo',
    ]);
    expect(keyAction(key('z', { ctrlKey: true }))).toBe('undo');
    expect(keyAction(key('z', { metaKey: true }))).toBe('undo');
  });

  test('leave other keys and modified keys alone', () => {
    for (const k of ['3', 'ArrowUp', 'Enter', ' ', 'a']) expect(keyAction(key(k)), k).toBeNull();
    expect(keyAction(key('1', { ctrlKey: true }))).toBeNull();
    expect(keyAction(key('s', { altKey: true }))).toBeNull();
    expect(keyAction(key('Z', { ctrlKey: true }))).toBeNull(); // Ctrl+Shift+Z
  });

  test('never steal keys from text fields, menus or an open dialog', () => {
    for (const tag of ['INPUT', 'TEXTAREA', 'SELECT'])
      expect(keyAction(key('1', { target: el(tag) as never })), tag).toBeNull();
    expect(keyAction(key('1', { target: { ...el('DIV'), isContentEditable: true } as never }))).toBeNull();
    expect(keyAction(key('1', { target: el('BUTTON', true) as never }))).toBeNull();
    expect(keyAction(key('1', { target: el('BUTTON') as never }))).toBe('left');
  });
});
