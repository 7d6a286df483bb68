// The reward model's loss (hand-computed values) and a tiny reward model that learns a preference.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { pairAccuracy, rewardModelLoss } from '../../src/rlhf/rewardLoss';
import { RewardTrainer, rewardNormalization, type RewardPair } from '../../src/engine/rewardTrainer';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { loadScenario } from '../../src/data/scenarios';
import { POSITIVE_WORDS, NEGATIVE_WORDS } from '../../src/data/scenarios/reviews';
import { splitWords } from '../../src/data/tokenizer';
import { mulberry32 } from '../../src/data/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function loss(rc: number[], rr: number[], t: number[], w: number[], margin = 0, centering = 0): Promise<number> {
  const v = tf.tidy(() => rewardModelLoss(tf.tensor1d(rc), tf.tensor1d(rr), tf.tensor1d(t), tf.tensor1d(w), { margin, centering }));
  const [x] = await v.data();
  v.dispose();
  return x;
}

describe('reward-model loss', () => {
  it('is log 2 when the two rewards are equal', async () => {
    expect(await loss([0.3, -1.2, 4], [0.3, -1.2, 4], [1, 1, 1], [1, 1, 1])).toBeCloseTo(Math.log(2), 6);
  });

  it('does not change when a constant is added to every reward', async () => {
    const base = await loss([2, -1, 0.5], [0.5, 1, 0.5], [1, 1, 0.5], [1, 0.5, 1]);
    expect(await loss([9, 6, 7.5], [7.5, 8, 7.5], [1, 1, 0.5], [1, 0.5, 1])).toBeCloseTo(base, 5);
  });

  it('matches hand-computed values, with margin, ties, weights and the centring term', async () => {
    // -log sigmoid(1.5) = log(1 + e^-1.5)
    expect(await loss([2], [0.5], [1], [1])).toBeCloseTo(Math.log(1 + Math.exp(-1.5)), 6);
    // margin 1: -log sigmoid(0.5)
    expect(await loss([2], [0.5], [1], [1], 1)).toBeCloseTo(Math.log(1 + Math.exp(-0.5)), 6);
    // a tie is symmetric and ignores the margin: 0.5 * (log(1 + e^-1.5) + log(1 + e^1.5))
    const tie = 0.5 * (Math.log(1 + Math.exp(-1.5)) + Math.log(1 + Math.exp(1.5)));
    expect(await loss([2], [0.5], [0.5], [1], 1)).toBeCloseTo(tie, 6);
    expect(await loss([0.5], [2], [0.5], [1])).toBeCloseTo(tie, 6);
    // weights: (1 * a + 3 * b) / 4
    const a = Math.log(1 + Math.exp(-1.5)), b = Math.log(1 + Math.exp(1));
    expect(await loss([2, 0], [0.5, 1], [1, 1], [1, 3])).toBeCloseTo((a + 3 * b) / 4, 6);
    // centring: + c * mean((r_c + r_r)^2) = 0.1 * 2.5^2
    expect(await loss([2], [0.5], [1], [1], 0, 0.1)).toBeCloseTo(a + 0.625, 6);
  });

  it('counts accuracy on clear preferences only', async () => {
    const acc = tf.tidy(() => pairAccuracy(tf.tensor1d([1, 0, 3, 2]), tf.tensor1d([0, 1, 2, 5]), tf.tensor1d([1, 1, 0.5, 1])));
    expect((await acc.data())[0]).toBeCloseTo(1 / 3, 6);
    acc.dispose();
  });

  it('normalises rewards to mean 0 and standard deviation 1', () => {
    const { mean, std } = rewardNormalization([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(1.25), 10);
  });
});

describe('a tiny reward model', () => {
  it('learns a preference for positive reviews well above chance on held-out pairs, without leaking tensors', async () => {
    const data = loadScenario('reviews', 1);
    const positive = new Set<string>(POSITIVE_WORDS), negative = new Set<string>(NEGATIVE_WORDS);
    const tone = (text: string) => splitWords(text).reduce((s, w) => s + (positive.has(w) ? 1 : negative.has(w) ? -1 : 0), 0);
    const good = data.pretrain.filter((e) => tone(e.response) >= 2);
    const bad = data.pretrain.filter((e) => tone(e.response) <= -2);
    const rand = mulberry32(3);
    const pairs: RewardPair[] = Array.from({ length: 240 }, () => {
      const g = good[Math.floor(rand() * good.length)], b = bad[Math.floor(rand() * bad.length)];
      return rand() < 0.5 ? { prompt: g.prompt, chosen: g.response, rejected: b.response, target: 1, weight: 1 } : { prompt: b.prompt, chosen: g.response, rejected: b.response, target: 1, weight: 1 };
    });
    const [train, heldOut] = [pairs.slice(0, 200), pairs.slice(200)];
    const model = GPT.random(configFor('tiny', data.tokenizer.vocabSize), 1);
    const trainer = new RewardTrainer(model, data.tokenizer, train, { learningRate: 5e-3, batchSize: 8, margin: 0, centering: 0.01 }, 1);
    const before = await trainer.evaluate(heldOut);
    let tensors = 0;
    for (let i = 1; i <= 120; i++) {
      await trainer.trainStep();
      if (i === 2) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await trainer.evaluate(heldOut);
    console.log(`reward model, held-out: loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, accuracy ${before.accuracy.toFixed(2)} -> ${after.accuracy.toFixed(2)}`);
    expect(before.loss).toBeCloseTo(Math.log(2), 1); // a fresh head scores everything about the same
    expect(after.accuracy).toBeGreaterThan(0.85);
    expect(after.loss).toBeLessThan(before.loss);
    trainer.dispose();
    model.dispose();
  });
});
