// The labels of one scenario as this tab knows them, kept in step with the store that every tab
// shares: the comparisons (pairs, rankings, corrections) in one dataset, the ratings in another, the
// demonstrations in a third. Labels saved
// here join at once. After another tab writes, the store is read again and taken as it is, unless a
// change made here overlapped the read: then it is read once more.

import type { ScenarioId } from '../data/types';
import { newestOwnLabels } from '../data/preferences';

/** Labels a simulated annotator gives per chunk: each chunk is saved (and shown) before the next is sampled. */
export const AUTO_LABEL_CHUNK = 16;

/** What every stored label has. */
export interface StoredLabel {
  id: string;
  scenario: ScenarioId;
  createdAt: number;
  /** 'import' for labels read from a file; undo after a reload takes back only labels given here. */
  source: string;
}

/** Where labels of one kind are kept: an IndexedDB object store in the browser, a list in the tests. */
export interface LabelStore<T> {
  add(list: readonly T[]): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: ScenarioId): Promise<T[]>;
}

/** One labelling action that undo can take back, and when it happened among all the datasets' actions. */
export interface UndoEntry {
  ids: string[];
  order: number;
}

/** Orders the undo entries of every dataset, so undo takes back the newest action whichever kind it was. */
let undoClock = 0;

/** A new place in the order of labelling actions, to share between the datasets one action wrote to. */
export function nextUndoOrder(): number {
  return ++undoClock;
}

export class LabelDataset<T extends StoredLabel> {
  /** Every label, oldest first. */
  list: T[] = [];
  /** The labelling actions of this session, newest last (what undo takes back). */
  undoStack: UndoEntry[] = [];
  private judgedKeys = new Set<string>();
  /** Counts every change to `list`, so a store read that overlapped one is not trusted. */
  private revision = 0;

  constructor(
    private store: LabelStore<T>,
    private scenario: ScenarioId,
    /** What a label says, beyond its id: two reads with the same ids and contents are the same dataset. */
    private contents: (label: T) => string,
    /** The key of what a label judged (see pairKey), so the same question is not asked twice. */
    private judgedKey: (label: T) => string,
  ) {}

  /** True when the question with this key has been judged already. */
  judged(key: string): boolean {
    return this.judgedKeys.has(key);
  }

  set(list: T[]): void {
    this.revision += 1;
    this.list = list;
    this.judgedKeys = new Set(list.map(this.judgedKey));
  }

  /** Adds labels just written to the store, once each (a re-read since the write may have brought some in). */
  append(list: readonly T[]): void {
    const held = new Set(this.list.map((c) => c.id));
    this.set([...this.list, ...list.filter((c) => !held.has(c.id))]);
  }

  /** Remembers one labelling action for undo; an action that wrote to several datasets gives each the same `order`. */
  pushUndo(ids: string[], order = nextUndoOrder()): void {
    if (ids.length) this.undoStack.push({ ids, order });
  }

  /** When the newest action undo would take back here happened (-1: none). */
  get newestAction(): number {
    return this.undoStack.at(-1)?.order ?? -1;
  }

  /** Brings back every stored label (after a reload or a worker restart); the undo history starts empty. */
  async load(): Promise<void> {
    this.set(await this.store.all(this.scenario));
    this.undoStack = [];
  }

  /** Removes labels from the store and from here. */
  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.store.remove(id);
    this.set(this.list.filter((c) => !ids.includes(c.id)));
  }

  /**
   * Takes the store as it is now. Returns null if nothing changed, else how many stored labels are
   * new here; `stale()` is asked after each read and stops it (a session that went away).
   */
  async reread(stale: () => boolean): Promise<{ added: number } | null> {
    let revision: number, stored: T[];
    do {
      revision = this.revision;
      stored = await this.store.all(this.scenario);
      if (stale()) return null;
    } while (revision !== this.revision);
    const signature = (list: readonly T[]) => list.map((c) => `${c.id}\u0001${this.contents(c)}`).join('\u0002');
    if (signature(stored) === signature(this.list)) return null;
    const held = new Set(this.list.map((c) => c.id));
    const added = stored.filter((c) => !held.has(c.id)).length;
    this.set(stored);
    const kept = new Set(stored.map((c) => c.id));
    this.undoStack = this.undoStack
      .map((entry) => ({ ...entry, ids: entry.ids.filter((id) => kept.has(id)) }))
      .filter((entry) => entry.ids.length);
    return { added };
  }
}

/** What undo needs of a dataset, whatever kind of label it holds. */
type Undoable = Pick<LabelDataset<StoredLabel>, 'undoStack' | 'newestAction' | 'list' | 'remove'>;

/**
 * Takes back the newest labelling action (one label, one ranking, one rating, one correction with its demonstration,
 * one auto-label batch), from every dataset it wrote to. After a reload the session's history is gone: then the
 * newest labels given here (not imported) go, from every dataset that holds labels of that newest time.
 */
export async function undoNewest(datasets: readonly Undoable[]): Promise<void> {
  const withHistory = datasets.filter((d) => d.undoStack.length);
  if (withHistory.length) {
    const newest = Math.max(...withHistory.map((d) => d.newestAction));
    for (const d of withHistory) if (d.newestAction === newest) await d.remove(d.undoStack.pop()!.ids);
    return;
  }
  const newestTime = (d: Undoable) =>
    Math.max(-Infinity, ...d.list.filter((x) => x.source !== 'import').map((x) => x.createdAt));
  const newest = Math.max(...datasets.map(newestTime));
  if (newest === -Infinity) throw new Error('there is no label to undo');
  for (const d of datasets) if (newestTime(d) === newest) await d.remove(newestOwnLabels(d.list));
}

/** A simulated annotator's job, chunk by chunk: each chunk is made, saved and counted before the next one. */
export interface ChunkedLabelling<T> {
  count: number;
  /** Makes up to `n` labels. */
  chunk(n: number): Promise<T[]>;
  /** Stores them, adds them to the dataset and shows them. */
  save(made: T[]): Promise<void>;
  progress(done: number): void;
  cancelled(): boolean;
}

/** Runs a ChunkedLabelling in chunks of AUTO_LABEL_CHUNK until `count` labels are saved or it is cancelled; returns their ids. */
export async function labelInChunks<T extends { id: string }>(job: ChunkedLabelling<T>): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < job.count && !job.cancelled()) {
    const made = await job.chunk(Math.min(AUTO_LABEL_CHUNK, job.count - ids.length));
    if (made.length === 0) break;
    await job.save(made);
    ids.push(...made.map((label) => label.id));
    job.progress(ids.length);
  }
  job.progress(job.count);
  return ids;
}
