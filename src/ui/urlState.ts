// Every setting a link can carry, in one declarative schema (in the spirit of TensorFlow
// Playground's state.ts): its short key, its type and limits, its default and where it goes.
// parseHash checks a `#k=v&k2=v2` hash against the schema, dropping anything it cannot use with a
// sentence saying why; toHash writes only what differs from the defaults. Values from the URL are
// only ever compared against fixed lists and parsed as numbers: nothing is evaluated or rendered.
// The settings' entries are read from the worker's own registries (engine/settingsRegistry.ts and
// rlSettingsRegistry.ts, through protocol.ts): their link keys, ranges, choices and defaults.

import {
  MODEL_DEFAULTS,
  PAIR_SETTINGS,
  REWARD_SETTINGS,
  RL_SETTINGS,
  SAMPLE_SETTINGS,
  TRAIN_SETTINGS,
  checkRange,
  type ChoiceSetting,
  type FlagSetting,
  type NumberSetting,
  type Range,
  type SettingRecord,
  type StageId,
} from '../engine/protocol';
import { BUILT_IN_LABELERS } from '../data/labelers';
import type { BuiltInScenarioId } from '../data/types';

/** Where a value goes: a model choice, one of the worker's settings objects, or the page itself. */
export type Group = 'model' | 'sample' | 'pair' | 'reward' | 'labelers' | 'pretrain' | 'sft' | 'rl' | 'page';

export const ALL_STAGES = ['pretrain', 'sft', 'preferences', 'reward', 'rl'] as const satisfies readonly StageId[];
/** Controls a shared link (or lecture mode) can hide; elements carry the class `ctl-<name>`. */
export const HIDEABLE = ['settings', 'checkpoints', 'corpus', 'advanced'] as const;
export type Hideable = (typeof HIDEABLE)[number];
export const PRESET_IDS = [
  'reward-hacking',
  'strong-anchor',
  'helpful-harmless',
  'labeler-bias',
  'acquisition',
  'ppo-vs-dpo',
  'mode-collapse',
] as const;
export type PresetId = (typeof PRESET_IDS)[number];

const SEED: Range = { min: 1, max: 1_000_000, integer: true, label: 'Seed' };

const num = <const K extends string, const G extends Group>(key: K, group: G, field: string, range: Range, d: number) =>
  ({ kind: 'number', key, group, field, range, default: d }) as const;
const oneOf = <const K extends string, const G extends Group, const V extends string>(
  key: K,
  group: G,
  field: string,
  values: readonly V[],
  d: V | null,
) => ({ kind: 'enum', key, group, field, values, default: d }) as const;
const bool = <const K extends string, const G extends Group>(key: K, group: G, field: string, d: boolean) =>
  ({ kind: 'boolean', key, group, field, default: d }) as const;
const listOf = <const K extends string, const V extends string>(
  key: K,
  field: string,
  values: readonly V[],
  d: readonly V[],
  minItems = 0,
) => ({ kind: 'list', key, group: 'page', field, values, default: d, minItems }) as const;
/** Ids of the scenario's built-in simulated labelers (the user's custom one cannot travel in a link). */
const labeler = <const K extends string>(key: K, field: string, d: null) =>
  ({ kind: 'labeler', key, group: 'labelers', field, default: d }) as const;
const labelers = <const K extends string>(key: K, field: string, d: readonly string[]) =>
  ({ kind: 'labelers', key, group: 'labelers', field, default: d }) as const;

/** The link entry of one setting record: its link key, where it goes, and its kind. */
type LinkEntryOf<G extends Group, K extends string, R> = R extends NumberSetting
  ? { kind: 'number'; key: R['link']; group: G; field: K; range: Range; default: number }
  : R extends FlagSetting
    ? { kind: 'boolean'; key: R['link']; group: G; field: K; default: boolean }
    : R extends ChoiceSetting<infer V>
      ? { kind: 'enum'; key: R['link']; group: G; field: K; values: readonly V[]; default: V | null }
      : never;
type LinkEntriesOf<G extends Group, Reg> = { [K in keyof Reg & string]: LinkEntryOf<G, K, Reg[K]> }[keyof Reg & string];

/** A registry's records as link entries, in the registry's order. */
function fromRegistry<const G extends Group, Reg extends Record<string, SettingRecord>>(group: G, registry: Reg) {
  return Object.entries(registry).map(([field, r]) => {
    if (r.kind === 'number') return num(r.link, group, field, r, r.default);
    if (r.kind === 'flag') return bool(r.link, group, field, r.default);
    return oneOf(
      r.link,
      group,
      field,
      r.choices.map((c) => c.id),
      r.default,
    );
  }) as LinkEntriesOf<G, Reg>[];
}

export const SCHEMA = [
  oneOf('scenario', 'model', 'scenario', ['reviews', 'assistant'], MODEL_DEFAULTS.scenario), // first: labelers depend on it
  oneOf('size', 'model', 'preset', ['tiny', 'small', 'medium'], MODEL_DEFAULTS.preset),
  num('seed', 'model', 'seed', SEED, MODEL_DEFAULTS.seed),
  ...fromRegistry('sample', SAMPLE_SETTINGS),
  ...fromRegistry('pretrain', TRAIN_SETTINGS.pretrain),
  ...fromRegistry('sft', TRAIN_SETTINGS.sft),
  ...fromRegistry('pair', PAIR_SETTINGS),
  ...fromRegistry('reward', REWARD_SETTINGS),
  labeler('gold', 'goldLabeler', null),
  labelers('panel', 'panel', []),
  ...fromRegistry('rl', RL_SETTINGS),
  listOf('stages', 'stages', ALL_STAGES, ALL_STAGES, 1),
  listOf('hide', 'hide', HIDEABLE, []),
  bool('lecture', 'page', 'lecture', false),
  oneOf('preset', 'page', 'preset', PRESET_IDS, null),
] as const;

export type Entry = (typeof SCHEMA)[number];
type ValueOf<E> = E extends { kind: 'number' }
  ? number
  : E extends { kind: 'boolean' }
    ? boolean
    : E extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : E extends { kind: 'list'; values: readonly (infer V)[] }
        ? V[]
        : E extends { kind: 'labeler' }
          ? string | null
          : E extends { kind: 'labelers' }
            ? string[]
            : never;
/** Every setting a link can hold, by key. */
export type UrlSettings = { [E in Entry as E['key']]: ValueOf<E> };

export const ENTRIES: Map<string, Entry> = new Map(SCHEMA.map((e) => [e.key, e]));

/** The value a link that leaves out `key` stands for. */
export function linkDefault<K extends keyof UrlSettings>(key: K): UrlSettings[K] {
  return ENTRIES.get(key)!.default as UrlSettings[K];
}

/** A raw piece of the URL as the page shows it back: quoted, at most 40 characters. */
const shown = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** The value `text` stands for under `e`, or why it cannot be used. */
export function readValue(
  e: Entry,
  text: string,
  scenario: BuiltInScenarioId,
): { value: unknown } | { problem: string } {
  switch (e.kind) {
    case 'number': {
      if (!/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text)) return { problem: `${shown(text)} is not a number.` };
      const problem = checkRange(Number(text), e.range);
      return problem ? { problem } : { value: Number(text) };
    }
    case 'boolean':
      if (['1', 'true', 'on', ''].includes(text)) return { value: true };
      if (['0', 'false', 'off'].includes(text)) return { value: false };
      return { problem: `${shown(text)} is not on or off (use 1 or 0).` };
    case 'enum':
      return (e.values as readonly string[]).includes(text)
        ? { value: text }
        : { problem: `${shown(text)} is not one of ${e.values.join(', ')}.` };
    case 'labeler':
    case 'labelers':
    case 'list': {
      const allowed: readonly string[] = e.kind === 'list' ? e.values : BUILT_IN_LABELERS[scenario].map((l) => l.id);
      const items = text === '' ? [] : text.split(',');
      const bad = items.find((id) => !allowed.includes(id));
      if (bad !== undefined)
        return {
          problem: `${shown(bad)} is not one of ${allowed.join(', ')}${e.kind === 'list' ? '' : ` (the ${scenario} scenario's labelers)`}.`,
        };
      if (e.kind === 'labeler')
        return items.length === 1 ? { value: items[0] } : { problem: 'name exactly one labeler.' };
      const unique = [...new Set(items)];
      if (e.kind === 'labelers') return { value: unique };
      if (unique.length < e.minItems) return { problem: `name at least ${e.minItems} of ${allowed.join(', ')}.` };
      return { value: allowed.filter((id) => unique.includes(id)) }; // a set: kept in the fixed order
    }
  }
}

/** Reads a location hash; never throws. Each unusable piece is left out, with one sentence saying why. */
export function parseHash(hash: string): { values: Partial<UrlSettings>; problems: string[] } {
  const problems: string[] = [];
  const raw = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const key = decode(rawKey);
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    const entry = key === null ? undefined : ENTRIES.get(key);
    if (key === null) problems.push(`The setting name ${shown(rawKey)} is not valid percent-encoding.`);
    else if (!entry) problems.push(`${shown(key)} is not a setting the playground knows; it was ignored.`);
    else if (value === null) problems.push(`"${key}": the value is not valid percent-encoding.`);
    else if (raw.has(key)) problems.push(`"${key}" is given more than once; the first value was kept.`);
    else raw.set(key, value);
  }
  const values: Record<string, unknown> = {};
  for (const e of SCHEMA) {
    const text = raw.get(e.key);
    if (text === undefined) continue;
    const read = readValue(e, text, (values.scenario as BuiltInScenarioId | undefined) ?? 'reviews');
    if ('problem' in read) problems.push(`"${e.key}": ${read.problem.replace(/\.$/, '')}; the default was used.`);
    else values[e.key] = read.value;
  }
  return { values: values as Partial<UrlSettings>, problems };
}

/** The text a value is written as in a link. */
export function format(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** Whether `v` is the entry's default (lists compare item by item). */
export const isDefault = (e: Entry, v: unknown): boolean =>
  format(v) === format(e.default) && (v === null) === (e.default === null);

/** `#k=v&...` of the values that differ from their defaults; '' when none do. */
export function toHash(values: Partial<UrlSettings>): string {
  const parts: string[] = [];
  for (const e of SCHEMA) {
    const v = (values as Record<string, unknown>)[e.key];
    if (v === undefined || v === null || isDefault(e, v)) continue;
    parts.push(`${e.key}=${encodeURIComponent(format(v)).replace(/%2C/g, ',')}`);
  }
  return parts.length ? `#${parts.join('&')}` : '';
}
