// The UI's only door to the training worker. Commands go out typed; events come back typed.
// Nothing here knows about TensorFlow.js: the worker owns it.

import type { Command, WorkerEvent } from '../engine/protocol';

export type EventListener = (e: WorkerEvent) => void;

export interface EngineClient {
  send(cmd: Command): void;
  /** Subscribe to worker events; returns a function that unsubscribes. */
  onEvent(fn: EventListener): () => void;
  terminate(): void;
}

export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' });
  const listeners = new Set<EventListener>();

  const emit = (e: WorkerEvent) => {
    for (const fn of listeners) fn(e);
  };

  worker.onmessage = (msg: MessageEvent<WorkerEvent>) => emit(msg.data);

  // A worker that fails to load or throws outside its own error handling cannot tell the UI
  // itself, so the failure is reported here in the same shape as the worker's own notices.
  worker.onerror = (err: ErrorEvent) => {
    err.preventDefault();
    emit({ type: 'notice', level: 'error', message: `The training worker failed: ${err.message || 'unknown error'}` });
  };
  worker.onmessageerror = () => {
    emit({ type: 'notice', level: 'error', message: 'A message from the training worker could not be read.' });
  };

  return {
    send(cmd) {
      // Checkpoint bytes are handed over rather than copied.
      if (cmd.type === 'importCheckpoint') worker.postMessage(cmd, [cmd.bytes]);
      else worker.postMessage(cmd);
    },
    onEvent(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    terminate() {
      worker.terminate();
      listeners.clear();
    },
  };
}
