// Checkpoints kept in the browser's IndexedDB (works in a Web Worker), as the same bytes as a
// checkpoint file, so reading one back goes through the same checks as opening a file.

const DB_NAME = 'rlhf-playground';
const STORE = 'checkpoints';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser offers no storage (IndexedDB) for models'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`could not open the browser's storage for models (${reason(req.error)})`));
  });
}

/** The message of a storage error, never empty (a DOMException's message may be). */
function reason(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown } | null;
  const message = typeof err?.message === 'string' ? err.message.trim().slice(0, 300) : '';
  const name = typeof err?.name === 'string' && err.name !== 'Error' ? err.name : '';
  return message || name || 'the browser gave no reason';
}

/** Explains a failed read or write with a message the page can show; a full quota gets one of its own. */
export function storageError(e: unknown, mode: IDBTransactionMode): Error {
  const { name, code } = (e ?? {}) as { name?: unknown; code?: unknown };
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22) {
    return new Error(
      'the browser refused to store the model: its storage quota is full. Models saved earlier are unchanged; ' +
        'delete saved sessions, or export the model as a file instead',
    );
  }
  return new Error(
    `${mode === 'readwrite' ? 'the model could not be stored' : 'reading the stored model failed'} (${reason(e)})`,
  );
}

function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        let tx: IDBTransaction;
        let req: IDBRequest;
        try {
          tx = db.transaction(STORE, mode);
          req = action(tx.objectStore(STORE));
        } catch (e) {
          db.close();
          return reject(storageError(e, mode));
        }
        tx.oncomplete = () => {
          db.close();
          resolve(req.result as T);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          reject(storageError(tx.error ?? req.error, mode));
        };
      }),
  );
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
