// The labels of one scenario as this tab knows them, kept in step with the store that every tab
// shares. Labels saved here join at once. After another tab writes, the store is read again and
// taken as it is, unless a change made here overlapped the read: then it is read once more.

import { pairKey, type Comparison } from '../data/preferences';
import type { ComparisonStore } from '../data/preferenceStore';
import type { ScenarioId } from '../data/types';

export class LabelDataset {
  /** Every label, oldest first. */
  list: Comparison[] = [];
  /** Ids added by each labelling action in this session, newest last (what undo takes back). */
  undoStack: string[][] = [];
  private judgedKeys = new Set<string>();
  /** Counts every change to `list`, so a store read that overlapped one is not trusted. */
  private revision = 0;

  constructor(
    private store: ComparisonStore,
    private scenario: ScenarioId,
  ) {}

  /** True when the pair with this key (see pairKey) has been judged already. */
  judged(key: string): boolean {
    return this.judgedKeys.has(key);
  }

  set(list: Comparison[]): void {
    this.revision += 1;
    this.list = list;
    this.judgedKeys = new Set(list.map((c) => pairKey(c.prompt, c.chosen, c.rejected)));
  }

  /** Adds labels just written to the store, once each (a re-read since the write may have brought some in). */
  append(list: readonly Comparison[]): void {
    const held = new Set(this.list.map((c) => c.id));
    this.set([...this.list, ...list.filter((c) => !held.has(c.id))]);
  }

  /** Brings back every stored label (after a reload or a worker restart); the undo history starts empty. */
  async load(): Promise<void> {
    this.set(await this.store.all(this.scenario));
    this.undoStack = [];
  }

  /**
   * Takes the store as it is now. Returns null if nothing changed, else how many stored labels are
   * new here; `stale()` is asked after each read and stops it (a session that went away).
   */
  async reread(stale: () => boolean): Promise<{ added: number } | null> {
    let revision: number, stored: Comparison[];
    do {
      revision = this.revision;
      stored = await this.store.all(this.scenario);
      if (stale()) return null;
    } while (revision !== this.revision);
    const signature = (list: readonly Comparison[]) => list.map((c) => `${c.id}\u0001${c.chosen}`).join('\u0002');
    if (signature(stored) === signature(this.list)) return null;
    const held = new Set(this.list.map((c) => c.id));
    const added = stored.filter((c) => !held.has(c.id)).length;
    this.set(stored);
    const kept = new Set(stored.map((c) => c.id));
    this.undoStack = this.undoStack.map((ids) => ids.filter((id) => kept.has(id))).filter((ids) => ids.length);
    return { added };
  }
}
