// Human feedback beyond single pairs, driven through the worker's Playground (CPU backend, tiny
// model): rankings, undo after a restart, simulated annotator panels, the reward model's
// settings, diagnostics, probe and normalisation, and the acquisition comparison.
import { afterEach, describe, expect, it } from 'vitest';
import { disposePlaygrounds, memoryComparisons, start } from './harness';
import { BUILT_IN_LABELERS, labelerGold } from '../../src/data/labelers';
import { panelVote, panelVotes, voteAgreement } from '../../src/data/annotatorPanel';
import { goldOrderAccuracy } from '../../src/rlhf/rewardDiagnostics';
import { wilsonInterval } from '../../src/rlhf/interval';
import { mostDisagreed, mostUncertain } from '../../src/rlhf/acquisition';
import { expandRanking, type Comparison } from '../../src/data/preferences';

afterEach(disposePlaygrounds);

const init = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 } as const;

describe('pure pieces', () => {
  it('acquisition picks the most uncertain and the most disputed candidate', () => {
    expect(mostUncertain([0.9, 0.45, 0.2, 0.58])).toBe(1); // |0.45 - 0.5| = 0.05 is the smallest
    // variances across 3 models: cand 0: (0.5,0.5,0.5) -> 0; cand 1: (0.1,0.5,0.9) -> 0.1067; cand 2: (0.4,0.6,0.5) -> 0.0067
    expect(
      mostDisagreed([
        [0.5, 0.1, 0.4],
        [0.5, 0.5, 0.6],
        [0.5, 0.9, 0.5],
      ]),
    ).toBe(1);
  });

  it('gold accuracy counts pairs ordered as the gold score orders them, skipping gold ties', () => {
    // margins +1 (gold agrees), -2 (gold says chosen better: wrong), 0.5 (gold tie: skipped), -1 (gold says rejected better: right)
    expect(goldOrderAccuracy([1, -2, 0.5, -1], [3, 2, 1, 0], [1, 1, 1, 4])).toBeCloseTo(2 / 3, 10);
    expect(goldOrderAccuracy([1], [2], [2])).toBeNaN();
    // a reward tie (margin 0) is a coin flip: 1/2, so a reward model that scores everything alike sits at 0.5
    expect(goldOrderAccuracy([0, 0, 0], [1, 0, 2], [0, 1, 2])).toBe(0.5);
  });

  it('the Wilson interval matches the hand computation and stays inside [0, 1]', () => {
    // 5 of 10: centre (0.5 + 1.96^2/20) / (1 + 1.96^2/10) = 0.5; half-width 1.96 sqrt(0.025 + 1.96^2/400) / 1.38416 = 0.26341
    const half = wilsonInterval(5, 10)!;
    expect(half.low).toBeCloseTo(0.5 - 0.26341, 4);
    expect(half.high).toBeCloseTo(0.5 + 0.26341, 4);
    // 0 of 10: the low end is 0 and the high end (z^2/n) / (1 + z^2/n) = 0.38416 / 1.38416
    expect(wilsonInterval(0, 10)!.low).toBe(0);
    expect(wilsonInterval(0, 10)!.high).toBeCloseTo(0.38416 / 1.38416, 6);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('vote agreement is measured over the comparisons both annotators judged', () => {
    expect(voteAgreement([true, false, null, true], [true, true, true, null])).toEqual({ agreement: 0.5, shared: 2 });
  });

  it("a panel vote is the labeler's Bradley-Terry choice, and stable for a comparison", () => {
    const spec = BUILT_IN_LABELERS.reviews[0];
    const c: Comparison = {
      id: 'x1',
      scenario: 'reviews',
      prompt: 'review : the pizza',
      chosen: 'great food , lovely staff .',
      rejected: 'terrible and greasy .',
      verdict: 'preferred',
      annotator: 'human',
      createdAt: 1,
      source: 'pair',
      weight: 1,
    };
    // The gold gap is large, so "Positive" (temperature 0.3) agrees with this label almost surely.
    const gap = labelerGold(spec, 'reviews', c.prompt, c.chosen) - labelerGold(spec, 'reviews', c.prompt, c.rejected);
    expect(gap / spec.temperature).toBeGreaterThan(5);
    expect(panelVote(spec, 'reviews', c)).toBe(true);
    expect(panelVote(spec, 'reviews', c)).toBe(panelVote(spec, 'reviews', c));
    expect(panelVote(spec, 'reviews', { ...c, verdict: 'tie' })).toBeNull();
    const flipped = { ...c, id: 'x2', chosen: c.rejected, rejected: c.chosen };
    const panel = panelVotes([c, flipped], [spec], 'reviews');
    expect(panel.votes).toEqual([[true, false]]);
    expect(panel.agreement).toEqual([{ a: 'label', b: 'positive', agreement: 0.5, shared: 2 }]);
  });
});

describe('rankings', () => {
  it('offers K different completions and records an order as its C(K,2) pairs weighted 1/C(K,2)', async () => {
    const store = memoryComparisons();
    const t = start(false, store);
    const { send, of } = t;
    await send(init);
    await send({ type: 'setPairSettings', settings: { rankK: 3, temperatureLeft: 1.5, temperatureRight: 2 } });
    await send({ type: 'nextRanking' });
    const r = of('ranking').at(-1)!.ranking;
    expect(r.completions).toHaveLength(3);
    expect(new Set(r.completions).size).toBe(3);
    const ranked = (order: number[]) =>
      expandRanking(
        { scenario: 'reviews', prompt: r.prompt, annotator: 'human' },
        order.map((i) => r.completions[i]),
      );
    expect(() => ranked([0, 0, 1])).toThrow(/same completion twice/); // the page refuses an order that is no permutation
    expect(store.kept).toHaveLength(0);
    await t.saveLabels(ranked([2, 0, 1]));
    const [best, middle, worst] = [r.completions[2], r.completions[0], r.completions[1]];
    expect(store.kept.map((c) => [c.chosen, c.rejected])).toEqual([
      [best, middle],
      [best, worst],
      [middle, worst],
    ]);
    store.kept.forEach((c) => expect(c.weight).toBeCloseTo(1 / 3, 10));
    expect(new Set(store.kept.map((c) => c.rankingId)).size).toBe(1);
    await send({ type: 'undoLabel' });
    expect(store.kept).toHaveLength(0);
  });
});

describe('labels survive a restart', () => {
  it('undo after a restart takes back the newest labelling action, never imported ones', async () => {
    const store = memoryComparisons();
    const first = start(false, store);
    await first.send(init);
    await first.send({ type: 'autoLabel', labelerId: 'positive', count: 3 });
    await first.send({ type: 'nextPair' });
    await first.judge(first.of('pair').at(-1)!.pair, 'left');
    expect(store.kept).toHaveLength(4);
    disposePlaygrounds();

    const again = start(false, store);
    await again.send(init);
    await again.send({ type: 'undoLabel' });
    expect(store.kept.map((c) => c.annotator)).toEqual(['positive', 'positive', 'positive']);
    await again.send({ type: 'undoLabel' }); // the auto-label batch goes as one
    expect(store.kept).toHaveLength(0);
    await again.send({ type: 'undoLabel' });
    expect(again.of('notice').at(-1)!.message).toMatch(/no label to undo/);
  });

  it('auto-label reports progress, saves as it goes, and makes its labeler the gold one', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'autoLabel', labelerId: 'positive', count: 20 });
    expect(of('progress').map((e) => [e.done, e.total])).toEqual([
      [16, 20],
      [20, 20],
      [20, 20],
    ]);
    expect(of('labelerSettings').at(-1)!.settings.goldLabeler).toBe('positive');
    const d = of('rewardDiagnostics').at(-1)!.diagnostics;
    expect(d.goldLabeler).toBe('positive');
    expect(d.margins).toHaveLength(20);
    expect(d.normalization!.std).toBeGreaterThan(0);
    // The calibration plot sees each pair from both sides, so its counts add up to twice the pairs it uses.
    // Only comparisons with a preference enter it (the labeler calls a tie where it sees no difference).
    const { comparisons } = of('preferences').at(-1)!;
    const used = comparisons.filter(
      (c, i) => c.verdict === 'preferred' && (d.calibrationOn === 'all' || d.margins[i].heldOut),
    ).length;
    expect(d.calibration.reduce((s, b) => s + b.count, 0)).toBe(2 * used);
  });
});

describe('the gold agreement', () => {
  it('starts at chance (a zero head scores every answer alike) and is measured on the same fresh pairs after labels', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'setLabelerSettings', settings: { goldLabeler: 'positive' } });
    const untrained = of('rewardDiagnostics').at(-1)!.diagnostics;
    expect(untrained.goldAccuracy).toBe(0.5);
    expect(untrained.goldPairs).toBeGreaterThan(10); // of the 32 probe pairs, those whose answers differ in gold score
    expect(untrained.goldPairs).toBeLessThanOrEqual(32);
    // Positive has no biases, so on every pair it follows its gold order with p >= 1/2, and two of its labels agree with
    // p^2 + (1 - p)^2 <= p (as (2p - 1)(p - 1) <= 0): its own noise is stated, and the agreement between two is the lower.
    const noise = untrained.goldLabelNoise!;
    expect(noise.withGold!).toBeGreaterThan(0.5);
    expect(noise.withGold!).toBeLessThan(1);
    expect(noise.betweenTwo!).toBeGreaterThan(0.5);
    expect(noise.betweenTwo!).toBeLessThanOrEqual(noise.withGold!);
    await send({ type: 'autoLabel', labelerId: 'positive', count: 8 });
    const trained = of('rewardDiagnostics').at(-1)!.diagnostics;
    expect(trained.goldPairs).toBe(untrained.goldPairs);
    expect(trained.goldAccuracy).not.toBe(0.5);
  });
});

describe('the reward model: settings, probe, panel, acquisition', () => {
  it('refuses bad reward settings, trains for the epochs asked, and probes any text', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'setRewardSettings', settings: { epochs: 0 } });
    expect(of('notice').at(-1)!.message).toMatch(/Epochs must be a whole number from 1 to 50 \(got 0\)/);
    await send({ type: 'setRewardSettings', settings: { batchSize: 4, epochs: 2, ties: 'drop' } });
    expect(of('rewardSettings').at(-1)!.settings).toMatchObject({ batchSize: 4, epochs: 2, ties: 'drop' });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 10 });
    const trainSize = of('rewardDiagnostics')
      .at(-1)!
      .diagnostics.margins.filter((m) => !m.heldOut).length;
    const before = of('rewardMetrics').at(-1)!.points[0].step;
    await send({ type: 'trainRewardEpochs' });
    expect(of('rewardMetrics').at(-1)!.points[0].step - before).toBe(Math.ceil((2 * trainSize) / 4));

    await send({ type: 'probeReward', requestId: 7, prompt: 'review : the pizza', response: 'great zzqx food' });
    const probe = of('probeResult').at(-1)!;
    expect(probe.requestId).toBe(7);
    expect(probe.unknownWords).toEqual(['zzqx']);
    const n = of('rewardDiagnostics').at(-1)!.diagnostics.normalization!;
    expect(probe.reward).toBeCloseTo((probe.raw - n.mean) / n.std, 5);
  });

  it('a panel of simulated annotators votes on every comparison; a bad custom labeler is refused', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'autoLabel', labelerId: 'positive', count: 6 });
    await send({ type: 'setLabelerSettings', settings: { panel: ['positive', 'concise'] } });
    const panel = of('panelVotes').at(-1)!.panel;
    expect(panel.annotators).toEqual(['positive', 'concise']);
    expect(panel.votes.map((v) => v.length)).toEqual([6, 6]);
    expect(panel.agreement.map((a) => `${a.a}/${a.b}`)).toEqual([
      'label/positive',
      'label/concise',
      'positive/concise',
    ]);
    const bad = { ...of('labelerSettings').at(-1)!.settings.custom, temperature: -1 };
    await send({ type: 'setLabelerSettings', settings: { custom: bad } });
    expect(of('notice').at(-1)!.message).toMatch(/Custom labeler: Temperature must be above 0/);
    expect(of('labelerSettings').at(-1)!.settings.custom.temperature).toBe(0.5);
    await send({ type: 'setLabelerSettings', settings: { panel: ['nobody'] } });
    expect(of('notice').at(-1)!.message).toMatch(/no simulated labeler "nobody"/);
  });

  it('compares random and uncertainty-based picking, label by label', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'compareAcquisition', labelerId: 'positive', labels: 10 });
    const points = of('acquisitionCurve').flatMap((e) => e.points);
    for (const strategy of ['random', 'uncertain'] as const) {
      const labels = points.filter((p) => p.strategy === strategy).map((p) => p.labels);
      expect(labels[0]).toBe(0);
      expect(labels.at(-1)).toBe(10);
    }
    points.forEach((p) => expect(p.accuracy).toBeGreaterThanOrEqual(0));
    expect(of('progress').at(-1)).toMatchObject({ done: 1, total: 1 });
  });
});

describe('live mode switches', () => {
  it('with learning on labels paused, a label is saved but the reward model takes no step', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'setRewardSettings', settings: { learnOnLabel: false } });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 3 });
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(3);
    expect(of('rewardMetrics')).toHaveLength(0);
    await send({ type: 'setRewardSettings', settings: { learnOnLabel: 'yes' as never } });
    expect(of('notice').at(-1)!.message).toMatch(/must be on or off/);
  });
});

describe('picking pairs by the ensemble', () => {
  it('builds the ensemble, trains it with the reward model, and still offers pairs', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'autoLabel', labelerId: 'positive', count: 6 });
    await send({ type: 'setPairSettings', settings: { acquisition: 'ensemble' } });
    expect(of('pairSettings').at(-1)!.settings.acquisition).toBe('ensemble');
    await send({ type: 'nextPair' });
    await send({ type: 'nextPair' });
    expect(of('pair')).toHaveLength(2);
    expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
  });
});
