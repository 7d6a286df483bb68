// Saving and restoring a whole session: what the Playground hands over to be saved (its models,
// settings and labels) and the checks a session must pass before anything is applied.

import { encodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import type { GPT } from '../model/model';
import type { PresetName } from '../model/config';
import type { BuiltInScenarioId, ScenarioData } from '../data/types';
import {
  checkSessionName,
  decodeSession,
  encodeSession,
  SESSION_FORMAT,
  SESSION_VERSION,
  type Session,
  type SessionData,
  type SessionModel,
  type SessionUi,
} from './sessionFile';
import type { SessionSummary } from './sessionStore';
import {
  checkPairSettings,
  checkRewardSettings,
  checkRlSettings,
  validateSampleSettings,
  validateTrainSettings,
} from './settings';
import {
  MAX_PANEL,
  REWARD_SETTINGS,
  RL_SETTINGS,
  SESSION_NAME_MAX,
  TRAINABLE_STAGES,
  type LabelerSettings,
  type SettingRecord,
} from './protocol';
import { BUILT_IN_LABELERS, validateLabeler } from '../data/labelers';

/** A name the list can show and the store can key on (defined beside the file format, which checks it too). */
export { checkSessionName };

/** Simulated annotators on the panel at most (preferenceSession refuses more). */

export interface SessionParts {
  data: Omit<SessionData, 'format' | 'version' | 'models'>;
  models: Partial<Record<SessionModel, GPT | Float32Array>>;
  scenario: ScenarioData;
}

/** A name cut to SESSION_NAME_MAX characters in its middle, so that both ends stay (an automatic name ends with its time). */
function fitName(name: unknown): unknown {
  const t = typeof name === 'string' ? name.trim() : name;
  if (typeof t !== 'string' || t.length <= SESSION_NAME_MAX) return t;
  const half = (SESSION_NAME_MAX - 1) / 2;
  return `${t.slice(0, Math.ceil(half))}…${t.slice(t.length - Math.floor(half))}`;
}

/**
 * Encodes a session: every model as a checkpoint file inside one session file. The result is read
 * back by decodeSession before it is handed over, so what is saved can always be restored (a page
 * history of the wrong type, say, is refused now, not when the session is restored).
 */
export async function packSession(parts: SessionParts): Promise<{ bytes: Uint8Array; summary: SessionSummary }> {
  const names = Object.keys(parts.models) as SessionModel[];
  const files: Record<string, Uint8Array> = {};
  for (const name of names) {
    const m = parts.models[name]!;
    const weights = m instanceof Float32Array ? m : await m.read();
    const config = m instanceof Float32Array ? (parts.models.sft as GPT).config : m.config;
    files[name] = encodeCheckpoint({
      config,
      tokenizer: parts.scenario.tokenizer.spec,
      weights,
      meta: { scenario: parts.data.scenario, stage: name, step: 0, createdAt: parts.data.savedAt },
    });
  }
  const name = checkSessionName(fitName(parts.data.name));
  const data: SessionData = { format: SESSION_FORMAT, version: SESSION_VERSION, ...parts.data, name, models: names };
  const bytes = encodeSession(data, files);
  try {
    decodeSession(bytes);
  } catch (e) {
    throw new Error(
      `The session "${data.name}" was not saved: ${(e as Error).message.replace(/^Not a usable session file: /, '')}`,
      { cause: e },
    );
  }
  const summary: SessionSummary = {
    name: data.name,
    savedAt: data.savedAt,
    scenario: data.scenario,
    preset: data.preset,
    comparisons: data.comparisons.length,
    rlIteration: data.rlIteration,
    bytes: bytes.length,
  };
  return { bytes, summary };
}

/** Its switches that are not on or off, named by group and key (a file's fields are named as the file spells them). */
function switchProblem(group: string, values: object, registry: Record<string, SettingRecord>): string | null {
  const bad = Object.keys(registry).find(
    (key) => registry[key].kind === 'flag' && typeof (values as Record<string, unknown>)[key] !== 'boolean',
  );
  return bad === undefined ? null : `its ${group} switch "${bad}" is not on or off`;
}

/** Throws the first setting of a session the worker would refuse (so nothing is applied from a bad file). */
export function checkSessionSettings(s: SessionData['settings'], vocabSize: number): void {
  if (typeof s !== 'object' || s === null) throw new Error('its settings are missing');
  for (const group of ['sample', 'pair', 'reward', 'rl'] as const) {
    if (typeof s[group] !== 'object' || s[group] === null) throw new Error(`its ${group} settings are missing`);
  }
  for (const stage of TRAINABLE_STAGES) {
    const problem = validateTrainSettings(s.train?.[stage], stage);
    if (problem) throw new Error(`${stage}: ${problem}`);
  }
  const problem =
    validateSampleSettings(s.sample, vocabSize) ??
    checkPairSettings(s.pair) ??
    switchProblem('reward', s.reward, REWARD_SETTINGS) ??
    checkRewardSettings(s.reward) ??
    switchProblem('RL', s.rl, RL_SETTINGS) ??
    checkRlSettings(s.rl);
  if (problem) throw new Error(problem);
}

/** The session's simulated annotators must exist in its scenario, and its custom labeler must be usable. */
export function checkSessionLabelers(l: LabelerSettings, scenario: BuiltInScenarioId): void {
  if (typeof l !== 'object' || l === null || typeof l.custom !== 'object' || l.custom === null) {
    throw new Error('its simulated annotators are missing');
  }
  const custom = validateLabeler(l.custom);
  if (custom) throw new Error(`its custom labeler is unusable: ${custom}`);
  if (!Array.isArray(l.panel)) throw new Error('its annotator panel is not a list');
  if (l.panel.length > MAX_PANEL)
    throw new Error(`its annotator panel has ${l.panel.length} members; the panel holds up to ${MAX_PANEL}`);
  if (typeof l.custom.name !== 'string' || l.custom.name.length > 64)
    throw new Error("its custom labeler's name is not a short text");
  const known = new Set([...BUILT_IN_LABELERS[scenario].map((b) => b.id), 'custom']);
  for (const id of [l.goldLabeler, ...l.panel]) {
    if (id !== null && !known.has(id))
      throw new Error(`it names a simulated labeler "${String(id)}" this scenario does not have`);
  }
}

type ModelShape = { vocabSize: number; nLayer: number; nEmbd: number; nHead: number; contextLength: number };

/** The checkpoints of a session must fit the scenario's model at the session's size. */
export function checkSessionModels(session: Session, config: ModelShape, preset: PresetName): void {
  const keys: (keyof ModelShape)[] = ['vocabSize', 'nLayer', 'nEmbd', 'nHead', 'contextLength'];
  for (const [name, ckpt] of Object.entries(session.checkpoints) as [SessionModel, Checkpoint][]) {
    if (keys.some((k) => ckpt.config[k] !== config[k])) {
      throw new Error(`its ${name} model does not fit the "${preset}" model of this scenario`);
    }
  }
}

/** An empty set of page histories (for the automatic save before a restore, when the page sent none). */
export function emptyUi(): SessionUi {
  return { metrics: { pretrain: [], sft: [] }, rewardMetrics: [], rlMetrics: [], rlRuns: [], acquisitionCurve: [] };
}
