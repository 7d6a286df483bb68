// The human-feedback stage inside the worker: the labels (the page saves a person's label in the
// store itself, then tells the worker; the dataset is sent back at once, and the reward model
// learns from new labels afterwards, many clicks in one run); simulated annotators; files; and the
// reward model's scores of it all. What to judge comes from pairSampler.ts; ratings live in ratingSession.ts.

import { withZeroHead } from '../model/params';
import type { GPT } from '../model/model';
import type { BuiltInScenarioId, ScenarioData } from '../data/types';
import { unknownWords } from '../data/tokenizer';
import { pairKey, type Comparison } from '../data/preferences';
import { defaultCustomLabeler, findLabeler, type LabelerSpec } from '../data/labelers';
import { panelVotes } from '../data/annotatorPanel';
import { RewardSession, stepsAfterLabels, type ProbePair } from './rewardSession';
import { applyLabelers, applyPairSettings, applyRewardSettings } from './preferenceSettings';
import { PAIR_DEFAULTS, PairSampler } from './pairSampler';
import { checkRange, REWARD_STEPS, type LabelerSettings, type PairSettings } from './protocol';
import type { PairToLabel, RankingToLabel, RewardSettings, WorkerEvent } from './protocol';
import { importPreferences, preferencesFile } from '../data/preferenceIO';
import { jsonlKind } from '../data/jsonlFields';
import type { ComparisonStore, DemonstrationStore, RatingStore } from '../data/preferenceStore';
import { LabelDataset, nextUndoOrder, undoNewest } from './labelDataset';
import { RATED_PER_PROMPT, RatingSession } from './ratingSession';
import { DemonstrationSession } from './demonstrationSession';
import type { Rating } from '../data/ratings';
import type { Demonstration } from '../data/demonstrations';
import { importReport, mergeDatasets } from '../data/preferenceMerge';

const REFERENCE_COMPLETIONS = 32;
const RELEARN_STEPS = 20;
const GOLD_PROBE_PAIRS = 32; // fresh pairs the gold agreement is measured on (128 made CPU-only WebGPU too slow)

export class PreferenceSession {
  readonly labels: LabelDataset<Comparison>;
  readonly ratings: RatingSession;
  readonly demonstrations: DemonstrationSession;
  readonly reward: RewardSession;
  readonly pairs: PairSampler;
  /** Labels that arrived since the reward model last trained: learning from them is coalesced. */
  private unlearned = 0;
  private rescoreDue = false;
  private disposed = false;
  /** P(chosen > rejected) of each comparison as last scored, so the dataset can be sent before re-scoring. */
  private lastP = new Map<string, number>();
  private cancelled = false;
  private probePairs: Promise<ProbePair[]> | null = null;
  settings: PairSettings = { ...PAIR_DEFAULTS };
  labelers: LabelerSettings;

  constructor(
    private sft: GPT,
    readonly rewardModel: GPT,
    readonly data: ScenarioData,
    readonly store: ComparisonStore,
    stores: { ratings: RatingStore; demonstrations: DemonstrationStore },
    readonly emit: (e: WorkerEvent) => void,
    readonly seed: number,
    /** Differs between page loads (0 in tests), so a reload or a second tab is offered new pairs. */
    entropy = 0,
  ) {
    this.reward = new RewardSession(
      rewardModel,
      data.tokenizer,
      seed,
      () => this.reference(),
      () => this.freshRewardWeights(),
      () => this.goldProbe(),
    );
    this.labels = new LabelDataset(
      store,
      data.id,
      (c) => c.chosen,
      (c) => pairKey(c.prompt, c.chosen, c.rejected),
    );
    this.ratings = new RatingSession(data, stores.ratings, emit, (n) => this.pairs.answerGroups(n, RATED_PER_PROMPT));
    this.demonstrations = new DemonstrationSession(data, stores.demonstrations, emit);
    const judged = (key: string) => this.labels.judged(key);
    this.pairs = new PairSampler(
      data,
      this.reward,
      () => this.settings,
      judged,
      () => sft,
      (seed * 7919 + entropy) >>> 0,
    );
    const scenario = data.id === 'custom' ? 'reviews' : data.id;
    this.labelers = { goldLabeler: null, panel: [], custom: defaultCustomLabeler(scenario) };
  }

  /** Every label of the scenario, oldest first. */
  get comparisons(): Comparison[] {
    return this.labels.list;
  }

  /** Brings back every label saved for this scenario (after a reload or a worker restart). */
  async load(): Promise<void> {
    await this.labels.load();
    this.emit({ type: 'pairSettings', settings: this.settings });
    this.emit({ type: 'rewardSettings', settings: this.reward.settings });
    this.emit({ type: 'labelerSettings', settings: this.labelers });
    this.emitDataset(); // the saved labels show at once, before any model work
    await this.ratings.load();
    await this.demonstrations.load();
    // The reward model relearns the saved labels (briefly: a long run can follow on demand).
    const saved = this.comparisons.length + this.ratings.list.length;
    if (saved) await this.trainReward(Math.min(RELEARN_STEPS, stepsAfterLabels(saved)));
    else await this.publish();
  }

  /** The fine-tuned model's answers to a fixed set of prompts: the yardstick of rewards and of simulated ratings. */
  readonly reference = () => this.pairs.referenceCompletions(REFERENCE_COMPLETIONS, this.seed * 13, this.sft);

  /** Where a reward model starts: the fine-tuned model with a zero scalar head (every answer scores 0). */
  async freshRewardWeights(): Promise<Float32Array> {
    return withZeroHead(await this.sft.read(), this.sft.layout);
  }

  /** The gold labeler the reward model (and the policy) are measured against, if one is chosen. */
  gold(): { spec: LabelerSpec; scenario: BuiltInScenarioId } | null {
    const scenario = this.goldScenario;
    return scenario && this.labelers.goldLabeler ? { spec: this.labeler(this.labelers.goldLabeler), scenario } : null;
  }

  /** The scenario the simulated labelers score (null for a pasted corpus, which has no gold). */
  get goldScenario(): BuiltInScenarioId | null {
    return this.data.id === 'custom' ? null : this.data.id;
  }

  /** A simulated labeler of this scenario by id (built in, or the user's custom one). */
  labeler(id: string): LabelerSpec {
    const scenario = this.goldScenario;
    if (!scenario) throw new Error('simulated labelers score the built-in scenarios only');
    return findLabeler(scenario, id, this.labelers.custom);
  }

  // ------------------------------------------------------------------ what to judge

  /** GOLD_PROBE_PAIRS fresh pairs of the fine-tuned model, sampled once from their own seed (not the labelling stream). */
  private goldProbe(): Promise<ProbePair[]> {
    const sampler = this.pairs.withOwnSeed(this.seed * 104_729 + 17, this.sft);
    this.probePairs ??= sampler.samplePairs(GOLD_PROBE_PAIRS);
    return this.probePairs;
  }

  /** One more pair for the page's queue (never one judged or on offer already). */
  async nextPair(): Promise<PairToLabel> {
    const pair = await this.pairs.next();
    this.emit({ type: 'pair', pair });
    return pair;
  }

  async nextRanking(): Promise<RankingToLabel> {
    const ranking = await this.pairs.nextRanking();
    this.emit({ type: 'ranking', ranking });
    return ranking;
  }

  // ------------------------------------------------------------------ labels

  /**
   * Labels the page has already written to the store (a judged pair, or a ranking's pairs): they
   * join the dataset, which is sent at once; the reward model learns from them later (see learnPending).
   * Returns how many were new (a label heard of before, from the store's broadcast, counts once).
   */
  acceptSaved(list: readonly Comparison[], undoOrder?: number): number {
    const known = new Set(this.comparisons.map((c) => c.id));
    const fresh = list.filter((c) => c.scenario === this.data.id && !known.has(c.id));
    const mine = list.filter((c) => c.scenario === this.data.id).map((c) => c.id);
    this.labels.pushUndo(mine, undoOrder);
    for (const c of list) this.pairs.settle(pairKey(c.prompt, c.chosen, c.rejected));
    if (fresh.length === 0) return 0;
    this.labels.append(fresh);
    this.unlearned += fresh.length;
    this.emitDataset();
    return fresh.length;
  }

  /** Corrections the page has already saved: their comparisons and demonstrations join at once, as one undo. */
  acceptCorrections(comparisons: readonly Comparison[], demonstrations: readonly Demonstration[]): number {
    const order = nextUndoOrder();
    const fresh = this.acceptSaved(comparisons, order);
    this.demonstrations.acceptSaved(demonstrations, order);
    return fresh;
  }

  /** Ratings the page has already saved: as acceptSaved, for one answer judged on its own. */
  acceptRatings(list: readonly Rating[]): number {
    const fresh = this.ratings.acceptSaved(list);
    this.unlearned += fresh;
    return fresh;
  }

  /**
   * Re-reads the store after another tab (or this page) changed it. It only reads, so it runs beside
   * training; a read that overlapped a change made here is read again. True when there is work to queue.
   */
  async sync(): Promise<boolean> {
    const rated = await this.ratings.sync(() => this.disposed);
    await this.demonstrations.sync(() => this.disposed);
    this.unlearned += rated ?? 0;
    const reread = await this.labels.reread(() => this.disposed);
    if (!reread) return rated !== null;
    this.unlearned += reread.added;
    this.rescoreDue = true; // the scores shown were computed on the dataset as it was
    this.emitDataset();
    return true;
  }

  /** Trains on the labels that arrived since the last training (coalesced: one run for many clicks). */
  async learnPending(): Promise<void> {
    const [n, rescore] = [this.unlearned, this.rescoreDue];
    [this.unlearned, this.rescoreDue] = [0, false];
    if (n > 0) await this.learnFrom(n);
    else if (rescore) await this.publish();
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
    await undoNewest([this.labels, this.ratings.dataset, this.demonstrations.dataset]);
    this.ratings.publish();
    this.demonstrations.publish();
    await this.publish();
  }

  /** Replaces this scenario's whole dataset (restoring a session); the store is rewritten to match. */
  async replaceAll(list: Comparison[]): Promise<void> {
    // What is stored, not only what this tab knows: another tab's newest labels go too.
    for (const c of await this.store.all(this.data.id)) await this.store.remove(c.id);
    await this.store.add(list);
    this.labels.set([...list]);
    this.labels.undoStack = [];
    this.pairs.discard();
    await this.publish();
  }

  private find(id: string): Comparison {
    const c = this.comparisons.find((x) => x.id === id);
    if (!c) throw new Error('that comparison no longer exists');
    return c;
  }

  async remove(id: string): Promise<void> {
    this.find(id);
    await this.labels.remove([id]);
    await this.publish();
  }

  /** Swaps chosen and rejected (a mislabelled pair). */
  async flip(id: string): Promise<void> {
    const c = this.find(id);
    const flipped: Comparison = { ...c, chosen: c.rejected, rejected: c.chosen };
    await this.store.update(flipped);
    this.labels.set(this.comparisons.map((x) => (x.id === id ? flipped : x)));
    await this.publish();
  }

  // ------------------------------------------------------------------ settings (preferenceSettings.ts)

  setSettings(patch: Partial<PairSettings>): Promise<void> {
    return applyPairSettings(this, patch);
  }

  setRewardSettings(patch: Partial<RewardSettings>): void {
    applyRewardSettings(this, patch);
  }

  setLabelers(patch: Partial<LabelerSettings>, republish = true): Promise<void> | void {
    return applyLabelers(this, patch, republish);
  }

  // ------------------------------------------------------------------ files

  exportFile(format: 'jsonl' | 'json'): void {
    this.emit({ type: 'preferencesFile', ...preferencesFile(this.comparisons, this.data.id, format) });
  }

  /** Adds a file's comparisons (all or none), skipping ones already here; reports annotator agreement. */
  async importFile(text: string, name: string): Promise<string> {
    const kind = jsonlKind(text);
    if (kind === 'demonstrations') return (await this.demonstrations.importFile(text, name)).message;
    if (kind === 'ratings') {
      const { message, added } = await this.ratings.importFile(text, name);
      if (added) await this.learnFrom(added);
      return message;
    }
    const result = importPreferences(text, { scenario: this.data.id, tokenizer: this.data.tokenizer });
    if (!result.ok) throw new Error(`${name} was not imported: ${result.message}`);
    const { added, duplicates } = mergeDatasets(this.comparisons, result.comparisons);
    if (added.length) {
      await this.store.add(added); // all or none
      this.labels.append(added);
      this.labels.pushUndo(added.map((c) => c.id));
      await this.learnFrom(added.length);
    }
    return importReport(name, added.length, duplicates, this.comparisons, result.warnings);
  }

  // ------------------------------------------------------------------ the reward model

  /** A few reward-model steps for `n` new labels (or ratings), unless the user paused learning on labels. */
  async learnFrom(n: number): Promise<void> {
    if (this.reward.settings.learnOnLabel) await this.trainReward(stepsAfterLabels(n));
    else await this.publish();
  }

  /** Trains the reward model for `steps` steps on the training split, then publishes what changed. */
  async trainReward(steps: number): Promise<void> {
    if (checkRange(steps, REWARD_STEPS))
      throw new Error(`Reward training takes ${REWARD_STEPS.min} to ${REWARD_STEPS.max} steps (got ${steps}).`);
    const rated = this.ratings.examples(this.reward.settings.ratingLoss);
    await this.reward.train(this.comparisons, steps, (p) => this.emit({ type: 'rewardMetrics', points: [p] }), rated);
    await this.publish();
  }

  /** The user's "train on all labels": `epochs` passes over the training split. */
  async trainRewardEpochs(): Promise<void> {
    const rated = this.ratings.examples(this.reward.settings.ratingLoss).length;
    if (this.comparisons.length + rated === 0) throw new Error('there are no labels to train on yet');
    await this.trainReward(Math.min(REWARD_STEPS.max, this.reward.epochSteps(this.comparisons, rated)));
  }

  /** The normalised reward of any text, with the words the tokenizer does not know. */
  async probe(requestId: number, prompt: string, response: string): Promise<void> {
    const [raw] = await this.reward.score([{ prompt, response }]);
    const unknown = unknownWords(this.data.tokenizer, [prompt, response]);
    this.emit({ type: 'probeResult', requestId, raw, reward: this.reward.normalize(raw), unknownWords: unknown });
  }

  /** Starts a long job (an experiment): clears the cancel flag and returns what the job asks between its steps. */
  startJob(): () => boolean {
    this.cancelled = false;
    return () => this.cancelled;
  }

  /** Sends the dataset with P(chosen > rejected) for each comparison, the diagnostics and the panel's votes. */
  async publish(): Promise<void> {
    const scenario = this.goldScenario;
    const scored = this.comparisons; // labels may arrive while the scores are computed
    const { pChosen, diagnostics } = await this.reward.report(scored, this.gold());
    this.lastP = new Map(scored.map((c, i) => [c.id, pChosen[i]]));
    this.emitDataset();
    this.emit({ type: 'rewardDiagnostics', diagnostics });
    const panel = scenario ? this.labelers.panel.map((id) => this.labeler(id)) : [];
    this.emit({ type: 'panelVotes', panel: panelVotes(this.comparisons, panel, scenario ?? 'reviews') });
  }

  /** The dataset as it is now, with the latest P(chosen > rejected) of each comparison (NaN: not scored yet). */
  emitDataset(): void {
    this.emit({
      type: 'preferences',
      comparisons: this.comparisons,
      pChosen: this.comparisons.map((c) => this.lastP.get(c.id) ?? NaN),
    });
  }

  dispose(): void {
    this.disposed = true;
    this.reward.dispose();
  }
}
