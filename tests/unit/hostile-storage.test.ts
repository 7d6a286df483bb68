// The browser stores (sessions, checkpoints) against malformed records and failing writes, with a
// small in-memory IndexedDB: a damaged record never breaks the list and can always be deleted, and
// every failure reaches the page as an error with a clear, non-empty message.
import { afterEach, describe, expect, it } from 'vitest';
import { browserSessionStore, listedName, listedSummary } from '../../src/engine/sessionStore';
import { checkSessionName } from '../../src/engine/sessions';
import { loadCheckpointBytes, saveCheckpointBytes } from '../../src/model/checkpointStore';
import { DATA_SEED, Playground } from '../../src/engine/playground';
import type { WorkerEvent } from '../../src/engine/protocol';
import { loadScenario } from '../../src/data/scenarios';
import { memoryComparisons, memoryDemonstrations, memoryRatings } from './harness';

// The fake's objects are instances of these classes, installed as the globals of the same names:
// the `idb` package the stores use checks requests, databases and transactions with `instanceof`
// and listens with addEventListener. One set for the whole file, since `idb` keeps the first it sees.
class FakeRequest extends EventTarget {
  result: unknown = undefined;
  error: unknown = null;
  transaction = null;
}
class FakeDatabase extends EventTarget {}
class FakeTransaction extends EventTarget {}
class FakeObjectStore {}
class FakeIndex {}
class FakeCursor {}
const FAKE_GLOBALS = {
  IDBRequest: FakeRequest,
  IDBOpenDBRequest: FakeRequest,
  IDBDatabase: FakeDatabase,
  IDBTransaction: FakeTransaction,
  IDBObjectStore: FakeObjectStore,
  IDBIndex: FakeIndex,
  IDBCursor: FakeCursor,
};

/** An IndexedDB of one object store per database, in memory; `failWrites` makes every write transaction fail with it. */
function fakeIndexedDB() {
  const stores = new Map<string, Map<unknown, unknown>>();
  const fake = { failWrites: null as unknown, stores };
  const later = (f: () => void) => setTimeout(f, 0);
  const open = (dbName: string) => {
    const req = new FakeRequest();
    const fresh = !stores.has(dbName);
    const records = stores.get(dbName) ?? new Map<unknown, unknown>();
    stores.set(dbName, records);
    let keyPath: string | undefined;
    const db = Object.assign(new FakeDatabase(), {
      objectStoreNames: { contains: () => !fresh },
      createObjectStore: (_name: string, options?: { keyPath?: string }) => {
        keyPath = options?.keyPath;
      },
      close: () => {},
      transaction: (_store: string, mode: string) => {
        const tx = Object.assign(new FakeTransaction(), { error: null as unknown });
        const op = (work: () => unknown) => {
          const r = new FakeRequest();
          later(() => {
            if (mode === 'readwrite' && fake.failWrites !== null) {
              tx.error = fake.failWrites;
              tx.dispatchEvent(new Event('abort'));
              return;
            }
            r.result = work();
            r.dispatchEvent(new Event('success'));
            tx.dispatchEvent(new Event('complete'));
          });
          return r;
        };
        const store = Object.assign(new FakeObjectStore(), {
          put: (value: Record<string, unknown>, key?: unknown) =>
            op(() => records.set(keyPath ? value[keyPath] : key, value)),
          get: (key: unknown) => op(() => records.get(key)),
          getAll: () => op(() => [...records.values()]),
          getAllKeys: () => op(() => [...records.keys()]),
          delete: (key: unknown) => op(() => void records.delete(key)),
        });
        return Object.assign(tx, { objectStore: () => store });
      },
    });
    later(() => {
      req.result = db;
      if (fresh) req.dispatchEvent(Object.assign(new Event('upgradeneeded'), { oldVersion: 0, newVersion: 1 }));
      req.dispatchEvent(new Event('success'));
    });
    return req;
  };
  return {
    ...fake,
    open,
    set: (v: unknown) => {
      fake.failWrites = v;
    },
  };
}

let idb: ReturnType<typeof fakeIndexedDB>;
afterEach(() => {
  for (const name of ['indexedDB', ...Object.keys(FAKE_GLOBALS)]) delete (globalThis as Record<string, unknown>)[name];
});
function install() {
  idb = fakeIndexedDB();
  Object.assign(globalThis, FAKE_GLOBALS, { indexedDB: { open: idb.open } });
  return idb;
}

const good = {
  name: 'good',
  savedAt: '2026-01-02T03:04:05.000Z',
  scenario: 'reviews',
  preset: 'tiny',
  comparisons: 3,
  rlIteration: 0,
  bytes: 4,
};

describe('the session list', () => {
  it('malformed records neither break the list nor stay for good', async () => {
    install();
    await browserSessionStore.put(good, new Uint8Array([1, 2, 3, 4]));
    const records = idb.stores.get('rlhf-playground-sessions')!;
    const bad: Record<string, unknown>[] = [
      { ...good, name: 'bad time', savedAt: 12345 },
      { ...good, name: '' },
      { ...good, name: 'long '.repeat(40) },
      { ...good, name: 12345 },
      { name: 'only a name' },
      {
        ...good,
        name: 'wrong types',
        comparisons: 'many',
        preset: { x: 1 },
        scenario: 'y'.repeat(1000),
        data: 'not bytes',
      },
    ];
    for (const r of bad) records.set(r.name, { data: new Uint8Array([9]), ...r });
    const list = await browserSessionStore.list();
    expect(list).toHaveLength(7);
    expect(list[0]).toEqual(good); // sorted newest first; the good one is untouched
    for (const s of list) {
      expect(checkSessionName(s.name)).toBe(s.name); // every listed name is one the page can send back
      expect(typeof s.savedAt).toBe('string');
      for (const n of [s.comparisons, s.rlIteration, s.bytes]) expect(Number.isFinite(n)).toBe(true);
      expect(s.scenario.length + s.preset.length).toBeLessThan(100);
    }
    expect(new Set(list.map((s) => s.name)).size).toBe(7);
    expect(
      list
        .filter((s) => s.damaged)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['bad time', 'only a name', 'wrong types'].sort());
    // A record under an unusable name is restored and deleted under its stand-in.
    const standIn = listedName('long '.repeat(40));
    expect(standIn).toMatch(/^long long .*… \[damaged name [0-9a-f]{8}\]$/);
    expect(await browserSessionStore.get(standIn)).toEqual(new Uint8Array([9]));
    await expect(browserSessionStore.get('wrong types')).rejects.toThrow(
      /"wrong types" is damaged \(it holds no session file\); delete it/,
    );
    for (const s of list) await browserSessionStore.remove(s.name);
    expect(records.size).toBe(0);
    expect(await browserSessionStore.list()).toEqual([]);
  });

  it('listedSummary never throws, whatever the record', () => {
    for (const r of [null, 7, 'text', [], { name: Symbol.for('x') }, { name: { deep: [1] }, savedAt: 'not a date' }]) {
      const s = listedSummary(r);
      expect(checkSessionName(s.name)).toBe(s.name);
      expect(s.damaged).toBe(true);
    }
  });
});

describe('failed writes have clear messages', () => {
  it('a full quota with an empty DOMException message, and an unnamed failure', async () => {
    install();
    idb.set(new DOMException('', 'QuotaExceededError'));
    await expect(browserSessionStore.put(good, new Uint8Array(4))).rejects.toThrow(
      /storage quota is full\. Sessions saved earlier are unchanged/,
    );
    await expect(saveCheckpointBytes('k', new Uint8Array(4))).rejects.toThrow(
      /refused to store the model: its storage quota is full/,
    );
    idb.set(new DOMException('', 'UnknownError'));
    await expect(browserSessionStore.put(good, new Uint8Array(4))).rejects.toThrow(
      /^the session could not be stored \(UnknownError\)$/,
    );
    await expect(saveCheckpointBytes('k', new Uint8Array(4))).rejects.toThrow(
      /^the model could not be stored \(UnknownError\)$/,
    );
    idb.set(null);
    idb.stores.get('rlhf-playground')!.set('odd', 'not binary');
    await expect(loadCheckpointBytes('odd')).rejects.toThrow(/not binary data/);
  });

  it('"Save in browser" under a full quota shows a red notice that says so', async () => {
    install();
    const events: WorkerEvent[] = [];
    const pg = new Playground({
      emit: (e) => events.push(e),
      fetchShipped: async () => null,
      loadScenario: (id) => loadScenario(id, DATA_SEED),
      store: { save: saveCheckpointBytes, load: loadCheckpointBytes },
      comparisons: memoryComparisons(),
      ratings: memoryRatings(),
      demonstrations: memoryDemonstrations(),
    });
    try {
      await pg.handle({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
      idb.set(new DOMException('', 'QuotaExceededError'));
      await pg.handle({ type: 'saveToBrowser', stage: 'sft' });
      const notice = events.filter((e) => e.type === 'notice').at(-1) as Extract<WorkerEvent, { type: 'notice' }>;
      expect(notice.level).toBe('error');
      expect(notice.message).toMatch(/storage quota is full/);
    } finally {
      pg.dispose();
    }
  });
});
