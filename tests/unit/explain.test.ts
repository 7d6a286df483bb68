import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { EXPLANATIONS, explanation, stageExplanation, type LiveState } from '../../src/ui/explain';
import { PIPELINE } from '../../src/ui/stages';
import type { RewardMetricPoint, RlMetricPoint, MetricPoint } from '../../src/engine/protocol';
import {
  TOUR_STEPS,
  TOUR_STORAGE_KEY,
  clampStep,
  readStep,
  scrollBehavior,
  tourButtonLabel,
  writeStep,
} from '../../src/ui/tour';

const PANELS = join(__dirname, '../../src/ui/panels');

/** A reward metric point with held-out accuracy `acc`. */
const rewardPoint = (
  step: number,
  trainLoss: number,
  acc: number | null,
  heldoutLoss: number | null = null,
): RewardMetricPoint => ({
  step,
  labels: 10,
  trainLoss,
  heldoutLoss,
  heldoutAccuracy: acc,
});

const labels = (n: number) => Array.from({ length: n }, () => ({ verdict: 'preferred' as const }));

function rlPoint(iteration: number, over: Partial<RlMetricPoint> = {}): RlMetricPoint {
  return {
    iteration,
    'objective/kl': 0.1,
    'objective/entropy': 1,
    'objective/non_score_reward': 0,
    'objective/rlhf_reward': 0,
    'objective/scores': 0,
    'policy/approxkl_avg': 0.001,
    'policy/clipfrac_avg': 0.01,
    'loss/policy_avg': 0,
    'loss/value_avg': 0,
    'val/clipfrac_avg': 0,
    'val/ratio': 1,
    'val/ratio_var': 0,
    'val/explained_variance': 0.5,
    beta: 0.05,
    response_length: 10,
    gold: null,
    msPerIteration: 100,
    algorithm: 'ppo',
    ...over,
  };
}

const lmPoint = (step: number, trainLoss: number, heldoutLoss: number | null = null): MetricPoint => ({
  step,
  trainLoss,
  heldoutLoss,
  tokensPerSecond: 1000,
  learningRate: 1e-3,
  msPerStep: 10,
});

describe('explanations', () => {
  test('every stage of the pipeline has one', () => {
    for (const s of PIPELINE) {
      const e = stageExplanation(s.id);
      expect(e.stage).toBe(s.id);
      expect(e.text.length).toBeGreaterThan(80);
    }
  });

  test('ids are unique, texts are short (2 to 4 sentences), and each has a formula', () => {
    const ids = EXPLANATIONS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of EXPLANATIONS) {
      const sentences = e.text.split(/(?<=[.!?])\s+(?=[A-Z"'kβρδ])/).filter(Boolean);
      expect(sentences.length, `${e.id}: ${sentences.length} sentences`).toBeGreaterThanOrEqual(2);
      expect(sentences.length, `${e.id}: ${sentences.length} sentences`).toBeLessThanOrEqual(4);
      expect(e.formula.trim()).not.toBe('');
    }
  });

  test('every formula typesets with KaTeX without an error', () => {
    for (const e of EXPLANATIONS) {
      const html = katex.renderToString(e.formula, { throwOnError: true, displayMode: true });
      expect(html, e.id).toContain('katex-display');
      expect(html, e.id).not.toContain('katex-error');
    }
  });

  test('every hint gives one sentence, even for an empty state', () => {
    const states: LiveState[] = [{}, { model: {} }];
    for (const s of states) {
      for (const e of EXPLANATIONS) {
        const hint = e.lookFor(s);
        expect(hint, e.id).toMatch(/^\S.*[.!?:]$/s);
        expect(hint, e.id).not.toMatch(/NaN|undefined|null|Infinity/);
      }
    }
  });

  test('every box is placed on the page', () => {
    const source = readdirSync(PANELS)
      .filter((f) => f.endsWith('.svelte'))
      .map((f) => readFileSync(join(PANELS, f), 'utf8'))
      .join('\n');
    for (const e of EXPLANATIONS) {
      const literal = source.includes(`<Explain id="${e.id}"`);
      // Pretrain and SFT share StagePanel, which names its boxes after the stage.
      const shared =
        ['pretrain', 'sft', 'pretrain-loss', 'sft-loss'].includes(e.id) &&
        source.includes('<Explain id={stage}') &&
        source.includes('<Explain id={lossExplain}');
      expect(literal || shared, e.id).toBe(true);
    }
  });
});

describe('what to look for now', () => {
  const reward = explanation('reward');

  test('reward model: few labels and weak accuracy -> label more pairs', () => {
    const s: LiveState = { comparisons: labels(10), rewardMetrics: [rewardPoint(5, 0.68, 0.5)] };
    expect(reward.lookFor(s)).toMatch(/^Label more pairs: with only 10 labels the held-out accuracy is 50%/);
  });

  test('reward model: many labels but weak accuracy -> the labels may contradict', () => {
    const s: LiveState = { comparisons: labels(40), rewardMetrics: [rewardPoint(5, 0.6, 0.55)] };
    expect(reward.lookFor(s)).toMatch(/only 55% even with 40 labels/);
  });

  test('reward model: good accuracy -> go on to RL; no labels -> go and label', () => {
    const s: LiveState = {
      comparisons: labels(40),
      rewardMetrics: [rewardPoint(5, 0.3, 0.85), rewardPoint(6, 0.3, null)],
    };
    expect(reward.lookFor(s)).toMatch(/85%.*RL stage/);
    expect(reward.lookFor({ comparisons: [] })).toMatch(/^No labels yet/);
    expect(reward.lookFor({ comparisons: labels(3), rewardMetrics: [] })).toMatch(/no held-out accuracy yet/);
  });

  test('reward loss near log 2 reads as a coin flip', () => {
    expect(explanation('reward-loss').lookFor({ rewardMetrics: [rewardPoint(1, 0.69, null)] })).toMatch(
      /log 2 ≈ 0\.693, a coin flip/,
    );
  });

  test('RL: KL rising fast', () => {
    const kls = [0.1, 0.12, 0.15, 0.2, 0.25, 0.6, 1.0, 1.5, 2.1, 2.8];
    const s: LiveState = { rlMetrics: kls.map((kl, i) => rlPoint(i + 1, { 'objective/kl': kl })) };
    expect(explanation('rl-kl').lookFor(s)).toMatch(
      /^KL is rising fast \(0\.16 → 1\.60 nats over the last 5 iterations\)/,
    );
  });

  test('RL: a negative k1 estimate, and a policy that barely moved', () => {
    expect(explanation('rl-kl').lookFor({ rlMetrics: [rlPoint(1, { 'objective/kl': -0.02 })] })).toMatch(/below 0/);
    const still = Array.from({ length: 8 }, (_, i) => rlPoint(i + 1, { 'objective/kl': 0.01 }));
    expect(explanation('rl-kl').lookFor({ rlMetrics: still })).toMatch(/barely moved/);
  });

  test('RL: proxy up and gold down is reward hacking', () => {
    const m = Array.from({ length: 10 }, (_, i) => rlPoint(i + 1, { 'objective/scores': i * 0.2, gold: 1 - i * 0.1 }));
    expect(explanation('rl-rewards').lookFor({ rlMetrics: m })).toMatch(/^Reward hacking/);
    const over = explanation('rl-overopt').lookFor({
      rlMetrics: m.map((p, i) => ({ ...p, 'objective/kl': i * 0.5, gold: i < 4 ? i * 0.3 : 0.9 - (i - 3) * 0.3 })),
      labelerSettings: { goldLabeler: 'g' },
    });
    expect(over).toMatch(/^The gold score peaked at √KL ≈ 1\.22/);
    expect(
      explanation('rl-overopt').lookFor({ rlMetrics: [rlPoint(1)], labelerSettings: { goldLabeler: null } }),
    ).toMatch(/^Pick a gold labeler/);
  });

  test('RL: large clip fraction, adaptive β above the target', () => {
    expect(explanation('rl-ppo').lookFor({ rlMetrics: [rlPoint(1, { 'policy/clipfrac_avg': 0.35 })] })).toMatch(
      /^Clip fraction 0\.35/,
    );
    const settings = { adaptiveKl: true, targetKl: 1, beta: 0.05 } as NonNullable<LiveState['rlState']>['settings'];
    const s: LiveState = {
      rlState: { running: true, iteration: 3, settings, diverged: null },
      rlMetrics: [rlPoint(3, { 'objective/kl': 2, beta: 0.06 })],
    };
    expect(explanation('rl-beta').lookFor(s)).toMatch(/above the target 1\.00, so β \(now 0\.060\) is rising/);
  });

  test('pretrain: memorising shows as a held-out gap; a falling curve says keep going', () => {
    const gap = [lmPoint(1, 2.0, 2.6), lmPoint(2, 1.9), lmPoint(3, 1.8)];
    expect(explanation('pretrain-loss').lookFor({ stages: { pretrain: { metrics: gap } } })).toMatch(
      /^Held-out loss \(2\.60\)/,
    );
    const falling = Array.from({ length: 40 }, (_, i) => lmPoint(i, 3 - i * 0.05));
    expect(explanation('pretrain-loss').lookFor({ stages: { pretrain: { metrics: falling } } })).toMatch(
      /still falling/,
    );
    const flat = Array.from({ length: 40 }, (_, i) => lmPoint(i, 1.5));
    expect(explanation('sft-loss').lookFor({ stages: { sft: { metrics: flat } } })).toMatch(/flattened near 1\.50/);
    expect(explanation('pretrain').lookFor({ model: {}, stages: { pretrain: { metrics: flat } } })).toMatch(
      /perplexity of about 4\.5/,
    );
  });

  test('preferences: counts, ties, and disagreements in the table', () => {
    expect(explanation('preferences').lookFor({ comparisons: labels(5) })).toMatch(/^5 comparisons so far/);
    const ties = Array.from({ length: 12 }, (_, i) => ({ verdict: i < 8 ? ('tie' as const) : ('preferred' as const) }));
    expect(explanation('preferences').lookFor({ comparisons: ties })).toMatch(/^8 of your 12 labels are ties/);
    expect(explanation('preferences-table').lookFor({ comparisons: labels(3), pChosen: [0.9, 0.3, 0.2] })).toMatch(
      /disagrees with 2 of your 3 clear choices/,
    );
  });

  test('reward calibration: over-confidence is named', () => {
    const s: LiveState = {
      rewardDiagnostics: {
        margins: [],
        calibrationOn: 'heldOut',
        goldAccuracy: null,
        goldPairs: 0,
        goldLabeler: null,
        goldLabelNoise: null,
        normalization: null,
        staleScores: 0,
        calibration: [
          { predicted: 0.95, observed: 0.7, count: 20 },
          { predicted: 0.1, observed: 0.3, count: 20 },
        ],
      },
    };
    expect(explanation('reward-calibration').lookFor(s)).toMatch(/over-confident/);
  });
});

describe('the tour', () => {
  test("every step points at an id that exists in the panels' markup", () => {
    const ids = new Set<string>();
    for (const f of readdirSync(PANELS).filter((n) => n.endsWith('.svelte'))) {
      const text = readFileSync(join(PANELS, f), 'utf8');
      for (const m of text.matchAll(/\bid="([^"]+)"/g)) {
        // StagePanel names its section after its stage: id="stage-{stage}" for pretrain and sft.
        if (m[1].includes('{stage}')) for (const s of ['pretrain', 'sft']) ids.add(m[1].replace('{stage}', s));
        else ids.add(m[1]);
      }
    }
    for (const s of ['stage-pretrain', 'stage-sft', 'stage-preferences', 'stage-reward', 'stage-rl']) {
      expect(
        TOUR_STEPS.some((t) => t.target === s),
        s,
      ).toBe(true);
    }
    for (const step of TOUR_STEPS) expect(ids.has(step.target), step.target).toBe(true);
  });

  test('steps are short and in pipeline order', () => {
    const stageOrder = TOUR_STEPS.map((t) => t.target).filter((t) => t.startsWith('stage-'));
    expect(stageOrder).toEqual(['stage-pretrain', 'stage-sft', 'stage-preferences', 'stage-reward', 'stage-rl']);
    for (const t of TOUR_STEPS) {
      expect(t.text.split(/(?<=\.)\s+/).length, t.title).toBeLessThanOrEqual(3);
      expect(t.tryNow.length).toBeGreaterThan(10);
    }
  });

  test('the stored step is clamped to the valid range', () => {
    const n = TOUR_STEPS.length;
    const store = (v: string | null) => ({ getItem: (k: string) => (k === TOUR_STORAGE_KEY ? v : null) });
    expect(readStep(store(null))).toBeNull();
    expect(readStep(store(''))).toBeNull();
    expect(readStep(store('nonsense'))).toBeNull();
    expect(readStep(store('2'))).toBe(2);
    expect(readStep(store('-4'))).toBe(0);
    expect(readStep(store('99'))).toBe(n - 1);
    expect(readStep(store('3.7'))).toBe(3);
    expect(readStep(null)).toBeNull();
    expect(
      readStep({
        getItem: () => {
          throw new Error('storage is off');
        },
      }),
    ).toBeNull();
    expect(clampStep(NaN)).toBe(0);
    expect(clampStep(n + 5)).toBe(n - 1);
  });

  test('writing and forgetting the step, and the button label', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    writeStep(storage, 42);
    expect(data.get(TOUR_STORAGE_KEY)).toBe(String(TOUR_STEPS.length - 1));
    writeStep(storage, 2);
    expect(readStep(storage)).toBe(2);
    expect(tourButtonLabel(readStep(storage))).toBe(`Resume the tour (step 3 of ${TOUR_STEPS.length})`);
    writeStep(storage, null);
    expect(readStep(storage)).toBeNull();
    expect(tourButtonLabel(null)).toBe('Take the tour');
    expect(() =>
      writeStep(
        {
          ...storage,
          setItem: () => {
            throw new Error('full');
          },
        },
        1,
      ),
    ).not.toThrow();
  });

  test('no smooth scrolling when less motion is asked for', () => {
    expect(scrollBehavior(true)).toBe('auto');
    expect(scrollBehavior(false)).toBe('smooth');
  });
});
