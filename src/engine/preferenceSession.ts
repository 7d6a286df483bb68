// The human-feedback stage inside the worker: pairs of completions to judge (sampled ahead, so
// the next pair is ready before the user has finished reading), the labels (each saved the
// moment it is given), simulated annotators, and the reward model learning from it all.

import type { GPT } from '../model/model';
import { sample } from '../model/sample';
import { completionText, encodePrompt } from '../data/sequences';
import type { ScenarioData } from '../data/types';
import { newId, splitHeldOut, trainingPairs, type Comparison, type Verdict } from '../data/preferences';
import { BUILT_IN_LABELERS, chooseBetween } from '../data/labelers';
import { mulberry32 } from '../data/random';
import { RewardTrainer, REWARD_DEFAULTS } from './rewardTrainer';
import { AUTO_LABEL_PAIRS, checkRange, PAIR_LIMITS, REWARD_STEPS, type PairChoice, type PairSettings, type PairToLabel, type RewardMetricPoint, type WorkerEvent } from './protocol';
import { annotatorAgreement, exportJson, exportJsonl, importPreferences, mergeDatasets } from '../data/preferenceIO';

/** Where labels are kept: IndexedDB in the browser, a map in the tests. */
export interface ComparisonStore {
  add(list: readonly Comparison[]): Promise<void>;
  update(c: Comparison): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Comparison['scenario']): Promise<Comparison[]>;
}

const PAIRS_AHEAD = 4;
const STEPS_PER_LABEL = 4;
const HELD_OUT_FRACTION = 0.2;
const REPORT_EVERY = 10;

/** Reward-model steps after `n` new labels: a few for one click, more for a batch (capped). */
function stepsAfterLabels(n: number): number {
  return Math.max(STEPS_PER_LABEL, Math.min(200, Math.round(n / 2)));
}

export class PreferenceSession {
  comparisons: Comparison[] = [];
  private ahead: PairToLabel[] = [];
  private issued = new Map<string, PairToLabel>(); // pairs sent to the UI and not yet judged
  private undoStack: string[][] = []; // ids added by each labelling action, newest last
  private trainer: RewardTrainer;
  private sampleSeed = 1;
  settings: PairSettings = { temperatureLeft: 0.8, temperatureRight: 1.2 };

  constructor(
    private policy: GPT,
    readonly rewardModel: GPT,
    private data: ScenarioData,
    private store: ComparisonStore,
    private emit: (e: WorkerEvent) => void,
    seed: number,
  ) {
    this.trainer = new RewardTrainer(rewardModel, data.tokenizer, [], { ...REWARD_DEFAULTS }, seed);
    this.sampleSeed = seed * 7919;
  }

  /** Brings back every label saved for this scenario (after a reload or a worker restart). */
  async load(): Promise<void> {
    this.comparisons = await this.store.all(this.data.id);
    this.undoStack = [];
    this.emit({ type: 'pairSettings', settings: this.settings });
    await this.publish();
  }

  /** Samples `count` pairs: each prompt completed once at the left temperature and once at the right. */
  private async samplePairs(count: number): Promise<PairToLabel[]> {
    const rand = mulberry32(this.sampleSeed++);
    const prompts = Array.from({ length: count }, () => this.data.prompts[Math.floor(rand() * this.data.prompts.length)]);
    const encoded = prompts.map((p) => encodePrompt(this.data.tokenizer, p));
    const room = this.policy.config.contextLength - Math.max(...encoded.map((e) => e.length));
    const side = (temperature: number) =>
      sample(this.policy, encoded, { maxNewTokens: Math.min(24, room), temperature, topK: 0, seed: this.sampleSeed++ });
    const [left, right] = [await side(this.settings.temperatureLeft), await side(this.settings.temperatureRight)];
    const text = (tokens: number[]) => completionText(this.data.tokenizer, tokens);
    return prompts.map((prompt, i) => ({ id: newId(), prompt, left: text(left.tokens[i]), right: text(right.tokens[i]) }));
  }

  /** The next pair to judge; the queue is refilled so the one after is already waiting. */
  async nextPair(): Promise<PairToLabel> {
    if (this.ahead.length === 0) this.ahead = await this.samplePairs(PAIRS_AHEAD);
    const pair = this.ahead.shift()!;
    this.issued.clear(); // only the pair on screen can be judged (a skipped one is simply dropped)
    this.issued.set(pair.id, pair);
    this.emit({ type: 'pair', pair });
    if (this.ahead.length < 2) this.ahead.push(...(await this.samplePairs(PAIRS_AHEAD)));
    return pair;
  }

  /** Records a judgement of a pair: saved first, then learned from. */
  async label(pairId: string, choice: PairChoice, annotator = 'human'): Promise<Comparison> {
    const pair = this.issued.get(pairId);
    if (!pair) throw new Error('that pair is no longer on offer; ask for the next one');
    this.issued.delete(pairId);
    const verdict: Verdict = choice === 'tie' ? 'tie' : choice === 'bothBad' ? 'bothBad' : 'preferred';
    const [chosen, rejected] = choice === 'right' ? [pair.right, pair.left] : [pair.left, pair.right];
    const c: Comparison = {
      id: newId(), scenario: this.data.id, prompt: pair.prompt, chosen, rejected, verdict, annotator,
      createdAt: Date.now(), source: 'pair', weight: 1,
    };
    await this.add([c]);
    return c;
  }

  /** Fills the dataset from a simulated annotator: `count` fresh pairs, judged by its Bradley-Terry choice. */
  async autoLabel(labelerId: string, count: number): Promise<void> {
    const scenario = this.data.id;
    if (scenario === 'custom') throw new Error('simulated labelers score the built-in scenarios only');
    const labeler = BUILT_IN_LABELERS[scenario].find((l) => l.id === labelerId);
    if (!labeler) throw new Error(`there is no simulated labeler "${labelerId}" for this scenario`);
    const problem = checkRange(count, AUTO_LABEL_PAIRS);
    if (problem) throw new Error(problem);
    const rand = mulberry32(this.sampleSeed++);
    const made: Comparison[] = [];
    while (made.length < count) {
      for (const pair of await this.samplePairs(Math.min(16, count - made.length))) {
        const pick = chooseBetween(labeler, scenario, pair.prompt, pair.left, pair.right, rand);
        made.push({
          id: newId(), scenario, prompt: pair.prompt, chosen: pick.prefersA ? pair.left : pair.right,
          rejected: pick.prefersA ? pair.right : pair.left, verdict: 'preferred', annotator: labeler.id,
          createdAt: Date.now(), source: 'pair', weight: 1,
        });
      }
    }
    await this.add(made);
  }

  /** Takes back the last labelling action (one label, or one auto-label batch). */
  async undo(): Promise<void> {
    const ids = this.undoStack.pop();
    if (!ids) throw new Error('there is no label to undo');
    for (const id of ids) await this.store.remove(id);
    this.comparisons = this.comparisons.filter((c) => !ids.includes(c.id));
    await this.publish();
  }

  setSettings(settings: Partial<PairSettings>): void {
    const next = { ...this.settings, ...settings };
    for (const key of Object.keys(PAIR_LIMITS) as (keyof PairSettings)[]) {
      const problem = checkRange(next[key], PAIR_LIMITS[key]);
      if (problem) throw new Error(problem);
    }
    this.settings = next;
    this.ahead = []; // pairs sampled at the old temperatures are dropped
    this.emit({ type: 'pairSettings', settings: next });
  }

  private find(id: string): Comparison {
    const c = this.comparisons.find((x) => x.id === id);
    if (!c) throw new Error('that comparison no longer exists');
    return c;
  }

  async remove(id: string): Promise<void> {
    this.find(id);
    await this.store.remove(id);
    this.comparisons = this.comparisons.filter((c) => c.id !== id);
    await this.publish();
  }

  /** Swaps chosen and rejected (a mislabelled pair). */
  async flip(id: string): Promise<void> {
    const c = this.find(id);
    const flipped: Comparison = { ...c, chosen: c.rejected, rejected: c.chosen };
    await this.store.update(flipped);
    this.comparisons = this.comparisons.map((x) => (x.id === id ? flipped : x));
    await this.publish();
  }

  exportFile(format: 'jsonl' | 'json'): void {
    const text = format === 'jsonl' ? exportJsonl(this.comparisons) : exportJson(this.comparisons);
    const date = new Date().toISOString().slice(0, 10);
    this.emit({ type: 'preferencesFile', text, filename: `preferences-${this.data.id}-${date}.${format}` });
  }

  /** Adds a file's comparisons (all or none), skipping ones already here; reports annotator agreement. */
  async importFile(text: string, name: string): Promise<string> {
    const result = importPreferences(text, { scenario: this.data.id, tokenizer: this.data.tokenizer });
    if (!result.ok) throw new Error(`${name} was not imported: ${result.message}`);
    const { added, duplicates } = mergeDatasets(this.comparisons, result.comparisons);
    if (added.length) await this.add(added);
    const agreements = annotatorAgreement(this.comparisons)
      .filter((a) => a.shared > 0)
      .map((a) => `${a.a} and ${a.b} agree on ${Math.round(a.agreement * 100)}% of ${a.shared} shared pairs`);
    return [`Imported ${added.length} comparisons from ${name}${duplicates ? ` (${duplicates} already here, skipped)` : ''}.`, ...agreements, ...result.warnings].join(' ');
  }

  /** Saves, then trains a few reward-model steps on everything labelled so far, then reports. */
  private async add(list: Comparison[]): Promise<void> {
    await this.store.add(list); // a label written is a label kept, whatever happens next
    this.comparisons = [...this.comparisons, ...list];
    this.undoStack.push(list.map((c) => c.id));
    await this.trainReward(stepsAfterLabels(list.length));
  }

  /** Trains the reward model for `steps` steps on the training split, then measures the held-out split. */
  async trainReward(steps: number): Promise<void> {
    if (checkRange(steps, REWARD_STEPS)) throw new Error(`Reward training takes ${REWARD_STEPS.min} to ${REWARD_STEPS.max} steps (got ${steps}).`);
    const { train, heldOut } = splitHeldOut(this.comparisons, HELD_OUT_FRACTION, 1);
    this.trainer.pairs = trainingPairs(train, { ties: 'half' });
    if (this.trainer.pairs.length === 0) return this.publish();
    let last = { loss: NaN, accuracy: NaN };
    for (let i = 1; i <= steps; i++) {
      last = await this.trainer.trainStep();
      // Long runs report their training loss as they go; the held-out split is measured at the end.
      if (i % REPORT_EVERY === 0 && i < steps) {
        this.emit({ type: 'rewardMetrics', points: [{ step: this.trainer.step, labels: this.comparisons.length, trainLoss: last.loss, heldoutLoss: null, heldoutAccuracy: null }] });
      }
    }
    const held = trainingPairs(heldOut, { ties: 'half' });
    const evaluated = held.length ? await this.trainer.evaluate(held) : { loss: null, accuracy: null };
    const point: RewardMetricPoint = {
      step: this.trainer.step, labels: this.comparisons.length, trainLoss: last.loss,
      heldoutLoss: evaluated.loss, heldoutAccuracy: evaluated.accuracy,
    };
    this.emit({ type: 'rewardMetrics', points: [point] });
    await this.publish();
  }

  /** Sends the dataset with the reward model's current P(chosen > rejected) for each comparison. */
  private async publish(): Promise<void> {
    const items = this.comparisons.flatMap((c) => [{ prompt: c.prompt, response: c.chosen }, { prompt: c.prompt, response: c.rejected }]);
    const scores = items.length ? await this.trainer.score(items) : [];
    const pChosen = this.comparisons.map((_, i) => 1 / (1 + Math.exp(-(scores[2 * i] - scores[2 * i + 1]))));
    this.emit({ type: 'preferences', comparisons: this.comparisons, pChosen });
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
