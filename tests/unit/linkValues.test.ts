import { describe, expect, test } from 'vitest';
import { commandsFor, valuesFromState, type SettingsSnapshot } from '../../src/ui/linkValues';
import { PRESET_IDS, SCHEMA, parseHash, toHash } from '../../src/ui/urlState';
import { PRESETS, PRESET_LIST } from '../../src/presets';
import { ACQUISITION_LABELS, AUTO_LABEL_PAIRS, REWARD_STEPS, checkRange } from '../../src/engine/protocol';
import { BUILT_IN_LABELERS } from '../../src/data/labelers';

const defaultsOf = (group: string) =>
  Object.fromEntries(SCHEMA.filter((e) => e.group === group).map((e) => [e.field, e.default]));

describe('applying a link', () => {
  test('a fresh worker gets init and only the settings the link holds', () => {
    expect(commandsFor({}, false)).toEqual([{ type: 'init', scenario: 'reviews', preset: 'small', seed: 1 }]);
    expect(commandsFor({ scenario: 'assistant', seed: 9, beta: 0, gold: 'helpful', stages: ['rl'] }, false)).toEqual([
      { type: 'init', scenario: 'assistant', preset: 'small', seed: 9 },
      { type: 'setLabelerSettings', settings: { goldLabeler: 'helpful' } },
      { type: 'setRlSettings', settings: { beta: 0 } },
    ]);
  });

  test('a running worker gets every setting, the missing ones at their defaults', () => {
    const cmds = commandsFor({ temp: 0.5, algo: 'dpo' }, true);
    expect(cmds.map((c) => c.type)).toEqual([
      'init',
      'setSampleSettings',
      'setTrainSettings',
      'setTrainSettings',
      'setPairSettings',
      'setRewardSettings',
      'setLabelerSettings',
      'setRlSettings',
    ]);
    expect(cmds[1]).toEqual({ type: 'setSampleSettings', settings: { temperature: 0.5, topK: 0 } });
    expect(cmds[6]).toEqual({ type: 'setLabelerSettings', settings: { goldLabeler: null, panel: [] } });
    expect(cmds[7]).toEqual({ type: 'setRlSettings', settings: { ...defaultsOf('rl'), algorithm: 'dpo' } });
  });
});

describe('the link of what the worker reports', () => {
  const snapshot = (over: Partial<SettingsSnapshot> = {}): SettingsSnapshot => ({
    model: { scenario: 'reviews', preset: 'small', seed: 1 },
    sample: null,
    pair: null,
    reward: null,
    labelers: null,
    pretrain: null,
    sft: null,
    rl: null,
    page: { stages: ['pretrain', 'sft', 'preferences', 'reward', 'rl'], hide: [], lecture: false, preset: null },
    ...over,
  });
  const custom = { id: 'custom', name: 'Custom', weights: {}, temperature: 0.5, lengthBias: 0, leftBias: 0 };

  test('round-trips through commandsFor', () => {
    const rl = { ...defaultsOf('rl'), beta: 0.3, whitenRewards: true } as never;
    const values = valuesFromState(
      snapshot({
        rl,
        labelers: { goldLabeler: 'concise', panel: ['positive'], custom },
        page: { stages: ['rl'], hide: ['corpus'], lecture: true, preset: null },
      }),
    );
    expect(toHash(values)).toBe('#gold=concise&panel=positive&beta=0.3&whiten=1&stages=rl&hide=corpus&lecture=1');
    expect(commandsFor(values, false).at(-1)).toEqual({ type: 'setRlSettings', settings: rl });
  });

  test('leaves out what a link cannot carry: a pasted corpus, the custom labeler', () => {
    const labelers = { goldLabeler: 'custom', panel: ['custom', 'long-fan'], custom };
    expect(toHash(valuesFromState(snapshot({ labelers })))).toBe('#panel=long-fan');
    const pasted = valuesFromState(snapshot({ model: { scenario: 'custom', preset: 'tiny', seed: 1 }, labelers }));
    expect(toHash(pasted)).toBe('#size=tiny');
  });
});

describe('presets', () => {
  test('there is one for each id, and each is a valid link', () => {
    expect(PRESET_LIST.map((p) => p.id).sort()).toEqual([...PRESET_IDS].sort());
    for (const p of PRESET_LIST) {
      const hash = toHash({ ...p.values, preset: p.id });
      expect(hash, p.id).toContain(`preset=${p.id}`);
      const { values, problems } = parseHash(hash);
      expect(problems, p.id).toEqual([]);
      expect(values.preset, p.id).toBe(p.id);
      // Defaults are left out of the link, so compare what applying it does.
      expect(commandsFor(values, true), p.id).toEqual(commandsFor(p.values, true));
      expect(p.watch.length, p.id).toBeGreaterThan(40);
    }
  });

  test('their commands name real labelers and stay within the worker limits', () => {
    for (const p of PRESET_LIST) {
      const ids = BUILT_IN_LABELERS[p.values.scenario ?? 'reviews'].map((l) => l.id);
      for (const c of p.commands) {
        if (c.type === 'autoLabel')
          expect([ids.includes(c.labelerId), checkRange(c.count, AUTO_LABEL_PAIRS)], p.id).toEqual([true, null]);
        else if (c.type === 'trainReward') expect(checkRange(c.steps, REWARD_STEPS)).toBeNull();
        else if (c.type === 'compareAcquisition')
          expect([ids.includes(c.labelerId), checkRange(c.labels, ACQUISITION_LABELS)]).toEqual([true, null]);
        else throw new Error(`unexpected command ${c.type} in ${p.id}`);
      }
    }
  });

  test('show the phenomena the issue names', () => {
    expect(PRESETS['reward-hacking'].values).toMatchObject({
      scenario: 'reviews',
      gold: 'positive',
      beta: 0,
      algo: 'ppo',
    });
    expect(PRESETS['strong-anchor'].values.beta).toBe(1);
    expect(PRESETS['helpful-harmless'].values).toMatchObject({
      scenario: 'assistant',
      gold: 'helpful-harmless',
      panel: ['helpful', 'harmless'],
    });
    expect(PRESETS['labeler-bias'].values).toMatchObject({
      scenario: 'reviews',
      gold: 'positive',
      panel: ['positive', 'long-fan'],
    });
    expect(PRESETS.acquisition.values.acq).toBe('uncertain');
    expect(PRESETS['ppo-vs-dpo'].values.algo).toBe('dpo');
  });
});
