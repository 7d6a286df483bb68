// Saving and restoring a whole session: what the Playground hands over to be saved (its models,
// settings and labels) and the checks a session must pass before anything is applied.

import { encodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import type { GPT } from '../model/model';
import type { PresetName } from '../model/config';
import type { ScenarioData } from '../data/types';
import { encodeSession, SESSION_FORMAT, SESSION_VERSION, type Session, type SessionData, type SessionModel, type SessionUi } from './sessionFile';
import type { SessionSummary } from './sessionStore';
import { validateSampleSettings, validateTrainSettings } from './settings';
import { validateRlSettings } from './rlTrainer';
import { ACQUISITIONS, checkRange, PAIR_LIMITS, REWARD_LIMITS, SESSION_NAME_MAX, TRAINABLE_STAGES, type LabelerSettings } from './protocol';
import { BUILT_IN_LABELERS, validateLabeler } from '../data/labelers';
import type { GoldScenario } from '../data/gold';

/** A name the list can show and the store can key on. */
export function checkSessionName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('A session needs a name.');
  if (name.length > SESSION_NAME_MAX) throw new Error(`A session name has at most ${SESSION_NAME_MAX} characters.`);
  return name.trim();
}

export interface SessionParts {
  data: Omit<SessionData, 'format' | 'version' | 'models'>;
  models: Partial<Record<SessionModel, GPT | Float32Array>>;
  scenario: ScenarioData;
}

/** Encodes a session: every model as a checkpoint file inside one session file. */
export async function packSession(parts: SessionParts): Promise<{ bytes: Uint8Array; summary: SessionSummary }> {
  const names = Object.keys(parts.models) as SessionModel[];
  const files: Record<string, Uint8Array> = {};
  for (const name of names) {
    const m = parts.models[name]!;
    const weights = m instanceof Float32Array ? m : await m.read();
    const config = m instanceof Float32Array ? (parts.models.sft as GPT).config : m.config;
    files[name] = encodeCheckpoint({
      config, tokenizer: parts.scenario.tokenizer.spec, weights,
      meta: { scenario: parts.data.scenario, stage: name, step: 0, createdAt: parts.data.savedAt },
    });
  }
  const data: SessionData = { format: SESSION_FORMAT, version: SESSION_VERSION, ...parts.data, models: names };
  const bytes = encodeSession(data, files);
  const summary: SessionSummary = {
    name: data.name, savedAt: data.savedAt, scenario: data.scenario, preset: data.preset,
    comparisons: data.comparisons.length, rlIteration: data.rlIteration, bytes: bytes.length,
  };
  return { bytes, summary };
}

/** Throws the first setting of a session that is out of range (so nothing is applied from a bad file). */
export function checkSessionSettings(s: SessionData['settings'], vocabSize: number): void {
  for (const stage of TRAINABLE_STAGES) {
    const problem = validateTrainSettings(s.train?.[stage]);
    if (problem) throw new Error(`${stage}: ${problem}`);
  }
  const sample = validateSampleSettings(s.sample, vocabSize);
  if (sample) throw new Error(sample);
  for (const key of Object.keys(PAIR_LIMITS) as (keyof typeof PAIR_LIMITS)[]) {
    const problem = checkRange(s.pair?.[key], PAIR_LIMITS[key]);
    if (problem) throw new Error(problem);
  }
  for (const key of Object.keys(REWARD_LIMITS) as (keyof typeof REWARD_LIMITS)[]) {
    const problem = checkRange(s.reward?.[key], REWARD_LIMITS[key]);
    if (problem) throw new Error(problem);
  }
  if (!ACQUISITIONS.some((a) => a.id === s.pair?.acquisition)) throw new Error('its way of picking pairs is unknown');
  if (s.reward?.ties !== 'half' && s.reward?.ties !== 'drop') throw new Error('its handling of ties is unknown');
  if (typeof s.reward?.learnOnLabel !== 'boolean') throw new Error('its "learn as labels arrive" switch is not on or off');
  validateRlSettings(s.rl);
}

/** The session's simulated annotators must exist in its scenario, and its custom labeler must be usable. */
export function checkSessionLabelers(l: LabelerSettings, scenario: GoldScenario): void {
  if (typeof l !== 'object' || l === null || typeof l.custom !== 'object' || l.custom === null) throw new Error('its simulated annotators are missing');
  const custom = validateLabeler(l.custom);
  if (custom) throw new Error(`its custom labeler is unusable: ${custom}`);
  if (!Array.isArray(l.panel)) throw new Error('its annotator panel is not a list');
  const known = new Set([...BUILT_IN_LABELERS[scenario].map((b) => b.id), 'custom']);
  for (const id of [l.goldLabeler, ...l.panel]) {
    if (id !== null && !known.has(id)) throw new Error(`it names a simulated labeler "${String(id)}" this scenario does not have`);
  }
}

/** The checkpoints of a session must fit the scenario's model at the session's size. */
export function checkSessionModels(session: Session, config: { vocabSize: number; nLayer: number; nEmbd: number; nHead: number; contextLength: number }, preset: PresetName): void {
  for (const [name, ckpt] of Object.entries(session.checkpoints) as [SessionModel, Checkpoint][]) {
    const c = ckpt.config;
    if (c.vocabSize !== config.vocabSize || c.nLayer !== config.nLayer || c.nEmbd !== config.nEmbd || c.nHead !== config.nHead || c.contextLength !== config.contextLength) {
      throw new Error(`its ${name} model does not fit the "${preset}" model of this scenario`);
    }
  }
}

/** An empty set of page histories (for the automatic save before a restore, when the page sent none). */
export function emptyUi(): SessionUi {
  return { metrics: { pretrain: [], sft: [] }, rewardMetrics: [], rlMetrics: [], rlRuns: [], acquisitionCurve: [] };
}
