// A whole session in one file: settings, the preference dataset, the metric histories the page
// drew, and a checkpoint of every model (pretrained, fine-tuned, reward, and the RL policy,
// reference and value model when RL has run).
//
//   bytes 0-7   "RLHFSESS"
//   bytes 8-11  JSON length n, uint32 little-endian;  then n bytes of UTF-8 JSON (SessionData)
//   then, for each name in SessionData.models: uint32 length, then that checkpoint file's bytes
//   last 4      FNV-1a checksum of everything before it
// Reading checks every part (each checkpoint again by its own rules) and throws a message that
// says what is wrong; nothing is applied until the whole file has passed. The checksum is not a
// signature (anyone can recompute it), so the description is read as hostile input: every field
// typed and length-limited, comparisons by the preference import's own rules, chart histories
// point by point (sessionChecks.ts), and the result rebuilt from the known fields only.

import { checksum, decodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import type { PresetName } from '../model/config';
import type { BuiltInScenarioId } from '../data/types';
import { PRESETS } from '../model/config';
import type { Comparison } from '../data/preferences';
import { checkSavedComparisons } from '../data/preferenceIO';
import { checkSavedRatings } from '../data/ratingIO';
import type { Rating } from '../data/ratings';
import { checkSavedDemonstrations } from '../data/demonstrationIO';
import type { Demonstration } from '../data/demonstrations';
import { scenarioTokenizer } from '../data/scenarios';
import { TRAIT_INFO } from '../data/gold';
import { PAIR_SETTINGS, REWARD_SETTINGS, SAMPLE_SETTINGS, TRAIN_SETTINGS } from './settingsRegistry';
import { PAIR_DEFAULTS, REWARD_DEFAULTS, SAMPLE_DEFAULTS, TRAIN_DEFAULTS } from './settingsRegistry';
import { RL_DEFAULTS, RL_SETTINGS } from './rlSettingsRegistry';
import {
  SESSION_NAME_MAX,
  type LabelerSettings,
  type PairSettings,
  type RewardSettings,
  type RlSettings,
  type SampleSettings,
  type TrainableStage,
  type TrainSettings,
} from './settingRanges';
import type { SessionUi } from './chartPoints';
import { checkSessionUi, isObject, kindOf } from './sessionChecks';

export type { SessionUi } from './chartPoints';
export { checkSessionUi } from './sessionChecks';

const MAGIC = 'RLHFSESS';
export const SESSION_FORMAT = 'rlhf-playground-session';
export const SESSION_VERSION = 1;
const MAX_BYTES = 512 * 1024 * 1024;

export type SessionModel = 'pretrain' | 'sft' | 'reward' | 'policy' | 'reference' | 'value';

export interface SessionData {
  format: typeof SESSION_FORMAT;
  version: number;
  name: string;
  savedAt: string;
  scenario: BuiltInScenarioId;
  preset: PresetName;
  seed: number;
  settings: {
    train: Record<TrainableStage, TrainSettings>;
    sample: SampleSettings;
    pair: PairSettings;
    reward: RewardSettings;
    labelers: LabelerSettings;
    rl: RlSettings;
  };
  /** Steps taken by each training stage, the reward model and RL (the charts' x axes continue from these). */
  stageSteps: Record<TrainableStage, number>;
  rewardStep: number;
  rlIteration: number;
  comparisons: Comparison[];
  /** The ratings (absent in sessions saved before ratings existed: none). */
  ratings: Rating[];
  /** The demonstrations (absent in sessions saved before they existed: none). */
  demonstrations: Demonstration[];
  ui: SessionUi;
  models: SessionModel[];
}

export interface Session {
  data: SessionData;
  checkpoints: Partial<Record<SessionModel, Checkpoint>>;
}

export function encodeSession(data: SessionData, checkpoints: Record<string, Uint8Array>): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(data));
  const parts = data.models.map((m) => checkpoints[m]);
  const size = 12 + json.length + parts.reduce((s, p) => s + 4 + p.length, 0) + 4;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = 12 + json.length;
  for (const p of parts) {
    view.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  view.setUint32(at, checksum(out.subarray(0, at)), true);
  return out;
}

/** A name the list can show and the store can key on: a text of 1 to SESSION_NAME_MAX characters, trimmed. */
export function checkSessionName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('A session needs a name.');
  const trimmed = name.trim();
  if (trimmed.length > SESSION_NAME_MAX) {
    throw new Error(`A session name has at most ${SESSION_NAME_MAX} characters (this one has ${trimmed.length}).`);
  }
  return trimmed;
}

const MAX_STEPS = 1e9;
const MAX_WORD_CHARS = 64;
/** A bound on the panel's list here; checkSessionLabelers holds it to the panel's own limit. */
const MAX_PANEL_LIST = 16;
const MODELS: readonly SessionModel[] = ['pretrain', 'sft', 'reward', 'policy', 'reference', 'value'];

/** A whole number of steps from 0 to MAX_STEPS. */
function steps(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_STEPS) return v;
  throw new Error(`${where} is ${kindOf(v)}, not a whole number of steps`);
}

/** The keys of each settings group; values are checked against their ranges later (sessions.ts). */
const SETTING_KEYS = {
  train: Object.keys(TRAIN_SETTINGS.pretrain),
  sample: Object.keys(SAMPLE_SETTINGS),
  pair: Object.keys(PAIR_SETTINGS),
  reward: Object.keys(REWARD_SETTINGS),
  rl: Object.keys(RL_SETTINGS),
  custom: ['id', 'name', 'temperature', 'lengthBias', 'leftBias'],
};

/**
 * A settings group rebuilt from its known keys, each a number, true/false, null or a short text. A key the session
 * lacks (it was saved before that setting existed) takes its default from `defaults`, so older sessions still open.
 */
function pick(group: unknown, keys: readonly string[], where: string, defaults: object = {}): Record<string, unknown> {
  if (!isObject(group)) throw new Error(`its settings ${where} are ${kindOf(group)}, not an object`);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = group[key] ?? (defaults as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const simple =
      v === null ||
      typeof v === 'boolean' ||
      typeof v === 'number' ||
      (typeof v === 'string' && v.length <= MAX_WORD_CHARS);
    if (!simple) throw new Error(`its setting ${where}.${key} is ${kindOf(v)}`);
    out[key] = v;
  }
  return out;
}

/** Every settings group rebuilt from its known keys (the ranges are checked by checkSessionSettings). */
function checkSettingShapes(s: unknown): SessionData['settings'] {
  if (!isObject(s)) throw new Error('its settings are missing');
  if (!isObject(s.train)) throw new Error('its training settings are missing');
  const l = s.labelers;
  if (!isObject(l) || !isObject(l.custom) || !isObject(l.custom.weights))
    throw new Error('its simulated annotators are missing');
  const isName = (id: unknown) => typeof id === 'string' && id.length <= MAX_WORD_CHARS;
  if (!Array.isArray(l.panel) || l.panel.length > MAX_PANEL_LIST || !l.panel.every(isName)) {
    throw new Error('its annotator panel is not a short list of labeler names');
  }
  if (l.goldLabeler !== null && !isName(l.goldLabeler)) throw new Error('its gold labeler is not a labeler name');
  const weights = Object.entries(l.custom.weights).filter(([trait]) => Object.hasOwn(TRAIT_INFO, trait));
  return {
    train: {
      pretrain: pick(s.train.pretrain, SETTING_KEYS.train, 'train.pretrain', TRAIN_DEFAULTS.pretrain),
      sft: pick(s.train.sft, SETTING_KEYS.train, 'train.sft', TRAIN_DEFAULTS.sft),
    },
    sample: pick(s.sample, SETTING_KEYS.sample, 'sample', SAMPLE_DEFAULTS),
    pair: pick(s.pair, SETTING_KEYS.pair, 'pair', PAIR_DEFAULTS),
    reward: pick(s.reward, SETTING_KEYS.reward, 'reward', REWARD_DEFAULTS),
    rl: pick(s.rl, SETTING_KEYS.rl, 'rl', RL_DEFAULTS),
    labelers: {
      goldLabeler: l.goldLabeler,
      panel: [...l.panel],
      custom: { ...pick(l.custom, SETTING_KEYS.custom, 'labelers.custom'), weights: Object.fromEntries(weights) },
    },
  } as unknown as SessionData['settings'];
}

/** The description of a session, every field typed and length-limited, rebuilt from its known fields. */
function checkDescription(d: Record<string, unknown>): SessionData {
  if (d.format !== SESSION_FORMAT) throw new Error('it is not a playground session');
  if (d.version !== SESSION_VERSION) {
    const version = typeof d.version === 'number' ? d.version : kindOf(d.version);
    throw new Error(`it has version ${version}; this playground reads version ${SESSION_VERSION}`);
  }
  let name: string;
  try {
    name = checkSessionName(d.name);
  } catch (e) {
    throw new Error(`its name is unusable (${(e as Error).message})`, { cause: e });
  }
  if (typeof d.savedAt !== 'string' || d.savedAt.length > 40 || Number.isNaN(Date.parse(d.savedAt))) {
    throw new Error(`its time of saving (savedAt) is ${kindOf(d.savedAt)}, not a date`);
  }
  if (d.scenario !== 'reviews' && d.scenario !== 'assistant') throw new Error('its scenario is unknown');
  if (typeof d.preset !== 'string' || !Object.hasOwn(PRESETS, d.preset)) throw new Error('its model size is unknown');
  if (typeof d.seed !== 'number' || !Number.isSafeInteger(d.seed) || Math.abs(d.seed) > 2 ** 32) {
    throw new Error(`its seed is ${kindOf(d.seed)}, not a whole number`);
  }
  if (!isObject(d.stageSteps)) throw new Error('its step counts are missing');
  if (
    !Array.isArray(d.models) ||
    d.models.length > MODELS.length ||
    new Set(d.models).size !== d.models.length ||
    d.models.some((m) => !MODELS.includes(m as SessionModel))
  ) {
    throw new Error('its list of models is not a list of distinct model names');
  }
  const tokenizer = scenarioTokenizer(d.scenario);
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    name,
    savedAt: d.savedAt,
    scenario: d.scenario,
    preset: d.preset as PresetName,
    seed: d.seed,
    settings: checkSettingShapes(d.settings),
    stageSteps: {
      pretrain: steps(d.stageSteps.pretrain, 'its pretraining step count'),
      sft: steps(d.stageSteps.sft, 'its fine-tuning step count'),
    },
    rewardStep: steps(d.rewardStep, 'its reward-model step count'),
    rlIteration: steps(d.rlIteration, 'its RL iteration count'),
    comparisons: checkSavedComparisons(d.comparisons, { scenario: d.scenario, tokenizer }),
    ratings: d.ratings === undefined ? [] : checkSavedRatings(d.ratings, { scenario: d.scenario, tokenizer }),
    demonstrations:
      d.demonstrations === undefined
        ? []
        : checkSavedDemonstrations(d.demonstrations, { scenario: d.scenario, tokenizer }),
    ui: checkSessionUi(d.ui),
    models: d.models as SessionModel[],
  };
}

export function decodeSession(input: ArrayBuffer | Uint8Array): Session {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (why: string): never => {
    throw new Error(`Not a usable session file: ${why}.`);
  };
  if (bytes.length > MAX_BYTES) fail(`it is larger than ${MAX_BYTES / 1024 / 1024} MB`);
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    fail('it does not start with the RLHF Playground session signature');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (checksum(bytes.subarray(0, end)) !== view.getUint32(end, true)) {
    fail('its checksum does not match (the file is corrupt or truncated)');
  }
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > end) fail('its description runs past the end of the file');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch {
    return fail('its description is not valid JSON');
  }
  if (!isObject(raw)) return fail('it is not a playground session');
  let data!: SessionData;
  try {
    data = checkDescription(raw);
  } catch (e) {
    fail((e as Error).message.replace(/\.$/, ''));
  }
  const checkpoints: Session['checkpoints'] = {};
  const spec = JSON.stringify(scenarioTokenizer(data.scenario).spec);
  let at = 12 + jsonLength;
  for (const name of data.models) {
    if (at + 4 > end) fail(`the ${name} model is missing`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > end) fail(`the ${name} model is truncated`);
    try {
      checkpoints[name] = decodeCheckpoint(bytes.subarray(at + 4, at + 4 + length));
    } catch (e) {
      fail(`the ${name} model: ${(e as Error).message}`);
    }
    if (JSON.stringify(checkpoints[name]!.tokenizer) !== spec)
      fail(`the ${name} model has a vocabulary other than its scenario's`);
    at += 4 + length;
  }
  if (at !== end) fail('it has extra bytes after its models');
  for (const required of ['pretrain', 'sft', 'reward'] as const)
    if (!checkpoints[required]) fail(`it has no ${required} model`);
  return { data, checkpoints };
}
