// The ratings of one scenario inside the worker: the page saves a person's rating in the store
// itself and then tells the worker (as with pairs); simulated annotators rate answers here; the
// reward model learns from them as examples of its own kind (data/ratings.ts), through the
// preference session, which owns the reward model.

import type { BuiltInScenarioId } from '../data/types';
import type { LabelerSpec } from '../data/labelers';
import { labelerGold } from '../data/labelers';
import { ratingExamples, simulatedRatings, type Rating, type RatingScale } from '../data/ratings';
import { importRatings, ratingsFile } from '../data/ratingIO';
import type { ScenarioData } from '../data/types';
import type { RewardPair } from './rewardTrainer';
import type { RatingStore } from '../data/preferenceStore';
import type { AnswerDesk, RankingToLabel, WorkerEvent } from './protocol';
import { labelInChunks, type ChunkedLabelling } from './labelDataset';
import { LabelKindSession, type LabelKind } from './labelKindSession';

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

/** Ratings as a kind of label: what one says, its events and its file (TRL unpaired JSONL). */
const RATINGS: LabelKind<Rating> = {
  noun: 'rating',
  contents: (r) => `${r.value}\u0001${r.scale}`,
  judgedKey: (r) => `${r.prompt}\u0000${r.completion}`,
  sameKey: (r) => [r.prompt, r.completion, r.scale, r.value, r.annotator].join('\u0000'),
  listEvent: (ratings) => ({ type: 'ratings', ratings }),
  fileEvent: (list, scenario) => ({ type: 'ratingsFile', ...ratingsFile(list, scenario) }),
  read(text, data) {
    const result = importRatings(text, { scenario: data.id, tokenizer: data.tokenizer });
    return result.ok ? { ok: true, labels: result.ratings, warnings: result.warnings } : result;
  },
};

export class RatingSession extends LabelKindSession<Rating> {
  /** The gold value of an ordinary answer (the fine-tuned model's mean), the simulated raters' middle of the scale. */
  private neutral: Promise<number> | null = null;
  /** The labeler `neutral` was computed for. */
  private neutralKey = '';

  constructor(
    data: ScenarioData,
    store: RatingStore,
    emit: (e: WorkerEvent) => void,
    /** `prompts` groups of RATED_PER_PROMPT answers, each group to one prompt. */
    private answerGroups: (prompts: number) => Promise<RankingToLabel[]>,
  ) {
    super(data, store, emit, RATINGS);
  }

  /** The reward model's examples from every rating, learnt as pairs or pointwise (the reward settings say which). */
  examples(loss: 'pairs' | 'pointwise'): RewardPair[] {
    return ratingExamples(this.list, loss);
  }

  /** A few answers to one prompt, distinct, for the rating desk (or the writing desk, which corrects them). */
  async nextAnswers(desk: AnswerDesk = 'rating'): Promise<RankingToLabel> {
    const [group] = await this.answerGroups(1);
    const answers = { ...group, completions: [...new Set(group.completions)] };
    this.emit({ type: 'answers', answers, desk });
    return answers;
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
      save: (made) => this.saveMade(made),
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
}
