// Walks every record of the settings registries and checks that it is wired everywhere a setting
// must be: a link carries it and reads it back, its form draws a field for it, the worker refuses a
// value its record refuses (and keeps the one in force), and a session file carrying that value is
// not imported. A record added but left half wired fails here.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import { disposePlaygrounds, memorySessions, memoryComparisons, start } from './harness';
import { emptyUi } from '../../src/engine/sessions';
import { decodeSession, encodeSession } from '../../src/engine/sessionFile';
import { encodeCheckpoint } from '../../src/model/checkpoint';
import {
  PAIR_SETTINGS,
  REWARD_SETTINGS,
  RL_SETTINGS,
  SAMPLE_SETTINGS,
  TRAIN_SETTINGS,
  checkSetting,
  PAIR_DEFAULTS,
  REWARD_DEFAULTS,
  RL_DEFAULTS,
  SAMPLE_DEFAULTS,
  TRAIN_DEFAULTS,
  type Command,
  type SettingRecord,
} from '../../src/engine/protocol';
import { ENTRIES, parseHash, toHash } from '../../src/ui/urlState';
import RlSettingsForm from '../../src/ui/panels/RlSettingsForm.svelte';
import RewardSettingsForm from '../../src/ui/panels/RewardSettingsForm.svelte';
import TrainSettingsForm from '../../src/ui/panels/TrainSettingsForm.svelte';
import PairTools from '../../src/ui/panels/PairTools.svelte';
import SampleSettingsPanel from '../../src/ui/panels/SampleSettingsPanel.svelte';

afterEach(disposePlaygrounds);

type Group = 'pretrain' | 'sft' | 'sample' | 'pair' | 'reward' | 'rl';
const REGISTRIES: Record<Group, Record<string, SettingRecord>> = {
  pretrain: TRAIN_SETTINGS.pretrain,
  sft: TRAIN_SETTINGS.sft,
  sample: SAMPLE_SETTINGS,
  pair: PAIR_SETTINGS,
  reward: REWARD_SETTINGS,
  rl: RL_SETTINGS,
};
const RECORDS = (Object.keys(REGISTRIES) as Group[]).flatMap((group) =>
  Object.entries(REGISTRIES[group]).map(([key, record]) => ({ group, key, record })),
);

/** A value the record accepts that is not its default. */
function otherValue(r: SettingRecord): number | string | boolean {
  if (r.kind === 'flag') return !r.default;
  if (r.kind === 'choice') return r.choices.find((c) => c.id !== r.default)!.id;
  return r.default === r.max ? (r.minExclusive ? r.max / 2 : r.min) : r.max;
}

/** A value the record refuses: past its top, not one of its choices, not on or off. */
function badValue(r: SettingRecord): number | string {
  if (r.kind === 'flag') return 'yes';
  if (r.kind === 'choice') return 'bogus';
  return r.max + 1;
}

/** The command that changes one setting of a group. */
function setCommand(group: Group, key: string, value: unknown): Command {
  const settings = { [key]: value } as never;
  if (group === 'pretrain' || group === 'sft') return { type: 'setTrainSettings', stage: group, settings };
  const type = {
    sample: 'setSampleSettings',
    pair: 'setPairSettings',
    reward: 'setRewardSettings',
    rl: 'setRlSettings',
  }[group];
  return { type, settings } as Command;
}

describe('the registries', () => {
  it('hold a label, a help line, a link key and a section for every setting, and every link key once', () => {
    expect(RECORDS.length).toBeGreaterThan(40);
    const links = RECORDS.map((r) => r.record.link);
    expect(new Set(links).size).toBe(links.length);
    for (const { key, record } of RECORDS) {
      expect([record.label.length > 0, record.help.length > 10, record.section.length > 0], key).toEqual([
        true,
        true,
        true,
      ]);
      expect(checkSetting(record.default, record), key).toBeNull();
      expect(checkSetting(otherValue(record), record), key).toBeNull();
      expect(checkSetting(badValue(record), record), key).toMatch(/must be|Unknown/);
    }
  });

  it("every record travels in a link and comes back; a refused value is left out with its record's reason", () => {
    for (const { group, key, record } of RECORDS) {
      const entry = ENTRIES.get(record.link);
      expect([entry?.group, entry?.field, entry?.default], record.link).toEqual([group, key, record.default]);
      const value = otherValue(record);
      const hash = toHash({ [record.link]: value });
      expect(hash, key).not.toBe('');
      expect(parseHash(hash).values, key).toEqual({ [record.link]: value });
      const bad = parseHash(`#${record.link}=${badValue(record)}`);
      expect(bad.values, key).toEqual({});
      expect(bad.problems, key).toHaveLength(1);
    }
  });

  it('every record has its field in its form, with the label and help of its record', () => {
    const html: Record<Group, string> = {
      pretrain: render(TrainSettingsForm, { props: { stage: 'pretrain', settings: null, onCommit: () => {} } }).body,
      sft: render(TrainSettingsForm, { props: { stage: 'sft', settings: null, onCommit: () => {} } }).body,
      sample: render(SampleSettingsPanel, { props: { settings: null, onCommit: () => {} } }).body,
      pair: render(PairTools, {
        props: { app: { pairSettings: null } as never, send: () => {}, disabled: false },
      }).body,
      reward: render(RewardSettingsForm, { props: { settings: null, onCommit: () => {} } }).body,
      rl: render(RlSettingsForm, { props: { settings: null, onCommit: () => {} } }).body,
    };
    const ids: Record<Group, (key: string) => string> = {
      pretrain: (k) => `pretrain-${k}`,
      sft: (k) => `sft-${k}`,
      sample: (k) => ({ temperature: 'temperature', topK: 'top-k' })[k]!,
      pair: (k) => `pair-${k}`,
      reward: (k) => `reward-${k}`,
      rl: (k) => `rl-${k}`,
    };
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    for (const { group, key, record } of RECORDS) {
      const page = html[group];
      expect(page.includes(`id="${ids[group](key)}"`), `${group}.${key}`).toBe(true);
      expect(page.includes(escaped(record.label)), `${group}.${key}`).toBe(true);
      if (group !== 'sample') expect(page.includes(escaped(record.help)), `${group}.${key}`).toBe(true);
    }
  });
});

describe('the worker and the session file', () => {
  let good: ArrayBuffer;
  const init = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 } as const;

  beforeAll(async () => {
    const first = start(false);
    await first.send(init);
    await first.send({ type: 'exportSession', name: 'good', ui: emptyUi() });
    good = first.of('sessionFile').at(-1)!.bytes;
    disposePlaygrounds();
  }, 60_000);

  it("refuses every record's bad value with a message, keeping the setting in force", async () => {
    const { send, of } = start(false);
    await send(init);
    for (const { group, key, record } of RECORDS) {
      const before = of('notice').length;
      await send(setCommand(group, key, badValue(record)));
      const notices = of('notice').slice(before);
      expect(
        notices.map((n) => n.level),
        `${group}.${key}`,
      ).toContain('error');
      expect(notices.at(-1)!.message, `${group}.${key}`).toContain(
        checkSetting(badValue(record), record)!.slice(0, 30),
      );
    }
    // Nothing changed: the settings in force are still the defaults (read from the records).
    expect(of('rlState').at(-1)!.state.settings).toEqual(RL_DEFAULTS);
    expect(of('pairSettings').at(-1)!.settings).toEqual(PAIR_DEFAULTS);
    expect(of('rewardSettings').at(-1)!.settings).toEqual(REWARD_DEFAULTS);
    expect(of('sampleSettings').at(-1)!.settings).toEqual(SAMPLE_DEFAULTS);
    for (const stage of ['pretrain', 'sft'] as const) {
      const state = of('stage')
        .filter((e) => e.state.stage === stage)
        .at(-1)!.state;
      expect(state.settings, stage).toEqual(TRAIN_DEFAULTS[stage]);
    }
  }, 120_000);

  it("does not import a session file that carries any record's bad value, and imports the good file", async () => {
    const sessions = memorySessions();
    const { send, of } = start(false, memoryComparisons(), sessions);
    await send(init);
    const source = decodeSession(good);
    const withValue = (group: Group, key: string, value: unknown) => {
      const d = JSON.parse(JSON.stringify(source.data)) as Record<string, any>; // eslint-disable-line
      if (group === 'pretrain' || group === 'sft') d.settings.train[group][key] = value;
      else d.settings[group][key] = value;
      const files = Object.fromEntries(
        source.data.models.map((m) => [m, encodeCheckpoint(source.checkpoints[m]!)] as const),
      );
      return encodeSession(d as never, files).buffer as ArrayBuffer;
    };
    for (const { group, key, record } of RECORDS) {
      await send({ type: 'importSession', bytes: withValue(group, key, badValue(record)), name: 'bad', ui: emptyUi() });
      const notice = of('notice').at(-1)!;
      expect([notice.level, notice.message.startsWith('bad was not imported')], `${group}.${key}`).toEqual([
        'error',
        true,
      ]);
    }
    expect(sessions.kept.size).toBe(0);
    await send({ type: 'importSession', bytes: withValue('rl', 'beta', 0.3), name: 'ok', ui: emptyUi() });
    expect([...sessions.kept.keys()]).toContain('good');
    expect(of('rlState').at(-1)!.state.settings.beta).toBe(0.3);
  }, 120_000);
});
