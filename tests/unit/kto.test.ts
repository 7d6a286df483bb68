// KTO: the loss and TRL's KTOTrainer metrics against values worked out in plain arithmetic, one step
// on the tiny model (CPU backend), and the method run through the RL trainer.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { decayMask } from '../../src/model/params';
import { AdamW } from '../../src/model/adamw';
import { loadScenario } from '../../src/data/scenarios';
import { KTO_WEIGHTS, ktoLoss, ktoMetrics, ktoReferencePoint, type KtoLogps } from '../../src/rlhf/kto';
import { ktoStep, mismatchedItems, unpairPreferences, type KtoStepResult } from '../../src/rlhf/ktoTrainer';
import { ReferenceLogProbs } from '../../src/rlhf/referenceLogProbs';
import { RewardSession } from '../../src/engine/rewardSession';
import { RlTrainer } from '../../src/engine/rlTrainer';
import { RL_METHODS } from '../../src/engine/rlMethods';

const data = loadScenario('reviews', 1);
const tok = data.tokenizer;
const config = configFor('tiny', tok.vocabSize);

async function scalar(t: tf.Tensor): Promise<number> {
  const [v] = await t.data();
  t.dispose();
  return v;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function logps(policy: number[], reference: number[], desirable: number[]): KtoLogps {
  return { policy: tf.tensor1d(policy), reference: tf.tensor1d(reference), desirable: tf.tensor1d(desirable) };
}

// Four examples, good / bad / good / bad; log-ratios r = 0.5, -0.5, 0.2, -1.
const POLICY = [-3, -5, -2, -6],
  REFERENCE = [-3.5, -4.5, -2.2, -5],
  DESIRABLE = [1, 0, 1, 0];

describe('the KTO loss and metrics', () => {
  it('z0 is the mean mismatched log-ratio, clamped at 0 from below', async () => {
    // diffs 0.3, 0.1, 0.2: mean 0.2
    expect(await scalar(ktoReferencePoint(tf.tensor1d([-4, -6, -3]), tf.tensor1d([-4.3, -6.1, -3.2])))).toBeCloseTo(
      0.2,
      6,
    );
    // diffs -0.5, 0.1: mean -0.2, clamped to 0
    expect(await scalar(ktoReferencePoint(tf.tensor1d([-4, -6]), tf.tensor1d([-3.5, -6.1])))).toBe(0);
  });

  it('matches the hand formula with both weights, for z0 = 0.2 and for a clamped z0 = 0', async () => {
    const beta = 0.5,
      weights = { desirable: 1.5, undesirable: 0.75 };
    const r = POLICY.map((p, i) => p - REFERENCE[i]);
    const byHand = (z0: number, w: { desirable: number; undesirable: number }) =>
      mean(
        r.map((ri, i) =>
          DESIRABLE[i]
            ? w.desirable * (1 - sigmoid(beta * (ri - z0)))
            : w.undesirable * (1 - sigmoid(beta * (z0 - ri))),
        ),
      );
    // One term written out: the first (good) example at z0 = 0.2 loses 1.5 (1 - sigmoid(0.5 * 0.3)).
    expect(1.5 * (1 - sigmoid(0.15))).toBeCloseTo(0.693855, 6);
    const p = logps(POLICY, REFERENCE, DESIRABLE);
    for (const z of [0.2, 0]) {
      const z0 = tf.scalar(z);
      expect(await scalar(ktoLoss(p, z0, beta, weights))).toBeCloseTo(byHand(z, weights), 6);
      expect(await scalar(ktoLoss(p, z0, beta))).toBeCloseTo(byHand(z, KTO_WEIGHTS), 6);
      z0.dispose();
    }
    // The clamp feeds the loss: mismatched diffs averaging -0.2 give the same loss as z0 = 0.
    const clamped = ktoReferencePoint(tf.tensor1d([-4, -6]), tf.tensor1d([-3.5, -6.1]));
    expect(await scalar(ktoLoss(p, clamped, beta, weights))).toBeCloseTo(byHand(0, weights), 6);
    clamped.dispose();
    tf.dispose(Object.values(p));
  });

  it("reports TRL KTOTrainer's metrics: rewards per group, their margin, kl = z0, mean log-probs", async () => {
    const p = logps(POLICY, REFERENCE, DESIRABLE);
    const z0 = tf.scalar(0.2);
    const m = ktoMetrics(p, z0, 0.5);
    expect(await scalar(m['rewards/chosen'])).toBeCloseTo(0.5 * mean([0.5, 0.2]), 6); // 0.175
    expect(await scalar(m['rewards/rejected'])).toBeCloseTo(0.5 * mean([-0.5, -1]), 6); // -0.375
    expect(await scalar(m['rewards/margins'])).toBeCloseTo(0.55, 6);
    expect(await scalar(m.kl)).toBeCloseTo(0.2, 6);
    expect(await scalar(m['logps/chosen'])).toBeCloseTo(-2.5, 6);
    expect(await scalar(m['logps/rejected'])).toBeCloseTo(-5.5, 6);
    // A batch with no undesirable example: its group's means are 0, not 0 / 0.
    const allGood = logps(POLICY, REFERENCE, [1, 1, 1, 1]);
    const g = ktoMetrics(allGood, z0, 0.5);
    expect(await scalar(g['rewards/rejected'])).toBe(0);
    expect(await scalar(g['logps/rejected'])).toBe(0);
    expect(await scalar(g['rewards/chosen'])).toBeCloseTo(0.5 * mean([0.5, -0.5, 0.2, -1]), 6);
    tf.dispose([...Object.values(g), ...Object.values(allGood), ...Object.values(p), z0]);
  });

  it('is exactly 1 - sigmoid(0) = 0.5 while the policy equals the reference (and with weights 1.5 / 0.5 on a balanced batch)', async () => {
    const p = logps(POLICY, POLICY, DESIRABLE);
    const z0 = ktoReferencePoint(tf.tensor1d([-4, -6]), tf.tensor1d([-4, -6]));
    expect(await scalar(ktoLoss(p, z0, 0.1))).toBe(0.5);
    expect(await scalar(ktoLoss(p, z0, 3, { desirable: 1.5, undesirable: 0.5 }))).toBe(0.5); // (1.5 + 0.5) / 2 * 0.5
    tf.dispose([...Object.values(p), z0]);
  });
});

const PAIRS = [
  { prompt: 'review : the pizza', chosen: 'was great', rejected: 'was cold' },
  { prompt: 'review : the staff', chosen: 'were kind', rejected: 'were rude and slow' },
];

/** Policy and reference with the same weights (step 0), and an optimiser. */
function models(seed = 3) {
  const w = GPT.randomWeights(config, seed);
  const policy = new GPT(config, w),
    reference = new GPT(config, w);
  const optimizer = new AdamW(policy.paramCount, decayMask(policy.layout));
  return {
    policy,
    reference,
    optimizer,
    dispose: () => {
      [policy, reference].forEach((m) => m.dispose());
      optimizer.dispose();
    },
  };
}

describe('a KTO step on the tiny model', () => {
  it('splits each pair into a good and a bad example, and pairs each prompt with the previous completion', () => {
    const examples = unpairPreferences(PAIRS);
    expect(examples.map((e) => e.label)).toEqual([true, false, true, false]);
    expect(examples[3]).toEqual({ prompt: 'review : the staff', completion: 'were rude and slow', label: false });
    expect(mismatchedItems(examples).map((m) => m.response)).toEqual([
      'were rude and slow',
      'was great',
      'was cold',
      'were kind',
    ]);
    expect(mismatchedItems(examples)[0].prompt).toBe('review : the pizza');
  });

  it('starts at loss 0.5 with zero rewards and z0, then lowers the loss on a repeated batch without leaking', async () => {
    const m = models();
    const refBefore = await m.reference.read();
    const batch = unpairPreferences(PAIRS);
    const step = () => ktoStep(m.policy, m.reference, m.optimizer, tok, batch, { beta: 0.5, learningRate: 5e-3 });
    const first = await step();
    expect(first.loss).toBeCloseTo(0.5, 6);
    expect(first.kl).toBeCloseTo(0, 6); // the mismatched log-ratios are 0 up to float noise, clamped at 0
    expect(first['rewards/chosen']).toBeCloseTo(0, 6);
    expect(first['rewards/margins']).toBeCloseTo(0, 6);
    expect(first['logps/chosen']).toBeLessThan(0);
    expect([first.desirable, first.undesirable]).toEqual([2, 2]);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = await step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last.loss).toBeLessThan(first.loss);
    expect(last['rewards/margins']!).toBeGreaterThan(0);
    expect(last['rewards/chosen']!).toBeGreaterThan(last['rewards/rejected']!);
    expect(await m.reference.read()).toEqual(refBefore);
    m.dispose();
  });

  it("with the reference's log-probs kept: the same steps, and no reference pass once the batch is known", async () => {
    const settings = { beta: 0.5, learningRate: 5e-3 };
    const plain = models(),
      cached = models();
    const cache = new ReferenceLogProbs();
    const batch = unpairPreferences(PAIRS);
    const kernels: number[] = [];
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const a = await ktoStep(plain.policy, plain.reference, plain.optimizer, tok, batch, settings);
      let b: KtoStepResult | undefined;
      const profile = await tf.profile(async () => {
        b = await ktoStep(cached.policy, cached.reference, cached.optimizer, tok, batch, settings, cache);
      });
      kernels.push(profile.kernels.length);
      expect(b).toEqual(a);
    }
    // The examples and their mismatched partners: 8 rows, but a bad answer's partner is the good answer to the
    // same prompt (the pair's other half, just before it), so two of the rows repeat examples' own.
    expect(cache.size).toBe(6);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(kernels[1]).toBeLessThan(kernels[0]);
    expect(kernels[2]).toBe(kernels[1]);
    plain.dispose();
    cached.dispose();
  });

  it('leaves out the metrics of a group the batch lacks', async () => {
    const m = models();
    const good = unpairPreferences(PAIRS).filter((e) => e.label);
    const r = await ktoStep(m.policy, m.reference, m.optimizer, tok, good, { beta: 0.5, learningRate: 1e-3 });
    expect(r.loss).toBeCloseTo(0.5, 6);
    expect(r['rewards/chosen']).toBeDefined();
    expect(r['rewards/rejected']).toBeUndefined();
    expect(r['rewards/margins']).toBeUndefined();
    expect(r['logps/rejected']).toBeUndefined();
    m.dispose();
  });
});

describe('KTO through the RL trainer', () => {
  it('is a method with no value model and no KL controller, and gives a finite point with its fields', async () => {
    expect(RL_METHODS.kto).toMatchObject({ usesValueModel: false, usesKlController: false });
    const sft = GPT.random(config, 3),
      rewardModel = GPT.random(config, 4);
    const reward = new RewardSession(
      rewardModel,
      tok,
      3,
      async () => [],
      () => sft.read(),
      async () => [],
    );
    const pairs = [{ prompt: 'review : the pizza', chosen: 'great food .', rejected: 'terrible food .' }];
    const rl = new RlTrainer(
      sft,
      reward,
      data,
      3,
      () => null,
      () => pairs,
    );
    rl.setSettings({ algorithm: 'kto', batchSize: 4, responseLength: 6, epochs: 1, minibatches: 1 });
    const { point, detail } = await rl.step();
    expect(detail).toBeNull();
    expect(point.algorithm).toBe('kto');
    expect(point['loss/kto']).toBeCloseTo(0.5, 5); // policy = reference at the first step
    expect(point['kto/kl']).toBeGreaterThanOrEqual(0);
    for (const key of ['objective/kl', 'objective/scores', 'response_length', 'diversity/distinct_1'] as const)
      expect(Number.isFinite(point[key])).toBe(true);
    expect(point.response_length).toBeGreaterThan(0);
    expect(point['loss/dpo']).toBeUndefined();
    Object.values(point).forEach((v) => typeof v === 'number' && expect(Number.isFinite(v)).toBe(true));
    const second = await rl.step();
    expect(second.point.iteration).toBe(2);
    rl.dispose();
    const empty = new RlTrainer(
      sft,
      reward,
      data,
      3,
      () => null,
      () => [],
    );
    empty.setSettings({ algorithm: 'kto', batchSize: 4, responseLength: 6, epochs: 1, minibatches: 1 });
    await expect(empty.step()).rejects.toThrow(/label some pairs first/);
    empty.dispose();
    // Thumbs alone (ratings, no pairs) are enough: the same loss of 0.5 at the first step.
    const thumbs = [
      { prompt: 'review : the pizza', completion: 'great food .', label: true },
      { prompt: 'review : the pizza', completion: 'terrible food .', label: false },
    ];
    const fromThumbs = new RlTrainer(
      sft,
      reward,
      data,
      3,
      () => null,
      () => [],
      () => thumbs,
    );
    fromThumbs.setSettings({ algorithm: 'kto', batchSize: 4, responseLength: 6, epochs: 1, minibatches: 1 });
    expect((await fromThumbs.step()).point['loss/kto']).toBeCloseTo(0.5, 5);
    fromThumbs.dispose();
    reward.dispose();
    sft.dispose();
    rewardModel.dispose();
  });
});
