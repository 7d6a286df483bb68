// A whole session in one file: settings, the preference dataset, the metric histories the page
// drew, and a checkpoint of every model (pretrained, fine-tuned, reward, and the RL policy,
// reference and value model when RL has run).
//
//   bytes 0-7   "RLHFSESS"
//   bytes 8-11  JSON length n, uint32 little-endian;  then n bytes of UTF-8 JSON (SessionData)
//   then, for each name in SessionData.models: uint32 length, then that checkpoint file's bytes
//   last 4      FNV-1a checksum of everything before it
// Reading checks every part (each checkpoint again by its own rules) and throws a message that
// says what is wrong; nothing is applied until the whole file has passed.

import { checksum, decodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import type { PresetName } from '../model/config';
import { PRESETS } from '../model/config';
import { VERDICTS, type Comparison } from '../data/preferences';
import type {
  AcquisitionPoint, LabelerSettings, MetricPoint, PairSettings, RewardMetricPoint, RewardSettings, RlMetricPoint, RlSettings,
  SampleSettings, TrainableStage, TrainSettings,
} from './protocol';

const MAGIC = 'RLHFSESS';
export const SESSION_FORMAT = 'rlhf-playground-session';
export const SESSION_VERSION = 1;
const MAX_BYTES = 512 * 1024 * 1024;

/** What the page drew, so a restored session shows the same charts. */
export interface SessionUi {
  metrics: Record<TrainableStage, MetricPoint[]>;
  rewardMetrics: RewardMetricPoint[];
  rlMetrics: RlMetricPoint[];
  rlRuns: { label: string; points: RlMetricPoint[] }[];
  acquisitionCurve: AcquisitionPoint[];
}

export type SessionModel = 'pretrain' | 'sft' | 'reward' | 'policy' | 'reference' | 'value';

export interface SessionData {
  format: typeof SESSION_FORMAT;
  version: number;
  name: string;
  savedAt: string;
  scenario: 'reviews' | 'assistant';
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of a comparison from a session file (text is kept as text; nothing is evaluated). */
function checkComparison(c: unknown, i: number, scenario: string): Comparison {
  const where = `comparison ${i + 1}`;
  if (!isObject(c)) throw new Error(`${where} is not an object`);
  for (const k of ['id', 'prompt', 'chosen', 'rejected', 'annotator'] as const) {
    if (typeof c[k] !== 'string') throw new Error(`${where} has no text "${k}"`);
  }
  if (!VERDICTS.includes(c.verdict as Comparison['verdict'])) throw new Error(`${where} has an unknown verdict`);
  if (c.scenario !== scenario) throw new Error(`${where} belongs to another scenario`);
  if (typeof c.weight !== 'number' || !(c.weight > 0 && c.weight <= 1)) throw new Error(`${where} has a weight outside (0, 1]`);
  if (typeof c.createdAt !== 'number' || !Number.isFinite(c.createdAt)) throw new Error(`${where} has no time`);
  return c as unknown as Comparison;
}

export function decodeSession(input: ArrayBuffer | Uint8Array): Session {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (why: string): never => { throw new Error(`Not a usable session file: ${why}.`); };
  if (bytes.length > MAX_BYTES) fail(`it is larger than ${MAX_BYTES / 1024 / 1024} MB`);
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('it does not start with the RLHF Playground session signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (checksum(bytes.subarray(0, end)) !== view.getUint32(end, true)) fail('its checksum does not match (the file is corrupt or truncated)');
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > end) fail('its description runs past the end of the file');
  let data: SessionData;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch {
    return fail('its description is not valid JSON');
  }
  if (!isObject(data) || data.format !== SESSION_FORMAT) fail('it is not a playground session');
  if (data.version !== SESSION_VERSION) fail(`it has version ${String(data.version)}; this playground reads version ${SESSION_VERSION}`);
  if (data.scenario !== 'reviews' && data.scenario !== 'assistant') fail('its scenario is unknown');
  if (!(data.preset in PRESETS)) fail('its model size is unknown');
  if (!isObject(data.settings) || !isObject(data.ui) || !Array.isArray(data.comparisons) || !Array.isArray(data.models)) fail('it misses settings, histories, comparisons or models');
  try {
    data.comparisons.forEach((c, i) => checkComparison(c, i, data.scenario));
  } catch (e) {
    fail((e as Error).message);
  }
  const checkpoints: Session['checkpoints'] = {};
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
    at += 4 + length;
  }
  if (at !== end) fail('it has extra bytes after its models');
  for (const required of ['pretrain', 'sft', 'reward'] as const) if (!checkpoints[required]) fail(`it has no ${required} model`);
  return { data, checkpoints };
}
