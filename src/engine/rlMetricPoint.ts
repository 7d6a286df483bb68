// What one RL iteration reports: its metric point (one builder for all nine methods), the check
// that stops a run whose metrics broke, and the per-token details the panels show.

import { EOS, SPECIAL_TOKENS, type BuiltInScenarioId, type Tokenizer } from '../data/types';
import { completionText } from '../data/sequences';
import { labelerGold, type LabelerSpec } from '../data/labelers';
import type { PpoIterationResult, TopK } from '../rlhf/ppo';
import type { KtoStepResult } from '../rlhf/ktoTrainer';
import { batchDiversity } from '../rlhf/diversity';
import type { RlAlgorithm, RlDetail, RlMetricPoint, TopToken } from './protocol';
import type { DiversityKey } from './chartPoints';
import type { StepOutcome } from './rlMethods';

/** Which iteration a point belongs to, its method, its β and how long it took. */
export interface PointStamp {
  iteration: number;
  algorithm: RlAlgorithm;
  beta: number;
  ms: number;
}

/** The gold labeler chosen for the run, if any. */
export type GoldLabeler = { spec: LabelerSpec; scenario: BuiltInScenarioId } | null;

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

/** The metric point of one iteration, whatever the method: PPO's statistics, or KL and score with the rest at 0. */
export function metricPoint(o: StepOutcome, stamp: PointStamp, tok: Tokenizer, gold: GoldLabeler): RlMetricPoint {
  const { beta } = stamp;
  if (o.kind === 'update') {
    const texts = o.result.rollout.responses.map((t) => completionText(tok, t));
    return {
      ...updatePoint(o.result, stamp, meanGold(gold, o.prompts, texts)),
      ...diversity(o.result.rollout.responses),
    };
  }
  if (o.kind === 'bestOfN') {
    const r = o.result;
    const texts = r.chosen.map((c) => completionText(tok, c.ids));
    return {
      ...emptyPoint(stamp),
      'objective/kl': r.kl,
      'objective/scores': r.bestMean,
      'objective/rlhf_reward': r.bestMean - beta * r.kl,
      'objective/non_score_reward': -beta * r.kl,
      gold: meanGold(gold, o.prompts, texts),
      response_length: r.chosen.reduce((a, c) => a + c.ids.length, 0) / r.chosen.length,
      ...diversity(r.chosen.map((c) => c.ids)),
    };
  }
  // DPO, IPO, KTO and ILQL measure KL, score and diversity on fresh samples, so their curves overlay the others'.
  const { measured } = o;
  const texts = measured.rollout.responses.map((t) => completionText(tok, t));
  const onFresh: Partial<RlMetricPoint> = {
    'objective/kl': measured.kl,
    'objective/scores': measured.score,
    'objective/non_score_reward': -beta * measured.kl,
    'objective/rlhf_reward': measured.score - beta * measured.kl,
    gold: meanGold(gold, o.prompts, texts),
    response_length: measured.responseLength,
    ...diversity(measured.rollout.responses),
  };
  if (o.kind === 'unpaired') return { ...emptyPoint(stamp), ...onFresh, ...ktoFields(o.result) };
  if (o.kind === 'offline') return { ...emptyPoint(stamp), ...onFresh, ...o.result }; // ILQL's metrics, trlx's names
  const r = o.result;
  return {
    ...emptyPoint(stamp),
    ...onFresh,
    'rewards/chosen': r['rewards/chosen'],
    'rewards/rejected': r['rewards/rejected'],
    'rewards/margins': r['rewards/margins'],
    'rewards/accuracies': r['rewards/accuracies'],
    'logps/chosen': r['logps/chosen'],
    'logps/rejected': r['logps/rejected'],
    'loss/dpo': r.loss,
  };
}

/** KTO's metrics under TRL's names, its 'kl' (z0) as 'kto/kl'; those of a group the batch lacked stay absent. */
function ktoFields(r: KtoStepResult): Partial<RlMetricPoint> {
  const point: Partial<RlMetricPoint> = { 'kto/kl': r.kl, 'loss/kto': r.loss };
  for (const k of KTO_GROUP_METRICS) if (r[k] !== undefined) point[k] = r[k];
  return point;
}

const KTO_GROUP_METRICS = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
] as const;

/** How varied the iteration's answers were (diversity.ts), under the point's names. */
function diversity(answers: number[][]): Pick<RlMetricPoint, DiversityKey> {
  const d = batchDiversity(answers, EOS, SPECIAL_TOKENS.length);
  return {
    'diversity/distinct_1': d.distinct1,
    'diversity/distinct_2': d.distinct2,
    'diversity/top_answer_share': d.topAnswerShare,
  };
}

/** Mean gold score of answers, when a gold labeler is chosen. */
function meanGold(g: GoldLabeler, prompts: string[], texts: string[]): number | null {
  return g ? texts.reduce((sum, t, i) => sum + labelerGold(g.spec, g.scenario, prompts[i], t), 0) / texts.length : null;
}

/** A metric point with the update metrics at 0, for methods that have no PPO update. */
function emptyPoint({ iteration, algorithm, beta, ms }: PointStamp): RlMetricPoint {
  return {
    iteration,
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
    algorithm,
  };
}

/** The point of a policy-gradient update (PPO, REINFORCE, RLOO, GRPO), in TRL's metric names. */
function updatePoint(r: PpoIterationResult, stamp: PointStamp, gold: number | null): RlMetricPoint {
  const st = r.stats;
  return {
    iteration: stamp.iteration,
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
    beta: stamp.beta,
    response_length: st.responseLength,
    gold,
    msPerIteration: Math.round(stamp.ms),
    algorithm: stamp.algorithm,
  };
}

/** The panels' details of an update: each shown answer token by token (KL, advantage, ratio, top tokens). */
export function tokenDetail(
  r: PpoIterationResult,
  prompts: string[],
  iteration: number,
  tok: Tokenizer,
  clipRange: number,
): RlDetail {
  const names = (top: TopK, pos: number): TopToken[] =>
    top.ids[pos].map((id, k) => ({ token: tok.decode([id]) || tokenName(id), p: top.p[pos][k] }));
  return {
    iteration,
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
    clipRange,
  };
}

/** Special tokens have no text: show them by name. */
function tokenName(id: number): string {
  return ['<pad>', '<bos>', '<eos>', '<sep>', '<unk>'][id] ?? `#${id}`;
}
