// The RL stage inside the worker: the policy (a copy of the fine-tuned model), the frozen
// reference, the value model, their optimisers and the KL controller; one iteration of the chosen
// method per call (the methods are in rlMethods/, the metric point in rlMetricPoint.ts), and
// a guard that stops on a broken metric and keeps the last good weights for a rollback.

import type { UnpairedExample } from '../rlhf/ktoTrainer';
import * as tf from '@tensorflow/tfjs';
import { ReferenceLogProbs } from '../rlhf/referenceLogProbs';
import { GPT } from '../model/model';
import { decayMask, withZeroHead } from '../model/params';
import { answerRoom, sample } from '../model/sample';
import type { BuiltInScenarioId, ScenarioData } from '../data/types';
import { completionText, encodePrompt } from '../data/sequences';
import type { LabelerSpec } from '../data/labelers';
import { mulberry32, pickMany } from '../data/random';
import { AdamW } from '../model/adamw';
import { AdaptiveKlController, FixedKlController, type KlController } from '../rlhf/klController';
import type { PreferencePair } from '../rlhf/dpoTrainer';
import { type BeforeAfter, type RlDetail, type RlMetricPoint, type RlSettings, type RlState } from './protocol';
import type { RewardSession } from './rewardSession';
import { RL_METHODS, type StepModels } from './rlMethods';
import { brokenMetric, metricPoint, tokenDetail } from './rlMetricPoint';
import { RL_DEFAULTS } from './rlSettingsRegistry';
import { validateRlSettings } from './settings';
import { releaseIdleBuffers } from './gpuMemory';

/** Re-exported: the sanity check's home is rlMetricPoint.ts, and callers import it from here. */
export { brokenMetric };
/** Re-exported: the check's home is settings.ts, beside the other settings checks. */
export { validateRlSettings };

/** Re-exported from the settings registry, the one home of every default. */
export { RL_DEFAULTS };

/** Prompts in the before/after comparison. */
const COMPARE_PROMPTS = 4;

interface RlModels extends StepModels {
  controller: KlController;
  /** Weights before the latest iteration, for a rollback. */
  lastGood: { policy: tf.Tensor1D; value: tf.Tensor1D | null } | null;
}

export class RlTrainer {
  settings: RlSettings = { ...RL_DEFAULTS };
  iteration = 0;
  diverged: RlState['diverged'] = null;
  private models: RlModels | null = null;
  private seed: number;
  /** REINFORCE's moving-average baseline of the score. */
  private baseline = 0;

  constructor(
    private sft: GPT,
    private reward: RewardSession,
    private data: ScenarioData,
    seed: number,
    private gold: () => { spec: LabelerSpec; scenario: BuiltInScenarioId } | null,
    /** Preference pairs for DPO and IPO (the same clicks the reward model learns from). */
    private preferencePairs: () => PreferencePair[] = () => [],
    /** Answers rated good or bad, for KTO beside the unpaired pairs. */
    private ratedAnswers: () => UnpairedExample[] = () => [],
  ) {
    this.seed = seed * 104729;
  }

  state(running: boolean): RlState {
    return { running, iteration: this.iteration, settings: this.settings, diverged: this.diverged };
  }

  /** The current policy (the fine-tuned model until RL has started). */
  get policy(): GPT {
    return this.models?.policy ?? this.sft;
  }

  setSettings(patch: Partial<RlSettings>): void {
    const next = { ...this.settings, ...patch };
    validateRlSettings(next);
    // A different method or value head starts again from the fine-tuned model (the same starting point).
    const rebuild = next.valueInit !== this.settings.valueInit || next.algorithm !== this.settings.algorithm;
    // A new beta (or KL target) takes effect from the next iteration.
    const klChanged = (['beta', 'adaptiveKl', 'targetKl', 'klHorizon'] as const).some(
      (k) => next[k] !== this.settings[k],
    );
    if (this.models && klChanged) this.models.controller = this.controller(next);
    this.settings = next;
    if (rebuild && this.models) this.reset(); // a different value head means a fresh start
  }

  private controller(s: RlSettings): KlController {
    return s.adaptiveKl ? new AdaptiveKlController(s.beta, s.targetKl, s.klHorizon) : new FixedKlController(s.beta);
  }

  /** Builds the RL models from the fine-tuned model (and, for the value head, the reward model). */
  private async build(): Promise<RlModels> {
    const sftWeights = await this.sft.read();
    const policy = new GPT(this.sft.config, sftWeights);
    const reference = new GPT(this.sft.config, sftWeights);
    let value: GPT | null = null;
    // Only a method with a value model (PPO) gets one; the others need no value estimate.
    if (RL_METHODS[this.settings.algorithm].usesValueModel) {
      if (this.settings.valueInit === 'reward') {
        value = new GPT(this.sft.config, await this.reward.model.read());
      } else {
        // A zero-initialised value head on the policy: every value starts at 0.
        policy.assign(withZeroHead(sftWeights, policy.layout));
      }
    }
    return {
      policy,
      reference,
      value,
      policyOpt: new AdamW(policy.paramCount, decayMask(policy.layout)),
      valueOpt: value ? new AdamW(value.paramCount, decayMask(value.layout)) : null,
      referenceLogProbs: new ReferenceLogProbs(),
      controller: this.controller(this.settings),
      lastGood: null,
    };
  }

  /** One iteration of the chosen method; returns the metric point and the panels' details, or throws on a broken metric. */
  async step(): Promise<{ point: RlMetricPoint; detail: RlDetail | null }> {
    if (this.diverged)
      throw new Error(`training stopped because ${this.diverged.metric} broke; roll back or reset first`);
    this.models ??= await this.build();
    const m = this.models;
    const s = this.settings;
    const method = RL_METHODS[s.algorithm];
    tf.dispose([m.lastGood?.policy, m.lastGood?.value ?? undefined].filter((t): t is tf.Tensor1D => !!t));
    m.lastGood = { policy: m.policy.flat.clone(), value: m.value ? m.value.flat.clone() : null };
    const beta = m.controller.value;
    const started = performance.now();
    // 1. the method's own iteration: draw prompts, train (or sample), measure
    const outcome = await method.step({
      models: m,
      reward: this.reward.model,
      data: this.data,
      settings: s,
      beta,
      seed: this.seed + this.iteration,
      rand: mulberry32(this.seed + this.iteration),
      normalization: this.reward.normalization ?? { mean: 0, std: 1 },
      baseline: this.baseline,
      preferencePairs: () => this.preferencePairs(),
      ratedAnswers: () => this.ratedAnswers(),
    });
    if (outcome.kind === 'update' && outcome.baseline !== undefined) this.baseline = outcome.baseline;
    this.iteration += 1;
    // 2. the metric point and, for the policy-gradient methods, the token details
    const stamp = {
      iteration: this.iteration,
      algorithm: this.settings.algorithm,
      beta,
      ms: performance.now() - started,
    };
    const point = metricPoint(outcome, stamp, this.data.tokenizer, this.gold());
    const detail =
      outcome.kind === 'update'
        ? tokenDetail(outcome.result, outcome.prompts, this.iteration, this.data.tokenizer, this.settings.clipRange)
        : null;
    // 3. the KL controller learns from the iteration's KL (for the methods that pay beta as a KL penalty)
    if (method.usesKlController) m.controller.update(point['objective/kl'], s.batchSize);
    this.checkSanity(point);
    return { point, detail };
  }

  /** A non-finite or exploding metric stops the run; the weights before the iteration are kept for a rollback. */
  private checkSanity(p: RlMetricPoint): void {
    const broken = brokenMetric(p);
    if (!broken) return;
    this.diverged = { ...broken, canRollBack: this.models?.lastGood != null };
    throw new Error(
      `${broken.metric} reached ${broken.value}: training paused. Roll back to the last good iteration or lower the learning rate.`,
    );
  }

  /** Back to the weights before the iteration that broke (optimiser moments forgotten). */
  rollback(): void {
    const m = this.models;
    if (!m?.lastGood || !this.diverged) throw new Error('there is nothing to roll back to');
    // The models take the saved copies' data (a clone passed to assign would outlive it, unfreed).
    m.policy.assign(m.lastGood.policy);
    if (m.value && m.lastGood.value) m.value.assign(m.lastGood.value);
    m.policyOpt.reset();
    m.valueOpt?.reset();
    m.controller = this.controller(this.settings);
    this.iteration = Math.max(0, this.iteration - 1);
    this.diverged = null;
  }

  /** The RL models' weights, for a saved session (null before RL has run). */
  async exportModels(): Promise<{ policy: Float32Array; reference: Float32Array; value: Float32Array | null } | null> {
    const m = this.models;
    if (!m) return null;
    return {
      policy: await m.policy.read(),
      reference: await m.reference.read(),
      value: m.value ? await m.value.read() : null,
    };
  }

  /** Puts saved RL models back (settings must already be restored); optimiser moments start afresh. */
  async restoreModels(
    saved: { policy: Float32Array; reference: Float32Array; value: Float32Array | null } | null,
    iteration: number,
  ): Promise<void> {
    this.reset();
    if (!saved) return;
    const m = await this.build();
    m.policy.assign(saved.policy);
    m.reference.assign(saved.reference);
    if (m.value && saved.value) m.value.assign(saved.value);
    this.models = m;
    this.iteration = iteration;
  }

  /** Back to the fine-tuned model: the RL models are rebuilt on the next iteration. */
  reset(): void {
    this.disposeModels();
    this.iteration = 0;
    this.baseline = 0;
    this.diverged = null;
  }

  /** The same prompts answered by the reference and by the policy, with their normalised rewards. */
  async compare(): Promise<BeforeAfter> {
    const rand = mulberry32(this.seed - 1);
    const prompts = pickMany(rand, this.data.prompts, COMPARE_PROMPTS);
    const encoded = prompts.map((p) => encodePrompt(this.data.tokenizer, p));
    const opts = {
      maxNewTokens: answerRoom(this.sft, encoded, this.settings.responseLength),
      temperature: this.settings.temperature,
      topK: 0,
      seed: this.seed + 5,
    };
    const answer = async (model: GPT) =>
      (await sample(model, encoded, opts)).tokens.map((t) => completionText(this.data.tokenizer, t));
    const reference = await answer(this.models?.reference ?? this.sft);
    const policy = await answer(this.policy);
    const raw = await this.reward.score([
      ...prompts.map((p, i) => ({ prompt: p, response: reference[i] })),
      ...prompts.map((p, i) => ({ prompt: p, response: policy[i] })),
    ]);
    const r = raw.map((x) => this.reward.normalize(x));
    return {
      iteration: this.iteration,
      rows: prompts.map((prompt, i) => ({
        prompt,
        reference: reference[i],
        referenceReward: r[i],
        policy: policy[i],
        policyReward: r[COMPARE_PROMPTS + i],
      })),
    };
  }

  private disposeModels(): void {
    const m = this.models;
    if (!m) return;
    tf.dispose([m.lastGood?.policy, m.lastGood?.value ?? undefined].filter((t): t is tf.Tensor1D => !!t));
    m.policy.dispose();
    m.reference.dispose();
    m.value?.dispose();
    m.policyOpt.dispose();
    m.valueOpt?.dispose();
    m.methodState?.dispose();
    this.models = null;
    releaseIdleBuffers();
  }

  dispose(): void {
    this.disposeModels();
  }
}
