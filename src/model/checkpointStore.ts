// Checkpoints kept in the browser's IndexedDB (works in a Web Worker), as the same bytes as a
// checkpoint file, so reading one back goes through the same checks as opening a file.

import {
  errorReason,
  isQuotaError,
  type DatabaseSpec,
  onceInTransaction,
  type TransactionStore,
} from '../data/browserDb';

const DB_NAME = 'rlhf-playground';
const STORE = 'checkpoints';

const DATABASE: DatabaseSpec = {
  name: DB_NAME,
  version: 1,
  upgrade(db) {
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
  },
  missing: 'this browser offers no storage (IndexedDB) for models',
  cannotOpen: (e: unknown) => `could not open the browser's storage for models (${errorReason(e)})`,
};

/** Explains a failed read or write with a message the page can show; a full quota gets one of its own. */
export function storageError(e: unknown, mode: IDBTransactionMode): Error {
  if (isQuotaError(e)) {
    return new Error(
      'the browser refused to store the model: its storage quota is full. Models saved earlier are unchanged; ' +
        'delete saved sessions, or export the model as a file instead',
    );
  }
  return new Error(
    `${mode === 'readwrite' ? 'the model could not be stored' : 'reading the stored model failed'} (${errorReason(e)})`,
  );
}

/** Runs one transaction on the checkpoint store, on a connection of its own that is closed after. */
function run<T, Mode extends IDBTransactionMode>(
  mode: Mode,
  work: (store: TransactionStore<Mode>) => Promise<T>,
): Promise<T> {
  return onceInTransaction(DATABASE, STORE, mode, work, (e) => storageError(e, mode));
}

export async function saveCheckpointBytes(key: string, bytes: Uint8Array): Promise<void> {
  await run('readwrite', (s) => s.put(bytes, key));
}

export async function loadCheckpointBytes(key: string): Promise<Uint8Array | null> {
  const value: unknown = await run('readonly', (s) => s.get(key));
  if (value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new Error('the stored checkpoint is not binary data');
}
