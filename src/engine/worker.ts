// The training worker: owns TensorFlow.js, so the page's main thread only draws.
// Commands arrive as messages (protocol.ts); events go back the same way.

import * as tf from '@tensorflow/tfjs';
import { HEARTBEAT_MS, type BackendName, type Command, type WorkerEvent } from './protocol';
import { BACKEND_ORDER, chooseBackend } from './backend';
import { useBuiltWasmFiles } from './wasmFiles';
import { DATA_SEED, Playground } from './playground';
import { loadScenario } from '../data/scenarios';
import { loadCheckpointBytes, saveCheckpointBytes } from '../model/checkpointStore';
import {
  addComparisons,
  addRatings,
  allComparisons,
  allRatings,
  allDemonstrations,
  addDemonstrations,
  deleteDemonstration,
  deleteComparison,
  deleteRating,
  onStoreChange,
  updateComparison,
} from '../data/preferenceStore';
import { browserSessionStore } from './sessionStore';

const scope = self as unknown as {
  postMessage(e: WorkerEvent, transfer?: Transferable[]): void;
  location: Location;
  name: string;
};
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
  ratings: { add: addRatings, remove: deleteRating, all: allRatings },
  demonstrations: { add: addDemonstrations, remove: deleteDemonstration, all: allDemonstrations },
  sessions: browserSessionStore,
  entropy: crypto.getRandomValues(new Uint32Array(1))[0],
});

// The page names a backend to avoid when it restarts a worker whose GPU device was lost.
const avoid = /^avoid-(\w+)$/.exec(scope.name)?.[1] as BackendName | undefined;
const order = BACKEND_ORDER.filter((b) => b !== avoid);
useBuiltWasmFiles();
const backendReady = chooseBackend(order).then((choice) => {
  emit({
    type: 'backend',
    backend: choice.backend,
    reason: avoid ? `the GPU device was lost, so ${avoid} is not used` : choice.reason,
  });
  watchDevice();
});

/** A lost WebGPU device makes every later command fail: tell the page, which restarts the worker elsewhere. */
function watchDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: { lost: Promise<{ message: string; reason: string }> } })
    .device;
  void device?.lost.then((info) => {
    emit({
      type: 'fatal',
      message: `the GPU device was lost (${info.message || info.reason || 'no reason given'})`,
      avoid: 'webgpu',
    });
  });
}

self.onmessage = async (event: MessageEvent<Command>) => {
  await backendReady;
  await playground.handle(event.data);
};

// Another tab (or this page) changed the stored labels: re-read them.
onStoreChange(() => void backendReady.then(() => playground.handle({ type: 'syncLabels' })));

// The page counts a worker that stays silent for long as stopped, and restarts it.
setInterval(() => emit({ type: 'heartbeat' }), HEARTBEAT_MS);

const message = (reason: unknown) => String((reason as Error)?.message ?? reason);
self.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  emit({
    type: 'notice',
    level: 'error',
    message: `Something went wrong in the training worker (it keeps running): ${message(e.reason)}`,
  });
});
self.addEventListener('error', (e) => {
  e.preventDefault();
  emit({
    type: 'notice',
    level: 'error',
    message: `Something went wrong in the training worker (it keeps running): ${message(e.error ?? e.message)}`,
  });
});
