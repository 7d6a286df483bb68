// What the Preferences stage holds in the page: the pairs on hand (the one on screen and a few
// ready behind it, so a judged pair is replaced in the same frame), the labels this page saved that
// the worker has not taken in yet, and the dataset as the worker last sent it. The count a person
// sees is the worker's dataset plus those saved labels: it moves the moment a key is pressed.

import type { PairToLabel } from '../engine/protocol';
import type { Comparison } from '../data/preferences';

/** Pairs kept on hand in the page: the one on screen and two ready behind it. */
export const PAIRS_HELD = 3;

export class LabelDesk {
  /** Pairs the worker has sent and nobody has judged yet: the first is on screen, the rest wait. */
  queue = $state.raw<PairToLabel[]>([]);
  /** 'nextPair' requests sent and not answered yet. */
  requests = $state(0);
  /** Why the worker could not offer a pair; no more are asked for until the person tries again. */
  problem = $state<string | null>(null);
  /** Labels this page saved (or is saving) that the worker's dataset does not show yet. */
  local = $state.raw<Comparison[]>([]);
  /** Label writes to the store still in flight (closing the page now would lose them). */
  saving = $state(0);
  private fromWorker = $state.raw<Comparison[]>([]);
  private pFromWorker = $state.raw<number[]>([]);
  private heard = false;

  /** Every comparison: the worker's dataset and, after it, this page's labels it has not taken in yet. */
  comparisons = $derived.by(() => {
    if (this.local.length === 0) return this.fromWorker;
    const known = new Set(this.fromWorker.map((c) => c.id));
    return [...this.fromWorker, ...this.local.filter((c) => !known.has(c.id))];
  });

  /** The reward model's P(chosen > rejected), one per comparison, same order (NaN until scored). */
  pChosen = $derived.by(() => {
    const extra = this.comparisons.length - this.fromWorker.length;
    return extra > 0 ? [...this.pFromWorker, ...Array<number>(extra).fill(NaN)] : this.pFromWorker;
  });

  /** How many more pairs to ask for, so that PAIRS_HELD are on hand (none while the worker refuses). */
  get toAsk(): number {
    return this.problem ? 0 : Math.max(0, PAIRS_HELD - this.queue.length - this.requests);
  }

  /** The pair on screen leaves it (judged or skipped); the next one in the queue shows at once. */
  take(): PairToLabel | null {
    const [first, ...rest] = this.queue;
    this.queue = rest;
    return first ?? null;
  }

  received(pair: PairToLabel): void {
    this.queue = [...this.queue, pair];
    this.requests = Math.max(0, this.requests - 1);
  }

  refused(message: string): void {
    this.requests = Math.max(0, this.requests - 1);
    this.problem = message;
  }

  /** A new model, or a new worker: the pairs on hand belong to the old one. */
  clearPairs(): void {
    this.queue = [];
    this.requests = 0;
    this.problem = null;
  }

  /** The dataset from the worker; the saved labels it now holds are no longer extra. */
  dataset(comparisons: Comparison[], pChosen: number[]): void {
    this.heard = true;
    this.fromWorker = comparisons;
    this.pFromWorker = pChosen;
    const known = new Set(comparisons.map((c) => c.id));
    if (this.local.some((c) => known.has(c.id))) this.local = this.local.filter((c) => !known.has(c.id));
  }

  /** The labels stored in this browser, read by the page at load: shown until the worker sends its dataset. */
  showStored(list: Comparison[]): void {
    if (this.heard || this.fromWorker.length) return;
    this.fromWorker = list;
    this.pFromWorker = list.map(() => NaN);
  }

  /** Labels this page is saving: counted and listed at once. */
  addLocal(list: Comparison[]): void {
    this.local = [...this.local, ...list];
  }

  /** Labels the store refused: they are not counted, and the pair comes back to the front. */
  dropLocal(list: Comparison[], pair: PairToLabel | null): void {
    const gone = new Set(list.map((c) => c.id));
    this.local = this.local.filter((c) => !gone.has(c.id));
    if (pair) this.queue = [pair, ...this.queue];
  }

  /** Labels of another scenario will not come back in this one's dataset. */
  keepScenario(scenario: string): void {
    this.local = this.local.filter((c) => c.scenario === scenario);
  }
}
