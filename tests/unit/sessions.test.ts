// Whole sessions through the worker's Playground (CPU backend, tiny model): save, change things,
// restore; export, import on a fresh profile; corrupt files and a full quota change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { disposePlaygrounds, memoryComparisons, memorySessions, start } from './harness';
import { emptyUi } from '../../src/engine/sessions';
import { writeError } from '../../src/engine/sessionStore';
import type { SessionUi } from '../../src/engine/sessionFile';

afterEach(disposePlaygrounds);

const init = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 } as const;
const ui: SessionUi = {
  ...emptyUi(),
  rewardMetrics: [{ step: 4, labels: 3, trainLoss: 0.6, heldoutLoss: null, heldoutAccuracy: null }],
};

describe('sessions', () => {
  it('save, change, restore: the dataset, the weights, the settings and the charts come back', async () => {
    const sessions = memorySessions();
    const store = memoryComparisons();
    const { send, of, pg } = start(false, store, sessions);
    await send(init);
    await send({ type: 'autoLabel', labelerId: 'positive', count: 3 });
    await send({
      type: 'setRlSettings',
      settings: { batchSize: 4, minibatches: 1, epochs: 1, responseLength: 6, beta: 0.2 },
    });
    await send({ type: 'rlStep' });
    await send({ type: 'step', stage: 'sft' });
    const savedSft = await pg.model('sft').read();
    const savedLabels = store.kept.map((c) => c.chosen);
    await send({ type: 'saveSession', name: 'after three labels', ui });
    expect(
      of('sessions')
        .at(-1)!
        .list.map((s) => s.name),
    ).toEqual(['after three labels']);

    // Change everything...
    await send({ type: 'autoLabel', labelerId: 'concise', count: 2 });
    await send({ type: 'step', stage: 'sft' });
    await send({ type: 'setRlSettings', settings: { beta: 0.7 } });
    expect(await pg.model('sft').read()).not.toEqual(savedSft);

    // ...and restore.
    await send({ type: 'restoreSession', name: 'after three labels', ui: emptyUi(), fork: false });
    expect(of('notice').at(-1)!.message).toMatch(/Restored the session "after three labels"/);
    expect(await pg.model('sft').read()).toEqual(savedSft);
    expect(store.kept.map((c) => c.chosen)).toEqual(savedLabels);
    expect(
      of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.chosen),
    ).toEqual(savedLabels);
    expect(of('rlState').at(-1)!.state).toMatchObject({ iteration: 1, settings: { beta: 0.2 } });
    expect(of('sessionRestored').at(-1)!.ui.rewardMetrics).toEqual(ui.rewardMetrics);
    // What was there before the restore was saved too: nothing is lost.
    const names = of('sessions')
      .at(-1)!
      .list.map((s) => s.name);
    expect(names.some((n) => n.startsWith('Before restoring "after three labels"'))).toBe(true);
    const before = [...sessions.kept.values()].find((v) => v.summary.name.startsWith('Before restoring'))!;
    expect(before.summary.comparisons).toBe(5);
  });

  it('an exported session imports on a fresh profile; a corrupt file is refused and changes nothing', async () => {
    const first = start(false);
    await first.send(init);
    await first.send({ type: 'autoLabel', labelerId: 'positive', count: 2 });
    await first.send({ type: 'exportSession', name: 'my run', ui });
    const file = first.of('sessionFile').at(-1)!;
    expect(file.filename).toBe('my-run.rlhfsession');
    const labels = first
      .of('preferences')
      .at(-1)!
      .comparisons.map((c) => c.chosen);
    const sft = await first.pg.model('sft').read();
    disposePlaygrounds();

    const fresh = start(false);
    await fresh.send(init);
    const corrupt = new Uint8Array(file.bytes.slice(0));
    corrupt[corrupt.length >> 1] ^= 0xff;
    await fresh.send({ type: 'importSession', bytes: corrupt.buffer, name: 'bad.rlhfsession', ui: emptyUi() });
    expect(fresh.of('notice').at(-1)!.message).toMatch(
      /bad\.rlhfsession was not imported: Not a usable session file: its checksum does not match/,
    );
    expect(fresh.of('preferences').at(-1)!.comparisons).toHaveLength(0);
    await fresh.send({
      type: 'importSession',
      bytes: new TextEncoder().encode('{"not":"a session"}').buffer,
      name: 'text.json',
      ui: emptyUi(),
    });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/does not start with the RLHF Playground session signature/);

    await fresh.send({ type: 'importSession', bytes: file.bytes, name: file.filename, ui: emptyUi() });
    expect(
      fresh
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.chosen),
    ).toEqual(labels);
    expect(await fresh.pg.model('sft').read()).toEqual(sft);
    expect(
      fresh
        .of('sessions')
        .at(-1)!
        .list.map((s) => s.name),
    ).toContain('my run');
  });

  it('a full quota is reported and loses nothing already saved; bad names are refused', async () => {
    const sessions = memorySessions();
    const { send, of } = start(false, memoryComparisons(), sessions);
    await send(init);
    await send({ type: 'saveSession', name: 'first', ui });
    sessions.failWith = writeError({ name: 'QuotaExceededError', message: 'quota' });
    await send({ type: 'saveSession', name: 'second', ui });
    expect(of('notice').at(-1)!.message).toMatch(/storage quota is full\. Sessions saved earlier are unchanged/);
    expect([...sessions.kept.keys()]).toEqual(['first']);
    sessions.failWith = null;
    await send({ type: 'saveSession', name: '   ', ui });
    expect(of('notice').at(-1)!.message).toMatch(/needs a name/);
    await send({ type: 'restoreSession', name: 'nope', ui, fork: false });
    expect(of('notice').at(-1)!.message).toMatch(/no saved session "nope"/);
    await send({ type: 'deleteSession', name: 'first' });
    expect(of('sessions').at(-1)!.list).toEqual([]);
  });
});

describe('forks and live mode', () => {
  it('a fork restores the session and tells the page to keep its RL curves', async () => {
    const { send, of } = start(false);
    await send(init);
    await send({ type: 'saveSession', name: 'base', ui: { ...ui, rlMetrics: [] } });
    await send({ type: 'restoreSession', name: 'base', ui: emptyUi(), fork: true });
    expect(of('sessionRestored').at(-1)).toMatchObject({ name: 'base', fork: true });
    expect(of('notice').at(-1)!.message).toMatch(/as a fork/);
  });

  it('once RL has started, new pairs come from the current policy, not the fine-tuned model', async () => {
    const { send, pg } = start(false);
    await send(init);
    type Inside = { preferences: { pairs: { source: () => unknown } }; rl: { policy: unknown } };
    const inside = pg as unknown as Inside;
    expect(inside.preferences.pairs.source()).toBe(pg.model('sft'));
    await send({ type: 'setRlSettings', settings: { batchSize: 4, minibatches: 1, epochs: 1, responseLength: 6 } });
    await send({ type: 'rlStep' });
    expect(inside.preferences.pairs.source()).toBe(inside.rl.policy);
    expect(inside.preferences.pairs.source()).not.toBe(pg.model('sft'));
  });
});

describe('a well-formed file with bad contents', () => {
  it('is refused whole when it names an unknown labeler or an out-of-range setting, and nothing changes', async () => {
    const { decodeSession, encodeSession } = await import('../../src/engine/sessionFile');
    const { encodeCheckpoint } = await import('../../src/model/checkpoint');
    const first = start(false);
    await first.send(init);
    await first.send({ type: 'exportSession', name: 'good', ui });
    const good = first.of('sessionFile').at(-1)!.bytes;
    disposePlaygrounds();

    /** The same session with its description edited (re-signed, so only the contents are wrong). */
    const edited = (edit: (d: ReturnType<typeof decodeSession>['data']) => void): ArrayBuffer => {
      const s = decodeSession(good);
      edit(s.data);
      const files = Object.fromEntries(Object.entries(s.checkpoints).map(([k, c]) => [k, encodeCheckpoint(c!)]));
      return encodeSession(s.data, files).buffer as ArrayBuffer;
    };
    const fresh = start(false);
    await fresh.send(init);
    await fresh.send({ type: 'autoLabel', labelerId: 'positive', count: 2 });
    const sftBefore = await fresh.pg.model('sft').read();
    await fresh.send({
      type: 'importSession',
      bytes: edited((d) => {
        d.settings.labelers.goldLabeler = 'nobody';
      }),
      name: 'a.rlhfsession',
      ui,
    });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/simulated labeler "nobody"/);
    await fresh.send({
      type: 'importSession',
      bytes: edited((d) => {
        d.settings.rl.clipRange = 7;
      }),
      name: 'b.rlhfsession',
      ui,
    });
    expect(fresh.of('notice').at(-1)!.message).toMatch(/Clip range ε must be/);
    expect(fresh.of('preferences').at(-1)!.comparisons).toHaveLength(2);
    expect(await fresh.pg.model('sft').read()).toEqual(sftBefore);
    expect(fresh.of('sessions')).toHaveLength(0); // neither file was stored
  });
});
