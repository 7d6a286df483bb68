// The sessions feature: a whole moment of the playground (models, settings, labels, the page's
// charts) saved in this browser or to a file, and put back in place, after being checked whole.
// The file format is sessionFile.ts, the checks sessions.ts, the browser store sessionStore.ts.

import { SESSION_NAME_MAX, TRAINABLE_STAGES } from './protocol';
import { configFor } from '../model/config';
import type { ScenarioData } from '../data/types';
import { decodeSession, type Session, type SessionUi } from './sessionFile';
import type { SessionStore } from './sessionStore';
import {
  checkSessionLabelers,
  checkSessionModels,
  checkSessionName,
  checkSessionSettings,
  packSession,
} from './sessions';
import type { PlaygroundState } from './playgroundState';
import { buildScenario } from './stageModels';

/** Where sessions are saved; throws where the browser offers no storage. */
export function sessionStore(pg: PlaygroundState): SessionStore {
  if (!pg.deps.sessions) throw new Error('this browser offers no storage (IndexedDB) for sessions');
  return pg.deps.sessions;
}

/** Sends the list of saved sessions to the page. */
export async function emitSessions(pg: PlaygroundState): Promise<void> {
  pg.deps.emit({ type: 'sessions', list: await sessionStore(pg).list() });
}

/** Everything needed to come back to this moment: models, settings, labels, and the page's charts. */
async function capture(pg: PlaygroundState, name: string, ui: SessionUi) {
  if (pg.data.id === 'custom')
    throw new Error('sessions cover the built-in scenarios; a pasted corpus is not saved in one');
  const prefs = pg.prefs(),
    rl = pg.rlTrainer();
  const rlModels = await rl.exportModels();
  const [pretrain, sft] = [pg.stage('pretrain'), pg.stage('sft')];
  return packSession({
    scenario: pg.data,
    models: {
      pretrain: pretrain.model,
      sft: sft.model,
      reward: prefs.rewardModel,
      ...(rlModels
        ? {
            policy: rlModels.policy,
            reference: rlModels.reference,
            ...(rlModels.value ? { value: rlModels.value } : {}),
          }
        : {}),
    },
    data: {
      name,
      savedAt: new Date().toISOString(),
      scenario: pg.data.id,
      preset: pg.preset,
      seed: pg.seed,
      settings: {
        train: { pretrain: pretrain.trainer.settings, sft: sft.trainer.settings },
        sample: pg.sampling,
        pair: prefs.settings,
        reward: prefs.reward.settings,
        labelers: prefs.labelers,
        rl: rl.settings,
      },
      stageSteps: { pretrain: pretrain.trainer.step, sft: sft.trainer.step },
      rewardStep: prefs.reward.step,
      rlIteration: rl.iteration,
      comparisons: prefs.comparisons,
      ratings: prefs.ratings.list,
      demonstrations: prefs.demonstrations.list,
      ui,
    },
  });
}

/** Saves this moment in this browser under a name. */
export async function saveSession(pg: PlaygroundState, rawName: string, ui: SessionUi): Promise<void> {
  const name = checkSessionName(rawName);
  const { bytes, summary } = await capture(pg, name, ui);
  await sessionStore(pg).put(summary, bytes);
  pg.notice('info', `Saved the session "${name}" in this browser (${(bytes.length / 1024 / 1024).toFixed(1)} MB).`);
  await emitSessions(pg);
}

/** Sends this moment to the page as a .rlhfsession file to download. */
export async function exportSession(pg: PlaygroundState, rawName: string, ui: SessionUi): Promise<void> {
  const { bytes } = await capture(pg, checkSessionName(rawName), ui);
  const buffer = bytes.buffer as ArrayBuffer;
  const filename = `${
    rawName
      .trim()
      .replace(/[^\w.-]+/g, '-')
      .slice(0, 60) || 'session'
  }.rlhfsession`;
  pg.deps.emit({ type: 'sessionFile', bytes: buffer, filename }, [buffer]);
}

/** Puts a session saved in this browser back in place (as a fork: the page keeps its RL curves). */
export async function restoreSession(
  pg: PlaygroundState,
  rawName: string,
  ui: SessionUi,
  fork: boolean,
): Promise<void> {
  const name = checkSessionName(rawName);
  const bytes = await sessionStore(pg).get(name);
  if (!bytes) throw new Error(`There is no saved session "${name}".`);
  await applySession(pg, decodeSession(bytes), ui, fork);
}

/** Checks a session file whole, stores it under a free name, and puts it in place. */
export async function importSession(
  pg: PlaygroundState,
  bytes: Uint8Array,
  fileName: string,
  ui: SessionUi,
): Promise<void> {
  let session: Session;
  try {
    session = decodeSession(bytes);
    checkSession(pg, session); // a file that cannot be restored is not stored either
  } catch (e) {
    throw new Error(`${fileName} was not imported: ${(e as Error).message}`, { cause: e });
  }
  const taken = new Set((await sessionStore(pg).list()).map((s) => s.name));
  let name = session.data.name;
  for (let k = 2; taken.has(name); k++) name = `${session.data.name.slice(0, SESSION_NAME_MAX - 6)} (${k})`;
  session.data.name = name;
  await sessionStore(pg).put(
    {
      name,
      savedAt: session.data.savedAt,
      scenario: session.data.scenario,
      preset: session.data.preset,
      comparisons: session.data.comparisons.length,
      rlIteration: session.data.rlIteration,
      bytes: bytes.length,
    },
    bytes,
  );
  await applySession(pg, session, ui, false);
}

/** Throws the first thing in a session that does not fit this playground; returns its scenario. */
function checkSession(pg: PlaygroundState, session: Session): ScenarioData {
  const d = session.data;
  const data = pg.deps.loadScenario(d.scenario);
  checkSessionModels(session, configFor(d.preset, data.tokenizer.vocabSize), d.preset);
  checkSessionSettings(d.settings, data.tokenizer.vocabSize);
  checkSessionLabelers(d.settings.labelers, d.scenario);
  return data;
}

/** Checks a session whole, keeps the current state as an automatic session, then puts the session in place. */
async function applySession(pg: PlaygroundState, session: Session, ui: SessionUi, fork: boolean): Promise<void> {
  const d = session.data;
  const data = checkSession(pg, session);
  if (pg.data.id !== 'custom' && pg.preferences) {
    const auto = await capture(
      pg,
      `Before restoring "${d.name}" (${new Date().toISOString().slice(0, 19).replace('T', ' ')})`,
      ui,
    );
    await sessionStore(pg).put(auto.summary, auto.bytes);
  }
  if (d.scenario !== pg.data.id || d.preset !== pg.preset) {
    pg.preset = d.preset;
    await buildScenario(pg, data, true);
  }
  pg.seed = d.seed;
  const c = session.checkpoints;
  for (const stage of TRAINABLE_STAGES) {
    const s = pg.stage(stage);
    s.model.assign(c[stage]!.weights);
    s.trainer.restart();
    s.trainer.settings = { ...d.settings.train[stage] };
    s.trainer.step = d.stageSteps?.[stage] ?? 0;
    s.source = `session "${d.name}"`;
  }
  pg.sampling = { ...d.settings.sample };
  pg.deps.emit({ type: 'sampleSettings', settings: pg.sampling });
  const prefs = pg.prefs();
  prefs.rewardModel.assign(c.reward!.weights);
  prefs.reward.step = d.rewardStep;
  await prefs.setSettings(d.settings.pair);
  await prefs.setRewardSettings(d.settings.reward);
  prefs.setLabelers(d.settings.labelers, false);
  const rl = pg.rlTrainer();
  rl.setSettings(d.settings.rl);
  await rl.restoreModels(
    c.policy && c.reference
      ? { policy: c.policy.weights, reference: c.reference.weights, value: c.value?.weights ?? null }
      : null,
    d.rlIteration,
  );
  await prefs.ratings.replaceAll(d.ratings);
  await prefs.demonstrations.replaceAll(d.demonstrations);
  await prefs.replaceAll(d.comparisons);
  for (const stage of TRAINABLE_STAGES) {
    pg.emitStage(stage);
    await pg.emitSamples(stage);
  }
  pg.deps.emit({ type: 'rlClear' });
  pg.emitRl();
  pg.deps.emit({ type: 'sessionRestored', name: d.name, ui: d.ui, fork });
  const asFork = fork ? ' as a fork: its RL curves stay on the charts for comparison' : '';
  pg.notice('info', `Restored the session "${d.name}"${asFork}. What was here before is saved as a session too.`);
  await emitSessions(pg);
}
