// The one IndexedDB layer the browser stores share (labels, checkpoints, sessions), on the `idb`
// package: opening a named database with its upgrade, running one transaction to its end, and
// the one way a storage error (a full quota, a missing IndexedDB, a refused open, an error with an
// empty message) becomes a message the page can show. Each store keeps its own wording.

import { openDB, type IDBPDatabase, type IDBPObjectStore } from 'idb';

/** A database as a store describes it: where it lives, how to create it, what to say when it cannot be opened. */
export interface DatabaseSpec {
  name: string;
  version: number;
  /** Creates the object stores (and indexes) of a database this browser has not got at `version` yet. */
  upgrade(db: IDBPDatabase, oldVersion: number): void;
  /** Called when another tab or context asks for a newer version of the database `db` holds open. */
  blocking?(db: IDBPDatabase): void;
  /** The message when this browser has no IndexedDB at all. */
  missing: string;
  /** The message when the browser refuses to open the database, given its error. */
  cannotOpen(error: unknown): string;
}

/** Opens `spec`'s database (creating or upgrading it first); rejects with the store's own message. */
export async function openDatabase(spec: DatabaseSpec): Promise<IDBPDatabase> {
  if (typeof indexedDB === 'undefined') throw new Error(spec.missing);
  let db: IDBPDatabase;
  try {
    db = await openDB(spec.name, spec.version, {
      upgrade: (opened, oldVersion) => spec.upgrade(opened, oldVersion),
      ...(spec.blocking ? { blocking: () => spec.blocking?.(db) } : {}),
    });
  } catch (e) {
    throw new Error(spec.cannotOpen(e), { cause: e });
  }
  return db;
}

/** One object store inside a running transaction of `mode`. */
export type TransactionStore<Mode extends IDBTransactionMode> = IDBPObjectStore<unknown, [string], string, Mode>;

/**
 * Runs `work` in one transaction on the object store `storeName`. Resolves with its result once
 * the transaction has completed (for a write: once the browser has it). If anything fails, the
 * transaction is aborted, so nothing of it is kept, and the promise rejects, once the transaction
 * has ended, with the transaction's error, or else with the first failure (a request's, or what
 * `work` threw).
 */
export async function inTransaction<T, Mode extends IDBTransactionMode>(
  db: IDBPDatabase,
  storeName: string,
  mode: Mode,
  work: (store: TransactionStore<Mode>) => Promise<T>,
  options?: IDBTransactionOptions,
): Promise<T> {
  const tx = db.transaction(storeName, mode, options);
  const store = tx.objectStore(storeName);
  const result = (async () => work(store))();
  try {
    const [value] = await Promise.all([result, tx.done]);
    return value;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // it has already ended
    }
    await tx.done.catch(() => {});
    throw tx.error ?? e;
  }
}

/**
 * Runs one transaction on a connection of its own, closed after: for stores that open, use and
 * close their database each time. A failure is handed to `failure` to become the store's message.
 */
export async function onceInTransaction<T, Mode extends IDBTransactionMode>(
  spec: DatabaseSpec,
  storeName: string,
  mode: Mode,
  work: (store: TransactionStore<Mode>) => Promise<T>,
  failure: (e: unknown) => Error,
): Promise<T> {
  const db = await openDatabase(spec);
  try {
    return await inTransaction(db, storeName, mode, work);
  } catch (e) {
    throw failure(e);
  } finally {
    db.close();
  }
}

/** Whether a storage error says the browser's quota is full (each browser names it its own way). */
export function isQuotaError(e: unknown): boolean {
  const { name, code } = (e ?? {}) as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}

/** The message of a storage error, never empty (a DOMException's message may be). */
export function errorReason(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown } | null;
  const message = typeof err?.message === 'string' ? err.message.trim().slice(0, 300) : '';
  const name = typeof err?.name === 'string' && err.name !== 'Error' ? err.name : '';
  return message || name || 'the browser gave no reason';
}
