// Demonstrations and corrections in the worker (CPU backend, tiny model): saved as the page saves
// them, learnt from (a correction's comparison trains the reward model), undone together, deleted,
// exported and imported back, kept across a restart and in a session; simulated corrections; and
// "Fine-tune on my demonstrations" bringing the model closer to what the person wrote.
import { afterEach, describe, expect, it } from 'vitest';
import {
  disposePlaygrounds,
  memoryComparisons,
  memoryDemonstrations,
  memoryRatings,
  memorySessions,
  start,
} from './harness';
import { correction, newDemonstration } from '../../src/data/demonstrations';
import type { SessionUi } from '../../src/engine/chartPoints';

afterEach(disposePlaygrounds);

describe('demonstrations and corrections in the worker', () => {
  it('are saved, learnt from, undone together, deleted, exported, imported and kept across a restart', async () => {
    const demonstrations = memoryDemonstrations();
    const comparisons = memoryComparisons();
    const first = start(true, comparisons, undefined, 0, memoryRatings(), demonstrations);
    await first.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await first.pg.idle();
    const shown = () => first.of('demonstrations').at(-1)!.demonstrations;
    expect(shown()).toEqual([]);

    // A demonstration written from scratch, saved as the page saves it.
    const written = newDemonstration({ scenario: 'reviews', prompt: 'the food is', completion: 'lovely and fresh.' });
    await demonstrations.add([written]);
    await first.send({ type: 'demonstrationsSaved', demonstrations: [written], corrections: [] });
    await first.pg.idle();
    expect(shown().map((d) => d.id)).toEqual([written.id]);

    // A correction kept as a demonstration: one comparison (the edit chosen) and one demonstration; the reward model learns.
    const fixed = correction({ prompt: 'the food is', original: 'awful.', edited: 'lovely.' }, 'reviews', true);
    await comparisons.add([fixed.comparison]);
    await demonstrations.add([fixed.demonstration!]);
    const stepsBefore = first.of('rewardMetrics').length;
    await first.send({
      type: 'demonstrationsSaved',
      demonstrations: [fixed.demonstration!],
      corrections: [fixed.comparison],
    });
    await first.pg.idle();
    expect(
      first
        .of('preferences')
        .at(-1)!
        .comparisons.map((c) => c.source),
    ).toEqual(['correction']);
    expect(shown().map((d) => d.source)).toEqual(['demonstration', 'correction']);
    expect(first.of('rewardMetrics').length).toBeGreaterThan(stepsBefore);

    // One undo takes back the correction's comparison and its demonstration; the next, the written one.
    await first.send({ type: 'undoLabel' });
    await first.pg.idle();
    expect(first.of('preferences').at(-1)!.comparisons).toEqual([]);
    expect(shown().map((d) => d.id)).toEqual([written.id]);
    expect(comparisons.kept).toEqual([]);

    // A simulated annotator corrects 4 fresh answers: each a comparison and a demonstration, all one undo.
    await first.send({ type: 'autoCorrect', labelerId: 'positive', count: 4 });
    await first.pg.idle();
    const auto = first.of('preferences').at(-1)!.comparisons;
    expect(auto.length).toBeGreaterThanOrEqual(1);
    expect(auto.every((c) => c.source === 'correction' && c.annotator === 'positive' && c.chosen !== c.rejected)).toBe(
      true,
    );
    expect(
      shown()
        .filter((d) => d.annotator === 'positive')
        .map((d) => d.completion),
    ).toEqual(auto.map((c) => c.chosen));
    await first.send({ type: 'undoLabel' });
    await first.pg.idle();
    expect(first.of('preferences').at(-1)!.comparisons).toEqual([]);
    expect(shown().map((d) => d.id)).toEqual([written.id]);

    // Export: TRL prompt-completion rows.
    await first.send({ type: 'exportDemonstrations' });
    const file = first.of('demonstrationsFile').at(-1)!;
    expect(JSON.parse(file.text.trim())).toMatchObject({ prompt: 'the food is', completion: 'lovely and fresh.' });

    // Delete, then a restart on the same stores: nothing comes back; importing the file brings it back once.
    await first.send({ type: 'deleteDemonstration', id: written.id });
    await first.pg.idle();
    expect(demonstrations.kept).toEqual([]);
    const second = start(true, comparisons, undefined, 0, memoryRatings(), demonstrations);
    await second.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await second.pg.idle();
    expect(second.of('demonstrations').at(-1)!.demonstrations).toEqual([]);
    await second.send({ type: 'importPreferences', text: file.text, name: 'mine.jsonl' });
    await second.send({ type: 'importPreferences', text: file.text, name: 'mine.jsonl' });
    await second.pg.idle();
    expect(second.of('notice').at(-1)!.message).toBe(
      'Imported 0 demonstration(s) from mine.jsonl (1 already here were skipped).',
    );
    expect(demonstrations.kept.map((d) => [d.completion, d.source])).toEqual([['lovely and fresh.', 'import']]);

    // A third worker on the same stores (a reload) shows it.
    const third = start(true, comparisons, undefined, 0, memoryRatings(), demonstrations);
    await third.send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await third.pg.idle();
    expect(
      third
        .of('demonstrations')
        .at(-1)!
        .demonstrations.map((d) => d.completion),
    ).toEqual(['lovely and fresh.']);
  }, 120_000);

  it('keeps demonstrations in a saved session and brings them back on restore', async () => {
    const ui: SessionUi = {
      metrics: { pretrain: [], sft: [] },
      rewardMetrics: [],
      rlMetrics: [],
      rlRuns: [],
      acquisitionCurve: [],
    };
    const sessions = memorySessions();
    const demonstrations = memoryDemonstrations();
    const { send, pg, of } = start(true, memoryComparisons(), sessions, 0, memoryRatings(), demonstrations);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await pg.idle();
    const written = newDemonstration({ scenario: 'reviews', prompt: 'the food is', completion: 'lovely.' });
    await demonstrations.add([written]);
    await send({ type: 'demonstrationsSaved', demonstrations: [written], corrections: [] });
    await send({
      type: 'saveSession',
      name: 'with demos',
      ui,
    });
    await send({ type: 'deleteDemonstration', id: written.id });
    await pg.idle();
    expect(demonstrations.kept).toEqual([]);
    await send({
      type: 'restoreSession',
      name: 'with demos',
      ui,
      fork: false,
    });
    await pg.idle();
    expect(
      of('demonstrations')
        .at(-1)!
        .demonstrations.map((d) => d.id),
    ).toEqual([written.id]);
    expect(demonstrations.kept.map((d) => d.id)).toEqual([written.id]);
  }, 120_000);

  it('"Fine-tune on my demonstrations" lowers the loss on them, step by step on the fine-tuning chart', async () => {
    const demonstrations = memoryDemonstrations();
    const { send, pg, of } = start(true, memoryComparisons(), undefined, 0, memoryRatings(), demonstrations);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await pg.idle();
    await send({ type: 'fineTuneOnDemonstrations', steps: 10 });
    await pg.idle();
    expect(of('notice').at(-1)!.message).toBe('Write a demonstration (or keep a correction as one) first.');
    // An answer the scenario never gives: the model must learn it.
    const mine = ['lovely lovely staff.', 'fresh and handy staff.'].map((completion) =>
      newDemonstration({ scenario: 'reviews', prompt: 'the food is', completion }),
    );
    await demonstrations.add(mine);
    await send({ type: 'demonstrationsSaved', demonstrations: mine, corrections: [] });
    const sftPoints = () => of('metrics').filter((m) => m.stage === 'sft').length;
    const before = sftPoints();
    await send({ type: 'fineTuneOnDemonstrations', steps: 12 });
    await pg.idle();
    const fit = of('demonstrationFit').at(-1)!.fit;
    expect(fit).toMatchObject({ steps: 12, demonstrations: 2 });
    expect(fit.after).toBeLessThan(fit.before);
    expect(sftPoints() - before).toBe(12);
    await send({ type: 'fineTuneOnDemonstrations', steps: 0 });
    await pg.idle();
    expect(of('notice').at(-1)!.level).toBe('error');
  }, 120_000);
});
