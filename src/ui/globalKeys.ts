// The page-wide keyboard shortcuts, as pure functions so the rules can be tested without a browser:
//   space        play / pause the selected stage
//   right arrow  one step of the selected stage
//   1 to 5       select that stage (the page scrolls to it)
// They work in every mode, not only in lecture mode.

import type { Command, StageId } from '../engine/protocol';
import { keyAction, keyIsTaken, type KeyLike } from './pairKeys';
import { PIPELINE } from './stages';

export type GlobalAction = { type: 'toggle' } | { type: 'step' } | { type: 'select'; stage: StageId };

export interface GlobalKeyLike extends KeyLike {
  shiftKey: boolean;
  defaultPrevented: boolean;
}

/** Elements that act on space themselves (a focused button is pressed by it). */
function ownsSpace(target: EventTarget | null): boolean {
  const el = target as { tagName?: string } | null;
  const tag = typeof el?.tagName === 'string' ? el.tagName.toUpperCase() : '';
  return ['BUTTON', 'A', 'SUMMARY', 'INPUT', 'LABEL'].includes(tag);
}

/**
 * What a key press means page-wide, or null when it is not ours.
 * `preferencesOnScreen`: the Preferences panel is on screen, so its own keys (1, 2, 0, the
 * arrows, s, z) belong to it even while no pair is showing (between two pairs, say).
 */
export function globalKeyAction(e: GlobalKeyLike, preferencesOnScreen: boolean): GlobalAction | null {
  // Someone nearer the focus (the Preferences panel, the ranking board) already took the key.
  if (e.defaultPrevented) return null;
  if (keyIsTaken(e.target) || e.ctrlKey || e.metaKey || e.altKey) return null;
  if (preferencesOnScreen && keyAction(e) !== null) return null;
  if (e.key === ' ') return ownsSpace(e.target) ? null : { type: 'toggle' };
  if (e.shiftKey) return null;
  if (e.key === 'ArrowRight') return { type: 'step' };
  if (/^[1-9]$/.test(e.key)) {
    const stage = PIPELINE[Number(e.key) - 1];
    return stage?.available ? { type: 'select', stage: stage.id } : null;
  }
  return null;
}

/** The command a play/pause or step key sends for `stage`, or null where the stage has neither. */
export function stageCommand(action: 'toggle' | 'step', stage: StageId, running: boolean): Command | null {
  if (stage === 'pretrain' || stage === 'sft') {
    if (action === 'step') return { type: 'step', stage };
    return running ? { type: 'pause' } : { type: 'play', stage };
  }
  if (stage === 'rl') {
    if (action === 'step') return { type: 'rlStep' };
    return running ? { type: 'pause' } : { type: 'rlPlay' };
  }
  return null;
}
