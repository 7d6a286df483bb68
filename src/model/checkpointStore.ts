// Checkpoints kept in the browser's IndexedDB (works in a Web Worker), as the same bytes as a
// checkpoint file, so reading one back goes through the same checks as opening a file.

const DB_NAME = 'rlhf-playground';
const STORE = 'checkpoints';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this environment has no IndexedDB'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('could not open IndexedDB'));
  });
}

function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return openDb().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = action(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(req.result as T); };
    tx.onerror = tx.onabort = () => { db.close(); reject(tx.error ?? req.error ?? new Error('IndexedDB transaction failed')); };
  }));
}

export function saveCheckpointBytes(key: string, bytes: Uint8Array): Promise<void> {
  return run('readwrite', (s) => s.put(bytes, key));
}

export async function loadCheckpointBytes(key: string): Promise<Uint8Array | null> {
  const value = await run<unknown>('readonly', (s) => s.get(key));
  if (value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new Error('the stored checkpoint is not binary data');
}
