// The label loop as the page drives it (CPU backend, tiny model): a saved label joins the dataset
// before any training, training after many quick labels runs once, the next pair does not wait for
// it, judged pairs are never offered again (after a reload or in a second tab either), two tabs
// sharing one store see each other's labels, and one training loop runs at a time.
import { afterEach, describe, expect, it } from 'vitest';
import { disposePlaygrounds, memoryComparisons, start } from './harness';
import { judgedPair, pairKey, splitHeldOut, type Comparison } from '../../src/data/preferences';
import { HELD_OUT_GUARANTEED_FROM, stepsAfterLabels } from '../../src/engine/rewardSession';
import { emptyUi } from '../../src/engine/sessions';
import type { PairToLabel, WorkerEvent } from '../../src/engine/protocol';

afterEach(disposePlaygrounds);

const init = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 } as const;
const keyOf = (p: PairToLabel) => pairKey(p.prompt, p.left, p.right);
const t0Errors = (t: { of: (type: 'notice') => { level: string; message: string }[] }) =>
  t.of('notice').filter((n) => n.level === 'error');

function comparison(id: string, rankingId?: string): Comparison {
  return {
    id,
    scenario: 'reviews',
    prompt: 'p',
    chosen: 'a',
    rejected: 'b',
    verdict: 'preferred',
    annotator: 'human',
    createdAt: 1,
    source: 'pair',
    weight: 1,
    ...(rankingId ? { rankingId } : {}),
  };
}

describe('the held-out split', () => {
  it('holds out at least one label from the guaranteed size on, whatever the ids', () => {
    // Over 400 random datasets of 12 labels, 0.8^12 = 7% would hold out none without the guarantee.
    let noneWithout = 0;
    for (let trial = 0; trial < 400; trial++) {
      const list = Array.from({ length: 12 }, (_, i) => comparison(`t${trial}-${i}`));
      if (splitHeldOut(list, 0.2, 1).heldOut.length === 0) noneWithout += 1;
      const { train, heldOut } = splitHeldOut(list, 0.2, 1, HELD_OUT_GUARANTEED_FROM);
      expect(heldOut.length).toBeGreaterThanOrEqual(1);
      expect(train.length + heldOut.length).toBe(12);
    }
    expect(noneWithout).toBeGreaterThan(5); // the case the guarantee is for does occur
    const few = Array.from({ length: HELD_OUT_GUARANTEED_FROM - 1 }, (_, i) => comparison(`f${i}`));
    expect(splitHeldOut(few, 0, 1, HELD_OUT_GUARANTEED_FROM).heldOut).toEqual([]); // too few: all train
  });

  it('keeps a ranking whole and never moves a trained label to the held-out side when one is added', () => {
    const ranking = [comparison('r1', 'R'), comparison('r2', 'R'), comparison('r3', 'R')];
    const singles = Array.from({ length: 6 }, (_, i) => comparison(`s${i}`));
    const { heldOut } = splitHeldOut([...ranking, ...singles], 0, 1, 2); // fraction 0: only the guarantee holds out
    const groups = new Set(heldOut.map((c) => c.rankingId ?? c.id));
    expect(groups.size).toBe(1);
    if (groups.has('R')) expect(heldOut).toHaveLength(3);
    let list: Comparison[] = [];
    let trained = new Set<string>();
    for (let i = 0; i < 40; i++) {
      list = [...list, comparison(`g${i}`)];
      const split = splitHeldOut(list, 0.2, 1, HELD_OUT_GUARANTEED_FROM);
      split.heldOut.forEach((c) => expect(trained.has(c.id)).toBe(false));
      trained = new Set([...trained, ...split.train.map((c) => c.id)]);
    }
  });
});

describe('a saved label', () => {
  it('joins the dataset before any training; quick labels train once, and a pair request goes first', async () => {
    const store = memoryComparisons();
    const t = start(false, store);
    await t.send(init);
    for (let i = 0; i < 3; i++) await t.send({ type: 'nextPair' });
    const pairs = t.of('pair').map((e) => e.pair);
    const trainedBefore = t.of('rewardMetrics').length;
    const labels = pairs.map((p) => judgedPair(p, 'left', 'reviews'));
    await store.add(labels); // the page saved them
    const seen = t.events.length;
    // While the worker is busy (sampling), three labels arrive as fast as the page can send them, then a pair request.
    void t.send({ type: 'sample', stage: 'sft' });
    for (const c of labels) void t.send({ type: 'labelsSaved', comparisons: [c] });
    void t.send({ type: 'nextPair' });
    // The dataset is back at once, with every label, and nothing trained yet.
    const datasets = t.of('preferences');
    expect(datasets.at(-1)!.comparisons.map((c) => c.id)).toEqual(labels.map((c) => c.id));
    expect(datasets.at(-1)!.pChosen.every(Number.isNaN)).toBe(true);
    expect(t.of('rewardMetrics').length).toBe(trainedBefore);
    await t.pg.idle();
    const order = (t.events.slice(seen) as WorkerEvent[])
      .filter((e) => e.type === 'pair' || e.type === 'rewardMetrics')
      .map((e) => e.type);
    expect(order[0]).toBe('pair'); // the page's request was served before the queued training
    // One training run for the lot: its last point is at the steps for three labels.
    expect(t.of('rewardMetrics').at(-1)!.points[0].step).toBe(stepsAfterLabels(3));
    expect(
      t
        .of('preferences')
        .at(-1)!
        .pChosen.every((p) => p > 0 && p < 1),
    ).toBe(true);
    expect(store.kept).toHaveLength(3);
  });

  it('is counted once when the store broadcast and the page both report it, and undo takes it back', async () => {
    const store = memoryComparisons();
    const t = start(false, store);
    await t.send(init);
    await t.send({ type: 'nextPair' });
    const c = judgedPair(t.of('pair').at(-1)!.pair, 'right', 'reviews');
    await store.add([c]);
    await t.send({ type: 'syncLabels' }); // the broadcast arrived first
    await t.send({ type: 'labelsSaved', comparisons: [c] });
    await t.pg.idle();
    expect(
      t
        .of('preferences')
        .at(-1)!
        .comparisons.map((x) => x.id),
    ).toEqual([c.id]);
    await t.send({ type: 'undoLabel' });
    expect(store.kept).toHaveLength(0);
    expect(t.of('preferences').at(-1)!.comparisons).toEqual([]);
  });
});

describe('pairs on offer', () => {
  it('are never ones judged before: not after a reload, not in a second tab, and each tab gets its own', async () => {
    const store = memoryComparisons();
    const first = start(false, store);
    await first.send(init);
    for (let i = 0; i < 4; i++) {
      await first.send({ type: 'nextPair' });
      await first.judge(first.of('pair').at(-1)!.pair, 'left');
    }
    const judged = new Set(store.kept.map((c) => pairKey(c.prompt, c.chosen, c.rejected)));
    disposePlaygrounds();
    // A reload: same seed, same store. Before, the same pairs came back in the same order.
    const reloaded = start(false, store);
    await reloaded.send(init);
    for (let i = 0; i < 6; i++) await reloaded.send({ type: 'nextPair' });
    reloaded.of('pair').forEach((e) => expect(judged.has(keyOf(e.pair))).toBe(false));
    // Two tabs open at once (the worker gives each page load its own entropy) are offered different pairs.
    const tabA = start(false, store, undefined, 11);
    const tabB = start(false, store, undefined, 12);
    await tabA.send(init);
    await tabB.send(init);
    for (let i = 0; i < 4; i++) {
      await tabA.send({ type: 'nextPair' });
      await tabB.send({ type: 'nextPair' });
    }
    const a = new Set(tabA.of('pair').map((e) => keyOf(e.pair)));
    const shared = tabB.of('pair').filter((e) => a.has(keyOf(e.pair)));
    expect(shared.length).toBeLessThanOrEqual(1); // a short prompt can have the same answers by chance
  });

  it('come for a prompt longer than the context (it loses its start), where the room for an answer once went negative', async () => {
    const t = start(false);
    const long = 'describe this long and winding prompt please';
    const corpus = Array.from({ length: 12 }, (_, i) => `${long.slice(0, 16)} ${i % 3}|ok ${i % 4}`).join('\n');
    await t.send({ type: 'useCustomCorpus', text: corpus, separator: '|', preset: 'tiny' });
    const inside = t.pg as unknown as {
      preferences: { pairs: { complete(p: string[], temps: number[]): Promise<string[][]> } };
    };
    expect(long.length).toBeGreaterThan(t.of('model').at(-1)!.info.config.contextLength);
    const [[answer]] = await inside.preferences.pairs.complete([long], [1]);
    expect(typeof answer).toBe('string');
    await t.send({ type: 'nextPair' });
    expect(t.of('pairRefused')).toEqual([]);
    expect(t.of('pair')).toHaveLength(1);
  });

  it('a refused request is answered as refused, once, and no other pair is asked for', async () => {
    const t = start(false);
    await t.send({ type: 'nextPair' }); // nothing loaded yet
    expect(t.of('pairRefused')).toHaveLength(1);
    expect(t.of('pairRefused')[0]).toMatchObject({ mode: 'pair', message: expect.stringMatching(/still starting/) });
    expect(t.of('pair')).toHaveLength(0);
  });
});

describe('two tabs on one store', () => {
  it("see each other's labels, deletions and a restore, with no label lost or doubled", async () => {
    const store = memoryComparisons();
    const tabA = start(false, store, undefined, 1);
    const tabB = start(false, store, undefined, 2);
    await tabA.send(init);
    await tabB.send(init);
    await tabA.send({ type: 'nextPair' });
    await tabB.send({ type: 'nextPair' });
    await tabA.judge(tabA.of('pair').at(-1)!.pair, 'left');
    await tabB.judge(tabB.of('pair').at(-1)!.pair, 'right');
    await tabA.send({ type: 'syncLabels' });
    await tabB.send({ type: 'syncLabels' });
    await tabA.pg.idle();
    await tabB.pg.idle();
    const ids = (t: typeof tabA) =>
      t
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.id)
        .sort();
    expect(store.kept).toHaveLength(2);
    expect(ids(tabA)).toEqual(store.kept.map((c) => c.id).sort());
    expect(ids(tabB)).toEqual(ids(tabA));
    await tabA.send({ type: 'deleteComparison', id: store.kept[0].id });
    await tabB.send({ type: 'syncLabels' });
    expect(ids(tabB)).toEqual(store.kept.map((c) => c.id).sort());
    expect(store.kept).toHaveLength(1);
    // Tab A saves a session; tab B labels two more (tab A has not heard yet); tab A restores the session:
    // the store then holds the session's labels only, and tab B sees exactly those.
    const ui = emptyUi();
    await tabA.send({ type: 'saveSession', name: 'one label', ui });
    for (let i = 0; i < 2; i++) {
      await tabB.send({ type: 'nextPair' });
      await tabB.judge(tabB.of('pair').at(-1)!.pair, 'left');
    }
    expect(store.kept).toHaveLength(3);
    await tabA.send({ type: 'restoreSession', name: 'one label', ui, fork: false });
    expect(store.kept).toHaveLength(1);
    await tabB.send({ type: 'syncLabels' });
    expect(ids(tabB)).toEqual(store.kept.map((c) => c.id));
    expect(t0Errors(tabA)).toEqual([]);
  });
});

describe("another tab's label", () => {
  it("shows here while this tab's reward model trains, and is learned after it", async () => {
    const store = memoryComparisons();
    const tabA = start(false, store, undefined, 1);
    const tabB = start(false, store, undefined, 2);
    await tabA.send(init);
    await tabB.send(init);
    await tabB.send({ type: 'nextPair' });
    await tabA.send({ type: 'nextPair' });
    await tabA.judge(tabA.of('pair').at(-1)!.pair, 'left');
    const stepsBefore = tabA.of('rewardMetrics').at(-1)!.points[0].step;
    const training = tabA.send({ type: 'trainReward', steps: 40 }); // tab A is busy for a while
    const fromB = await tabB.judge(tabB.of('pair').at(-1)!.pair, 'right');
    let trainingDone = false;
    void training.then(() => (trainingDone = true));
    await tabA.send({ type: 'syncLabels' }); // B's broadcast reaches A
    expect(trainingDone).toBe(false);
    expect(
      tabA
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.id),
    ).toContain(fromB.id);
    await tabA.pg.idle();
    // The 40 steps ran, then one run for B's label.
    expect(tabA.of('rewardMetrics').at(-1)!.points[0].step).toBe(stepsBefore + 40 + stepsAfterLabels(1));
    expect(t0Errors(tabA)).toEqual([]);
  });

  it('is not lost, nor a label of this tab, when the store is read while this tab takes one in', async () => {
    const store = memoryComparisons();
    const tab = start(false, store);
    await tab.send(init);
    await tab.send({ type: 'nextPair' });
    await tab.send({ type: 'nextPair' });
    const [mine, theirs] = tab.of('pair').map((e) => judgedPair(e.pair, 'left', 'reviews'));
    await store.add([theirs]); // another tab's label
    // The read the broadcast starts sees the store as it is before this tab's own label is written and taken in.
    const read = store.all;
    let release!: () => void, begun!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const readBegun = new Promise<void>((resolve) => (begun = resolve));
    store.all = (scenario: string) => {
      const snapshot = read(scenario);
      store.all = read;
      begun();
      return gate.then(() => snapshot);
    };
    const syncing = tab.send({ type: 'syncLabels' });
    await readBegun;
    await store.add([mine]);
    await tab.send({ type: 'labelsSaved', comparisons: [mine] });
    release();
    await syncing;
    await tab.pg.idle();
    const ids = tab
      .of('preferences')
      .at(-1)!
      .comparisons.map((c) => c.id)
      .sort();
    expect(ids).toEqual([mine.id, theirs.id].sort());
  });
});

describe('training loops', () => {
  const oneAtATime =
    'one at a time: Pretrain Play queued behind an RL Step, then RL Play, leaves only RL running; Pause cancels queued steps';
  it(oneAtATime, async () => {
    const t = start(false);
    await t.send(init);
    await t.send({ type: 'autoLabel', labelerId: 'positive', count: 4 });
    await t.send({ type: 'setRlSettings', settings: { batchSize: 4, responseLength: 4, epochs: 1, minibatches: 1 } });
    const step = t.send({ type: 'rlStep' });
    const play = t.send({ type: 'play', stage: 'pretrain' });
    const rl = t.send({ type: 'rlPlay' });
    await Promise.all([step, play, rl]);
    await new Promise((r) => setTimeout(r, 50));
    const lastStage = t
      .of('stage')
      .filter((e) => e.state.stage === 'pretrain')
      .at(-1)!.state;
    expect(lastStage.running).toBe(false);
    expect(t.of('rlState').at(-1)!.state.running).toBe(true);
    await t.send({ type: 'pause' });
    // A storm of Step clicks, then Pause: the queued steps are dropped.
    const iterations = () => t.of('rlMetrics').length;
    const before = iterations();
    for (let i = 0; i < 5; i++) void t.send({ type: 'rlStep' });
    await t.send({ type: 'pause' });
    await t.pg.idle();
    expect(iterations() - before).toBeLessThanOrEqual(1); // at most the one already under way
    expect(t.of('rlState').at(-1)!.state.running).toBe(false);
  });
});
