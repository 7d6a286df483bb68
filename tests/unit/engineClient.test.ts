// The page's client keeps the training worker alive: a silent worker, one that fails to load, and
// one whose GPU device was lost are replaced, the last scenario command is sent again, and the
// page is told; a worker that keeps dying is given up on with advice.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngineClient, type WorkerLike } from '../../src/ui/engineClient';
import { WORKER_SILENCE_MS, type BackendName, type Command, type WorkerEvent } from '../../src/engine/protocol';

class FakeWorker implements WorkerLike {
  onmessage: WorkerLike['onmessage'] = null;
  onerror: WorkerLike['onerror'] = null;
  onmessageerror: WorkerLike['onmessageerror'] = null;
  received: Command[] = [];
  terminated = false;
  constructor(readonly avoid: BackendName | null) {}
  postMessage(cmd: Command): void {
    this.received.push(cmd);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(e: WorkerEvent): void {
    this.onmessage?.({ data: e } as MessageEvent<WorkerEvent>);
  }
}

function harness() {
  let clock = 0;
  const workers: FakeWorker[] = [];
  const events: WorkerEvent[] = [];
  const client = createEngineClient({
    spawn: (avoid) => {
      const w = new FakeWorker(avoid);
      workers.push(w);
      return w;
    },
    now: () => clock,
    checkEvery: 1000,
  });
  client.onEvent((e) => events.push(e));
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  return { client, workers, events, advance };
}

const init: Command = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 };

afterEach(() => vi.useRealTimers());

describe('the engine client', () => {
  it('passes events through, keeps a worker that sends heartbeats, and replaces a silent one', () => {
    vi.useFakeTimers();
    const { client, workers, events, advance } = harness();
    client.send(init);
    workers[0].say({ type: 'ready', msToFirstCompletions: 5 });
    expect(events).toEqual([{ type: 'ready', msToFirstCompletions: 5 }]);
    for (let t = 0; t < 3 * WORKER_SILENCE_MS; t += 2000) {
      advance(2000);
      workers[0].say({ type: 'heartbeat' });
    }
    expect(workers).toHaveLength(1); // heartbeats are not passed on, and keep it alive
    expect(events).toHaveLength(1);
    advance(WORKER_SILENCE_MS + 1000); // silence: a stopped worker
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(workers[1].received).toEqual([init]); // the new worker starts the same scenario
    expect(events.at(-1)).toMatchObject({
      type: 'restarted',
      reason: expect.stringMatching(/no sign of life.*labels are safe/),
    });
    client.send({ type: 'nextPair' });
    expect(workers[1].received.at(-1)).toEqual({ type: 'nextPair' });
    client.terminate();
  });

  it('restarts without WebGPU after a lost device, and gives up after repeated failures', () => {
    vi.useFakeTimers();
    const { client, workers, events } = harness();
    client.send(init);
    workers[0].say({ type: 'fatal', message: 'the GPU device was lost (destroyed)', avoid: 'webgpu' });
    expect(workers).toHaveLength(2);
    expect(workers[1].avoid).toBe('webgpu');
    expect(events.at(-1)).toMatchObject({
      type: 'restarted',
      reason: expect.stringMatching(/device was lost.*without webgpu/),
    });
    // A worker that cannot load at all fails again and again: after a few tries the page stops and says so.
    for (let i = 0; i < 3; i++) workers.at(-1)!.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent);
    expect(workers).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({
      type: 'restarted',
      reason: expect.stringMatching(/stopped again.*reload the page/),
    });
    client.terminate();
  });
});
