// Keeps every preference label in IndexedDB, the browser's database, the moment it is given.
//
// One database, 'rlhf-playground-preferences', with one object store, 'comparisons', keyed by
// the comparison's id and indexed by scenario. It works on the main thread and in a Web Worker
// alike (both have `indexedDB`).
//
// Every write is its own transaction, and its promise resolves only when the transaction has
// completed, that is, when the browser has written it to disk: once `addComparisons` resolves,
// a page reload or a crash cannot lose the label. If a write fails the whole transaction is
// undone, so the store never holds half of a ranking.
//
// Two tabs (and a page and its worker) share the one database. After each completed write the
// writer says so on a BroadcastChannel; `onStoreChange` hears what the other contexts wrote (a
// context never hears its own writes), so each can re-read the store and show the same labels.

import type { Comparison } from './preferences';
import type { ScenarioId } from './types';

/** Where the worker keeps labels: this module's IndexedDB store in the browser, a map in the tests. */
export interface ComparisonStore {
  add(list: readonly Comparison[]): Promise<void>;
  update(c: Comparison): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Comparison['scenario']): Promise<Comparison[]>;
}

const DB_NAME = 'rlhf-playground-preferences';
const DB_VERSION = 1;
const STORE = 'comparisons';
const BY_SCENARIO = 'scenario';

let opening: Promise<IDBDatabase> | null = null;

const CHANNEL = 'rlhf-playground-labels';
let channel: BroadcastChannel | null = null;

function changes(): BroadcastChannel | null {
  if (!channel && typeof BroadcastChannel !== 'undefined') channel = new BroadcastChannel(CHANNEL);
  return channel;
}

/** Tells the other tabs and contexts that labels of `scenario` (or of every scenario) changed. */
function announce(scenario: ScenarioId | null): void {
  changes()?.postMessage({ scenario });
}

/** Calls `fn` whenever another tab or context changes the stored labels. */
export function onStoreChange(fn: (scenario: ScenarioId | null) => void): void {
  changes()?.addEventListener('message', (e: MessageEvent<{ scenario: ScenarioId | null }>) =>
    fn(e.data?.scenario ?? null),
  );
}

/** Opens the database once (creating it on first use) and shares the connection. */
function database(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser cannot store labels (no IndexedDB)'));
      return;
    }
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: 'id' });
      store.createIndex(BY_SCENARIO, 'scenario');
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab wants a newer version of the database: step aside, reopen on the next call.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () =>
      reject(new Error(`could not open the label store: ${request.error?.message ?? 'unknown error'}`));
  });
  opening.catch(() => (opening = null)); // a failed open is retried next time
  return opening;
}

/** A failed transaction as an Error a person can act on. */
function storeError(error: DOMException | null): Error {
  if (error?.name === 'QuotaExceededError') {
    return new Error(
      'Storage is full, so the browser refused to save this label. Nothing was lost: every label saved before is ' +
        'still there. Export and clear old labels to make room.',
    );
  }
  return new Error(`the label store failed: ${error?.message ?? 'the write was cancelled'}`);
}

/** What a transaction does: queues requests on the store, returns how to read the result at the end. */
type Work<T> = (store: IDBObjectStore, abort: (reason: Error) => void) => () => T;

/**
 * Runs `work` inside one transaction. Resolves with its result once the transaction has
 * completed (for a write: once the data is on disk); rejects if it fails or is aborted.
 */
async function transaction<T>(mode: IDBTransactionMode, work: Work<T>): Promise<T> {
  const db = await database();
  return new Promise<T>((resolve, reject) => {
    // 'strict': the browser reports completion only after flushing the data to disk.
    const tx = db.transaction(STORE, mode, { durability: 'strict' });
    let reason: Error | undefined;
    const abort = (why: Error) => {
      reason = why;
      tx.abort();
    };
    let result = (): T => undefined as T;
    tx.oncomplete = () => resolve(result());
    tx.onabort = () => reject(reason ?? storeError(tx.error)); // a failed request aborts the transaction too
    try {
      result = work(tx.objectStore(STORE), abort);
    } catch (e) {
      abort(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

/** Saves new comparisons (all of them, or none if anything fails). */
export async function addComparisons(list: readonly Comparison[]): Promise<void> {
  await transaction('readwrite', (store) => {
    for (const c of list) store.add(c); // add, not put: an id that exists already is an error
    return () => undefined;
  });
  announce(list[0]?.scenario ?? null);
}

/** Replaces a stored comparison (for example after `flip`). Fails if the id is not stored. */
export async function updateComparison(c: Comparison): Promise<void> {
  await transaction('readwrite', (store, abort) => {
    const found = store.getKey(c.id);
    found.onsuccess = () => {
      if (found.result === undefined) abort(new Error(`there is no stored comparison with id ${c.id}`));
      else store.put(c);
    };
    return () => undefined;
  });
  announce(c.scenario);
}

export async function deleteComparison(id: string): Promise<void> {
  await transaction('readwrite', (store) => {
    store.delete(id);
    return () => undefined;
  });
  announce(null);
}

/** Every stored comparison, or those of one scenario, oldest first. */
export function allComparisons(scenario?: ScenarioId): Promise<Comparison[]> {
  return transaction('readonly', (store) => {
    const request = scenario === undefined ? store.getAll() : store.index(BY_SCENARIO).getAll(scenario);
    return () => (request.result as Comparison[]).sort((a, b) => a.createdAt - b.createdAt);
  });
}
