// The worker's state machine, driven in Node exactly as the worker drives it (CPU backend).
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { DATA_SEED, shippedName } from '../../src/engine/playground';
import { disposePlaygrounds, memoryComparisons, start } from './harness';
import { loadScenario } from '../../src/data/scenarios';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint';
import { configFor } from '../../src/model/config';
import { GPT } from '../../src/model/model';
import { pairKey } from '../../src/data/preferences';

afterEach(disposePlaygrounds);

describe('Playground', () => {
  it('starts on a scenario: model info, samples for both stages, then ready', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    expect(of('model')[0].info.config).toEqual(configFor('tiny', loadScenario('reviews', 1).tokenizer.vocabSize));
    const samples = of('samples');
    expect(samples.map((s) => s.stage)).toEqual(['pretrain', 'sft']);
    expect(samples[0].completions).toHaveLength(4);
    samples[0].completions.forEach((c) => expect(Number.isFinite(c.meanLogProb)).toBe(true));
    expect(of('notice')[0].message).toMatch(/random weights/);
    expect(of('ready')).toHaveLength(1);
  });

  it('runs a training step: a metric point with a held-out loss, and fresh samples', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'assistant', preset: 'tiny', seed: 1 });
    await send({ type: 'step', stage: 'pretrain' });
    const [point] = of('metrics')[0].points;
    expect(point.step).toBe(1);
    expect(point.trainLoss).toBeGreaterThan(0);
    expect(point.heldoutLoss).toBeGreaterThan(0);
    expect(of('samples').at(-1)!.step).toBe(1);
  });

  it('plays until paused, one step at a time, with commands served between steps', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    void send({ type: 'play', stage: 'pretrain' });
    await expect.poll(() => of('metrics').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await send({ type: 'setTrainSettings', stage: 'pretrain', settings: { learningRate: 0.002 } }); // served mid-run
    expect(of('stage').at(-1)!.state).toMatchObject({ running: true, settings: { learningRate: 0.002 } });
    await send({ type: 'pause' });
    const steps = of('metrics').map((m) => m.points[0].step);
    expect(steps).toEqual(steps.map((_, i) => i + 1)); // consecutive, none lost or repeated
    expect(of('stage').at(-1)!.state.running).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(of('metrics').length).toBe(steps.length); // paused means paused
  });

  it('refuses a corrupt or mismatched checkpoint with a message and keeps the weights', async () => {
    const { send, of, pg } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    const before = await pg.model('pretrain').read();
    await send({
      type: 'importCheckpoint',
      stage: 'pretrain',
      bytes: new TextEncoder().encode('not a checkpoint').buffer as ArrayBuffer,
      name: 'junk.bin',
    });
    expect(of('notice').at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(/signature/) });
    const other = configFor('small', loadScenario('reviews', 1).tokenizer.vocabSize);
    const wrongSize = encodeCheckpoint({
      config: other,
      tokenizer: loadScenario('reviews', 1).tokenizer.spec,
      weights: GPT.randomWeights(other, 1),
      meta: { scenario: 'reviews', stage: 'pretrain', step: 0, createdAt: '' },
    });
    await send({
      type: 'importCheckpoint',
      stage: 'pretrain',
      bytes: wrongSize.buffer as ArrayBuffer,
      name: 'small.ckpt',
    });
    expect(of('notice').at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/different model size/),
    });
    expect(Array.from(await pg.model('pretrain').read())).toEqual(Array.from(before));
  });

  it('exports a checkpoint that imports back bit for bit, and saves / loads through the browser store', async () => {
    const { send, of, pg } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'step', stage: 'sft' });
    const trained = await pg.model('sft').read();
    await send({ type: 'exportCheckpoint', stage: 'sft' });
    const file = of('checkpointFile')[0];
    expect(file.filename).toMatch(/^reviews-tiny-sft-step1\.ckpt$/);
    await send({ type: 'saveToBrowser', stage: 'sft' });
    await send({ type: 'reset', stage: 'sft' }); // back to a copy of the pretrained weights
    expect(Array.from(await pg.model('sft').read())).toEqual(Array.from(await pg.model('pretrain').read()));
    await send({ type: 'importCheckpoint', stage: 'sft', bytes: file.bytes, name: file.filename });
    expect(Array.from(await pg.model('sft').read())).toEqual(Array.from(trained));
    await send({ type: 'reset', stage: 'sft' });
    await send({ type: 'loadFromBrowser', stage: 'sft' });
    expect(Array.from(await pg.model('sft').read())).toEqual(Array.from(trained));
    expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
  });

  it('refuses out-of-range settings and unusable corpora, changing nothing', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    const before = of('stage')
      .filter((e) => e.state.stage === 'pretrain')
      .at(-1)!.state.settings;
    await send({ type: 'setTrainSettings', stage: 'pretrain', settings: { learningRate: 5 } });
    // A refused change is answered with the settings still in force, so the form shows them again.
    expect(of('stage').at(-1)!.state.settings).toEqual(before);
    expect(of('notice').at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/Learning rate must be/),
    });
    await send({ type: 'setTrainSettings', stage: 'pretrain', settings: { batchSize: 2.5 } });
    expect(of('notice').at(-1)!.message).toMatch(/Batch size must be a whole number/);
    await send({ type: 'setSampleSettings', settings: { temperature: 0 } });
    expect(of('notice').at(-1)!.message).toMatch(/Temperature/);
    expect(of('sampleSettings').at(-1)!.settings.temperature).toBe(1);
    expect(of('stage').at(-1)!.state.settings).toEqual(before);
    await send({ type: 'useCustomCorpus', text: '', separator: '|', preset: 'tiny' });
    expect(of('notice').at(-1)).toMatchObject({ level: 'error' });
    expect(of('model')).toHaveLength(1);
    await send({ type: 'setTrainSettings', stage: 'pretrain', settings: { learningRate: 0.01, batchSize: 4 } });
    expect(of('stage').at(-1)!.state.settings).toMatchObject({ learningRate: 0.01, batchSize: 4 });
    const corpus = Array.from({ length: 12 }, (_, i) => `q${i % 3}|a${i % 4}`).join('\n');
    await send({ type: 'useCustomCorpus', text: corpus, separator: '|', preset: 'tiny' });
    expect(of('model').at(-1)!.info).toMatchObject({ scenario: 'custom', tokenizerKind: 'char' });
  });
});

describe('Preferences', () => {
  it('labels pairs (saved at once), keeps them through a restart, and undo takes the last one back', async () => {
    const store = memoryComparisons();
    const t = start(false, store);
    const { send, of } = t;
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    const judge = async (choice: 'left' | 'right' | 'tie') => {
      await send({ type: 'nextPair' });
      const pair = of('pair').at(-1)!.pair;
      expect(pair.prompt.length).toBeGreaterThan(0);
      await t.judge(pair, choice);
      return pair;
    };
    const first = await judge('left');
    expect(store.kept).toHaveLength(1);
    expect(store.kept[0]).toMatchObject({
      prompt: first.prompt,
      chosen: first.left,
      rejected: first.right,
      verdict: 'preferred',
      annotator: 'human',
    });
    const second = await judge('right');
    expect(store.kept[1]).toMatchObject({ chosen: second.right, rejected: second.left });
    await judge('tie');
    expect(store.kept[2].verdict).toBe('tie');
    const latest = of('preferences').at(-1)!;
    expect(latest.comparisons).toHaveLength(3);
    latest.pChosen.forEach((p) => expect(p > 0 && p < 1).toBe(true));
    expect(Number.isFinite(of('rewardMetrics').at(-1)!.points[0].trainLoss)).toBe(true);

    await send({ type: 'undoLabel' });
    expect(store.kept.map((c) => c.verdict)).toEqual(['preferred', 'preferred']);
    // A pair already judged is never offered again.
    const key = (p: { prompt: string; left: string; right: string }) => pairKey(p.prompt, p.left, p.right);
    const judgedKeys = new Set(store.kept.map((c) => pairKey(c.prompt, c.chosen, c.rejected)));
    for (let i = 0; i < 6; i++) await send({ type: 'nextPair' });
    const offered = of('pair')
      .slice(3)
      .map((e) => key(e.pair));
    expect(offered).toHaveLength(6);
    offered.forEach((k) => expect(judgedKeys.has(k)).toBe(false));
    expect(new Set(offered).size).toBe(6);
    disposePlaygrounds();

    // A new worker (after a reload or a crash) finds every label again.
    const again = start(false, store);
    await again.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    expect(
      again
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.chosen),
    ).toEqual([first.left, second.right]);
  });

  it('auto-labels fresh pairs with a simulated labeler and trains the reward model on them', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 12 });
    const latest = of('preferences').at(-1)!;
    expect(latest.comparisons).toHaveLength(12);
    expect(new Set(latest.comparisons.map((c) => c.annotator))).toEqual(new Set(['positive']));
    expect(of('rewardMetrics').at(-1)!.points[0].labels).toBe(12);
    await send({ type: 'autoLabel', labelerId: 'nobody', count: 5 });
    expect(of('notice').at(-1)!.message).toMatch(/no simulated labeler "nobody"/);
    const before = of('rewardMetrics').length;
    await send({ type: 'trainReward', steps: 25 });
    const points = of('rewardMetrics')
      .slice(before)
      .map((e) => e.points[0]);
    const first = points[0].step - 10;
    expect(points.map((p) => p.step - first)).toEqual([10, 20, 25]); // progress every 10 steps, then the held-out measure
    expect(points.map((p) => p.heldoutLoss === null)).toEqual([true, true, false]);
    await send({ type: 'trainReward', steps: 0 });
    expect(of('notice').at(-1)!.message).toMatch(/1 to 5000 steps/);
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(12);
  });
});

describe('Preferences: the table, files and settings', () => {
  it('flips and deletes comparisons, exports them, and imports them into an empty profile', async () => {
    const store = memoryComparisons();
    const { send, of } = start(false, store);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 4 });
    const [a, b] = store.kept;
    await send({ type: 'flipComparison', id: a.id });
    expect(store.kept[0]).toMatchObject({ chosen: a.rejected, rejected: a.chosen });
    await send({ type: 'deleteComparison', id: b.id });
    expect(store.kept.map((c) => c.id)).not.toContain(b.id);
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(3);
    await send({ type: 'exportPreferences', format: 'jsonl' });
    const file = of('preferencesFile')[0];
    expect(file.filename).toMatch(/^preferences-reviews-\d{4}-\d\d-\d\d\.jsonl$/);
    expect(file.text.trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(file.text.split('\n')[0])).toMatchObject({
      prompt: a.prompt,
      chosen: a.rejected,
      rejected: a.chosen,
    });
    disposePlaygrounds();

    const fresh = start(false);
    await fresh.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await fresh.send({ type: 'importPreferences', text: 'not json', name: 'broken.jsonl' });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/broken\.jsonl was not imported: line 1/);
    expect(fresh.of('preferences').at(-1)!.comparisons).toHaveLength(0);
    await fresh.send({ type: 'importPreferences', text: file.text, name: file.filename });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/Imported 3 comparisons/);
    expect(
      fresh
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.chosen)
        .sort(),
    ).toEqual(store.kept.map((c) => c.chosen).sort());
    await fresh.send({ type: 'importPreferences', text: file.text, name: file.filename });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/Imported 0 comparisons .*3 already here/);
  });

  it('refuses pair temperatures out of range and applies good ones to the next pairs', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'setPairSettings', settings: { temperatureLeft: 9 } });
    expect(of('notice').at(-1)!.message).toMatch(/Left temperature must be/);
    await send({ type: 'setPairSettings', settings: { temperatureLeft: 0.5, temperatureRight: 1.5 } });
    expect(of('pairSettings').at(-1)!.settings).toEqual({
      temperatureLeft: 0.5,
      temperatureRight: 1.5,
      acquisition: 'random',
      rankK: 4,
    });
    await send({ type: 'setPairSettings', settings: { rankK: 7 } });
    expect(of('notice').at(-1)!.message).toMatch(
      /Completions per ranking must be a whole number from 3 to 6 \(got 7\)/,
    );
    await send({ type: 'setPairSettings', settings: { acquisition: 'psychic' as never } });
    expect(of('notice').at(-1)!.message).toMatch(/Unknown way to pick pairs: psychic/);
    expect(of('pairSettings').at(-1)!.settings.rankK).toBe(4);
  });
});

describe('shipped checkpoints', () => {
  const files = readdirSync('public/checkpoints').filter((f) => f.endsWith('.ckpt'));

  it('exist for both built-in scenarios at the default size and fit in 5 MB together', () => {
    for (const scenario of ['reviews', 'assistant'] as const) {
      for (const stage of ['pretrain', 'sft'] as const) expect(files).toContain(shippedName(scenario, 'small', stage));
    }
    const total = files.reduce((sum, f) => sum + statSync(`public/checkpoints/${f}`).size, 0);
    expect(total).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('match their scenario vocabulary (run npm run pretrain if not)', () => {
    for (const f of files) {
      const ckpt = decodeCheckpoint(readFileSync(`public/checkpoints/${f}`));
      const scenario = f.split('-')[0] as 'reviews' | 'assistant';
      expect(ckpt.tokenizer, f).toEqual(loadScenario(scenario, DATA_SEED).tokenizer.spec);
    }
  });

  it('load into the playground without a notice', async () => {
    const { send, of } = start(true);
    await send({ type: 'init', scenario: 'assistant', preset: 'small', seed: 1 });
    expect(of('notice')).toEqual([]);
    expect(of('stage').map((s) => s.state.source)).toContain('shipped fine-tuned checkpoint');
  });
});
