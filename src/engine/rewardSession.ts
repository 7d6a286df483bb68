// The reward model as the Preferences and Reward stages use it: training on the labels (with a
// held-out split kept aside), its scores, their normalisation against the fine-tuned model's own
// completions, the diagnostics the Reward panel draws, and a small ensemble for picking pairs.

import * as tf from '@tensorflow/tfjs';
import { GPT } from '../model/model';
import { splitHeldOut, trainingPairs, type Comparison } from '../data/preferences';
import type { LabelerSpec } from '../data/labelers';
import type { BuiltInScenarioId, Tokenizer } from '../data/types';
import { mulberry32 } from '../data/random';
import { RewardTrainer, REWARD_DEFAULTS, rewardNormalization, type RewardPair } from './rewardTrainer';
import { checkRewardSettings } from './settings';
import { type RewardDiagnostics, type RewardMetricPoint, type RewardSettings } from './protocol';
import { buildDiagnostics } from '../rlhf/rewardDiagnostics';
import { ComparisonScores } from './comparisonScores';

const HELD_OUT_FRACTION = 0.2;
const SPLIT_SEED = 1;
/** From this many labels (groups) on, at least one of them is always held out. */
export const HELD_OUT_GUARANTEED_FROM = 5;
const REPORT_EVERY = 10;
/** Reward-model steps a single click trains (the acquisition experiment labels at the same pace). */
export const STEPS_PER_LABEL = 4;

/** Reward-model steps after `n` new labels: a few for one click, more for a batch (capped). */
export function stepsAfterLabels(n: number): number {
  return Math.max(STEPS_PER_LABEL, Math.min(200, Math.round(n / 2)));
}
/** Extra reward models trained on bootstrap resamples, for "ensemble disagreement". */
const ENSEMBLE_EXTRA = 2;

export interface ScoredText {
  prompt: string;
  response: string;
}

/** Two answers to one prompt, neither of them a label. */
export interface ProbePair {
  prompt: string;
  left: string;
  right: string;
}

interface Member {
  model: GPT;
  trainer: RewardTrainer;
}

/** P(a beats b) under a Bradley-Terry model: sigmoid(r_a - r_b). */
export function preferenceProbability(ra: number, rb: number): number {
  return 1 / (1 + Math.exp(-(ra - rb)));
}

export class RewardSession {
  settings: RewardSettings = { ...REWARD_DEFAULTS };
  private trainer: RewardTrainer;
  private members: Member[] = [];
  /** Each comparison's latest margin, so a report re-scores a bounded slice of the dataset. */
  private scores = new ComparisonScores();
  /** Shift and scale that give the fine-tuned model's completions mean 0 and std 1. */
  normalization: { mean: number; std: number } | null = null;
  private reference: ScoredText[] | null = null;

  constructor(
    readonly model: GPT,
    private tokenizer: Tokenizer,
    private seed: number,
    /** Completions of the fine-tuned model, the yardstick for normalised rewards. */
    private referenceTexts: () => Promise<ScoredText[]>,
    /** The weights a fresh ensemble member starts from. */
    private initialWeights: () => Promise<Float32Array>,
    /** A fixed set of fresh pairs from the fine-tuned model, on which agreement with the gold labeler is measured. */
    private goldProbe: () => Promise<ProbePair[]>,
  ) {
    this.trainer = new RewardTrainer(model, tokenizer, [], this.settings, seed);
  }

  get step(): number {
    return this.trainer.step;
  }

  /** Restores the step count of a saved reward model (its weights are assigned by the caller). */
  set step(n: number) {
    this.trainer.step = n;
    this.scores.forget(); // its weights were assigned with it: no margin of the old ones stands
  }

  get ensembleOn(): boolean {
    return this.members.length > 0;
  }

  /** Checks and applies new settings; nothing changes if any value is out of range. */
  setSettings(patch: Partial<RewardSettings>): RewardSettings {
    const next = { ...this.settings, ...patch };
    const problem = checkRewardSettings(next);
    if (problem) throw new Error(problem);
    this.settings = next;
    for (const t of [this.trainer, ...this.members.map((m) => m.trainer)]) t.settings = next;
    return next;
  }

  /** The training and held-out comparisons (the split depends only on each comparison's id). */
  split(comparisons: readonly Comparison[]) {
    return splitHeldOut(comparisons, HELD_OUT_FRACTION, SPLIT_SEED, HELD_OUT_GUARANTEED_FROM);
  }

  /** Steps for `epochs` passes over the training pairs (and the examples from ratings) at the current batch size. */
  epochSteps(comparisons: readonly Comparison[], rated = 0): number {
    const pairs = trainingPairs(this.split(comparisons).train, { ties: this.settings.ties }).length + rated;
    return Math.max(1, Math.ceil((this.settings.epochs * pairs) / this.settings.batchSize));
  }

  /**
   * Trains `steps` steps on the training split and the examples from ratings (and the ensemble members
   * on resamples of them), reporting the training loss every few steps and the held-out loss and
   * accuracy at the end (on held-out comparisons; ratings are all trained on).
   */
  async train(
    comparisons: readonly Comparison[],
    steps: number,
    report: (p: RewardMetricPoint) => void,
    rated: readonly RewardPair[] = [],
  ): Promise<RewardMetricPoint | null> {
    const { train, heldOut } = this.split(comparisons);
    const pairs = [...trainingPairs(train, { ties: this.settings.ties }), ...rated];
    this.trainer.pairs = pairs;
    if (pairs.length === 0) return null;
    const rand = mulberry32(this.seed + this.trainer.step);
    for (const m of this.members) m.trainer.pairs = pairs.map(() => pairs[Math.floor(rand() * pairs.length)]);
    let last = { loss: NaN, accuracy: NaN };
    this.scores.weightsChanged();
    for (let i = 1; i <= steps; i++) {
      last = await this.trainer.trainStep();
      for (const m of this.members) await m.trainer.trainStep();
      if (!Number.isFinite(last.loss))
        throw new Error(`the reward loss became ${last.loss}; lower the reward learning rate`);
      if (i % REPORT_EVERY === 0 && i < steps) {
        report({
          step: this.trainer.step,
          labels: comparisons.length,
          trainLoss: last.loss,
          heldoutLoss: null,
          heldoutAccuracy: null,
          heldoutCount: 0,
        });
      }
    }
    const held = trainingPairs(heldOut, { ties: this.settings.ties });
    const evaluated = held.length ? await this.trainer.evaluate(held) : { loss: null, accuracy: null };
    const point = {
      step: this.trainer.step,
      labels: comparisons.length,
      trainLoss: last.loss,
      heldoutLoss: evaluated.loss,
      heldoutAccuracy: evaluated.accuracy,
      heldoutCount: held.length,
    };
    report(point);
    return point;
  }

  /** Held-out loss and accuracy over any set of pairs. */
  evaluate(pairs: RewardPair[]) {
    return this.trainer.evaluate(pairs);
  }

  /** Raw rewards (one GPU read for the lot). */
  score(items: ScoredText[]): Promise<number[]> {
    return this.trainer.score(items);
  }

  /** r' = (r - mean) / std with the latest normalisation (raw rewards until one exists). */
  normalize(raw: number): number {
    const n = this.normalization;
    return n ? (raw - n.mean) / n.std : raw;
  }

  /**
   * Scores the comparisons that need it (comparisonScores.ts: the new ones, then the stalest, up to a
   * fixed budget), the reference completions and (with a gold labeler) the probe pairs in one read,
   * refreshes the normalisation, and returns P(chosen > rejected) for each comparison with the diagnostics.
   */
  async report(comparisons: readonly Comparison[], gold: { spec: LabelerSpec; scenario: BuiltInScenarioId } | null) {
    this.reference ??= await this.referenceTexts();
    const probe = gold ? await this.goldProbe() : [];
    const toScore = this.scores.toScore(comparisons);
    const items = toScore.flatMap((c) => [
      { prompt: c.prompt, response: c.chosen },
      { prompt: c.prompt, response: c.rejected },
    ]);
    const probeItems = probe.flatMap((p) => [
      { prompt: p.prompt, response: p.left },
      { prompt: p.prompt, response: p.right },
    ]);
    const trained = this.trainer.step > 0;
    const all = [...items, ...probeItems, ...(trained ? this.reference : [])];
    const scores = all.length ? await this.score(all) : [];
    if (trained) this.normalization = rewardNormalization(scores.slice(items.length + probeItems.length));
    this.scores.record(
      toScore,
      toScore.map((_, i) => scores[2 * i] - scores[2 * i + 1]),
      comparisons,
    );
    const { margins, stale } = this.scores.margins(comparisons);
    const pChosen = margins.map((m) => preferenceProbability(m, 0));
    const heldOutIds = new Set(this.split(comparisons).heldOut.map((c) => c.id));
    const probeMargins = probe.map((_, i) => scores[items.length + 2 * i] - scores[items.length + 2 * i + 1]);
    const goldProbe = gold ? { pairs: probe, margins: probeMargins } : null;
    const diagnostics: RewardDiagnostics = {
      ...buildDiagnostics(comparisons, margins, heldOutIds, gold, goldProbe, this.normalization),
      staleScores: stale,
    };
    return { pChosen, diagnostics };
  }

  /** Turns the ensemble on (training its members to catch up) or off. */
  async setEnsemble(on: boolean, comparisons: readonly Comparison[]): Promise<void> {
    if (!on) return this.disposeMembers();
    if (this.members.length) return;
    const weights = await this.initialWeights();
    for (let k = 1; k <= ENSEMBLE_EXTRA; k++) {
      const model = new GPT(this.model.config, weights);
      this.members.push({
        model,
        trainer: new RewardTrainer(model, this.tokenizer, [], this.settings, this.seed * 31 + k),
      });
    }
    const catchUp = Math.min(200, this.trainer.step);
    const pairs = trainingPairs(this.split(comparisons).train, { ties: this.settings.ties });
    if (catchUp === 0 || pairs.length === 0) return;
    const rand = mulberry32(this.seed);
    for (const m of this.members) {
      m.trainer.pairs = pairs.map(() => pairs[Math.floor(rand() * pairs.length)]);
      for (let i = 0; i < catchUp; i++) await m.trainer.trainStep();
    }
  }

  /** P(left beats right) for each candidate pair under each model of the ensemble (main model first). */
  async ensembleProbabilities(pairs: { prompt: string; left: string; right: string }[]): Promise<number[][]> {
    const items = pairs.flatMap((p) => [
      { prompt: p.prompt, response: p.left },
      { prompt: p.prompt, response: p.right },
    ]);
    const trainers = [this.trainer, ...this.members.map((m) => m.trainer)];
    // Every model's scores in one read.
    const all = tf.tidy(() => tf.stack(trainers.map((t) => t.scoresOnDevice(items).slice(0, items.length))));
    const values = await all.data();
    all.dispose();
    return trainers.map((_, m) =>
      pairs.map((_, i) => {
        const at = m * items.length + 2 * i;
        return preferenceProbability(values[at], values[at + 1]);
      }),
    );
  }

  private disposeMembers(): void {
    for (const m of this.members) {
      m.trainer.dispose();
      m.model.dispose();
    }
    this.members = [];
  }

  dispose(): void {
    this.disposeMembers();
    this.trainer.dispose();
  }
}
