// The RL stage inside the worker: the policy (a copy of the fine-tuned model), the frozen
// reference, the value model, their optimisers and the KL controller; one PPO iteration per
// call, with its metrics, token details and a guard that stops on a broken metric and keeps the
// last good weights for a rollback.

import * as tf from '@tensorflow/tfjs';
import { GPT } from '../model/model';
import { decayMask, withZeroHead } from '../model/params';
import { sample } from '../model/sample';
import type { ScenarioData } from '../data/types';
import { completionText, encodePrompt } from '../data/sequences';
import { labelerGold, type LabelerSpec } from '../data/labelers';
import type { GoldScenario } from '../data/gold';
import { mulberry32 } from '../data/random';
import { AdamW } from './adamw';
import { AdaptiveKlController, FixedKlController, type KlController } from '../rlhf/klController';
import { ppoIteration, type PpoIterationResult, type TopK } from '../rlhf/ppo';
import { groupIteration, GROUP_DEFAULTS } from '../rlhf/groupMethods';
import { bestOfN } from '../rlhf/bestOfN';
import { preferenceStep, type PreferencePair } from '../rlhf/dpoTrainer';
import { measurePolicy } from '../rlhf/measurePolicy';
import {
  checkRange,
  RL_ALGORITHMS,
  RL_LIMITS,
  type BeforeAfter,
  type RlDetail,
  type RlMetricPoint,
  type RlSettings,
  type RlState,
  type TopToken,
} from './protocol';
import type { RewardSession } from './rewardSession';

/**
 * The RL stage's defaults. β is 0.2, above TRL's 0.05: answers here are 16 tokens and the score is normalised to
 * std 1, so 0.05 barely anchors (npm run phenomena, 30 "Positive" labels, 20 iterations, seeds 1-10: at 0.2 gold
 * rose +0.20 to +0.42 with max KL 2.9-10.4; the final KL at β = 0 was 1.3-4.9x as high).
 */
export const RL_DEFAULTS: RlSettings = {
  algorithm: 'ppo',
  groupSize: 4,
  learningRate: 3e-4,
  beta: 0.2,
  klEstimator: 'k1',
  adaptiveKl: false,
  targetKl: 1,
  klHorizon: 1000,
  clipRange: 0.2,
  clipRangeValue: 0.2,
  vfCoef: 0.1,
  gamma: 1,
  lambda: 0.95,
  epochs: 4,
  minibatches: 2,
  batchSize: 16,
  responseLength: 16,
  temperature: 1,
  entropyCoef: 0,
  missingEosPenalty: 0,
  whitenRewards: false,
  valueInit: 'reward',
};

const DETAIL_ROWS = 3;
const COMPARE_PROMPTS = 4;
/** Beyond these the run is treated as diverged. */
const LIMITS_OF_SANITY = { 'objective/kl': 200, 'val/ratio': 10, 'policy/approxkl_avg': 20 } as const;

/** The first metric that is not a finite number, or that is beyond its limit of sanity; null when all is well. */
export function brokenMetric(p: RlMetricPoint): { metric: string; value: number } | null {
  for (const [metric, value] of Object.entries(p)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return { metric, value };
  }
  for (const [metric, limit] of Object.entries(LIMITS_OF_SANITY) as [keyof typeof LIMITS_OF_SANITY, number][]) {
    if (Math.abs(p[metric]) > limit) return { metric, value: p[metric] };
  }
  return null;
}

/** Checks every field of a settings object; throws the first problem. */
export function validateRlSettings(s: RlSettings): void {
  for (const key of Object.keys(RL_LIMITS) as (keyof typeof RL_LIMITS)[]) {
    const problem = checkRange(s[key], RL_LIMITS[key]);
    if (problem) throw new Error(problem);
  }
  if (s.klEstimator !== 'k1' && s.klEstimator !== 'k3')
    throw new Error(`The KL estimator must be k1 or k3 (got ${String(s.klEstimator)}).`);
  if (s.valueInit !== 'reward' && s.valueInit !== 'policy')
    throw new Error(`The value head starts from "reward" or "policy" (got ${String(s.valueInit)}).`);
  if (!RL_ALGORITHMS.some((a) => a.id === s.algorithm)) throw new Error(`Unknown method: ${String(s.algorithm)}.`);
  if (s.batchSize % s.minibatches !== 0)
    throw new Error(
      `Rollouts per iteration (${s.batchSize}) must be a multiple of the minibatches (${s.minibatches}).`,
    );
  if (s.algorithm === 'rloo' || s.algorithm === 'grpo') {
    if (s.batchSize % s.groupSize !== 0)
      throw new Error(
        `Rollouts per iteration (${s.batchSize}) must be a multiple of the samples per prompt (${s.groupSize}).`,
      );
    if ((s.batchSize / s.groupSize) % s.minibatches !== 0)
      throw new Error(
        `The ${s.batchSize / s.groupSize} prompts of an iteration must split evenly into ${s.minibatches} minibatches (groups stay whole).`,
      );
  }
}

interface RlModels {
  policy: GPT;
  reference: GPT;
  value: GPT | null;
  policyOpt: AdamW;
  valueOpt: AdamW | null;
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
    private gold: () => { spec: LabelerSpec; scenario: GoldScenario } | null,
    /** Preference pairs for DPO and IPO (the same clicks the reward model learns from). */
    private preferencePairs: () => PreferencePair[] = () => [],
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
    if (this.settings.algorithm !== 'ppo') {
      // The other methods need no value estimate.
    } else if (this.settings.valueInit === 'reward') {
      value = new GPT(this.sft.config, await this.reward.model.read());
    } else {
      // A zero-initialised value head on the policy: every value starts at 0.
      policy.assign(withZeroHead(sftWeights, policy.layout));
    }
    return {
      policy,
      reference,
      value,
      policyOpt: new AdamW(policy.paramCount, decayMask(policy.layout)),
      valueOpt: value ? new AdamW(value.paramCount, decayMask(value.layout)) : null,
      controller: this.controller(this.settings),
      lastGood: null,
    };
  }

  private prompts(count: number, rand: () => number): string[] {
    return Array.from({ length: count }, () => this.data.prompts[Math.floor(rand() * this.data.prompts.length)]);
  }

  /** One iteration of the chosen method; returns the metric point and the panels' details, or throws on a broken metric. */
  async step(): Promise<{ point: RlMetricPoint; detail: RlDetail | null }> {
    if (this.diverged)
      throw new Error(`training stopped because ${this.diverged.metric} broke; roll back or reset first`);
    this.models ??= await this.build();
    const m = this.models;
    const s = this.settings;
    tf.dispose([m.lastGood?.policy, m.lastGood?.value ?? undefined].filter((t): t is tf.Tensor1D => !!t));
    m.lastGood = { policy: m.policy.flat.clone(), value: m.value ? m.value.flat.clone() : null };
    const rand = mulberry32(this.seed + this.iteration);
    const beta = m.controller.value;
    const seed = this.seed + this.iteration;
    const normalization = this.reward.normalization ?? { mean: 0, std: 1 };
    const encode = (prompts: string[]) => prompts.map((p) => encodePrompt(this.data.tokenizer, p));
    const started = performance.now();
    let point: RlMetricPoint;
    let detail: RlDetail | null = null;
    if (s.algorithm === 'ppo' || s.algorithm === 'reinforce' || s.algorithm === 'rloo' || s.algorithm === 'grpo') {
      const k = s.algorithm === 'ppo' ? 1 : s.algorithm === 'reinforce' ? 1 : s.groupSize;
      const distinct = this.prompts(s.batchSize / k, rand);
      const prompts = distinct.flatMap((p) => Array(k).fill(p) as string[]);
      const result =
        s.algorithm === 'ppo'
          ? await ppoIteration({
              models: { policy: m.policy, reference: m.reference, reward: this.reward.model, value: m.value },
              optimizers: { policy: m.policyOpt, value: m.valueOpt },
              settings: s,
              beta,
              seed,
              promptIds: encode(prompts),
              normalization,
              detailRows: DETAIL_ROWS,
            })
          : await groupIteration({
              method: s.algorithm,
              models: { policy: m.policy, reference: m.reference, reward: this.reward.model },
              optimizer: m.policyOpt,
              settings: { ...s, groupSize: k, baselineDecay: GROUP_DEFAULTS.baselineDecay },
              beta,
              seed,
              promptIds: encode(distinct),
              normalization,
              detailRows: DETAIL_ROWS,
              baseline: this.baseline,
            }).then((r) => ((this.baseline = r.baseline), r));
      this.iteration += 1;
      point = this.metricPoint(result, prompts, beta, performance.now() - started);
      detail = this.detail(result, prompts);
    } else if (s.algorithm === 'bestOfN') {
      const prompts = this.prompts(Math.max(1, Math.floor(s.batchSize / s.groupSize)), rand);
      const r = await bestOfN({
        policy: m.policy,
        reward: this.reward.model,
        promptIds: encode(prompts),
        n: s.groupSize,
        responseLength: s.responseLength,
        temperature: s.temperature,
        normalization,
        missingEosPenalty: s.missingEosPenalty,
        seed,
      });
      this.iteration += 1;
      const texts = r.chosen.map((c) => completionText(this.data.tokenizer, c.ids));
      point = {
        ...this.emptyPoint(beta, performance.now() - started),
        'objective/kl': r.kl,
        'objective/scores': r.bestMean,
        'objective/rlhf_reward': r.bestMean - beta * r.kl,
        'objective/non_score_reward': -beta * r.kl,
        gold: this.goldOf(prompts, texts),
        response_length: r.chosen.reduce((a, c) => a + c.ids.length, 0) / r.chosen.length,
      };
    } else {
      const all = this.preferencePairs();
      if (all.length === 0) throw new Error('DPO and IPO learn from the preference dataset: label some pairs first');
      const batch = Array.from({ length: s.batchSize }, () => all[Math.floor(rand() * all.length)]);
      const r = await preferenceStep(m.policy, m.reference, m.policyOpt, this.data.tokenizer, batch, {
        beta: Math.max(beta, 1e-3),
        learningRate: s.learningRate,
        loss: s.algorithm,
      });
      const prompts = this.prompts(s.batchSize, rand);
      const measured = await measurePolicy(
        m.policy,
        m.reference,
        this.reward.model,
        encode(prompts),
        s.responseLength,
        s.temperature,
        normalization,
        seed,
      );
      this.iteration += 1;
      const texts = measured.rollout.responses.map((t) => completionText(this.data.tokenizer, t));
      point = {
        ...this.emptyPoint(beta, performance.now() - started),
        'objective/kl': measured.kl,
        'objective/scores': measured.score,
        'objective/non_score_reward': -beta * measured.kl,
        'objective/rlhf_reward': measured.score - beta * measured.kl,
        gold: this.goldOf(prompts, texts),
        response_length: measured.responseLength,
        'rewards/chosen': r['rewards/chosen'],
        'rewards/rejected': r['rewards/rejected'],
        'rewards/margins': r['rewards/margins'],
        'rewards/accuracies': r['rewards/accuracies'],
        'logps/chosen': r['logps/chosen'],
        'logps/rejected': r['logps/rejected'],
        'loss/dpo': r.loss,
      };
    }
    if (s.algorithm !== 'bestOfN' && s.algorithm !== 'dpo' && s.algorithm !== 'ipo')
      m.controller.update(point['objective/kl'], s.batchSize);
    this.checkSanity(point);
    return { point, detail };
  }

  /** Mean gold score of answers, when a gold labeler is chosen. */
  private goldOf(prompts: string[], texts: string[]): number | null {
    const g = this.gold();
    return g
      ? texts.reduce((sum, t, i) => sum + labelerGold(g.spec, g.scenario, prompts[i], t), 0) / texts.length
      : null;
  }

  /** A metric point with the update metrics at 0, for methods that have no PPO update. */
  private emptyPoint(beta: number, ms: number): RlMetricPoint {
    return {
      iteration: this.iteration,
      'objective/kl': 0,
      'objective/entropy': 0,
      'objective/non_score_reward': 0,
      'objective/rlhf_reward': 0,
      'objective/scores': 0,
      'policy/approxkl_avg': 0,
      'policy/clipfrac_avg': 0,
      'loss/policy_avg': 0,
      'loss/value_avg': 0,
      'val/clipfrac_avg': 0,
      'val/ratio': 1,
      'val/ratio_var': 0,
      'val/explained_variance': 0,
      beta,
      response_length: 0,
      gold: null,
      msPerIteration: Math.round(ms),
      algorithm: this.settings.algorithm,
    };
  }

  private metricPoint(r: PpoIterationResult, prompts: string[], beta: number, ms: number): RlMetricPoint {
    const st = r.stats;
    const gold = this.goldOf(
      prompts,
      r.rollout.responses.map((t) => completionText(this.data.tokenizer, t)),
    );
    return {
      iteration: this.iteration,
      'objective/kl': st.kl,
      'objective/entropy': st.entropy,
      'objective/non_score_reward': st.nonScore,
      'objective/rlhf_reward': st.rlhfReward,
      'objective/scores': st.score,
      'policy/approxkl_avg': st.approxKl,
      'policy/clipfrac_avg': st.clipFrac,
      'loss/policy_avg': st.pgLoss,
      'loss/value_avg': st.vfLoss,
      'val/clipfrac_avg': st.vfClipFrac,
      'val/ratio': st.ratioMean,
      'val/ratio_var': st.ratioVar,
      'val/explained_variance': st.explainedVariance,
      beta,
      response_length: st.responseLength,
      gold,
      msPerIteration: Math.round(ms),
      algorithm: this.settings.algorithm,
    };
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

  private detail(r: PpoIterationResult, prompts: string[]): RlDetail {
    const tok = this.data.tokenizer;
    const names = (top: TopK, pos: number): TopToken[] =>
      top.ids[pos].map((id, k) => ({ token: tok.decode([id]) || tokenName(id), p: top.p[pos][k] }));
    return {
      iteration: this.iteration,
      responses: r.tokens.map((t, d) => ({
        prompt: prompts[d],
        score: r.scores[d],
        tokens: r.rollout.responses[d].slice(0, r.rollout.N).map((id, i) => ({
          token: tok.decode([id]) || tokenName(id),
          kl: t.kl[i],
          advantage: t.advantage[i],
          ratio: t.ratio[i],
          clipped: t.clipped[i] > 0.5,
          top: {
            before: names(r.top[d].before, i),
            after: names(r.top[d].after, i),
            reference: names(r.top[d].reference, i),
          },
        })),
      })),
      scatter: r.scatter,
      clipRange: this.settings.clipRange,
    };
  }

  /** Back to the weights before the iteration that broke (optimiser moments forgotten). */
  rollback(): void {
    const m = this.models;
    if (!m?.lastGood || !this.diverged) throw new Error('there is nothing to roll back to');
    m.policy.assign(m.lastGood.policy.clone());
    if (m.value && m.lastGood.value) m.value.assign(m.lastGood.value.clone());
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
    const prompts = Array.from(
      { length: COMPARE_PROMPTS },
      () => this.data.prompts[Math.floor(rand() * this.data.prompts.length)],
    );
    const encoded = prompts.map((p) => encodePrompt(this.data.tokenizer, p));
    const room = this.sft.config.contextLength - Math.max(...encoded.map((e) => e.length));
    const opts = {
      maxNewTokens: Math.min(this.settings.responseLength, room),
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
    this.models = null;
  }

  dispose(): void {
    this.disposeModels();
  }
}

/** Special tokens have no text: show them by name. */
function tokenName(id: number): string {
  return ['<pad>', '<bos>', '<eos>', '<sep>', '<unk>'][id] ?? `#${id}`;
}
