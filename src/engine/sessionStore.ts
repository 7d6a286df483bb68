// Saved sessions in the browser's IndexedDB (works in the worker): one record per name, holding
// the session file's bytes and a small summary for the list. A storage-quota refusal is reported
// as such, and since each save is one transaction, nothing already saved is touched by it.
//
// A stored record is read as untrusted (an older version, or a crafted file, may have put a
// summary of the wrong type there): the list shows every record through listedSummary, which
// never throws, and a record whose name is not usable is listed, restored and deleted under a
// stand-in name (listedName), so no record can break the list or stay there for good.

import { checksum } from '../model/checkpoint';
import {
  errorReason,
  isQuotaError,
  type DatabaseSpec,
  onceInTransaction,
  type TransactionStore,
} from '../data/browserDb';
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

const DATABASE: DatabaseSpec = {
  name: DB_NAME,
  version: 1,
  upgrade: (db) => void db.createObjectStore(STORE, { keyPath: 'name' }),
  missing: 'this browser offers no storage (IndexedDB) for sessions',
  cannotOpen: (e) => `could not open the session storage (${errorReason(e)})`,
};

/** Explains a failed write; a full disk or quota gets a message of its own. */
export function writeError(e: unknown): Error {
  if (isQuotaError(e)) {
    return new Error(
      'the browser refused to store the session: its storage quota is full. Sessions saved earlier are unchanged; ' +
        'delete some, or export this one as a file instead',
    );
  }
  return new Error(`the session could not be stored (${errorReason(e)})`);
}

/** Runs one transaction on the session store, on a connection of its own that is closed after. */
function run<T, Mode extends IDBTransactionMode>(
  mode: Mode,
  work: (store: TransactionStore<Mode>) => Promise<T>,
): Promise<T> {
  return onceInTransaction(DATABASE, STORE, mode, work, (e) =>
    mode === 'readwrite' ? writeError(e) : new Error(`reading the session storage failed (${errorReason(e)})`),
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
  const keys: IDBValidKey[] = await run('readonly', (s) => s.getAllKeys());
  return keys.filter((k) => listedName(k) === name);
}

export const browserSessionStore: SessionStore = {
  async put(summary, bytes) {
    await run('readwrite', (s) => s.put({ ...summary, data: bytes }));
  },
  async list() {
    const all: unknown[] = await run('readonly', (s) => s.getAll());
    const seen = new Set<string>();
    return all
      .map(listedSummary)
      .filter((s) => !seen.has(s.name) && seen.add(s.name))
      .sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
  },
  async get(name) {
    const [key] = await keysListedAs(name);
    if (key === undefined) return null;
    const rec: unknown = await run('readonly', (s) => s.get(key));
    const data = isRecord(rec) ? rec.data : undefined;
    if (data instanceof Uint8Array || data instanceof ArrayBuffer) return new Uint8Array(data);
    throw new Error(`the saved session "${name}" is damaged (it holds no session file); delete it`);
  },
  async remove(name) {
    for (const key of await keysListedAs(name)) await run('readwrite', (s) => s.delete(key as string));
  },
};
