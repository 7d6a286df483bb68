// What the playground's modules share: the scenario, the two stage models (pretrained and
// fine-tuned) with their trainers, the preference session, the RL trainer, the sample settings,
// and the events that report them to the page. The router (playground.ts) owns one of these.

import type { Completion, SampleSettings, StageState, TrainableStage, WorkerEvent } from './protocol';
import type { PresetName } from '../model/config';
import type { GPT } from '../model/model';
import { answerRoom, sample } from '../model/sample';
import type { LMTrainer } from './lmTrainer';
import { completionText, encodePrompt } from '../data/sequences';
import type { ScenarioData, ScenarioId } from '../data/types';
import type { PreferenceSession } from './preferenceSession';
import type { ComparisonStore, DemonstrationStore, RatingStore } from '../data/preferenceStore';
import type { RlTrainer } from './rlTrainer';
import type { SessionStore } from './sessionStore';
import { MODEL_DEFAULTS, SAMPLE_DEFAULTS } from './settingsRegistry';
import { releaseIdleBuffers } from './gpuMemory';

/** Where shipped checkpoints and saved ones come from; the worker gives browser versions, tests give Node ones. */
export interface PlaygroundDeps {
  emit: (event: WorkerEvent, transfer?: ArrayBuffer[]) => void;
  /** Bytes of a shipped checkpoint (public/checkpoints/NAME), or null when there is none. */
  fetchShipped: (name: string) => Promise<ArrayBuffer | null>;
  loadScenario: (id: Exclude<ScenarioId, 'custom'>) => ScenarioData;
  store?: { save(key: string, bytes: Uint8Array): Promise<void>; load(key: string): Promise<Uint8Array | null> };
  /** Where preference labels are kept (IndexedDB in the browser). */
  comparisons: ComparisonStore;
  /** Where ratings are kept (IndexedDB in the browser). */
  ratings: RatingStore;
  /** Where demonstrations are kept (IndexedDB in the browser). */
  demonstrations: DemonstrationStore;
  /** Where whole sessions are saved (IndexedDB in the browser). */
  sessions?: SessionStore;
  /** A number that differs between page loads, so a reload or a second tab is offered new pairs (tests: 0, repeatable). */
  entropy?: number;
}

/** One trainable stage: its model, the trainer around it, and where its weights came from. */
export interface Stage {
  model: GPT;
  trainer: LMTrainer;
  source: string;
}

const SAMPLE_PROMPTS = 4;
/** The longest sample completion under a stage. */
const SAMPLE_ANSWER_TOKENS = 24;

/** `count` prompts spread over the list (scenarios list related prompts together), alternating phrasings. */
export function spreadPrompts(prompts: string[], count: number): string[] {
  if (prompts.length <= count) return prompts;
  const picked = Array.from(
    { length: count },
    (_, k) => prompts[Math.min(prompts.length - 1, Math.floor((k * prompts.length) / count) + (k % 2))],
  );
  return [...new Set(picked)];
}

export class PlaygroundState {
  data!: ScenarioData;
  preset: PresetName = MODEL_DEFAULTS.preset;
  seed = 1;
  stages: Partial<Record<TrainableStage, Stage>> = {};
  preferences: PreferenceSession | null = null;
  rl: RlTrainer | null = null;
  /** Whether an RL loop (Play or a beta sweep) is running. */
  rlRunning = false;
  sampling: SampleSettings = { ...SAMPLE_DEFAULTS };
  /** The stage whose Play loop is running, if any. */
  running: TrainableStage | null = null;
  private sampleCounter = 0;

  constructor(readonly deps: PlaygroundDeps) {}

  /** A stage's model and trainer; throws until the first scenario is built. */
  stage(stage: TrainableStage): Stage {
    const s = this.stages[stage];
    if (!s) throw new Error('the playground is still starting');
    return s;
  }

  /** The preference session; throws until the first scenario is built. */
  prefs(): PreferenceSession {
    if (!this.preferences) throw new Error('the playground is still starting');
    return this.preferences;
  }

  /** The RL trainer; throws until the first scenario is built. */
  rlTrainer(): RlTrainer {
    if (!this.rl) throw new Error('the playground is still starting');
    return this.rl;
  }

  /** Disposes both stage models, the preference session with its reward model, and the RL trainer. */
  disposeStages(): void {
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
    releaseIdleBuffers(); // the new models may differ in size: nothing of the old ones' pool is reused
  }

  /** A stage has new weights: its trainer starts over, its charts clear, and fresh samples go out. */
  async afterNewWeights(stage: TrainableStage): Promise<void> {
    this.stage(stage).trainer.restart();
    this.deps.emit({ type: 'clearMetrics', stage });
    this.emitStage(stage);
    await this.emitSamples(stage);
  }

  // ------------------------------------------------------------------ output

  /** Sends a stage's state (running, step, source, settings) to the page. */
  emitStage(stage: TrainableStage): void {
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

  /** Sends the RL trainer's state to the page, once there is one. */
  emitRl(): void {
    if (this.rl) this.deps.emit({ type: 'rlState', state: this.rl.state(this.rlRunning) });
  }

  /** Completes the scenario's first prompts with the stage's model and sends them to the UI. */
  async emitSamples(stage: TrainableStage): Promise<Completion[]> {
    const s = this.stage(stage);
    const tok = this.data.tokenizer;
    const prompts = spreadPrompts(this.data.prompts, SAMPLE_PROMPTS);
    const encoded = prompts.map((p) => encodePrompt(tok, p).slice(-(s.model.config.contextLength - 4)));
    const result = await sample(s.model, encoded, {
      maxNewTokens: answerRoom(s.model, encoded, SAMPLE_ANSWER_TOKENS),
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

  /** An info or error line for the page's notice area. */
  notice(level: 'info' | 'error', message: string): void {
    this.deps.emit({ type: 'notice', level, message });
  }
}
