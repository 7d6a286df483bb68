// A person's label is written to IndexedDB by the page itself, the moment it is given, and only then
// handed to the worker (which may be busy training for seconds). So the count moves at once, and a
// reload or a closed tab right after the key press loses nothing; while a write is still in flight
// the page asks before it unloads.

import type { Command } from '../engine/protocol';
import type { PairToLabel } from '../engine/protocol';
import type { Comparison } from '../data/preferences';
import { addComparisons, addDemonstrations, addRatings } from '../data/preferenceStore';
import type { Demonstration } from '../data/demonstrations';
import type { Rating } from '../data/ratings';
import type { PlaygroundState } from './state.svelte';

let writes: Promise<unknown> = Promise.resolve();
let guarded = false;

/** Saves `list` (one judged pair, or a ranking's pairs), then tells the worker; `pair` returns to the screen if the save fails. */
export function saveLabels(
  app: PlaygroundState,
  send: (c: Command) => void,
  list: Comparison[],
  pair: PairToLabel | null,
): Promise<void> {
  guardUnload(app);
  app.desk.addLocal(list);
  app.desk.saving += 1;
  const done = addComparisons(list)
    .then(() => send({ type: 'labelsSaved', comparisons: list }))
    .catch((e: Error) => {
      app.desk.dropLocal(list, pair);
      app.pushNotice('error', e.message || 'The browser refused to save this label.');
    })
    .finally(() => (app.desk.saving -= 1));
  writes = writes.then(() => done);
  return done;
}

/** Saves one rating, then tells the worker; it leaves the count again if the save fails. */
export function saveRating(app: PlaygroundState, send: (c: Command) => void, rating: Rating): Promise<void> {
  guardUnload(app);
  app.rating.addLocal(rating);
  app.desk.saving += 1;
  const done = addRatings([rating])
    .then(() => send({ type: 'ratingsSaved', ratings: [rating] }))
    .catch((e: Error) => {
      app.rating.dropLocal(rating);
      app.pushNotice('error', e.message || 'The browser refused to save this rating.');
    })
    .finally(() => (app.desk.saving -= 1));
  writes = writes.then(() => done);
  return done;
}

/**
 * Saves a demonstration, or a correction (its comparison, and its demonstration when kept), then tells the worker;
 * they leave the counts again if a save fails (the comparison first: a failed demonstration leaves it saved, and it is
 * still sent, so nothing the store holds is unknown to the worker).
 */
export function saveWritten(
  app: PlaygroundState,
  send: (c: Command) => void,
  demonstrations: Demonstration[],
  corrections: Comparison[],
): Promise<void> {
  guardUnload(app);
  app.writing.addLocal(demonstrations);
  if (corrections.length) app.desk.addLocal(corrections);
  app.desk.saving += 1;
  let savedCorrections: Comparison[] = [];
  const done = (corrections.length ? addComparisons(corrections) : Promise.resolve())
    .then(() => (savedCorrections = corrections))
    .then(() => addDemonstrations(demonstrations))
    .then(() => send({ type: 'demonstrationsSaved', demonstrations, corrections }))
    .catch((e: Error) => {
      app.writing.dropLocal(demonstrations);
      if (savedCorrections.length) send({ type: 'demonstrationsSaved', demonstrations: [], corrections });
      else if (corrections.length) app.desk.dropLocal(corrections, null);
      app.pushNotice('error', e.message || 'The browser refused to save this answer.');
    })
    .finally(() => (app.desk.saving -= 1));
  writes = writes.then(() => done);
  return done;
}

/** Runs `then` once every label write begun so far has finished (undo must not overtake a save). */
export function afterSaves(then: () => void): void {
  writes = writes.then(then);
}

function guardUnload(app: PlaygroundState): void {
  if (guarded || typeof window === 'undefined') return;
  guarded = true;
  window.addEventListener('beforeunload', (e) => {
    if (app.desk.saving === 0) return;
    e.preventDefault();
    e.returnValue = ''; // older browsers need it set to show the dialog
  });
}
