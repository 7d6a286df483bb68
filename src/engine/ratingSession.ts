// The ratings of one scenario inside the worker: the page saves a person's rating in the store
// itself and then tells the worker (as with pairs); simulated annotators rate answers here; the
// reward model learns from them as examples of its own kind (data/ratings.ts), through the
// preference session, which owns the reward model.

import type { BuiltInScenarioId } from '../data/types';
import type { LabelerSpec } from '../data/labelers';
import { labelerGold } from '../data/labelers';
import { ratingExamples, simulatedRatings, type Rating, type RatingScale } from '../data/ratings';
import { importRatings, ratingsFile } from '../data/ratingIO';
import { mergeByContent } from '../data/preferenceMerge';
import type { ScenarioData } from '../data/types';
import type { RewardPair } from './rewardTrainer';
import type { RatingStore } from '../data/preferenceStore';
import type { RankingToLabel, WorkerEvent } from './protocol';
import { LabelDataset, labelInChunks, type ChunkedLabelling } from './labelDataset';

/** Answers to one prompt a simulated annotator rates in a row, so that its ratings of one prompt can be compared. */
export const RATED_PER_PROMPT = 4;

/** A simulated annotator rating answers: who, on which scale, where the answers and the yardstick answers come from. */
export interface SimulatedRater {
  spec: LabelerSpec;
  scenario: BuiltInScenarioId;
  scale: RatingScale;
  /** The fine-tuned model's answers, whose mean gold value is the middle of the rater's scale. */
  reference(): Promise<{ prompt: string; response: string }[]>;
}

/** What a rating says beyond its id (a re-read with the same ids and contents changed nothing). */
const contents = (r: Rating) => `${r.value}\u0001${r.scale}`;

export class RatingSession {
  readonly dataset: LabelDataset<Rating>;
  /** The gold value of an ordinary answer (the fine-tuned model's mean), the simulated raters' middle of the scale. */
  private neutral: Promise<number> | null = null;
  /** The labeler `neutral` was computed for. */
  private neutralKey = '';

  constructor(
    private data: ScenarioData,
    private store: RatingStore,
    private emit: (e: WorkerEvent) => void,
    /** `prompts` groups of RATED_PER_PROMPT answers, each group to one prompt. */
    private answerGroups: (prompts: number) => Promise<RankingToLabel[]>,
  ) {
    this.dataset = new LabelDataset(store, data.id, contents, (r) => `${r.prompt}\u0000${r.completion}`);
  }

  get list(): Rating[] {
    return this.dataset.list;
  }

  /** The reward model's examples from every rating, learnt as pairs or pointwise (the reward settings say which). */
  examples(loss: 'pairs' | 'pointwise'): RewardPair[] {
    return ratingExamples(this.list, loss);
  }

  /** A few answers to one prompt, distinct, for the rating desk. */
  async nextAnswers(): Promise<RankingToLabel> {
    const [group] = await this.answerGroups(1);
    const answers = { ...group, completions: [...new Set(group.completions)] };
    this.emit({ type: 'answers', answers });
    return answers;
  }

  async load(): Promise<void> {
    await this.dataset.load();
    this.publish();
  }

  /** Ratings the page saved already: they join the dataset and are sent back at once. Returns how many were new. */
  acceptSaved(list: readonly Rating[]): number {
    const mine = list.filter((r) => r.scenario === this.data.id);
    const known = new Set(this.list.map((r) => r.id));
    const fresh = mine.filter((r) => !known.has(r.id));
    this.dataset.pushUndo(mine.map((r) => r.id));
    if (fresh.length === 0) return 0;
    this.dataset.append(fresh);
    this.publish();
    return fresh.length;
  }

  /** Re-reads the store after another tab wrote; returns how many ratings are new here (null: nothing changed). */
  async sync(stale: () => boolean): Promise<number | null> {
    const reread = await this.dataset.reread(stale);
    if (reread) this.publish();
    return reread?.added ?? null;
  }

  /**
   * A simulated annotator rates `count` answers, saved chunk by chunk: groups of RATED_PER_PROMPT answers
   * to one prompt, so that ratings of one prompt can be compared.
   */
  async autoRate(rater: SimulatedRater, job: Omit<ChunkedLabelling<Rating>, 'chunk' | 'save'>, rand: () => number) {
    const neutral = await this.neutralGold(rater.spec, rater.scenario, rater.reference);
    const createdAt = Date.now(); // one time stamp for the batch: undo after a reload takes it back whole
    const ids = await labelInChunks<Rating>({
      ...job,
      chunk: async (n) => {
        const groups = await this.answerGroups(Math.ceil(n / RATED_PER_PROMPT));
        const answers = groups.flatMap((g) => g.completions.map((completion) => ({ prompt: g.prompt, completion })));
        return simulatedRatings(rater.spec, rater.scenario, answers.slice(0, n), rater.scale, neutral, rand, createdAt);
      },
      save: async (made) => {
        await this.store.add(made);
        this.dataset.append(made);
        this.publish();
      },
    });
    this.dataset.pushUndo(ids);
    return ids;
  }

  /** The labeler's mean gold value over the fine-tuned model's reference answers (computed once per labeler). */
  neutralGold(
    spec: LabelerSpec,
    scenario: BuiltInScenarioId,
    reference: () => Promise<{ prompt: string; response: string }[]>,
  ): Promise<number> {
    const key = JSON.stringify(spec);
    if (this.neutralKey !== key) [this.neutral, this.neutralKey] = [null, key];
    this.neutral ??= reference().then(
      (texts) => texts.reduce((s, t) => s + labelerGold(spec, scenario, t.prompt, t.response), 0) / texts.length,
    );
    return this.neutral;
  }

  async remove(id: string): Promise<void> {
    if (!this.list.some((r) => r.id === id)) throw new Error('that rating no longer exists');
    await this.dataset.remove([id]);
    this.publish();
  }

  /** Replaces the whole set (restoring a session); the store is rewritten to match. */
  async replaceAll(list: readonly Rating[]): Promise<void> {
    await this.dataset.remove((await this.store.all(this.data.id)).map((r) => r.id));
    await this.store.add(list);
    this.dataset.set([...list]);
    this.dataset.undoStack = [];
    this.publish();
  }

  exportFile(): void {
    this.emit({ type: 'ratingsFile', ...ratingsFile(this.list, this.data.id) });
  }

  /** Adds a file's ratings (all or none), skipping ones already here; returns what to tell the person and the new ids. */
  async importFile(text: string, name: string): Promise<{ message: string; added: number }> {
    const result = importRatings(text, { scenario: this.data.id, tokenizer: this.data.tokenizer });
    if (!result.ok) throw new Error(`${name} was not imported: ${result.message}`);
    const { added, duplicates } = mergeByContent(this.list, result.ratings, (r) =>
      [r.prompt, r.completion, r.scale, r.value, r.annotator].join('\u0000'),
    );
    if (added.length) {
      await this.store.add(added); // all or none
      this.dataset.append(added);
      this.dataset.pushUndo(added.map((r) => r.id));
      this.publish();
    }
    const skipped = duplicates ? ` (${duplicates} already here were skipped)` : '';
    const warnings = result.warnings.length ? ` ${result.warnings.join('; ')}.` : '';
    return { message: `Imported ${added.length} rating(s) from ${name}${skipped}.${warnings}`, added: added.length };
  }

  /** Sends every rating to the page. */
  publish(): void {
    this.emit({ type: 'ratings', ratings: this.list });
  }
}
