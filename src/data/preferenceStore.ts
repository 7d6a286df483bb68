// Keeps every preference label in IndexedDB, the browser's database, the moment it is given.
//
// One database, 'rlhf-playground-preferences', with three object stores, 'comparisons' (pairs,
// rankings and corrections), 'ratings' (one answer judged on its own, data/ratings.ts) and
// 'demonstrations' (answers a person wrote, data/demonstrations.ts), each keyed by id and indexed
// by scenario. It works on the main thread and in a Web Worker alike (both have `indexedDB`).
//
// Every write is its own transaction, and its promise resolves only when the transaction has
// completed, that is, when the browser has written it to disk: once `addComparisons` resolves,
// a page reload or a crash cannot lose the label. If a write fails the whole transaction is
// undone, so the store never holds half of a ranking.
//
// Two tabs (and a page and its worker) share the one database. After each completed write the
// writer says so on a BroadcastChannel; `onStoreChange` hears what the other contexts wrote (a
// context never hears its own writes), so each can re-read the store and show the same labels.

import type { IDBPDatabase } from 'idb';
import { inTransaction, isQuotaError, openDatabase, type TransactionStore } from './browserDb';
import type { Comparison } from './preferences';
import type { Rating } from './ratings';
import type { Demonstration } from './demonstrations';
import type { ScenarioId } from './types';

/** Where the worker keeps labels: this module's IndexedDB store in the browser, a map in the tests. */
export interface ComparisonStore {
  add(list: readonly Comparison[]): Promise<void>;
  update(c: Comparison): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Comparison['scenario']): Promise<Comparison[]>;
}

/** Where the worker keeps ratings: the 'ratings' object store in the browser, a list in the tests. */
export interface RatingStore {
  add(list: readonly Rating[]): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Rating['scenario']): Promise<Rating[]>;
}

/** Where the worker keeps demonstrations: the 'demonstrations' object store in the browser, a list in the tests. */
export interface DemonstrationStore {
  add(list: readonly Demonstration[]): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Demonstration['scenario']): Promise<Demonstration[]>;
}

const DB_NAME = 'rlhf-playground-preferences';
const DB_VERSION = 3;
const COMPARISONS = 'comparisons';
const RATINGS = 'ratings';
const DEMONSTRATIONS = 'demonstrations';
type StoreName = typeof COMPARISONS | typeof RATINGS | typeof DEMONSTRATIONS;
const BY_SCENARIO = 'scenario';

let opening: Promise<IDBPDatabase> | null = null;

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
function database(): Promise<IDBPDatabase> {
  opening ??= openDatabase({
    name: DB_NAME,
    version: DB_VERSION,
    upgrade(db, oldVersion) {
      // Version 1 had the comparisons only; version 2 adds the ratings, version 3 the demonstrations (nothing is moved).
      const stores = [COMPARISONS, RATINGS, DEMONSTRATIONS];
      for (const name of stores.slice(oldVersion))
        db.createObjectStore(name, { keyPath: 'id' }).createIndex(BY_SCENARIO, 'scenario');
    },
    // Another tab wants a newer version of the database: step aside, reopen on the next call.
    blocking(db) {
      db.close();
      opening = null;
    },
    missing: 'this browser cannot store labels (no IndexedDB)',
    cannotOpen: (e) => `could not open the label store: ${(e as DOMException | null)?.message ?? 'unknown error'}`,
  });
  opening.catch(() => (opening = null)); // a failed open is retried next time
  return opening;
}

/** A failed transaction as an Error a person can act on. */
function storeError(error: unknown): Error {
  if (isQuotaError(error)) {
    return new Error(
      'Storage is full, so the browser refused to save this label. Nothing was lost: every label saved before is ' +
        'still there. Export and clear old labels to make room.',
    );
  }
  const message = (error as DOMException | null)?.message;
  return new Error(`the label store failed: ${message ?? 'the write was cancelled'}`);
}

/** What a transaction does: queues requests on the store; `refuse` abandons it (nothing is written) with a reason. */
type Work<T, Mode extends IDBTransactionMode> = (
  store: TransactionStore<Mode>,
  refuse: (why: Error) => never,
) => Promise<T>;

/**
 * Runs `work` inside one transaction. Resolves with its result once the transaction has
 * completed (for a write: once the data is on disk); rejects if it fails or is aborted: with the
 * reason `work` refused with (or threw at once), else with the store's failure.
 */
async function transaction<T, Mode extends IDBTransactionMode>(
  storeName: StoreName,
  mode: Mode,
  work: Work<T, Mode>,
): Promise<T> {
  const db = await database();
  let reason: Error | undefined;
  const refuse = (why: Error): never => {
    throw (reason = why);
  };
  const run = (store: TransactionStore<Mode>) => {
    try {
      return work(store, refuse);
    } catch (e) {
      return refuse(e instanceof Error ? e : new Error(String(e)));
    }
  };
  try {
    // 'strict': the browser reports completion only after flushing the data to disk.
    return await inTransaction(db, storeName, mode, run, { durability: 'strict' });
  } catch (e) {
    throw reason ?? storeError(e); // a failed request aborts the transaction too
  }
}

/** Saves new records in one store (all of them, or none if anything fails). */
async function addAll(storeName: StoreName, list: readonly (Comparison | Rating | Demonstration)[]): Promise<void> {
  await transaction(storeName, 'readwrite', (store) => {
    const adds: Promise<unknown>[] = [];
    try {
      for (const c of list) adds.push(store.add(c)); // add, not put: an id that exists already is an error
    } catch (e) {
      void Promise.allSettled(adds); // the transaction is undone: what was queued fails, and says so here
      throw e;
    }
    return Promise.all(adds);
  });
  announce(list[0]?.scenario ?? null);
}

/** Saves new comparisons (all of them, or none if anything fails). */
export function addComparisons(list: readonly Comparison[]): Promise<void> {
  return addAll(COMPARISONS, list);
}

/** Saves new ratings (all of them, or none if anything fails). */
export function addRatings(list: readonly Rating[]): Promise<void> {
  return addAll(RATINGS, list);
}

/** Saves new demonstrations (all of them, or none if anything fails). */
export function addDemonstrations(list: readonly Demonstration[]): Promise<void> {
  return addAll(DEMONSTRATIONS, list);
}

/** Replaces a stored comparison (for example after `flip`). Fails if the id is not stored. */
export async function updateComparison(c: Comparison): Promise<void> {
  await transaction(COMPARISONS, 'readwrite', async (store, refuse) => {
    if ((await store.getKey(c.id)) === undefined) refuse(new Error(`there is no stored comparison with id ${c.id}`));
    await store.put(c);
  });
  announce(c.scenario);
}

export async function deleteComparison(id: string): Promise<void> {
  await transaction(COMPARISONS, 'readwrite', (store) => store.delete(id));
  announce(null);
}

export async function deleteRating(id: string): Promise<void> {
  await transaction(RATINGS, 'readwrite', (store) => store.delete(id));
  announce(null);
}

export async function deleteDemonstration(id: string): Promise<void> {
  await transaction(DEMONSTRATIONS, 'readwrite', (store) => store.delete(id));
  announce(null);
}

/** Every stored record of one store, or those of one scenario, oldest first. */
async function allOf<T extends { createdAt: number }>(storeName: StoreName, scenario?: ScenarioId): Promise<T[]> {
  const found = (await transaction(storeName, 'readonly', (store) =>
    scenario === undefined ? store.getAll() : store.index(BY_SCENARIO).getAll(scenario),
  )) as T[];
  return found.sort((a, b) => a.createdAt - b.createdAt);
}

/** Every stored comparison, or those of one scenario, oldest first. */
export function allComparisons(scenario?: ScenarioId): Promise<Comparison[]> {
  return allOf<Comparison>(COMPARISONS, scenario);
}

/** Every stored rating, or those of one scenario, oldest first. */
export function allRatings(scenario?: ScenarioId): Promise<Rating[]> {
  return allOf<Rating>(RATINGS, scenario);
}

/** Every stored demonstration, or those of one scenario, oldest first. */
export function allDemonstrations(scenario?: ScenarioId): Promise<Demonstration[]> {
  return allOf<Demonstration>(DEMONSTRATIONS, scenario);
}
