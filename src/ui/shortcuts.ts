// Wires the page-wide shortcuts (globalKeys.ts) to the window.
//
// How they yield to the Preferences panel, which uses 1, 2, 0, the arrows, s and z itself:
// - App installs this from onMount, which runs after its children have mounted, so the panel's
//   <svelte:window onkeydown> listener is already registered and runs first; when it takes a
//   key it calls preventDefault, and the handler here ignores defaultPrevented events.
// - Registration order alone is fragile (a panel mounted later, say after a link shows it again,
//   would register after us), and between two pairs the panel has no pair and lets its keys
//   pass: a quick "1" would then jump the page to stage 1. So while the panel is on screen (by
//   the same measure it uses itself: 35% of it in view), its keys are left alone here as well.

import type { Command, StageId } from '../engine/protocol';
import type { PlaygroundState } from './state.svelte';
import { globalKeyAction, stageCommand } from './globalKeys';

/** True while the Preferences panel fills a good part of the window. */
function preferencesOnScreen(): boolean {
  const el = document.getElementById('stage-preferences');
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const seen = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
  return seen > 0 && seen >= Math.min(r.height, window.innerHeight) * 0.35;
}

export function installShortcuts(
  app: PlaygroundState,
  send: (c: Command) => void,
  select: (s: StageId) => void,
  shown: (s: StageId) => boolean,
): () => void {
  const onKey = (e: KeyboardEvent) => {
    const action = globalKeyAction(e, preferencesOnScreen());
    if (!action) return;
    if (action.type === 'select') {
      if (!shown(action.stage)) return;
      e.preventDefault();
      select(action.stage);
      return;
    }
    if (app.model === null || app.loading) return;
    const stage = app.selected;
    const running =
      stage === 'rl'
        ? (app.rlState?.running ?? false)
        : stage === 'pretrain' || stage === 'sft'
          ? (app.stages[stage].state?.running ?? false)
          : false;
    const cmd = stageCommand(action.type, stage, running);
    if (!cmd) return;
    e.preventDefault(); // space would also scroll the page
    send(cmd);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
