// Every setting a link can carry, in one declarative schema (in the spirit of TensorFlow
// Playground's state.ts): its short key, its type and limits, its default and where it goes.
// parseHash checks a `#k=v&k2=v2` hash against the schema, dropping anything it cannot use with a
// sentence saying why; toHash writes only what differs from the defaults. Values from the URL are
// only ever compared against fixed lists and parsed as numbers: nothing is evaluated or rendered.
// The defaults are the worker's own (engine/settingDefaults.ts, through protocol.ts).

import {
  ACQUISITIONS,
  PAIR_DEFAULTS,
  PAIR_LIMITS,
  REWARD_DEFAULTS,
  REWARD_LIMITS,
  RL_ALGORITHMS,
  RL_DEFAULTS,
  RL_LIMITS,
  SAMPLE_DEFAULTS,
  SAMPLE_LIMITS,
  TRAIN_DEFAULTS,
  TRAIN_LIMITS,
  type TrainSettings,
  checkRange,
  type Range,
  type StageId,
} from '../engine/protocol';
import { BUILT_IN_LABELERS } from '../data/labelers';

/** Where a value goes: a model choice, one of the worker's settings objects, or the page itself. */
export type Group = 'model' | 'sample' | 'pair' | 'reward' | 'labelers' | 'pretrain' | 'sft' | 'rl' | 'page';
export type LinkScenario = 'reviews' | 'assistant';

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

const trainEntries = <const P extends string, const G extends 'pretrain' | 'sft'>(p: P, g: G, d: TrainSettings) =>
  [
    num(`${p}Lr`, g, 'learningRate', TRAIN_LIMITS.learningRate, d.learningRate),
    num(`${p}Batch`, g, 'batchSize', TRAIN_LIMITS.batchSize, d.batchSize),
    num(`${p}Warmup`, g, 'warmupSteps', TRAIN_LIMITS.warmupSteps, d.warmupSteps),
    num(`${p}Steps`, g, 'totalSteps', TRAIN_LIMITS.totalSteps, d.totalSteps),
    num(`${p}Wd`, g, 'weightDecay', TRAIN_LIMITS.weightDecay, d.weightDecay),
    num(`${p}Clip`, g, 'gradClip', TRAIN_LIMITS.gradClip, d.gradClip),
  ] as const;

export const SCHEMA = [
  oneOf('scenario', 'model', 'scenario', ['reviews', 'assistant'], 'reviews'), // first: labeler ids depend on it
  oneOf('size', 'model', 'preset', ['tiny', 'small', 'medium'], 'small'),
  num('seed', 'model', 'seed', SEED, 1),
  num('temp', 'sample', 'temperature', SAMPLE_LIMITS.temperature, SAMPLE_DEFAULTS.temperature),
  num('topk', 'sample', 'topK', SAMPLE_LIMITS.topK, SAMPLE_DEFAULTS.topK),
  ...trainEntries('pt', 'pretrain', TRAIN_DEFAULTS.pretrain),
  ...trainEntries('sft', 'sft', TRAIN_DEFAULTS.sft),
  num('pairTempL', 'pair', 'temperatureLeft', PAIR_LIMITS.temperatureLeft, PAIR_DEFAULTS.temperatureLeft),
  num('pairTempR', 'pair', 'temperatureRight', PAIR_LIMITS.temperatureRight, PAIR_DEFAULTS.temperatureRight),
  num('rankK', 'pair', 'rankK', PAIR_LIMITS.rankK, PAIR_DEFAULTS.rankK),
  oneOf(
    'acq',
    'pair',
    'acquisition',
    ACQUISITIONS.map((a) => a.id),
    PAIR_DEFAULTS.acquisition,
  ),
  num('rmLr', 'reward', 'learningRate', REWARD_LIMITS.learningRate, REWARD_DEFAULTS.learningRate),
  num('rmBatch', 'reward', 'batchSize', REWARD_LIMITS.batchSize, REWARD_DEFAULTS.batchSize),
  num('rmEpochs', 'reward', 'epochs', REWARD_LIMITS.epochs, REWARD_DEFAULTS.epochs),
  num('rmMargin', 'reward', 'margin', REWARD_LIMITS.margin, REWARD_DEFAULTS.margin),
  num('rmCenter', 'reward', 'centering', REWARD_LIMITS.centering, REWARD_DEFAULTS.centering),
  oneOf('ties', 'reward', 'ties', ['half', 'drop'], REWARD_DEFAULTS.ties),
  bool('learnOnLabel', 'reward', 'learnOnLabel', REWARD_DEFAULTS.learnOnLabel),
  labeler('gold', 'goldLabeler', null),
  labelers('panel', 'panel', []),
  oneOf(
    'algo',
    'rl',
    'algorithm',
    RL_ALGORITHMS.map((a) => a.id),
    RL_DEFAULTS.algorithm,
  ),
  num('group', 'rl', 'groupSize', RL_LIMITS.groupSize, RL_DEFAULTS.groupSize),
  num('lr', 'rl', 'learningRate', RL_LIMITS.learningRate, RL_DEFAULTS.learningRate),
  num('beta', 'rl', 'beta', RL_LIMITS.beta, RL_DEFAULTS.beta),
  oneOf('klEst', 'rl', 'klEstimator', ['k1', 'k3'], RL_DEFAULTS.klEstimator),
  bool('adaptiveKl', 'rl', 'adaptiveKl', RL_DEFAULTS.adaptiveKl),
  num('targetKl', 'rl', 'targetKl', RL_LIMITS.targetKl, RL_DEFAULTS.targetKl),
  num('klHorizon', 'rl', 'klHorizon', RL_LIMITS.klHorizon, RL_DEFAULTS.klHorizon),
  num('clip', 'rl', 'clipRange', RL_LIMITS.clipRange, RL_DEFAULTS.clipRange),
  num('clipV', 'rl', 'clipRangeValue', RL_LIMITS.clipRangeValue, RL_DEFAULTS.clipRangeValue),
  num('vf', 'rl', 'vfCoef', RL_LIMITS.vfCoef, RL_DEFAULTS.vfCoef),
  num('gamma', 'rl', 'gamma', RL_LIMITS.gamma, RL_DEFAULTS.gamma),
  num('lambda', 'rl', 'lambda', RL_LIMITS.lambda, RL_DEFAULTS.lambda),
  num('epochs', 'rl', 'epochs', RL_LIMITS.epochs, RL_DEFAULTS.epochs),
  num('minibatches', 'rl', 'minibatches', RL_LIMITS.minibatches, RL_DEFAULTS.minibatches),
  num('batch', 'rl', 'batchSize', RL_LIMITS.batchSize, RL_DEFAULTS.batchSize),
  num('respLen', 'rl', 'responseLength', RL_LIMITS.responseLength, RL_DEFAULTS.responseLength),
  num('rlTemp', 'rl', 'temperature', RL_LIMITS.temperature, RL_DEFAULTS.temperature),
  num('entropy', 'rl', 'entropyCoef', RL_LIMITS.entropyCoef, RL_DEFAULTS.entropyCoef),
  num('eosPenalty', 'rl', 'missingEosPenalty', RL_LIMITS.missingEosPenalty, RL_DEFAULTS.missingEosPenalty),
  bool('whiten', 'rl', 'whitenRewards', RL_DEFAULTS.whitenRewards),
  oneOf('valueInit', 'rl', 'valueInit', ['reward', 'policy'], RL_DEFAULTS.valueInit),
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
export function readValue(e: Entry, text: string, scenario: LinkScenario): { value: unknown } | { problem: string } {
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
    const read = readValue(e, text, (values.scenario as LinkScenario | undefined) ?? 'reviews');
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
