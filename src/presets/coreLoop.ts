// The effects of the playground's own loop, on its defaults (no preset): the reward model learns a
// simulated labeler's taste from clicks, and PPO raises the gold score under the KL anchor, which
// holds the policy closer than no anchor does.

import type { Effect } from './preset';
import type { BuiltInScenarioId } from '../data/types';
import { earlyLate, fmt, lastGoldAgreement, oneByOne, rlPoints, rlSteps } from './measures';

/** The click counts at which the reward model's gold agreement is judged. */
const CLICK_COUNTS = [30, 100];

/**
 * Gold agreement before any click and after each of CLICK_COUNTS clicks, from one run per scenario,
 * labeler and seed: the first 30 of 100 clicks given one at a time are the 30-click run's clicks
 * exactly (seeded), so the two effects read one run and the harness pays for it once.
 */
const agreementRuns = new Map<string, Promise<Map<number, number>>>();
function agreementCurve(
  start: Parameters<Effect['check']>[0],
  scenario: BuiltInScenarioId,
  labelerId: string,
  seed: number,
) {
  const key = `${scenario}/${labelerId}/${seed}`;
  let run = agreementRuns.get(key);
  if (!run) {
    run = (async () => {
      const session = await start({ scenario, gold: labelerId, seed });
      const curve = new Map<number, number>();
      curve.set(
        0,
        lastGoldAgreement(await session.run([{ type: 'setLabelerSettings', settings: { goldLabeler: labelerId } }])),
      );
      let given = 0;
      for (const count of CLICK_COUNTS) {
        curve.set(count, lastGoldAgreement(await session.run(oneByOne(labelerId, count - given))));
        given = count;
      }
      return curve;
    })();
    agreementRuns.set(key, run);
  }
  return run;
}

/** Gold agreement the reward model reaches after `labels` clicks of a simulated labeler, on the default model. */
function rewardModelLearns(
  scenario: BuiltInScenarioId,
  labelerId: string,
  labels: (typeof CLICK_COUNTS)[number],
  target: number,
  verified: Effect['verified'],
): Effect {
  return {
    id: `reward-model-${labelerId}-${labels}`,
    title: `The reward model learns "${labelerId}" from ${labels} clicks`,
    criterion: `gold agreement on the fixed fresh pairs >= ${target} after ${labels} labels given one at a time (untrained: 0.5)`,
    verified,
    budget: { labels, iterations: 0 },
    async check(start, seed) {
      const curve = await agreementCurve(start, scenario, labelerId, seed);
      const untrained = curve.get(0)!;
      const agreement = curve.get(labels)!;
      return { met: agreement >= target, measured: `gold agreement ${fmt(untrained)} -> ${fmt(agreement)}` };
    },
  };
}

const CORE_LABELS = 30;
const CORE_ITERATIONS = 20;
const CORE_GOLD_RISE = 0.05;
const CORE_MAX_KL = 10;

/** The default loop: 30 labels from "Positive", then PPO at the default settings. Returns its RL curve. */
async function defaultLoop(start: Parameters<Effect['check']>[0], seed: number, beta?: number) {
  const session = await start({ scenario: 'reviews', gold: 'positive', seed, ...(beta === undefined ? {} : { beta }) });
  await session.run([{ type: 'autoLabel', labelerId: 'positive', count: CORE_LABELS }]);
  return rlPoints(await session.run(rlSteps(CORE_ITERATIONS)));
}

const ppoRaisesGold: Effect = {
  id: 'ppo-raises-gold',
  title: 'PPO raises the gold score under the KL anchor',
  criterion: `gold late - early >= ${CORE_GOLD_RISE} and max KL <= ${CORE_MAX_KL} (5-iteration means, default settings)`,
  verified: { met: 9, seeds: 10 },
  budget: { labels: CORE_LABELS, iterations: CORE_ITERATIONS },
  async check(start, seed) {
    const points = await defaultLoop(start, seed);
    const gold = earlyLate(points, (p) => p.gold ?? NaN);
    const maxKl = Math.max(...points.map((p) => p['objective/kl']));
    return {
      met: gold.late - gold.early >= CORE_GOLD_RISE && maxKl <= CORE_MAX_KL,
      measured: `gold ${fmt(gold.early)} -> ${fmt(gold.late)}, max KL ${fmt(maxKl)}`,
    };
  },
};

const anchorHolds: Effect = {
  id: 'kl-without-anchor',
  title: 'Without the anchor (β = 0) the KL ends at least twice as high',
  criterion: 'final KL at β = 0 >= 2 x final KL at the default β (5-iteration means)',
  verified: { met: 9, seeds: 10 },
  budget: { labels: CORE_LABELS, iterations: CORE_ITERATIONS },
  async check(start, seed) {
    const kl = (points: Awaited<ReturnType<typeof defaultLoop>>) => earlyLate(points, (p) => p['objective/kl']).late;
    const anchored = kl(await defaultLoop(start, seed));
    const free = kl(await defaultLoop(start, seed, 0));
    return { met: free >= 2 * anchored, measured: `final KL ${fmt(anchored)} anchored, ${fmt(free)} at β = 0` };
  },
};

export const CORE_EFFECTS: Effect[] = [
  rewardModelLearns('reviews', 'positive', 30, 0.8, { met: 9, seeds: 10 }),
  rewardModelLearns('reviews', 'positive', 100, 0.9, { met: 7, seeds: 10 }),
  rewardModelLearns('assistant', 'helpful', 30, 0.8, { met: 9, seeds: 10 }),
  rewardModelLearns('assistant', 'helpful', 100, 0.9, { met: 7, seeds: 10 }),
  ppoRaisesGold,
  anchorHolds,
];
