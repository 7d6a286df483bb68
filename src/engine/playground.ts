// The playground's state machine inside the worker: which scenario, the two stage models
// (pretrained and fine-tuned), their trainers, and what happens on each command. It knows
// nothing about postMessage, so tests and scripts drive it directly in Node.

import { withZeroHead } from '../model/params';
import type {
  Command,
  Completion,
  RlSettings,
  SampleSettings,
  StageState,
  TrainableStage,
  TrainSettings,
  WorkerEvent,
} from './protocol';
import type { Comparison } from '../data/preferences';
import {
  checkRange,
  MAX_SWEEP_RUNS,
  SESSION_NAME_MAX,
  SWEEP_ITERATIONS,
  TRAINABLE_STAGES,
  type RlMetricPoint,
} from './protocol';
import { configFor, PRESETS, type GPTConfig, type PresetName } from '../model/config';
import { GPT } from '../model/model';
import { sample } from '../model/sample';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../model/checkpoint';
import { stageTrainer, TRAIN_DEFAULTS, type LMTrainer } from './lmTrainer';
import { completionText, encodePrompt } from '../data/sequences';
import type { ScenarioData, ScenarioId } from '../data/types';
import { parseCustomCorpus } from '../data/customCorpus';
import { validateTrainSettings, validateSampleSettings } from './settings';
import { PreferenceSession, type ComparisonStore } from './preferenceSession';
import { RlTrainer } from './rlTrainer';
import { CommandQueue } from './commandQueue';
import { decodeSession, type Session, type SessionUi } from './sessionFile';
import type { SessionStore } from './sessionStore';
import {
  checkSessionLabelers,
  checkSessionModels,
  checkSessionName,
  checkSessionSettings,
  packSession,
} from './sessions';

/** Where shipped checkpoints and saved ones come from; the worker gives browser versions, tests give Node ones. */
export interface PlaygroundDeps {
  emit: (event: WorkerEvent, transfer?: ArrayBuffer[]) => void;
  /** Bytes of a shipped checkpoint (public/checkpoints/NAME), or null when there is none. */
  fetchShipped: (name: string) => Promise<ArrayBuffer | null>;
  loadScenario: (id: Exclude<ScenarioId, 'custom'>) => ScenarioData;
  store?: { save(key: string, bytes: Uint8Array): Promise<void>; load(key: string): Promise<Uint8Array | null> };
  /** Where preference labels are kept (IndexedDB in the browser). */
  comparisons: ComparisonStore;
  /** Where whole sessions are saved (IndexedDB in the browser). */
  sessions?: SessionStore;
  /** A number that differs between page loads, so a reload or a second tab is offered new pairs (tests: 0, repeatable). */
  entropy?: number;
}

interface Stage {
  model: GPT;
  trainer: LMTrainer;
  source: string;
}

const SAMPLE_PROMPTS = 4;
const HELD_OUT_EVERY = 20;
/** While training, fresh samples every few seconds, but never more than a quarter of the time. */
const SAMPLES_EVERY_MS = 4000;

/** The scenario seed that `npm run pretrain` uses, so shipped checkpoints match the scenario vocabularies. */
export const DATA_SEED = 1;

export function shippedName(scenario: ScenarioId, preset: PresetName, stage: TrainableStage): string {
  return `${scenario}-${preset}-${stage}.ckpt`;
}

/** `count` prompts spread over the list (scenarios list related prompts together), alternating phrasings. */
export function spreadPrompts(prompts: string[], count: number): string[] {
  if (prompts.length <= count) return prompts;
  const picked = Array.from(
    { length: count },
    (_, k) => prompts[Math.min(prompts.length - 1, Math.floor((k * prompts.length) / count) + (k % 2))],
  );
  return [...new Set(picked)];
}

/** Commands the page waits on: they run before queued reward training. */
const ASKED_BY_THE_PAGE: Command['type'][] = ['nextPair', 'nextRanking', 'probeReward'];

/** Training commands that a later Pause cancels while they still wait in the queue. */
const CANCELLED_BY_PAUSE: Command['type'][] = ['play', 'step', 'rlPlay', 'rlStep', 'rlSweep'];

/** Commands that stop a running loop first; the others (settings, samples, saving) run between its steps. */
const STOPS_TRAINING: Command['type'][] = [
  'pause',
  'step',
  'play',
  'rlPlay',
  'rlStep',
  'rlSweep',
  'rlReset',
  'rlRollback',
  'restoreSession',
  'importSession',
  'init',
  'useCustomCorpus',
  'pretrainFromScratch',
  'reset',
  'importCheckpoint',
  'loadFromBrowser',
];

export class Playground {
  private data!: ScenarioData;
  private preset: PresetName = 'small';
  private seed = 1;
  private stages: Partial<Record<TrainableStage, Stage>> = {};
  private preferences: PreferenceSession | null = null;
  private rl: RlTrainer | null = null;
  private rlRunning = false;
  private rlGeneration = 0;
  private sampling: SampleSettings = { temperature: 1, topK: 0 };
  private running: TrainableStage | null = null;
  private commands = new CommandQueue();
  /** Re-reading the store after another tab wrote: it only reads, so it does not wait behind training. */
  private storeReads = new CommandQueue();
  private nextSamplesAt = 0;
  private sampleCounter = 0;

  constructor(private deps: PlaygroundDeps) {}

  /** Runs commands one at a time, in order (see commandQueue.ts); a failing command becomes an error notice. */
  handle(cmd: Command): Promise<unknown> {
    // Labels are already saved by the page: they join the dataset now, not behind a training step.
    if (cmd.type === 'labelsSaved') return this.acceptLabels(cmd.comparisons);
    if (cmd.type === 'syncLabels') {
      return this.storeReads.coalesce(
        'sync',
        () => this.syncLabels(),
        (e) => this.notice('error', `Reading the labels of another tab failed: ${e.message}`),
      );
    }
    if (STOPS_TRAINING.includes(cmd.type)) this.stopLoop();
    if (cmd.type === 'pause') this.commands.pause(); // also drops a storm of Step clicks still waiting
    // A long job checks this flag between its steps, so it cannot wait in the queue behind the job.
    if (cmd.type === 'cancelJob' || cmd.type === 'init' || cmd.type === 'useCustomCorpus') this.preferences?.cancel();
    return this.commands.push(() => this.dispatch(cmd).catch((e: Error) => this.refused(cmd, e)), {
      asked: ASKED_BY_THE_PAGE.includes(cmd.type),
      cancelledByPause: CANCELLED_BY_PAUSE.includes(cmd.type),
    });
  }

  /** A command that failed: an error notice, and for a pair request the answer that none is coming. */
  private refused(cmd: Command, e: Error): void {
    if (cmd.type === 'nextPair' || cmd.type === 'nextRanking') {
      this.deps.emit({ type: 'pairRefused', mode: cmd.type === 'nextPair' ? 'pair' : 'ranking', message: e.message });
    }
    this.notice('error', e.message);
  }

  /** Saved labels join the dataset at once; the reward model learns from them in one queued run. */
  private async acceptLabels(list: Comparison[]): Promise<void> {
    if (!this.preferences || !Array.isArray(list)) return; // still starting: load() reads them from the store
    if (this.preferences.acceptSaved(list) > 0) this.scheduleLearning();
  }

  /** One reward-training run for every label since the last one; the page's requests go first. */
  private scheduleLearning(): void {
    void this.commands.coalesce(
      'learn',
      async () => this.preferences?.learnPending(),
      (e) => this.notice('error', `The reward model did not learn the new labels: ${e.message}`),
    );
  }

  private async dispatch(cmd: Command): Promise<void> {
    switch (cmd.type) {
      case 'init':
        return this.init(cmd.scenario, cmd.preset, cmd.seed);
      case 'play':
        return this.play(cmd.stage);
      case 'pause':
        return;
      case 'step':
        await this.trainOnce(cmd.stage);
        await this.emitSamples(cmd.stage);
        return;
      case 'reset':
        return this.reset(cmd.stage);
      case 'pretrainFromScratch':
        return this.fromScratch();
      case 'setTrainSettings':
        return this.setTrainSettings(cmd.stage, cmd.settings);
      case 'setSampleSettings':
        return this.setSampleSettings(cmd.settings);
      case 'sample':
        await this.emitSamples(cmd.stage);
        return;
      case 'useCustomCorpus':
        return this.useCustomCorpus(cmd.text, cmd.separator, cmd.preset);
      case 'exportCheckpoint':
        return this.exportCheckpoint(cmd.stage);
      case 'importCheckpoint':
        return this.importCheckpoint(cmd.stage, new Uint8Array(cmd.bytes), cmd.name);
      case 'saveToBrowser':
        return this.saveToBrowser(cmd.stage);
      case 'loadFromBrowser':
        return this.loadFromBrowser(cmd.stage);
      case 'nextPair':
        await this.prefs().nextPair();
        return;
      case 'labelsSaved':
        return this.acceptLabels(cmd.comparisons);
      case 'syncLabels':
        return this.syncLabels();
      case 'undoLabel':
        return this.prefs().undo();
      case 'autoLabel':
        return this.prefs().autoLabel(cmd.labelerId, cmd.count);
      case 'trainReward':
        return this.prefs().trainReward(cmd.steps);
      case 'setPairSettings':
        return this.prefs().setSettings(cmd.settings);
      case 'deleteComparison':
        return this.prefs().remove(cmd.id);
      case 'flipComparison':
        return this.prefs().flip(cmd.id);
      case 'exportPreferences':
        return this.prefs().exportFile(cmd.format);
      case 'importPreferences':
        return this.notice('info', await this.prefs().importFile(cmd.text, cmd.name));
      case 'nextRanking':
        await this.prefs().nextRanking();
        return;
      case 'setRewardSettings':
        return this.prefs().setRewardSettings(cmd.settings);
      case 'trainRewardEpochs':
        return this.prefs().trainRewardEpochs();
      case 'setLabelerSettings':
        return this.prefs().setLabelers(cmd.settings);
      case 'probeReward':
        return this.prefs().probe(cmd.requestId, cmd.prompt, cmd.response);
      case 'compareAcquisition':
        return this.prefs().compareAcquisition(cmd.labelerId, cmd.labels);
      case 'cancelJob':
        return;
      case 'rlPlay':
        return this.rlPlay();
      case 'rlStep':
        await this.rlStep();
        return;
      case 'rlReset':
        this.rlTrainer().reset();
        this.deps.emit({ type: 'rlClear' });
        return this.emitRl();
      case 'setRlSettings':
        return this.setRlSettings(cmd.settings);
      case 'rlRollback':
        this.rlTrainer().rollback();
        this.notice('info', 'Rolled back to the last good iteration.');
        return this.emitRl();
      case 'rlSweep':
        return this.rlSweep(cmd.betas, cmd.iterations);
      case 'saveSession':
        return this.saveSession(cmd.name, cmd.ui);
      case 'listSessions':
        return this.emitSessions();
      case 'restoreSession':
        return this.restoreSession(cmd.name, cmd.ui, cmd.fork);
      case 'deleteSession':
        await this.sessionStore().remove(checkSessionName(cmd.name));
        return this.emitSessions();
      case 'exportSession':
        return this.exportSession(cmd.name, cmd.ui);
      case 'importSession':
        return this.importSession(new Uint8Array(cmd.bytes), cmd.name, cmd.ui);
      case 'rlCompare':
        this.deps.emit({ type: 'beforeAfter', comparison: await this.rlTrainer().compare() });
        return;
    }
  }

  // ------------------------------------------------------------------ setting up a scenario

  private async init(scenario: ScenarioId, preset: PresetName, seed: number): Promise<void> {
    const started = performance.now();
    if (scenario === 'custom') throw new Error('a custom corpus is loaded with "Paste your own corpus", not by name');
    this.preset = preset;
    this.seed = seed;
    await this.build(this.deps.loadScenario(scenario), true);
    this.deps.emit({ type: 'ready', msToFirstCompletions: Math.round(performance.now() - started) });
  }

  /** Replaces both stage models for a new scenario or corpus, from shipped checkpoints when they fit. */
  private async build(data: ScenarioData, useShipped: boolean): Promise<void> {
    const config = configFor(this.preset, data.tokenizer.vocabSize);
    const loaded: Partial<Record<TrainableStage, Checkpoint>> = {};
    for (const stage of TRAINABLE_STAGES) {
      if (useShipped) loaded[stage] = (await this.shipped(data, config, stage)) ?? undefined;
    }
    const keptSettings = { pretrain: this.stages.pretrain?.trainer.settings, sft: this.stages.sft?.trainer.settings };
    this.disposeStages();
    this.data = data;
    const pretrain = loaded.pretrain
      ? this.makeStage(
          'pretrain',
          new GPT(config, loaded.pretrain.weights),
          'shipped pretrained checkpoint',
          keptSettings.pretrain,
        )
      : this.makeStage('pretrain', GPT.random(config, this.seed), 'random initial weights', keptSettings.pretrain);
    const sftModel = new GPT(config, loaded.sft?.weights ?? (await pretrain.model.read()));
    this.stages = {
      pretrain,
      sft: this.makeStage(
        'sft',
        sftModel,
        loaded.sft ? 'shipped fine-tuned checkpoint' : 'copy of the pretrained model',
        keptSettings.sft,
      ),
    };
    // Pairs to judge come from the fine-tuned model; the reward model starts as a copy of it with a zero head.
    const rewardModel = new GPT(config, withZeroHead(await sftModel.read(), sftModel.layout));
    this.preferences = new PreferenceSession(
      sftModel,
      rewardModel,
      data,
      this.deps.comparisons,
      this.deps.emit,
      this.seed,
      this.deps.entropy,
    );
    this.deps.emit({
      type: 'model',
      info: {
        scenario: data.id,
        scenarioTitle: data.title,
        preset: this.preset,
        config,
        paramCount: pretrain.model.paramCount,
        tokenizerKind: data.tokenizer.spec.kind,
      },
    });
    this.deps.emit({ type: 'sampleSettings', settings: this.sampling });
    for (const stage of TRAINABLE_STAGES) {
      this.deps.emit({ type: 'clearMetrics', stage });
      this.emitStage(stage);
      await this.emitSamples(stage);
    }
    const prefs = this.preferences;
    const preferred = () =>
      prefs.comparisons
        .filter((c) => c.verdict === 'preferred')
        .map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }));
    this.rl = new RlTrainer(sftModel, prefs.reward, data, this.seed, () => prefs.gold(), preferred);
    prefs.pairs.source = () => this.rl?.policy ?? sftModel; // live mode: pairs come from the current policy
    this.deps.emit({ type: 'rlClear' });
    this.emitRl();
    await this.preferences.load();
    if (!loaded.pretrain && data.id !== 'custom')
      this.notice(
        'info',
        `No shipped checkpoint for ${data.title} at size "${this.preset}": the model starts from random weights. Press Play on Pretrain to train it.`,
      );
  }

  /** The shipped checkpoint of a stage if it exists and matches the scenario's tokenizer and config. */
  private async shipped(data: ScenarioData, config: GPTConfig, stage: TrainableStage): Promise<Checkpoint | null> {
    if (data.id === 'custom') return null;
    const bytes = await this.deps.fetchShipped(shippedName(data.id, this.preset, stage));
    if (!bytes) return null;
    try {
      const ckpt = decodeCheckpoint(bytes);
      const mismatch = this.mismatch(ckpt, config, data);
      if (mismatch) throw new Error(mismatch);
      return ckpt;
    } catch (e) {
      this.notice(
        'error',
        `The shipped ${stage} checkpoint could not be used (${(e as Error).message}); regenerate it with npm run pretrain.`,
      );
      return null;
    }
  }

  /** A stage's trainer around `model`; the user's settings carry over from the model it replaces. */
  private makeStage(stage: TrainableStage, model: GPT, source: string, settings = { ...TRAIN_DEFAULTS[stage] }): Stage {
    return {
      model,
      trainer: stageTrainer(model, this.data, stage, settings, this.seed + (stage === 'sft' ? 7 : 0)),
      source,
    };
  }

  private disposeStages(): void {
    for (const s of Object.values(this.stages)) {
      s.trainer.dispose();
      s.model.dispose();
    }
    this.stages = {};
    this.rl?.dispose();
    this.rl = null;
    this.preferences?.dispose();
    this.preferences?.rewardModel.dispose();
    this.preferences = null;
  }

  private prefs(): PreferenceSession {
    if (!this.preferences) throw new Error('the playground is still starting');
    return this.preferences;
  }

  private rlTrainer(): RlTrainer {
    if (!this.rl) throw new Error('the playground is still starting');
    return this.rl;
  }

  /** The store changed in another tab (or a restore there): take its labels as they are now. */
  private async syncLabels(): Promise<void> {
    if (await this.preferences?.sync()) this.scheduleLearning(); // new labels to learn, or stale scores
  }

  private setRlSettings(settings: Partial<RlSettings>): void {
    try {
      this.rlTrainer().setSettings(settings);
    } finally {
      this.emitRl(); // a refused change is answered with the settings still in force
    }
  }

  private emitRl(): void {
    if (this.rl) this.deps.emit({ type: 'rlState', state: this.rl.state(this.rlRunning) });
  }

  // ------------------------------------------------------------------ RL fine-tuning

  /** One RL iteration and its events; a broken metric stops the loop (the trainer keeps the last good weights). */
  private async rlStep(): Promise<RlMetricPoint> {
    const rl = this.rlTrainer();
    try {
      const { point, detail } = await rl.step();
      this.deps.emit({ type: 'rlMetrics', points: [point] });
      if (detail) this.deps.emit({ type: 'rlDetail', detail });
      return point;
    } catch (e) {
      this.rlRunning = false;
      throw e;
    } finally {
      this.emitRl();
    }
  }

  /**
   * A beta sweep: from the fine-tuned model, `iterations` iterations at each beta (fixed, not
   * adaptive), each finished run sent for the charts to overlay. Pause stops it between iterations.
   */
  private async rlSweep(betas: number[], iterations: number): Promise<void> {
    const problem = checkRange(iterations, SWEEP_ITERATIONS);
    if (problem) throw new Error(problem);
    if (betas.length === 0 || betas.length > MAX_SWEEP_RUNS)
      throw new Error(`A sweep runs 1 to ${MAX_SWEEP_RUNS} values of beta.`);
    const rl = this.rlTrainer();
    const kept = rl.settings;
    for (const beta of betas) rl.setSettings({ ...kept, beta, adaptiveKl: false }); // checks every value before anything runs
    this.rlRunning = true;
    try {
      for (const beta of betas) {
        rl.setSettings({ ...kept, beta, adaptiveKl: false });
        rl.reset();
        this.deps.emit({ type: 'rlClear' });
        const points: RlMetricPoint[] = [];
        for (let i = 0; i < iterations && this.rlRunning; i++) points.push(await this.rlStep());
        if (points.length)
          this.deps.emit({ type: 'rlRun', label: `${kept.algorithm.toUpperCase()} β = ${beta}`, points });
        if (!this.rlRunning) break;
      }
    } finally {
      this.rlRunning = false;
      rl.setSettings({ ...kept });
      this.emitRl();
    }
  }

  /** Runs PPO iterations until paused; other commands (labels, settings) are served between iterations. */
  private rlPlay(): void {
    this.stopLoop(); // one loop trains at a time: a Pretrain Play queued before this one has started by now
    this.rlRunning = true;
    this.emitRl();
    const generation = ++this.rlGeneration; // a second Play replaces this loop rather than running beside it
    void this.loopWhile(
      () => this.rlRunning && generation === this.rlGeneration,
      async () => {
        await this.enqueueStep(() => (this.rlRunning ? this.rlStep() : Promise.resolve()), 'RL');
      },
    );
  }

  /** Queues one step of a training loop behind the waiting commands (which so run between steps); an error stops the loop with a notice. */
  private enqueueStep(work: () => Promise<unknown>, what: string): Promise<unknown> {
    return this.commands.push(() =>
      work().catch((e: Error) => {
        this.stopLoop();
        this.notice('error', `${what} stopped: ${e.message}`);
      }),
    );
  }

  /** Runs `step` while `active()` holds, yielding to the event loop between steps. */
  private async loopWhile(active: () => boolean, step: () => Promise<void>): Promise<void> {
    while (active()) {
      await step();
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  private stage(stage: TrainableStage): Stage {
    const s = this.stages[stage];
    if (!s) throw new Error('the playground is still starting');
    return s;
  }

  // ------------------------------------------------------------------ training

  private play(stage: TrainableStage): void {
    this.stopLoop(); // one loop trains at a time (an RL Play queued before this one has started by now)
    this.running = stage;
    this.emitStage(stage);
    this.nextSamplesAt = performance.now() + SAMPLES_EVERY_MS;
    void this.loopWhile(
      () => this.running === stage,
      async () => {
        await this.enqueueStep(() => this.trainOnce(stage), 'Training');
        if (this.running === stage && performance.now() > this.nextSamplesAt) {
          const started = performance.now();
          await this.enqueueStep(() => this.emitSamples(stage), 'Training');
          this.nextSamplesAt = performance.now() + Math.max(SAMPLES_EVERY_MS, 3 * (performance.now() - started));
        }
      },
    );
  }

  private stopLoop(): void {
    if (this.rlRunning) {
      this.rlRunning = false;
      this.emitRl();
    }
    const was = this.running;
    this.running = null;
    if (was && this.stages[was]) this.emitStage(was);
  }

  private async trainOnce(stage: TrainableStage): Promise<void> {
    const { trainer } = this.stage(stage);
    const r = await trainer.trainStep();
    if (!Number.isFinite(r.loss)) {
      this.stopLoop();
      throw new Error(`the ${stage} loss became ${r.loss}; lower the learning rate and press Reset`);
    }
    const heldOut = r.step === 1 || r.step % HELD_OUT_EVERY === 0 ? await trainer.heldOutLoss() : null;
    const c = trainer.model.config;
    this.deps.emit({
      type: 'metrics',
      stage,
      points: [
        {
          step: r.step,
          trainLoss: r.loss,
          heldoutLoss: heldOut,
          learningRate: r.learningRate,
          msPerStep: r.ms,
          tokensPerSecond: (trainer.settings.batchSize * c.contextLength * 1000) / Math.max(r.ms, 1e-3),
        },
      ],
    });
    if (!this.running) this.emitStage(stage);
  }

  // ------------------------------------------------------------------ commands that replace weights

  private async reset(stage: TrainableStage): Promise<void> {
    const s = this.stage(stage);
    if (stage === 'pretrain') {
      const ckpt = await this.shipped(this.data, s.model.config, 'pretrain');
      s.model.assign(ckpt ? ckpt.weights : GPT.randomWeights(s.model.config, this.seed));
      s.source = ckpt ? 'shipped pretrained checkpoint' : 'random initial weights';
    } else {
      s.model.copyFrom(this.stage('pretrain').model);
      s.source = 'copy of the pretrained model';
    }
    await this.afterNewWeights(stage);
  }

  private async fromScratch(): Promise<void> {
    const s = this.stage('pretrain');
    this.seed += 1;
    s.model.assign(GPT.randomWeights(s.model.config, this.seed));
    s.source = `random initial weights (seed ${this.seed})`;
    await this.afterNewWeights('pretrain');
    this.notice('info', 'Pretrain now holds fresh random weights: its samples are gibberish until you press Play.');
  }

  private async afterNewWeights(stage: TrainableStage): Promise<void> {
    this.stage(stage).trainer.restart();
    this.deps.emit({ type: 'clearMetrics', stage });
    this.emitStage(stage);
    await this.emitSamples(stage);
  }

  private mismatch(ckpt: Checkpoint, config: GPTConfig, data: ScenarioData): string | null {
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

  private async importCheckpoint(stage: TrainableStage, bytes: Uint8Array, name: string): Promise<void> {
    const s = this.stage(stage);
    const ckpt = decodeCheckpoint(bytes); // throws a clear message; nothing has changed yet
    const mismatch = this.mismatch(ckpt, s.model.config, this.data);
    if (mismatch) throw new Error(`"${name}" cannot be loaded: ${mismatch}. Switch to its scenario and size first.`);
    s.model.assign(ckpt.weights);
    s.source = `file ${name}`;
    await this.afterNewWeights(stage);
    this.notice('info', `Loaded ${name} into ${stage === 'pretrain' ? 'Pretrain' : 'Supervised fine-tune'}.`);
  }

  private async checkpointBytes(stage: TrainableStage): Promise<Uint8Array> {
    const s = this.stage(stage);
    return encodeCheckpoint({
      config: s.model.config,
      tokenizer: this.data.tokenizer.spec,
      weights: await s.model.read(),
      meta: { scenario: this.data.id, stage, step: s.trainer.step, createdAt: new Date().toISOString() },
    });
  }

  private async exportCheckpoint(stage: TrainableStage): Promise<void> {
    const bytes = await this.checkpointBytes(stage);
    const buffer = bytes.buffer as ArrayBuffer;
    this.deps.emit(
      {
        type: 'checkpointFile',
        stage,
        bytes: buffer,
        filename: `${this.storeKey(stage)}-step${this.stage(stage).trainer.step}.ckpt`,
      },
      [buffer],
    );
  }

  private storeKey(stage: TrainableStage): string {
    return `${this.data.id}-${this.preset}-${stage}`;
  }

  private async saveToBrowser(stage: TrainableStage): Promise<void> {
    if (!this.deps.store) throw new Error('this browser offers no storage (IndexedDB) for checkpoints');
    await this.deps.store.save(this.storeKey(stage), await this.checkpointBytes(stage));
    this.notice('info', `Saved the ${stage} model in this browser.`);
  }

  private async loadFromBrowser(stage: TrainableStage): Promise<void> {
    if (!this.deps.store) throw new Error('this browser offers no storage (IndexedDB) for checkpoints');
    const bytes = await this.deps.store.load(this.storeKey(stage));
    if (!bytes) throw new Error(`No ${stage} model of this scenario and size is saved in this browser yet.`);
    await this.importCheckpoint(stage, bytes, 'the copy saved in this browser');
  }

  private async useCustomCorpus(text: string, separator: string, preset: PresetName): Promise<void> {
    if (!Object.hasOwn(PRESETS, preset)) throw new Error(`There is no model size "${String(preset)}".`);
    const parsed = parseCustomCorpus(text, separator, PRESETS[preset].contextLength); // prompts must leave room for an answer
    if (!parsed.ok) throw new Error(parsed.message);
    this.preset = preset;
    await this.build(parsed.data, false);
    const { pretrain, tokenizer } = parsed.data;
    this.notice(
      'info',
      `Using your corpus: ${pretrain.length} examples, ${tokenizer.vocabSize} character tokens. Press Play on Pretrain to train on it.`,
    );
    for (const warning of parsed.warnings) this.notice('info', `Your corpus: ${warning}`);
  }

  // ------------------------------------------------------------------ settings

  private setTrainSettings(stage: TrainableStage, settings: Partial<TrainSettings>): void {
    const s = this.stage(stage);
    const next = { ...s.trainer.settings, ...settings };
    const problem = validateTrainSettings(next);
    if (problem) {
      this.emitStage(stage); // the form shows the settings still in force
      throw new Error(problem);
    }
    s.trainer.settings = next;
    this.emitStage(stage);
  }

  private setSampleSettings(settings: Partial<SampleSettings>): Promise<void> | void {
    const next = { ...this.sampling, ...settings };
    const problem = validateSampleSettings(next, this.data?.tokenizer.vocabSize ?? 100_000);
    if (problem) {
      this.deps.emit({ type: 'sampleSettings', settings: this.sampling });
      throw new Error(problem);
    }
    this.sampling = next;
    this.deps.emit({ type: 'sampleSettings', settings: next });
  }

  // ------------------------------------------------------------------ output

  private emitStage(stage: TrainableStage): void {
    const s = this.stages[stage];
    if (!s) return;
    const state: StageState = {
      stage,
      running: this.running === stage,
      step: s.trainer.step,
      source: s.source,
      settings: { ...s.trainer.settings },
    };
    this.deps.emit({ type: 'stage', state });
  }

  /** Completes the scenario's first prompts with the stage's model and sends them to the UI. */
  async emitSamples(stage: TrainableStage): Promise<Completion[]> {
    const s = this.stage(stage);
    const tok = this.data.tokenizer;
    const prompts = spreadPrompts(this.data.prompts, SAMPLE_PROMPTS);
    const encoded = prompts.map((p) => encodePrompt(tok, p).slice(-(s.model.config.contextLength - 4)));
    const room = s.model.config.contextLength - Math.max(...encoded.map((e) => e.length));
    const result = await sample(s.model, encoded, {
      maxNewTokens: Math.min(24, room),
      temperature: this.sampling.temperature,
      topK: this.sampling.topK,
      seed: this.seed * 1000 + this.sampleCounter++,
    });
    const completions = prompts.map((prompt, i) => {
      const lps = result.logProbs[i];
      return {
        prompt,
        completion: completionText(tok, result.tokens[i]),
        meanLogProb: lps.reduce((a, b) => a + b, 0) / Math.max(1, lps.length),
      };
    });
    this.deps.emit({ type: 'samples', stage, step: s.trainer.step, completions });
    return completions;
  }

  private notice(level: 'info' | 'error', message: string): void {
    this.deps.emit({ type: 'notice', level, message });
  }

  // ------------------------------------------------------------------ sessions

  private sessionStore(): SessionStore {
    if (!this.deps.sessions) throw new Error('this browser offers no storage (IndexedDB) for sessions');
    return this.deps.sessions;
  }

  private async emitSessions(): Promise<void> {
    this.deps.emit({ type: 'sessions', list: await this.sessionStore().list() });
  }

  /** Everything needed to come back to this moment: models, settings, labels, and the page's charts. */
  private async capture(name: string, ui: SessionUi) {
    if (this.data.id === 'custom')
      throw new Error('sessions cover the built-in scenarios; a pasted corpus is not saved in one');
    const prefs = this.prefs(),
      rl = this.rlTrainer();
    const rlModels = await rl.exportModels();
    const [pretrain, sft] = [this.stage('pretrain'), this.stage('sft')];
    return packSession({
      scenario: this.data,
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
        scenario: this.data.id,
        preset: this.preset,
        seed: this.seed,
        settings: {
          train: { pretrain: pretrain.trainer.settings, sft: sft.trainer.settings },
          sample: this.sampling,
          pair: prefs.settings,
          reward: prefs.reward.settings,
          labelers: prefs.labelers,
          rl: rl.settings,
        },
        stageSteps: { pretrain: pretrain.trainer.step, sft: sft.trainer.step },
        rewardStep: prefs.reward.step,
        rlIteration: rl.iteration,
        comparisons: prefs.comparisons,
        ui,
      },
    });
  }

  private async saveSession(rawName: string, ui: SessionUi): Promise<void> {
    const name = checkSessionName(rawName);
    const { bytes, summary } = await this.capture(name, ui);
    await this.sessionStore().put(summary, bytes);
    this.notice('info', `Saved the session "${name}" in this browser (${(bytes.length / 1024 / 1024).toFixed(1)} MB).`);
    await this.emitSessions();
  }

  private async exportSession(rawName: string, ui: SessionUi): Promise<void> {
    const { bytes } = await this.capture(checkSessionName(rawName), ui);
    const buffer = bytes.buffer as ArrayBuffer;
    const filename = `${
      rawName
        .trim()
        .replace(/[^\w.-]+/g, '-')
        .slice(0, 60) || 'session'
    }.rlhfsession`;
    this.deps.emit({ type: 'sessionFile', bytes: buffer, filename }, [buffer]);
  }

  private async restoreSession(rawName: string, ui: SessionUi, fork: boolean): Promise<void> {
    const name = checkSessionName(rawName);
    const bytes = await this.sessionStore().get(name);
    if (!bytes) throw new Error(`There is no saved session "${name}".`);
    await this.applySession(decodeSession(bytes), ui, fork);
  }

  private async importSession(bytes: Uint8Array, fileName: string, ui: SessionUi): Promise<void> {
    let session: Session;
    try {
      session = decodeSession(bytes);
      this.checkSession(session); // a file that cannot be restored is not stored either
    } catch (e) {
      throw new Error(`${fileName} was not imported: ${(e as Error).message}`, { cause: e });
    }
    const taken = new Set((await this.sessionStore().list()).map((s) => s.name));
    let name = session.data.name;
    for (let k = 2; taken.has(name); k++) name = `${session.data.name.slice(0, SESSION_NAME_MAX - 6)} (${k})`;
    session.data.name = name;
    await this.sessionStore().put(
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
    await this.applySession(session, ui, false);
  }

  /** Throws the first thing in a session that does not fit this playground; returns its scenario. */
  private checkSession(session: Session): ScenarioData {
    const d = session.data;
    const data = this.deps.loadScenario(d.scenario);
    checkSessionModels(session, configFor(d.preset, data.tokenizer.vocabSize), d.preset);
    checkSessionSettings(d.settings, data.tokenizer.vocabSize);
    checkSessionLabelers(d.settings.labelers, d.scenario);
    return data;
  }

  /** Checks a session whole, keeps the current state as an automatic session, then puts the session in place. */
  private async applySession(session: Session, ui: SessionUi, fork: boolean): Promise<void> {
    const d = session.data;
    const data = this.checkSession(session);
    if (this.data.id !== 'custom' && this.preferences) {
      const auto = await this.capture(
        `Before restoring "${d.name}" (${new Date().toISOString().slice(0, 19).replace('T', ' ')})`,
        ui,
      );
      await this.sessionStore().put(auto.summary, auto.bytes);
    }
    if (d.scenario !== this.data.id || d.preset !== this.preset) {
      this.preset = d.preset;
      await this.build(data, true);
    }
    this.seed = d.seed;
    const c = session.checkpoints;
    for (const stage of TRAINABLE_STAGES) {
      const s = this.stage(stage);
      s.model.assign(c[stage]!.weights);
      s.trainer.restart();
      s.trainer.settings = { ...d.settings.train[stage] };
      s.trainer.step = d.stageSteps?.[stage] ?? 0;
      s.source = `session "${d.name}"`;
    }
    this.sampling = { ...d.settings.sample };
    this.deps.emit({ type: 'sampleSettings', settings: this.sampling });
    const prefs = this.prefs();
    prefs.rewardModel.assign(c.reward!.weights);
    prefs.reward.step = d.rewardStep;
    await prefs.setSettings(d.settings.pair);
    await prefs.setRewardSettings(d.settings.reward);
    prefs.setLabelers(d.settings.labelers, false);
    const rl = this.rlTrainer();
    rl.setSettings(d.settings.rl);
    await rl.restoreModels(
      c.policy && c.reference
        ? { policy: c.policy.weights, reference: c.reference.weights, value: c.value?.weights ?? null }
        : null,
      d.rlIteration,
    );
    await prefs.replaceAll(d.comparisons);
    for (const stage of TRAINABLE_STAGES) {
      this.emitStage(stage);
      await this.emitSamples(stage);
    }
    this.deps.emit({ type: 'rlClear' });
    this.emitRl();
    this.deps.emit({ type: 'sessionRestored', name: d.name, ui: d.ui, fork });
    this.notice(
      'info',
      `Restored the session "${d.name}"${fork ? ' as a fork: its RL curves stay on the charts for comparison' : ''}. What was here before is saved as a session too.`,
    );
    await this.emitSessions();
  }

  /** For tests and scripts: resolves once every queued command and training run has finished. */
  async idle(): Promise<void> {
    await this.storeReads.idle();
    await this.commands.idle();
  }

  /** For tests and scripts: the live models. */
  model(stage: TrainableStage): GPT {
    return this.stage(stage).model;
  }

  dispose(): void {
    this.stopLoop();
    this.disposeStages();
  }
}
