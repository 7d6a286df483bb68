// A Playground driven in Node exactly as the worker drives it (CPU backend), with its events
// collected and its preference labels kept in memory. Shared by the playground and feedback tests.
import { readFileSync } from 'node:fs';
import { DATA_SEED, Playground } from '../../src/engine/playground';
import type { Command, PairChoice, PairToLabel, WorkerEvent } from '../../src/engine/protocol';
import { loadScenario } from '../../src/data/scenarios';
import { judgedPair, type Comparison } from '../../src/data/preferences';
import type { ScenarioId } from '../../src/data/types';
import type { SessionSummary } from '../../src/engine/sessionStore';
import type { Rating } from '../../src/data/ratings';
import type { Demonstration } from '../../src/data/demonstrations';

/** Preference labels kept in memory (IndexedDB is a browser's). */
export function memoryComparisons(kept: Comparison[] = []) {
  return {
    kept,
    add: async (list: readonly Comparison[]) => void kept.push(...list),
    update: async (c: Comparison) =>
      void kept.splice(
        kept.findIndex((x) => x.id === c.id),
        1,
        c,
      ),
    remove: async (id: string) =>
      void kept.splice(
        kept.findIndex((c) => c.id === id),
        1,
      ),
    all: async (scenario: string) => kept.filter((c) => c.scenario === scenario),
  };
}

/** Labels of one kind kept in memory (IndexedDB is a browser's). */
function memoryLabels<T extends { id: string; scenario: string }>(kept: T[] = []) {
  return {
    kept,
    add: async (list: readonly T[]) => void kept.push(...list),
    remove: async (id: string) => void kept.splice(kept.findIndex((r) => r.id === id) >>> 0, 1),
    all: async (scenario: string) => kept.filter((r) => r.scenario === scenario),
  };
}

/** Ratings kept in memory. */
export const memoryRatings = (kept: Rating[] = []) => memoryLabels(kept);
/** Demonstrations kept in memory. */
export const memoryDemonstrations = (kept: Demonstration[] = []) => memoryLabels(kept);

/** Saved sessions kept in memory; `failWith` makes the next writes fail (a full quota, say). */
export function memorySessions() {
  const kept = new Map<string, { summary: SessionSummary; bytes: Uint8Array }>();
  const store = {
    kept,
    failWith: null as Error | null,
    put: async (summary: SessionSummary, bytes: Uint8Array) => {
      if (store.failWith) throw store.failWith;
      kept.set(summary.name, { summary, bytes: bytes.slice() });
    },
    list: async () => [...kept.values()].map((v) => v.summary),
    get: async (name: string) => kept.get(name)?.bytes.slice() ?? null,
    remove: async (name: string) => void kept.delete(name),
  };
  return store;
}

const live: Playground[] = [];

/** Disposes every playground started since the last call (call it in afterEach). */
export function disposePlaygrounds(): void {
  for (const p of live.splice(0)) p.dispose();
}

/** A playground whose events are collected; `shipped` decides whether checkpoint files exist. */
export function start(
  shipped: boolean,
  comparisons = memoryComparisons(),
  sessions = memorySessions(),
  entropy = 0,
  ratings = memoryRatings(),
  demonstrations = memoryDemonstrations(),
) {
  const events: WorkerEvent[] = [];
  const saved = new Map<string, Uint8Array>();
  const pg = new Playground({
    emit: (e) => events.push(e),
    fetchShipped: async (name) => {
      if (!shipped) return null;
      const bytes = readFileSync(`public/checkpoints/${name}`);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
    loadScenario: (id) => loadScenario(id, DATA_SEED),
    store: { save: async (k, b) => void saved.set(k, b), load: async (k) => saved.get(k) ?? null },
    comparisons,
    ratings,
    demonstrations,
    sessions,
    entropy,
  });
  live.push(pg);
  const send = (cmd: Command) => pg.handle(cmd);
  const of = <T extends WorkerEvent['type']>(type: T) =>
    events.filter((e) => e.type === type) as Extract<WorkerEvent, { type: T }>[];
  /** Labels as the page does: saves the comparisons in the store, tells the playground, waits for its training. */
  const saveLabels = async (list: Comparison[]) => {
    await comparisons.add(list);
    await send({ type: 'labelsSaved', comparisons: list });
    await pg.idle();
  };
  /** Judges a pair on offer as the page does. */
  const judge = async (pair: PairToLabel, choice: PairChoice, scenario: ScenarioId = 'reviews') => {
    const c = judgedPair(pair, choice, scenario);
    await saveLabels([c]);
    return c;
  };
  return { events, send, of, pg, saveLabels, judge, ratings, demonstrations, comparisons };
}
