// Setting up a scenario: the two stage models (from shipped checkpoints when they fit), the
// preference session and the RL trainer built on them; a pasted corpus instead of a scenario;
// the commands that replace a stage's weights (Reset, pretrain from scratch); the stage's settings.

import { ratedAnswers } from '../data/ratings';
import { withZeroHead } from '../model/params';
import type { SampleSettings, TrainableStage, TrainSettings } from './protocol';
import { TRAINABLE_STAGES } from './protocol';
import { configFor, PRESETS, type PresetName } from '../model/config';
import { GPT } from '../model/model';
import type { Checkpoint } from '../model/checkpoint';
import { stageTrainer, TRAIN_DEFAULTS } from './lmTrainer';
import type { ScenarioData, ScenarioId } from '../data/types';
import { parseCustomCorpus } from '../data/customCorpus';
import { validateTrainSettings, validateSampleSettings } from './settings';
import { PreferenceSession } from './preferenceSession';
import { RlTrainer } from './rlTrainer';
import type { PlaygroundState, Stage } from './playgroundState';
import { shipped } from './stageCheckpoints';

/** Switches to a built-in scenario at a model size and seed; `ready` says how long it took. */
export async function initScenario(
  pg: PlaygroundState,
  scenario: ScenarioId,
  preset: PresetName,
  seed: number,
): Promise<void> {
  const started = performance.now();
  if (scenario === 'custom') throw new Error('a custom corpus is loaded with "Paste your own corpus", not by name');
  pg.preset = preset;
  pg.seed = seed;
  await buildScenario(pg, pg.deps.loadScenario(scenario), true);
  pg.deps.emit({ type: 'ready', msToFirstCompletions: Math.round(performance.now() - started) });
}

/** Replaces both stage models for a new scenario or corpus, from shipped checkpoints when they fit. */
export async function buildScenario(pg: PlaygroundState, data: ScenarioData, useShipped: boolean): Promise<void> {
  const config = configFor(pg.preset, data.tokenizer.vocabSize);
  const loaded: Partial<Record<TrainableStage, Checkpoint>> = {};
  for (const stage of TRAINABLE_STAGES) {
    if (useShipped) loaded[stage] = (await shipped(pg, data, config, stage)) ?? undefined;
  }
  const keptSettings = { pretrain: pg.stages.pretrain?.trainer.settings, sft: pg.stages.sft?.trainer.settings };
  pg.disposeStages();
  pg.data = data;
  const pretrain = loaded.pretrain
    ? makeStage(
        pg,
        'pretrain',
        new GPT(config, loaded.pretrain.weights),
        'shipped pretrained checkpoint',
        keptSettings.pretrain,
      )
    : makeStage(pg, 'pretrain', GPT.random(config, pg.seed), 'random initial weights', keptSettings.pretrain);
  const sftModel = new GPT(config, loaded.sft?.weights ?? (await pretrain.model.read()));
  pg.stages = {
    pretrain,
    sft: makeStage(
      pg,
      'sft',
      sftModel,
      loaded.sft ? 'shipped fine-tuned checkpoint' : 'copy of the pretrained model',
      keptSettings.sft,
    ),
  };
  // Pairs to judge come from the fine-tuned model; the reward model starts as a copy of it with a zero head.
  const rewardModel = new GPT(config, withZeroHead(await sftModel.read(), sftModel.layout));
  pg.preferences = new PreferenceSession(
    sftModel,
    rewardModel,
    data,
    pg.deps.comparisons,
    { ratings: pg.deps.ratings, demonstrations: pg.deps.demonstrations },
    pg.deps.emit,
    pg.seed,
    pg.deps.entropy,
  );
  pg.deps.emit({
    type: 'model',
    info: {
      tokenizer: data.tokenizer.spec,
      scenario: data.id,
      scenarioTitle: data.title,
      preset: pg.preset,
      config,
      paramCount: pretrain.model.paramCount,
      tokenizerKind: data.tokenizer.spec.kind,
    },
  });
  pg.deps.emit({ type: 'sampleSettings', settings: pg.sampling });
  for (const stage of TRAINABLE_STAGES) {
    pg.deps.emit({ type: 'clearMetrics', stage });
    pg.emitStage(stage);
    await pg.emitSamples(stage);
  }
  const prefs = pg.preferences;
  const preferred = () =>
    prefs.comparisons
      .filter((c) => c.verdict === 'preferred')
      .map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }));
  const rated = () => ratedAnswers(prefs.ratings.list);
  pg.rl = new RlTrainer(sftModel, prefs.reward, data, pg.seed, () => prefs.gold(), preferred, rated);
  prefs.pairs.source = () => pg.rl?.policy ?? sftModel; // live mode: pairs come from the current policy
  pg.deps.emit({ type: 'rlClear' });
  pg.emitRl();
  await pg.preferences.load();
  if (!loaded.pretrain && data.id !== 'custom')
    pg.notice(
      'info',
      `No shipped checkpoint for ${data.title} at size "${pg.preset}": the model starts from random weights. ` +
        'Press Play on Pretrain to train it.',
    );
}

/** A stage's trainer around `model`; the user's settings carry over from the model it replaces. */
function makeStage(
  pg: PlaygroundState,
  stage: TrainableStage,
  model: GPT,
  source: string,
  settings = { ...TRAIN_DEFAULTS[stage] },
): Stage {
  return {
    model,
    trainer: stageTrainer(model, pg.data, stage, settings, pg.seed + (stage === 'sft' ? 7 : 0)),
    source,
  };
}

/** Uses a pasted corpus instead of a scenario: both stages start from random weights. */
export async function useCustomCorpus(
  pg: PlaygroundState,
  text: string,
  separator: string,
  preset: PresetName,
): Promise<void> {
  if (!Object.hasOwn(PRESETS, preset)) throw new Error(`There is no model size "${String(preset)}".`);
  const parsed = parseCustomCorpus(text, separator, PRESETS[preset].contextLength); // prompts must leave room for an answer
  if (!parsed.ok) throw new Error(parsed.message);
  pg.preset = preset;
  await buildScenario(pg, parsed.data, false);
  const { pretrain, tokenizer } = parsed.data;
  pg.notice(
    'info',
    `Using your corpus: ${pretrain.length} examples, ${tokenizer.vocabSize} character tokens. Press Play on Pretrain to train on it.`,
  );
  for (const warning of parsed.warnings) pg.notice('info', `Your corpus: ${warning}`);
}

// ------------------------------------------------------------------ commands that replace weights

/** Reset: Pretrain goes back to its shipped checkpoint (or random weights), SFT to a copy of Pretrain. */
export async function resetStage(pg: PlaygroundState, stage: TrainableStage): Promise<void> {
  const s = pg.stage(stage);
  if (stage === 'pretrain') {
    const ckpt = await shipped(pg, pg.data, s.model.config, 'pretrain');
    s.model.assign(ckpt ? ckpt.weights : GPT.randomWeights(s.model.config, pg.seed));
    s.source = ckpt ? 'shipped pretrained checkpoint' : 'random initial weights';
  } else {
    s.model.copyFrom(pg.stage('pretrain').model);
    s.source = 'copy of the pretrained model';
  }
  await pg.afterNewWeights(stage);
}

/** Fresh random weights (a new seed) for Pretrain, to watch it learn from nothing. */
export async function pretrainFromScratch(pg: PlaygroundState): Promise<void> {
  const s = pg.stage('pretrain');
  pg.seed += 1;
  s.model.assign(GPT.randomWeights(s.model.config, pg.seed));
  s.source = `random initial weights (seed ${pg.seed})`;
  await pg.afterNewWeights('pretrain');
  pg.notice('info', 'Pretrain now holds fresh random weights: its samples are gibberish until you press Play.');
}

// ------------------------------------------------------------------ settings

/** A stage's training settings, checked whole; a refused change is answered with the settings still in force. */
export function setTrainSettings(pg: PlaygroundState, stage: TrainableStage, settings: Partial<TrainSettings>): void {
  const s = pg.stage(stage);
  const next = { ...s.trainer.settings, ...settings };
  const problem = validateTrainSettings(next, stage);
  if (problem) {
    pg.emitStage(stage); // the form shows the settings still in force
    throw new Error(problem);
  }
  s.trainer.settings = next;
  pg.emitStage(stage);
}

/** The sampling settings (temperature, top-k), checked against the scenario's vocabulary. */
export function setSampleSettings(pg: PlaygroundState, settings: Partial<SampleSettings>): Promise<void> | void {
  const next = { ...pg.sampling, ...settings };
  const problem = validateSampleSettings(next, pg.data?.tokenizer.vocabSize ?? 100_000);
  if (problem) {
    pg.deps.emit({ type: 'sampleSettings', settings: pg.sampling });
    throw new Error(problem);
  }
  pg.sampling = next;
  pg.deps.emit({ type: 'sampleSettings', settings: next });
}
