// A stage model's weights in and out as checkpoint files: the shipped checkpoints in
// public/checkpoints, a file the user exports or imports, and the copy saved in this browser.
// Every checkpoint is checked against the scenario's tokenizer and the model size before it loads.

import type { TrainableStage } from './protocol';
import type { GPTConfig, PresetName } from '../model/config';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import type { ScenarioData, ScenarioId } from '../data/types';
import type { PlaygroundState } from './playgroundState';

/** The file name of a shipped checkpoint, as `npm run pretrain` writes it. */
export function shippedName(scenario: ScenarioId, preset: PresetName, stage: TrainableStage): string {
  return `${scenario}-${preset}-${stage}.ckpt`;
}

/** The shipped checkpoint of a stage if it exists and matches the scenario's tokenizer and config. */
export async function shipped(
  pg: PlaygroundState,
  data: ScenarioData,
  config: GPTConfig,
  stage: TrainableStage,
): Promise<Checkpoint | null> {
  if (data.id === 'custom') return null;
  const bytes = await pg.deps.fetchShipped(shippedName(data.id, pg.preset, stage));
  if (!bytes) return null;
  try {
    const ckpt = decodeCheckpoint(bytes);
    const problem = mismatch(ckpt, config, data);
    if (problem) throw new Error(problem);
    return ckpt;
  } catch (e) {
    pg.notice(
      'error',
      `The shipped ${stage} checkpoint could not be used (${(e as Error).message}); regenerate it with npm run pretrain.`,
    );
    return null;
  }
}

/** Why a checkpoint does not fit this model size and scenario, or null when it fits. */
function mismatch(ckpt: Checkpoint, config: GPTConfig, data: ScenarioData): string | null {
  const keys: (keyof GPTConfig)[] = ['vocabSize', 'contextLength', 'nLayer', 'nHead', 'nEmbd'];
  const diff = keys.filter((k) => ckpt.config[k] !== config[k]);
  if (diff.length)
    return `it is for a different model size (${diff.map((k) => `${k} ${ckpt.config[k]} vs ${config[k]}`).join(', ')})`;
  const vocab = data.tokenizer.spec.vocab;
  if (ckpt.tokenizer.kind !== data.tokenizer.spec.kind || ckpt.tokenizer.vocab.some((w, i) => w !== vocab[i])) {
    return `its vocabulary does not match the "${data.title}" scenario`;
  }
  return null;
}

/** Loads a checkpoint file into a stage, or throws (changing nothing) when it does not fit. */
export async function importCheckpoint(
  pg: PlaygroundState,
  stage: TrainableStage,
  bytes: Uint8Array,
  name: string,
): Promise<void> {
  const s = pg.stage(stage);
  const ckpt = decodeCheckpoint(bytes); // throws a clear message; nothing has changed yet
  const problem = mismatch(ckpt, s.model.config, pg.data);
  if (problem) throw new Error(`"${name}" cannot be loaded: ${problem}. Switch to its scenario and size first.`);
  s.model.assign(ckpt.weights);
  s.source = `file ${name}`;
  await pg.afterNewWeights(stage);
  pg.notice('info', `Loaded ${name} into ${stage === 'pretrain' ? 'Pretrain' : 'Supervised fine-tune'}.`);
}

/** A stage's weights, config, tokenizer and step as checkpoint bytes. */
async function checkpointBytes(pg: PlaygroundState, stage: TrainableStage): Promise<Uint8Array> {
  const s = pg.stage(stage);
  return encodeCheckpoint({
    config: s.model.config,
    tokenizer: pg.data.tokenizer.spec,
    weights: await s.model.read(),
    meta: { scenario: pg.data.id, stage, step: s.trainer.step, createdAt: new Date().toISOString() },
  });
}

/** Sends a stage's checkpoint to the page as a file to download. */
export async function exportCheckpoint(pg: PlaygroundState, stage: TrainableStage): Promise<void> {
  const bytes = await checkpointBytes(pg, stage);
  const buffer = bytes.buffer as ArrayBuffer;
  pg.deps.emit(
    {
      type: 'checkpointFile',
      stage,
      bytes: buffer,
      filename: `${storeKey(pg, stage)}-step${pg.stage(stage).trainer.step}.ckpt`,
    },
    [buffer],
  );
}

/** The name a stage's checkpoint is saved under in this browser: one per scenario, size and stage. */
function storeKey(pg: PlaygroundState, stage: TrainableStage): string {
  return `${pg.data.id}-${pg.preset}-${stage}`;
}

/** Saves a stage's checkpoint in this browser (IndexedDB). */
export async function saveToBrowser(pg: PlaygroundState, stage: TrainableStage): Promise<void> {
  if (!pg.deps.store) throw new Error('this browser offers no storage (IndexedDB) for checkpoints');
  await pg.deps.store.save(storeKey(pg, stage), await checkpointBytes(pg, stage));
  pg.notice('info', `Saved the ${stage} model in this browser.`);
}

/** Loads the stage's checkpoint saved in this browser, checked like an imported file. */
export async function loadFromBrowser(pg: PlaygroundState, stage: TrainableStage): Promise<void> {
  if (!pg.deps.store) throw new Error('this browser offers no storage (IndexedDB) for checkpoints');
  const bytes = await pg.deps.store.load(storeKey(pg, stage));
  if (!bytes) throw new Error(`No ${stage} model of this scenario and size is saved in this browser yet.`);
  await importCheckpoint(pg, stage, bytes, 'the copy saved in this browser');
}
