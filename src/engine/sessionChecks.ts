// A session file's chart histories, checked point by point and rebuilt from their known fields,
// and the two helpers every session-file check uses (isObject, and kindOf to name a bad value).

import { ACQUISITIONS } from './settingsRegistry';
import { RL_ALGORITHMS } from './rlSettingsRegistry';
import { ILQL_METRICS } from '../rlhf/ilqlTrainer';
import type { AcquisitionPoint, MetricPoint, RewardMetricPoint, RlMetricPoint, SessionUi } from './chartPoints';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value from the file, named by its type (never quoted at length), for a message. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string')
    return v.length > 40 ? `a text of ${v.length} characters` : `the text ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v === 'object' ? 'an object' : `${typeof v === 'boolean' ? 'true/false' : typeof v}`;
}

const MAX_POINTS = 100_000;
const MAX_RUNS = 16;
const MAX_LABEL_CHARS = 200;

/** How a field of a chart point is checked: a finite number, one or null, one or absent, or one of some words. */
type Kind = 'number' | 'nullable' | 'optional' | readonly string[];

const METRIC: Record<keyof MetricPoint, Kind> = {
  step: 'number',
  trainLoss: 'number',
  heldoutLoss: 'nullable',
  tokensPerSecond: 'number',
  learningRate: 'number',
  msPerStep: 'number',
};
const REWARD_METRIC: Record<keyof RewardMetricPoint, Kind> = {
  step: 'number',
  labels: 'number',
  trainLoss: 'number',
  heldoutLoss: 'nullable',
  heldoutAccuracy: 'nullable',
  heldoutCount: 'optional',
};
const RL_NUMBERS = [
  'iteration',
  'objective/kl',
  'objective/entropy',
  'objective/non_score_reward',
  'objective/rlhf_reward',
  'objective/scores',
  'policy/approxkl_avg',
  'policy/clipfrac_avg',
  'loss/policy_avg',
  'loss/value_avg',
  'val/clipfrac_avg',
  'val/ratio',
  'val/ratio_var',
  'val/explained_variance',
  'beta',
  'response_length',
  'msPerIteration',
] as const;
const RL_OPTIONAL = [
  'diversity/distinct_1',
  'diversity/distinct_2',
  'diversity/top_answer_share',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
  'loss/dpo',
  'kto/kl',
  'loss/kto',
  ...ILQL_METRICS,
] as const;
const RL_METRIC: Record<keyof RlMetricPoint, Kind> = {
  ...(Object.fromEntries(RL_NUMBERS.map((k) => [k, 'number'])) as Record<(typeof RL_NUMBERS)[number], Kind>),
  ...(Object.fromEntries(RL_OPTIONAL.map((k) => [k, 'optional'])) as Record<(typeof RL_OPTIONAL)[number], Kind>),
  gold: 'nullable',
  algorithm: RL_ALGORITHMS.map((a) => a.id),
};
const ACQUISITION_POINT: Record<keyof AcquisitionPoint, Kind> = {
  strategy: ACQUISITIONS.map((a) => a.id),
  labels: 'number',
  accuracy: 'number',
};

/** A chart history: at most MAX_POINTS points, each rebuilt from its known fields once they pass their Kind. */
function points<T>(list: unknown, kinds: Record<string, Kind>, where: string): T[] {
  if (!Array.isArray(list)) throw new Error(`its chart history ${where} is ${kindOf(list)}, not a list`);
  if (list.length > MAX_POINTS)
    throw new Error(`its chart history ${where} has ${list.length} points; the limit is ${MAX_POINTS}`);
  return list.map((p: unknown, i) => {
    if (!isObject(p)) throw new Error(`its chart history ${where}[${i}] is ${kindOf(p)}, not a point`);
    const out: Record<string, unknown> = {};
    for (const [key, kind] of Object.entries(kinds)) {
      const v = p[key];
      const finite = typeof v === 'number' && Number.isFinite(v);
      const words = Array.isArray(kind) ? kind : null;
      const absent = (kind === 'nullable' && v === null) || (kind === 'optional' && v === undefined);
      const ok = words ? words.includes(v as string) : finite || absent;
      const wanted = words ? `one of ${words.join(', ')}` : 'a finite number';
      if (!ok) throw new Error(`its chart history ${where}[${i}].${key} is ${kindOf(v)}, not ${wanted}`);
      if (v !== undefined) out[key] = v;
    }
    return out as T;
  });
}

/** The page's chart histories, point by point (a wrong type would break the charts the page draws from them). */
export function checkSessionUi(ui: unknown): SessionUi {
  if (!isObject(ui)) throw new Error('its chart histories are missing');
  if (!isObject(ui.metrics)) throw new Error(`its chart history ui.metrics is ${kindOf(ui.metrics)}, not an object`);
  if (!Array.isArray(ui.rlRuns)) throw new Error(`its chart history ui.rlRuns is ${kindOf(ui.rlRuns)}, not a list`);
  if (ui.rlRuns.length > MAX_RUNS) throw new Error(`it keeps ${ui.rlRuns.length} RL runs; the limit is ${MAX_RUNS}`);
  const rlRuns = ui.rlRuns.map((run: unknown, i) => {
    const where = `ui.rlRuns[${i}]`;
    if (!isObject(run)) throw new Error(`its chart history ${where} is ${kindOf(run)}, not a run`);
    if (typeof run.label !== 'string' || run.label.length > MAX_LABEL_CHARS) {
      throw new Error(
        `its chart history ${where}.label is ${kindOf(run.label)}, not a text of at most ${MAX_LABEL_CHARS} characters`,
      );
    }
    return { label: run.label, points: points<RlMetricPoint>(run.points, RL_METRIC, `${where}.points`) };
  });
  return {
    metrics: {
      pretrain: points(ui.metrics.pretrain, METRIC, 'ui.metrics.pretrain'),
      sft: points(ui.metrics.sft, METRIC, 'ui.metrics.sft'),
    },
    rewardMetrics: points(ui.rewardMetrics, REWARD_METRIC, 'ui.rewardMetrics'),
    rlMetrics: points(ui.rlMetrics, RL_METRIC, 'ui.rlMetrics'),
    rlRuns,
    acquisitionCurve: points(ui.acquisitionCurve, ACQUISITION_POINT, 'ui.acquisitionCurve'),
  };
}
