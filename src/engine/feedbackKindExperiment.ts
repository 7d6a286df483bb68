// An experiment beside the acquisition comparison: which kind of question teaches the reward model
// most per second of a person's effort? A simulated labeler answers, each kind of question costs
// the seconds the page states (a pair 3 s, a ranking of 4 8 s, a rating 2 s, a correction 15 s by
// default; a correction of an answer with nothing to fix costs a rating's time), and every
// strategy spends the same budget of seconds from the same starting reward model. After every few
// questions each is measured on one fixed set of fresh pairs ordered by the labeler's gold score.
//
// "Adaptive" picks the kind of the next question from the reward model's state: while it is unsure
// about most candidate pairs (mean |P - 1/2| below ADAPTIVE_SURE) it asks for cheap thumbs, which
// cover many answers; once it is sure of most pairs it asks for rankings, which order four answers
// of one prompt at once. (Asking about the pair it is least sure of instead did worse: with these
// labelers the closest pairs are near-ties, and a near-tie label is close to a coin flip.)

import { GPT } from '../model/model';
import { labelPair, rankByLabeler } from '../data/labelers';
import { expandRanking, trainingPairs } from '../data/preferences';
import { ratingExamples, simulatedRatings, type Rating } from '../data/ratings';
import { correctionSentences, simulatedCorrection } from '../data/demonstrations';
import type { Example } from '../data/types';
import { mulberry32 } from '../data/random';
import { RewardTrainer, REWARD_DEFAULTS, type RewardPair } from './rewardTrainer';
import { preferenceProbability, STEPS_PER_LABEL } from './rewardSession';
import { goldOrdered, type ExperimentBase } from './acquisitionExperiment';
import type { FeedbackCosts, FeedbackKindPoint, FeedbackStrategy, PairToLabel, RankingToLabel } from './protocol';
import { checkRange, FEEDBACK_COST, FEEDBACK_SECONDS } from './protocol';

export const FEEDBACK_STRATEGIES: readonly FeedbackStrategy[] = [
  'pairs',
  'rankings',
  'ratings',
  'corrections',
  'adaptive',
];
type Kind = 'pair' | 'ranking' | 'rating' | 'correction';
/** Answers in one ranking, and answers to one prompt that are rated in a row. */
const GROUP = 4;
const EVAL_PAIRS = 48;
const CANDIDATES = 6;
const POINTS = 8;
/**
 * Mean |P - 1/2| over candidate pairs from which "adaptive" takes the model to order most answers and
 * turns to rankings. Learning from thumbs, the small model crosses 0.05 after about 15 of them (seed 1)
 * and stayed below 0.15 for a whole minute of them.
 */
export const ADAPTIVE_SURE = 0.05;

export interface FeedbackKindRun extends ExperimentBase {
  /** Seconds of labelling each strategy spends. */
  seconds: number;
  costs: FeedbackCosts;
  answerGroups: (prompts: number, k: number) => Promise<RankingToLabel[]>;
  /** The labeler's gold value of an ordinary answer: the middle of its rating scale. */
  neutral: number;
  /** The scenario's demonstrations, whose sentences a simulated correction is made of. */
  demonstrations: readonly Example[];
}

/** One strategy's labelling state: what it has been told, and where its current group of answers to rate stands. */
class Learner {
  readonly trainer: RewardTrainer;
  private compared: RewardPair[] = [];
  private ratings: Rating[] = [];
  private toRate: { prompt: string; completion: string }[] = [];

  constructor(
    private run: FeedbackKindRun,
    readonly model: GPT,
    private rand: () => number,
  ) {
    this.trainer = new RewardTrainer(model, run.tokenizer, [], { ...REWARD_DEFAULTS }, run.seed);
  }

  /** Asks one question of `kind`, has the labeler answer it, trains, and returns its cost in seconds. */
  async ask(kind: Kind): Promise<number> {
    const { spec, scenario, costs } = this.run;
    if (kind === 'correction') {
      // One fresh answer, corrected where that raises the labeler's gold most: the edit beats the original.
      const [g] = await this.run.answerGroups(1, 1);
      const original = g.completions[0];
      const candidates = correctionSentences(spec, scenario, g.prompt, this.run.demonstrations);
      const edited = simulatedCorrection(spec, scenario, g.prompt, original, candidates);
      // An answer with nothing to fix is read, not rewritten: it costs what reading one answer does (a rating's time).
      if (edited === original) return costs.rating;
      this.compared.push({ prompt: g.prompt, chosen: edited, rejected: original, target: 1, weight: 1 });
    } else if (kind === 'rating') {
      if (this.toRate.length === 0) {
        const [g] = await this.run.answerGroups(1, GROUP);
        this.toRate = g.completions.map((completion) => ({ prompt: g.prompt, completion }));
      }
      const answer = [this.toRate.shift()!];
      this.ratings.push(...simulatedRatings(spec, scenario, answer, 'thumbs', this.run.neutral, this.rand, 0));
    } else if (kind === 'ranking') {
      const [g] = await this.run.answerGroups(1, GROUP);
      const distinct = [...new Set(g.completions)];
      if (distinct.length >= 3) {
        const order = rankByLabeler(spec, scenario, g.prompt, distinct, this.rand);
        const base = { scenario, prompt: g.prompt, annotator: spec.id, createdAt: 0 };
        const ranked = order.map((i) => distinct[i]);
        this.compared.push(...trainingPairs(expandRanking(base, ranked), { ties: 'half' }));
      }
    } else {
      const [pair] = await this.run.samplePairs(1);
      const { chosen, rejected, tie } = labelPair(spec, scenario, pair, this.rand);
      this.compared.push({ prompt: pair.prompt, chosen, rejected, target: tie ? 0.5 : 1, weight: 1 });
    }
    this.trainer.pairs = [...this.compared, ...ratingExamples(this.ratings, 'pairs')];
    if (this.trainer.pairs.length) for (let k = 0; k < STEPS_PER_LABEL; k++) await this.trainer.trainStep();
    return costs[kind];
  }

  /** P(left beats right) of each pair under the model now. */
  async probabilities(pairs: PairToLabel[]): Promise<number[]> {
    const r = await this.trainer.score(
      pairs.flatMap((p) => [p.left, p.right].map((response) => ({ prompt: p.prompt, response }))),
    );
    return pairs.map((_, j) => preferenceProbability(r[2 * j], r[2 * j + 1]));
  }

  dispose(): void {
    this.trainer.dispose();
    this.model.dispose();
  }
}

/** The kind of question "adaptive" asks next: thumbs while the model is unsure of most pairs, then rankings. */
async function adaptiveKind(learner: Learner, run: FeedbackKindRun): Promise<'rating' | 'ranking'> {
  if (learner.trainer.step === 0) return 'rating';
  const p = await learner.probabilities(await run.samplePairs(CANDIDATES));
  const sure = p.reduce((s, x) => s + Math.abs(x - 0.5), 0) / p.length;
  return sure < ADAPTIVE_SURE ? 'rating' : 'ranking';
}

const KIND_OF: Record<Exclude<FeedbackStrategy, 'adaptive'>, Kind> = {
  pairs: 'pair',
  rankings: 'ranking',
  ratings: 'rating',
  corrections: 'correction',
};

/** Runs every strategy for `seconds` of simulated labelling; emits the curves and returns each one's last accuracy. */
export async function runFeedbackKindComparison(run: FeedbackKindRun): Promise<Record<FeedbackStrategy, number>> {
  const problem =
    checkRange(run.seconds, FEEDBACK_SECONDS) ??
    (['pair', 'ranking', 'rating', 'correction'] as const)
      .map((k) => checkRange(run.costs?.[k], FEEDBACK_COST))
      .find(Boolean);
  if (problem) throw new Error(problem);
  const evalPairs = goldOrdered(run, await run.samplePairs(EVAL_PAIRS));
  if (evalPairs.length === 0) throw new Error('the sampled pairs all have the same gold score; try another labeler');
  const weights = await run.initialWeights();
  const every = run.seconds / POINTS;
  const last = {} as Record<FeedbackStrategy, number>;
  run.emit({ type: 'feedbackCurve', points: [], reset: true });
  for (const [s, strategy] of FEEDBACK_STRATEGIES.entries()) {
    // The same labeler coin flips for every strategy, from the same start.
    const learner = new Learner(run, new GPT(run.config, weights), mulberry32(run.seed * 101));
    const measure = async (seconds: number) => {
      const { accuracy } = await learner.trainer.evaluate(evalPairs);
      last[strategy] = accuracy;
      const point: FeedbackKindPoint = { strategy, seconds, accuracy };
      run.emit({ type: 'feedbackCurve', points: [point], reset: false });
    };
    try {
      await measure(0);
      let spent = 0;
      let next = every;
      while (spent < run.seconds && !run.cancelled()) {
        const kind = strategy === 'adaptive' ? await adaptiveKind(learner, run) : KIND_OF[strategy];
        spent += await learner.ask(kind);
        if (spent >= next || spent >= run.seconds) {
          await measure(Math.min(spent, run.seconds));
          while (next <= spent) next += every;
        }
        const done = s * run.seconds + Math.min(spent, run.seconds);
        run.emit({ type: 'progress', job: 'feedbackKinds', done, total: FEEDBACK_STRATEGIES.length * run.seconds });
      }
    } finally {
      learner.dispose();
    }
  }
  run.emit({ type: 'progress', job: 'feedbackKinds', done: 1, total: 1 });
  return last;
}
