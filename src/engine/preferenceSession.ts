// The human-feedback stage inside the worker: pairs (or rankings) of completions to judge,
// sampled ahead so the next one is ready before the user has finished reading; the labels, each
// saved the moment it is given; simulated annotators; and the reward model learning from it all.

import type { GPT } from '../model/model';
import { sample } from '../model/sample';
import { completionText, encodePrompt } from '../data/sequences';
import type { ScenarioData } from '../data/types';
import { UNK } from '../data/types';
import { splitWords } from '../data/tokenizer';
import { expandRanking, newId, type Comparison, type Verdict } from '../data/preferences';
import { chooseBetween, defaultCustomLabeler, findLabeler, validateLabeler, type LabelerSpec } from '../data/labelers';
import type { GoldScenario } from '../data/gold';
import { panelVotes } from '../data/annotatorPanel';
import { mulberry32 } from '../data/random';
import { mostDisagreed, mostUncertain } from '../rlhf/acquisition';
import { RewardSession } from './rewardSession';
import { runAcquisitionComparison } from './acquisitionExperiment';
import {
  ACQUISITIONS, AUTO_LABEL_PAIRS, checkRange, PAIR_LIMITS, REWARD_STEPS,
  type LabelerSettings, type PairChoice, type PairSettings, type PairToLabel, type RankingToLabel, type RewardSettings, type WorkerEvent,
} from './protocol';
import { annotatorAgreement, exportJson, exportJsonl, importPreferences, mergeDatasets } from '../data/preferenceIO';

/** Where labels are kept: IndexedDB in the browser, a map in the tests. */
export interface ComparisonStore {
  add(list: readonly Comparison[]): Promise<void>;
  update(c: Comparison): Promise<void>;
  remove(id: string): Promise<void>;
  all(scenario: Comparison['scenario']): Promise<Comparison[]>;
}

/** Pairs kept sampled ahead; with an acquisition rule they are the candidates it chooses from. */
const PAIRS_AHEAD = 4;
const CANDIDATES = 8;
const STEPS_PER_LABEL = 4;
const AUTO_LABEL_CHUNK = 16;
const REFERENCE_COMPLETIONS = 32;
const MAX_PANEL = 4;
const RELEARN_STEPS = 20;

/** Reward-model steps after `n` new labels: a few for one click, more for a batch (capped). */
export function stepsAfterLabels(n: number): number {
  return Math.max(STEPS_PER_LABEL, Math.min(200, Math.round(n / 2)));
}

export class PreferenceSession {
  comparisons: Comparison[] = [];
  readonly reward: RewardSession;
  private ahead: PairToLabel[] = [];
  private issued = new Map<string, PairToLabel>(); // the pair on screen, not yet judged
  private rankingOnOffer: RankingToLabel | null = null;
  private undoStack: string[][] = []; // ids added by each labelling action in this session, newest last
  private sampleSeed: number;
  private cancelled = false;
  settings: PairSettings = { temperatureLeft: 0.8, temperatureRight: 1.2, acquisition: 'random', rankK: 4 };
  labelers: LabelerSettings;

  /** Where pairs come from: the fine-tuned model, then the RL policy once RL has started (live mode). */
  pairSource: () => GPT;

  constructor(
    private sft: GPT,
    readonly rewardModel: GPT,
    private data: ScenarioData,
    private store: ComparisonStore,
    private emit: (e: WorkerEvent) => void,
    private seed: number,
  ) {
    this.sampleSeed = seed * 7919;
    this.pairSource = () => sft;
    this.reward = new RewardSession(rewardModel, data.tokenizer, seed, () => this.referenceTexts(), () => sft.read());
    const scenario = data.id === 'custom' ? 'reviews' : data.id;
    this.labelers = { goldLabeler: null, panel: [], custom: defaultCustomLabeler(scenario) };
  }

  /** Brings back every label saved for this scenario (after a reload or a worker restart). */
  async load(): Promise<void> {
    this.comparisons = await this.store.all(this.data.id);
    this.undoStack = [];
    this.emit({ type: 'pairSettings', settings: this.settings });
    this.emit({ type: 'rewardSettings', settings: this.reward.settings });
    this.emit({ type: 'labelerSettings', settings: this.labelers });
    // The reward model relearns the saved labels (briefly: a long run can follow on demand).
    if (this.comparisons.length) await this.trainReward(Math.min(RELEARN_STEPS, stepsAfterLabels(this.comparisons.length)));
    else await this.publish();
  }

  /** The gold labeler the reward model (and the policy) are measured against, if one is chosen. */
  gold(): { spec: LabelerSpec; scenario: GoldScenario } | null {
    const scenario = this.goldScenario;
    return scenario && this.labelers.goldLabeler ? { spec: this.labeler(this.labelers.goldLabeler), scenario } : null;
  }

  private get goldScenario(): GoldScenario | null {
    return this.data.id === 'custom' ? null : this.data.id;
  }

  private labeler(id: string): LabelerSpec {
    const scenario = this.goldScenario;
    if (!scenario) throw new Error('simulated labelers score the built-in scenarios only');
    return findLabeler(scenario, id, this.labelers.custom);
  }

  // ------------------------------------------------------------------ sampling what to judge

  /** Completes each prompt once per temperature (one batched sampling call per temperature). */
  private async complete(prompts: string[], temperatures: number[], model = this.pairSource()): Promise<string[][]> {
    const encoded = prompts.map((p) => encodePrompt(this.data.tokenizer, p));
    const room = model.config.contextLength - Math.max(...encoded.map((e) => e.length));
    const out: string[][] = [];
    for (const temperature of temperatures) {
      const r = await sample(model, encoded, { maxNewTokens: Math.min(24, room), temperature, topK: 0, seed: this.sampleSeed++ });
      out.push(r.tokens.map((t) => completionText(this.data.tokenizer, t)));
    }
    return out;
  }

  private randomPrompts(count: number): string[] {
    const rand = mulberry32(this.sampleSeed++);
    return Array.from({ length: count }, () => this.data.prompts[Math.floor(rand() * this.data.prompts.length)]);
  }

  /** `count` pairs: each prompt completed once at the left temperature and once at the right. */
  async samplePairs(count: number): Promise<PairToLabel[]> {
    const prompts = this.randomPrompts(count);
    const [left, right] = await this.complete(prompts, [this.settings.temperatureLeft, this.settings.temperatureRight]);
    return prompts.map((prompt, i) => ({ id: newId(), prompt, left: left[i], right: right[i] }));
  }

  /** The fine-tuned model's completions of a fixed set of prompts: the yardstick of normalised rewards. */
  private async referenceTexts() {
    const rand = mulberry32(this.seed * 13);
    const prompts = Array.from({ length: REFERENCE_COMPLETIONS }, () => this.data.prompts[Math.floor(rand() * this.data.prompts.length)]);
    const [texts] = await this.complete(prompts, [1], this.sft);
    return prompts.map((prompt, i) => ({ prompt, response: texts[i] }));
  }

  /** Which waiting candidate to show: the first, or the one the acquisition rule picks. */
  private async pickCandidate(): Promise<number> {
    const rule = this.settings.acquisition;
    if (rule === 'random' || this.reward.step === 0) return 0;
    const p = await this.reward.ensembleProbabilities(this.ahead);
    return rule === 'uncertain' ? mostUncertain(p[0]) : mostDisagreed(p);
  }

  /** The next pair to judge; the queue is refilled so the one after is already waiting. */
  async nextPair(): Promise<PairToLabel> {
    const wanted = this.settings.acquisition === 'random' ? PAIRS_AHEAD : CANDIDATES;
    if (this.ahead.length < wanted) this.ahead.push(...(await this.samplePairs(wanted - this.ahead.length)));
    const [pair] = this.ahead.splice(await this.pickCandidate(), 1);
    this.issued.clear(); // only the pair on screen can be judged (a skipped one is simply dropped)
    this.issued.set(pair.id, pair);
    this.emit({ type: 'pair', pair });
    if (this.ahead.length < wanted / 2) this.ahead.push(...(await this.samplePairs(wanted - this.ahead.length)));
    return pair;
  }

  /** K completions of one prompt, at temperatures spread from the left to the right setting, all different. */
  async nextRanking(): Promise<RankingToLabel> {
    const k = this.settings.rankK;
    const { temperatureLeft: lo, temperatureRight: hi } = this.settings;
    const temperatures = Array.from({ length: k }, (_, i) => lo + ((hi - lo) * i) / (k - 1));
    const prompt = this.randomPrompts(1)[0];
    const distinct = new Set<string>();
    for (let attempt = 0; attempt < 3 && distinct.size < k; attempt++) {
      for (const [text] of await this.complete([prompt], temperatures)) distinct.add(text);
    }
    if (distinct.size < k) throw new Error(`the model gave only ${distinct.size} different completions of "${prompt}"; raise the temperatures or rank fewer`);
    const ranking = { id: newId(), prompt, completions: [...distinct].slice(0, k) };
    this.rankingOnOffer = ranking;
    this.emit({ type: 'ranking', ranking });
    return ranking;
  }

  // ------------------------------------------------------------------ labels

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

  /** Records an ordering of the ranking on offer (indices into its completions, best first) as its C(K,2) pairs. */
  async labelRanking(rankingId: string, order: number[]): Promise<Comparison[]> {
    const r = this.rankingOnOffer;
    if (!r || r.id !== rankingId) throw new Error('that ranking is no longer on offer; ask for the next one');
    const k = r.completions.length;
    const isPermutation = order.length === k && new Set(order).size === k && order.every((i) => Number.isInteger(i) && i >= 0 && i < k);
    if (!isPermutation) throw new Error(`a ranking must order all ${k} completions exactly once`);
    this.rankingOnOffer = null;
    const pairs = expandRanking({ scenario: this.data.id, prompt: r.prompt, annotator: 'human' }, order.map((i) => r.completions[i]));
    await this.add(pairs);
    return pairs;
  }

  /** Fills the dataset from a simulated annotator: `count` fresh pairs, saved chunk by chunk as they are judged. */
  async autoLabel(labelerId: string, count: number): Promise<void> {
    const spec = this.labeler(labelerId);
    const scenario = this.goldScenario!;
    const problem = checkRange(count, AUTO_LABEL_PAIRS);
    if (problem) throw new Error(problem);
    const rand = mulberry32(this.sampleSeed++);
    const createdAt = Date.now(); // one time stamp for the batch: undo after a reload takes it back whole
    const ids: string[] = [];
    this.cancelled = false;
    while (ids.length < count && !this.cancelled) {
      const made = (await this.samplePairs(Math.min(AUTO_LABEL_CHUNK, count - ids.length))).map((pair): Comparison => {
        const pick = chooseBetween(spec, scenario, pair.prompt, pair.left, pair.right, rand);
        return {
          id: newId(), scenario, prompt: pair.prompt, chosen: pick.prefersA ? pair.left : pair.right,
          rejected: pick.prefersA ? pair.right : pair.left, verdict: 'preferred', annotator: spec.id,
          createdAt, source: 'pair', weight: 1,
        };
      });
      await this.store.add(made);
      this.comparisons = [...this.comparisons, ...made];
      ids.push(...made.map((c) => c.id));
      this.emit({ type: 'progress', job: 'autoLabel', done: ids.length, total: count });
    }
    this.emit({ type: 'progress', job: 'autoLabel', done: count, total: count });
    if (this.labelers.goldLabeler === null) this.setLabelers({ goldLabeler: spec.id }, false);
    if (ids.length === 0) return;
    this.undoStack.push(ids);
    await this.learnFrom(ids.length);
  }

  /** Stops a long job (auto-label, acquisition comparison) after its current step. */
  cancel(): void {
    this.cancelled = true;
  }

  /**
   * Takes back the last labelling action (one label, one ranking, one auto-label batch). After a
   * reload the session's own history is gone, so the newest labels given here (not imported) go.
   */
  async undo(): Promise<void> {
    let ids = this.undoStack.pop();
    if (!ids) {
      const own = this.comparisons.filter((c) => c.source !== 'import');
      if (own.length === 0) throw new Error('there is no label to undo');
      const newest = Math.max(...own.map((c) => c.createdAt));
      ids = own.filter((c) => c.createdAt === newest).map((c) => c.id);
    }
    for (const id of ids) await this.store.remove(id);
    const gone = new Set(ids);
    this.comparisons = this.comparisons.filter((c) => !gone.has(c.id));
    await this.publish();
  }

  /** Replaces this scenario's whole dataset (restoring a session); the store is rewritten to match. */
  async replaceAll(list: Comparison[]): Promise<void> {
    for (const c of this.comparisons) await this.store.remove(c.id);
    await this.store.add(list);
    this.comparisons = [...list];
    this.undoStack = [];
    this.ahead = [];
    await this.publish();
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

  // ------------------------------------------------------------------ settings

  async setSettings(patch: Partial<PairSettings>): Promise<void> {
    const next = { ...this.settings, ...patch };
    for (const key of Object.keys(PAIR_LIMITS) as (keyof typeof PAIR_LIMITS)[]) {
      const problem = checkRange(next[key], PAIR_LIMITS[key]);
      if (problem) throw new Error(problem);
    }
    if (!ACQUISITIONS.some((a) => a.id === next.acquisition)) throw new Error(`Unknown way to pick pairs: ${String(next.acquisition)}.`);
    const temperaturesChanged = next.temperatureLeft !== this.settings.temperatureLeft || next.temperatureRight !== this.settings.temperatureRight;
    this.settings = next;
    if (temperaturesChanged) this.ahead = []; // pairs sampled at the old temperatures are dropped
    await this.reward.setEnsemble(next.acquisition === 'ensemble', this.comparisons);
    this.emit({ type: 'pairSettings', settings: next });
  }

  async setRewardSettings(patch: Partial<RewardSettings>): Promise<void> {
    this.emit({ type: 'rewardSettings', settings: this.reward.setSettings(patch) });
  }

  /** Checks and applies the gold labeler, the panel and the custom labeler; republishes when asked. */
  setLabelers(patch: Partial<LabelerSettings>, republish = true): Promise<void> | void {
    const next: LabelerSettings = { ...this.labelers, ...patch };
    if (patch.custom) {
      next.custom = { ...patch.custom, id: 'custom' };
      const problem = validateLabeler(next.custom);
      if (problem) throw new Error(`Custom labeler: ${problem}`);
    }
    if (next.goldLabeler !== null) this.labeler(next.goldLabeler);
    if (!Array.isArray(next.panel) || next.panel.length > MAX_PANEL) throw new Error(`The panel holds up to ${MAX_PANEL} simulated annotators.`);
    next.panel = [...new Set(next.panel)];
    next.panel.forEach((id) => this.labeler(id));
    this.labelers = next;
    this.emit({ type: 'labelerSettings', settings: next });
    if (republish) return this.publish();
  }

  // ------------------------------------------------------------------ files

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

  // ------------------------------------------------------------------ the reward model

  /** Saves, then trains a few reward-model steps on everything labelled so far, then reports. */
  private async add(list: Comparison[]): Promise<void> {
    await this.store.add(list); // a label written is a label kept, whatever happens next
    this.comparisons = [...this.comparisons, ...list];
    this.undoStack.push(list.map((c) => c.id));
    await this.learnFrom(list.length);
  }

  /** A few reward-model steps for `n` new labels, unless the user paused learning on labels. */
  private async learnFrom(n: number): Promise<void> {
    if (this.reward.settings.learnOnLabel) await this.trainReward(stepsAfterLabels(n));
    else await this.publish();
  }

  /** Trains the reward model for `steps` steps on the training split, then publishes what changed. */
  async trainReward(steps: number): Promise<void> {
    if (checkRange(steps, REWARD_STEPS)) throw new Error(`Reward training takes ${REWARD_STEPS.min} to ${REWARD_STEPS.max} steps (got ${steps}).`);
    await this.reward.train(this.comparisons, steps, (p) => this.emit({ type: 'rewardMetrics', points: [p] }));
    await this.publish();
  }

  /** The user's "train on all labels": `epochs` passes over the training split. */
  async trainRewardEpochs(): Promise<void> {
    if (this.comparisons.length === 0) throw new Error('there are no labels to train on yet');
    await this.trainReward(Math.min(REWARD_STEPS.max, this.reward.epochSteps(this.comparisons)));
  }

  /** The normalised reward of any text, with the words the tokenizer does not know. */
  async probe(requestId: number, prompt: string, response: string): Promise<void> {
    const tok = this.data.tokenizer;
    const unknownWords = [prompt, response].flatMap((text) => {
      const pieces = tok.spec.kind === 'word' ? splitWords(text) : Array.from(text);
      return tok.encode(text).flatMap((id, i) => (id === UNK ? [pieces[i] ?? '?'] : []));
    });
    const [raw] = await this.reward.score([{ prompt, response }]);
    this.emit({ type: 'probeResult', requestId, raw, reward: this.reward.normalize(raw), unknownWords: [...new Set(unknownWords)] });
  }

  /** Held-out accuracy per label for random and uncertainty-based picking, with a simulated labeler as the person. */
  async compareAcquisition(labelerId: string, labels: number): Promise<void> {
    const spec = this.labeler(labelerId);
    this.cancelled = false;
    await runAcquisitionComparison({
      spec, scenario: this.goldScenario!, labels, seed: this.seed,
      config: this.rewardModel.config, tokenizer: this.data.tokenizer,
      initialWeights: () => this.sft.read(),
      samplePairs: (n) => this.samplePairs(n),
      emit: this.emit, cancelled: () => this.cancelled,
    });
  }

  /** Sends the dataset with P(chosen > rejected) for each comparison, the diagnostics and the panel's votes. */
  private async publish(): Promise<void> {
    const scenario = this.goldScenario;
    const { pChosen, diagnostics } = await this.reward.report(this.comparisons, this.gold());
    this.emit({ type: 'preferences', comparisons: this.comparisons, pChosen });
    this.emit({ type: 'rewardDiagnostics', diagnostics });
    const panel = scenario ? this.labelers.panel.map((id) => this.labeler(id)) : [];
    this.emit({ type: 'panelVotes', panel: panelVotes(this.comparisons, panel, scenario ?? 'reviews') });
  }

  dispose(): void {
    this.reward.dispose();
  }
}
