// The training worker: owns TensorFlow.js, so the page's main thread only draws.
// Commands arrive as messages (protocol.ts); events go back the same way.

import type { Command, WorkerEvent } from './protocol';
import { chooseBackend } from './backend';
import { DATA_SEED, Playground } from './playground';
import { loadScenario } from '../data/scenarios';
import { loadCheckpointBytes, saveCheckpointBytes } from '../model/checkpointStore';
import { addComparisons, allComparisons, deleteComparison, updateComparison } from '../data/preferenceStore';
import { browserSessionStore } from './sessionStore';

const scope = self as unknown as { postMessage(e: WorkerEvent, transfer?: Transferable[]): void; location: Location };
const emit = (event: WorkerEvent, transfer: ArrayBuffer[] = []) => scope.postMessage(event, transfer);

/** Shipped checkpoints are static files under public/checkpoints/. */
async function fetchShipped(name: string): Promise<ArrayBuffer | null> {
  const url = new URL(`${import.meta.env.BASE_URL}checkpoints/${name}`, scope.location.origin);
  const res = await fetch(url);
  // A missing file may come back as the app's HTML page (dev server fallback): treat it as absent.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
  return res.arrayBuffer();
}

const playground = new Playground({
  emit,
  fetchShipped,
  loadScenario: (id) => loadScenario(id, DATA_SEED),
  store: { save: saveCheckpointBytes, load: loadCheckpointBytes },
  comparisons: { add: addComparisons, update: updateComparison, remove: deleteComparison, all: allComparisons },
  sessions: browserSessionStore,
});

const backendReady = chooseBackend().then((choice) => emit({ type: 'backend', backend: choice.backend, reason: choice.reason }));

self.onmessage = async (event: MessageEvent<Command>) => {
  await backendReady;
  await playground.handle(event.data);
};

self.addEventListener('unhandledrejection', (e) => {
  emit({ type: 'notice', level: 'error', message: `Worker error: ${String((e as PromiseRejectionEvent).reason?.message ?? (e as PromiseRejectionEvent).reason)}` });
});
