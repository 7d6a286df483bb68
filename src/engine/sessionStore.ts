// Saved sessions in the browser's IndexedDB (works in the worker): one record per name, holding
// the session file's bytes and a small summary for the list. A storage-quota refusal is reported
// as such, and since each save is one transaction, nothing already saved is touched by it.

import type { PresetName } from '../model/config';

const DB_NAME = 'rlhf-playground-sessions';
const STORE = 'sessions';

export interface SessionSummary {
  name: string;
  savedAt: string;
  scenario: string;
  preset: PresetName;
  comparisons: number;
  rlIteration: number;
  bytes: number;
}

export interface SessionStore {
  put(summary: SessionSummary, bytes: Uint8Array): Promise<void>;
  list(): Promise<SessionSummary[]>;
  get(name: string): Promise<Uint8Array | null>;
  remove(name: string): Promise<void>;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('this browser offers no storage (IndexedDB) for sessions'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('could not open the session storage'));
  });
}

/** Explains a failed write; a full disk or quota gets a message of its own. */
export function writeError(e: unknown): Error {
  const name = (e as DOMException | null)?.name;
  if (name === 'QuotaExceededError') return new Error('the browser refused to store the session: its storage quota is full. Sessions saved earlier are unchanged; delete some, or export this one as a file instead');
  return new Error(`the session could not be stored (${(e as Error | null)?.message ?? 'unknown error'})`);
}

function run<T>(mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return openDb().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = action(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req.result as T); };
    tx.onerror = tx.onabort = () => {
      db.close();
      const e = tx.error ?? req.error;
      reject(mode === 'readwrite' ? writeError(e) : e ?? new Error('reading the session storage failed'));
    };
  }));
}

export const browserSessionStore: SessionStore = {
  put: (summary, bytes) => run('readwrite', (s) => s.put({ ...summary, data: bytes })),
  async list() {
    const all = await run<(SessionSummary & { data: Uint8Array })[]>('readonly', (s) => s.getAll());
    return all.map(({ data: _bytes, ...summary }) => summary).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  },
  async get(name) {
    const rec = await run<{ data: Uint8Array } | undefined>('readonly', (s) => s.get(name));
    return rec ? new Uint8Array(rec.data) : null;
  },
  remove: (name) => run('readwrite', (s) => s.delete(name)),
};
