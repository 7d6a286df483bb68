// The UI's only door to the training worker. Commands go out typed; events come back typed.
// Nothing here knows about TensorFlow.js: the worker owns it.
//
// The client also keeps the worker alive: a worker that stays silent (no heartbeat) for
// WORKER_SILENCE_MS, fails to load, or reports a lost GPU device is replaced by a fresh one
// (on another backend when the GPU is gone), which is sent the last scenario command again.
// Labels live in IndexedDB, so they survive; models trained since the last save do not.

import { WORKER_SILENCE_MS, type BackendName, type Command, type WorkerEvent } from '../engine/protocol';

export type EventListener = (e: WorkerEvent) => void;

export interface EngineClient {
  send(cmd: Command): void;
  /** Subscribe to worker events; returns a function that unsubscribes. */
  onEvent(fn: EventListener): () => void;
  terminate(): void;
}

/** What the client needs of a Worker (a real one in the page, a fake one in the unit tests). */
export interface WorkerLike {
  onmessage: ((msg: MessageEvent<WorkerEvent>) => void) | null;
  onerror: ((err: ErrorEvent) => void) | null;
  onmessageerror: ((e: MessageEvent) => void) | null;
  postMessage(cmd: Command, transfer?: Transferable[]): void;
  terminate(): void;
}

export interface ClientOptions {
  /** Starts a worker; `avoid` names a backend it must not use. */
  spawn: (avoid: BackendName | null) => WorkerLike;
  now?: () => number;
  /** How often silence is checked (ms). */
  checkEvery?: number;
}

/** Restarts allowed within a short time; past that the page stops trying and says so. */
const MAX_QUICK_RESTARTS = 3;
const QUICK_MS = 120_000;

export function createEngineClient(options: ClientOptions = { spawn: spawnWorker }): EngineClient {
  const now = options.now ?? (() => performance.now());
  const listeners = new Set<EventListener>();
  const emit = (e: WorkerEvent) => {
    for (const fn of listeners) fn(e);
  };
  let avoid: BackendName | null = null;
  let lastHeard = now();
  let scenarioCommand: Command | null = null; // the last init / useCustomCorpus, sent again to a new worker
  let restarts: number[] = [];
  let worker = start();

  function start(): WorkerLike {
    const w = options.spawn(avoid);
    lastHeard = now();
    w.onmessage = (msg) => {
      lastHeard = now();
      if (msg.data.type === 'fatal') restart(msg.data.message, msg.data.avoid);
      else if (msg.data.type !== 'heartbeat') emit(msg.data);
    };
    // Uncaught errors inside the worker are reported by the worker itself; this fires when the
    // worker script could not load or run at all, so the worker is replaced.
    w.onerror = (err) => {
      err.preventDefault();
      restart(`it failed: ${err.message || 'unknown error'}`, null);
    };
    w.onmessageerror = () =>
      emit({ type: 'notice', level: 'error', message: 'A message from the training worker could not be read.' });
    return w;
  }

  function restart(reason: string, avoidBackend: BackendName | null): void {
    worker.terminate();
    const t = now();
    restarts = [...restarts.filter((r) => t - r < QUICK_MS), t];
    if (restarts.length > MAX_QUICK_RESTARTS) {
      clearInterval(watchdog);
      emit({
        type: 'restarted',
        reason: `The training worker stopped again (${reason}); reload the page to try once more. Your labels are saved.`,
      });
      return;
    }
    avoid = avoidBackend ?? avoid;
    worker = start();
    emit({
      type: 'restarted',
      reason:
        `The training worker stopped (${reason}) and was restarted${avoid ? ` without ${avoid}` : ''}. ` +
        'Your labels are safe in this browser; models trained since they were last saved start again from the shipped ones.',
    });
    if (scenarioCommand) worker.postMessage(scenarioCommand);
  }

  const watchdog = setInterval(() => {
    if (now() - lastHeard > WORKER_SILENCE_MS)
      restart(`it gave no sign of life for ${Math.round(WORKER_SILENCE_MS / 1000)} s`, null);
  }, options.checkEvery ?? 5000);

  return {
    send(cmd) {
      if (cmd.type === 'init' || cmd.type === 'useCustomCorpus') scenarioCommand = cmd;
      // Checkpoint bytes are handed over rather than copied.
      if (cmd.type === 'importCheckpoint') worker.postMessage(cmd, [cmd.bytes]);
      else worker.postMessage(cmd);
    },
    onEvent(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    terminate() {
      clearInterval(watchdog);
      worker.terminate();
      listeners.clear();
    },
  };
}

/** Vite bundles a worker only from `new Worker(new URL(...), { literal options })`, hence the two spellings. */
function spawnWorker(avoid: BackendName | null): WorkerLike {
  const worker =
    avoid === 'webgpu'
      ? new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'avoid-webgpu' })
      : new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'training' });
  return worker as unknown as WorkerLike;
}
