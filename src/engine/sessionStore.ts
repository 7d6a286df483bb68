// Saved sessions in the browser's IndexedDB (works in the worker): one record per name, holding
// the session file's bytes and a small summary for the list. A storage-quota refusal is reported
// as such, and since each save is one transaction, nothing already saved is touched by it.
//
// A stored record is read as untrusted (an older version, or a crafted file, may have put a
// summary of the wrong type there): the list shows every record through listedSummary, which
// never throws, and a record whose name is not usable is listed, restored and deleted under a
// stand-in name (listedName), so no record can break the list or stay there for good.

import { checksum } from '../model/checkpoint';
import { SESSION_NAME_MAX } from './settingRanges';

const DB_NAME = 'rlhf-playground-sessions';
const STORE = 'sessions';

export interface SessionSummary {
  name: string;
  savedAt: string;
  scenario: string;
  preset: string;
  comparisons: number;
  rlIteration: number;
  bytes: number;
  /** Set when the stored record is malformed: it is listed so that it can be deleted. */
  damaged?: boolean;
}

export interface SessionStore {
  put(summary: SessionSummary, bytes: Uint8Array): Promise<void>;
  list(): Promise<SessionSummary[]>;
  get(name: string): Promise<Uint8Array | null>;
  remove(name: string): Promise<void>;
}

/** The message of a storage error, never empty (a DOMException's message may be). */
function reason(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown } | null;
  const message = typeof err?.message === 'string' ? err.message.trim().slice(0, 300) : '';
  const name = typeof err?.name === 'string' && err.name !== 'Error' ? err.name : '';
  return message || name || 'the browser gave no reason';
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined')
      return reject(new Error('this browser offers no storage (IndexedDB) for sessions'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`could not open the session storage (${reason(req.error)})`));
  });
}

const isQuota = (e: unknown) => {
  const { name, code } = (e ?? {}) as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
};

/** Explains a failed write; a full disk or quota gets a message of its own. */
export function writeError(e: unknown): Error {
  if (isQuota(e)) {
    return new Error(
      'the browser refused to store the session: its storage quota is full. Sessions saved earlier are unchanged; ' +
        'delete some, or export this one as a file instead',
    );
  }
  return new Error(`the session could not be stored (${reason(e)})`);
}

function run<T>(mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        let req: IDBRequest;
        let tx: IDBTransaction;
        try {
          tx = db.transaction(STORE, mode);
          req = action(tx.objectStore(STORE));
        } catch (e) {
          db.close();
          return reject(
            mode === 'readwrite' ? writeError(e) : new Error(`reading the session storage failed (${reason(e)})`),
          );
        }
        tx.oncomplete = () => {
          db.close();
          resolve(req.result as T);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          const e = tx.error ?? req.error;
          reject(mode === 'readwrite' ? writeError(e) : new Error(`reading the session storage failed (${reason(e)})`));
        };
      }),
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The name a stored key is listed, restored and deleted under: the key itself when it is a usable
 * name (a text of 1 to SESSION_NAME_MAX characters, trimmed), else a stand-in made of its start
 * and an FNV-1a hash of the whole key, which is itself a usable name.
 */
export function listedName(key: unknown): string {
  if (typeof key === 'string' && key.length >= 1 && key.length <= SESSION_NAME_MAX && key.trim() === key) return key;
  const text = typeof key === 'string' ? key : `${typeof key}:${JSON.stringify(key) ?? String(key)}`;
  const start = text.replace(/\s+/g, ' ').trim().slice(0, 40);
  const hash = checksum(new TextEncoder().encode(text)).toString(16).padStart(8, '0');
  return `${start || '(no name)'}… [damaged name ${hash}]`;
}

/** A stored record as the list shows it: each field of its type and length, or a safe stand-in. Never throws. */
export function listedSummary(record: unknown): SessionSummary {
  const r = isRecord(record) ? record : {};
  const text = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : null);
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
  const savedAt = text(r.savedAt, 40);
  const fields = {
    savedAt: savedAt !== null && !Number.isNaN(Date.parse(savedAt)) ? savedAt : null,
    scenario: text(r.scenario, 40),
    preset: text(r.preset, 40),
    comparisons: count(r.comparisons),
    rlIteration: count(r.rlIteration),
    bytes: count(r.bytes),
  };
  const damaged =
    Object.values(fields).some((v) => v === null) || !(r.data instanceof Uint8Array || r.data instanceof ArrayBuffer);
  return {
    name: listedName(r.name),
    savedAt: fields.savedAt ?? '',
    scenario: fields.scenario ?? '?',
    preset: fields.preset ?? '?',
    comparisons: fields.comparisons ?? 0,
    rlIteration: fields.rlIteration ?? 0,
    bytes: fields.bytes ?? 0,
    ...(damaged ? { damaged } : {}),
  };
}

/** The stored keys listed under `name` (the name itself, or the damaged keys it stands in for). */
async function keysListedAs(name: string): Promise<IDBValidKey[]> {
  const keys = await run<IDBValidKey[]>('readonly', (s) => s.getAllKeys());
  return keys.filter((k) => listedName(k) === name);
}

export const browserSessionStore: SessionStore = {
  put: (summary, bytes) => run('readwrite', (s) => s.put({ ...summary, data: bytes })),
  async list() {
    const all = await run<unknown[]>('readonly', (s) => s.getAll());
    const seen = new Set<string>();
    return all
      .map(listedSummary)
      .filter((s) => !seen.has(s.name) && seen.add(s.name))
      .sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
  },
  async get(name) {
    const [key] = await keysListedAs(name);
    if (key === undefined) return null;
    const rec = await run<unknown>('readonly', (s) => s.get(key));
    const data = isRecord(rec) ? rec.data : undefined;
    if (data instanceof Uint8Array || data instanceof ArrayBuffer) return new Uint8Array(data);
    throw new Error(`the saved session "${name}" is damaged (it holds no session file); delete it`);
  },
  async remove(name) {
    for (const key of await keysListedAs(name)) await run('readwrite', (s) => s.delete(key));
  },
};
