// What the worker does alike for every kind of label kept beside the comparisons (ratings,
// demonstrations): the page saves a person's label in the store itself and then tells the worker;
// labels are re-read when another tab writes, deleted, replaced by a restored session, exported
// and imported (all or none, skipping ones already here), and the whole list is sent to the page
// after each change. ratingSession.ts and demonstrationSession.ts add what is their own.

import type { ScenarioData } from '../data/types';
import { mergeByContent } from '../data/preferenceMerge';
import type { WorkerEvent } from './protocol';
import { LabelDataset, type LabelStore, type StoredLabel } from './labelDataset';

/** What makes one kind of label: its name, what it says, its events and its file format. */
export interface LabelKind<T extends StoredLabel> {
  /** 'rating', 'demonstration': for messages. */
  noun: string;
  /** What a label says beyond its id (a re-read with the same ids and contents changed nothing). */
  contents(label: T): string;
  /** The key of the question it answered, so the same one is not asked twice. */
  judgedKey(label: T): string;
  /** Two labels with the same key are one (an import skips those already here). */
  sameKey(label: T): string;
  /** The event that sends every label of the scenario to the page. */
  listEvent(list: T[]): WorkerEvent;
  /** The event that hands the page a file of them. */
  fileEvent(list: T[], scenario: string): WorkerEvent;
  /** Reads a file of them into `data`'s scenario (all or none). */
  read(
    text: string,
    data: ScenarioData,
  ): { ok: true; labels: T[]; warnings: string[] } | { ok: false; message: string };
}

export class LabelKindSession<T extends StoredLabel> {
  readonly dataset: LabelDataset<T>;

  constructor(
    protected data: ScenarioData,
    protected store: LabelStore<T>,
    protected emit: (e: WorkerEvent) => void,
    private kind: LabelKind<T>,
  ) {
    this.dataset = new LabelDataset(store, data.id, kind.contents, kind.judgedKey);
  }

  get list(): T[] {
    return this.dataset.list;
  }

  async load(): Promise<void> {
    await this.dataset.load();
    this.publish();
  }

  /**
   * Labels the page saved already: they join the dataset and are sent back at once. `undoOrder` joins them to an
   * action of another kind (a correction's pair and demonstration are undone together). Returns how many were new.
   */
  acceptSaved(list: readonly T[], undoOrder?: number): number {
    const mine = list.filter((r) => r.scenario === this.data.id);
    const known = new Set(this.list.map((r) => r.id));
    const fresh = mine.filter((r) => !known.has(r.id));
    this.dataset.pushUndo(
      mine.map((r) => r.id),
      undoOrder,
    );
    if (fresh.length === 0) return 0;
    this.dataset.append(fresh);
    this.publish();
    return fresh.length;
  }

  /** Stores labels made here (a simulated annotator's) and shows them. */
  protected async saveMade(made: T[]): Promise<void> {
    await this.store.add(made);
    this.dataset.append(made);
    this.publish();
  }

  /** Re-reads the store after another tab wrote; returns how many labels are new here (null: nothing changed). */
  async sync(stale: () => boolean): Promise<number | null> {
    const reread = await this.dataset.reread(stale);
    if (reread) this.publish();
    return reread?.added ?? null;
  }

  async remove(id: string): Promise<void> {
    if (!this.list.some((r) => r.id === id)) throw new Error(`that ${this.kind.noun} no longer exists`);
    await this.dataset.remove([id]);
    this.publish();
  }

  /** Replaces the whole set (restoring a session); the store is rewritten to match. */
  async replaceAll(list: readonly T[]): Promise<void> {
    await this.dataset.remove((await this.store.all(this.data.id)).map((r) => r.id));
    await this.store.add(list);
    this.dataset.set([...list]);
    this.dataset.undoStack = [];
    this.publish();
  }

  exportFile(): void {
    this.emit(this.kind.fileEvent(this.list, this.data.id));
  }

  /** Adds a file's labels (all or none), skipping ones already here; returns what to tell the person and how many came. */
  async importFile(text: string, name: string): Promise<{ message: string; added: number }> {
    const result = this.kind.read(text, this.data);
    if (!result.ok) throw new Error(`${name} was not imported: ${result.message}`);
    const { added, duplicates } = mergeByContent(this.list, result.labels, this.kind.sameKey);
    if (added.length) {
      await this.store.add(added); // all or none
      this.dataset.append(added);
      this.dataset.pushUndo(added.map((r) => r.id));
      this.publish();
    }
    const skipped = duplicates ? ` (${duplicates} already here were skipped)` : '';
    const warnings = result.warnings.length ? ` ${result.warnings.join('; ')}.` : '';
    const message = `Imported ${added.length} ${this.kind.noun}(s) from ${name}${skipped}.${warnings}`;
    return { message, added: added.length };
  }

  /** Sends every label of this kind to the page. */
  publish(): void {
    this.emit(this.kind.listEvent(this.list));
  }
}
