import { describe, expect, test } from 'vitest';
import { globalKeyAction, stageCommand, type GlobalKeyLike } from '../../src/ui/globalKeys';

const key = (k: string, extra: Partial<GlobalKeyLike> = {}): GlobalKeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  defaultPrevented: false,
  target: null,
  ...extra,
});
const el = (tagName: string) => ({ tagName, isContentEditable: false, closest: () => null });

describe('page-wide shortcuts', () => {
  test('space toggles, right arrow steps, 1 to 5 select a stage', () => {
    expect(globalKeyAction(key(' '), false)).toEqual({ type: 'toggle' });
    expect(globalKeyAction(key('ArrowRight'), false)).toEqual({ type: 'step' });
    expect(['1', '2', '3', '4', '5'].map((k) => globalKeyAction(key(k), false))).toEqual(
      ['pretrain', 'sft', 'preferences', 'reward', 'rl'].map((stage) => ({ type: 'select', stage })),
    );
    for (const k of ['6', '0', 'a', 'ArrowLeft', 'Enter']) expect(globalKeyAction(key(k), false), k).toBeNull();
  });

  test('yield to whoever already handled the key, and to text fields and menus', () => {
    expect(globalKeyAction(key('1', { defaultPrevented: true }), false)).toBeNull();
    expect(globalKeyAction(key(' ', { defaultPrevented: true }), false)).toBeNull();
    for (const tag of ['INPUT', 'TEXTAREA', 'SELECT'])
      expect(globalKeyAction(key(' ', { target: el(tag) as never }), false), tag).toBeNull();
    expect(globalKeyAction(key('3', { target: el('DIV') as never }), false)).toEqual({
      type: 'select',
      stage: 'preferences',
    });
  });

  test('space stays with a focused button; digits still work there', () => {
    expect(globalKeyAction(key(' ', { target: el('BUTTON') as never }), false)).toBeNull();
    expect(globalKeyAction(key('2', { target: el('BUTTON') as never }), false)).toEqual({
      type: 'select',
      stage: 'sft',
    });
  });

  test('leave the Preferences panel its keys while it is on screen', () => {
    for (const k of ['1', '2', 'ArrowRight']) expect(globalKeyAction(key(k), true), k).toBeNull();
    expect(globalKeyAction(key('3'), true)).toEqual({ type: 'select', stage: 'preferences' });
    expect(globalKeyAction(key(' '), true)).toEqual({ type: 'toggle' });
  });

  test('ignore modified keys', () => {
    for (const mod of ['ctrlKey', 'metaKey', 'altKey'] as const)
      expect(globalKeyAction(key('1', { [mod]: true }), false), mod).toBeNull();
    expect(globalKeyAction(key('ArrowRight', { shiftKey: true }), false)).toBeNull();
  });
});

describe('the command of a shortcut', () => {
  test('pretrain and SFT play, pause and step', () => {
    expect(stageCommand('toggle', 'sft', false)).toEqual({ type: 'play', stage: 'sft' });
    expect(stageCommand('toggle', 'pretrain', true)).toEqual({ type: 'pause' });
    expect(stageCommand('step', 'pretrain', false)).toEqual({ type: 'step', stage: 'pretrain' });
  });

  test('RL uses its own commands; stages without a loop get none', () => {
    expect(stageCommand('toggle', 'rl', false)).toEqual({ type: 'rlPlay' });
    expect(stageCommand('toggle', 'rl', true)).toEqual({ type: 'pause' });
    expect(stageCommand('step', 'rl', false)).toEqual({ type: 'rlStep' });
    expect(stageCommand('toggle', 'preferences', false)).toBeNull();
    expect(stageCommand('step', 'reward', false)).toBeNull();
  });
});
