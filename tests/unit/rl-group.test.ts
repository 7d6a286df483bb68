// Value-free advantages (RLOO, GRPO, REINFORCE with a baseline) and GRPO's loss, against hand values.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { grpoAdvantages, reinforceAdvantages, rlooAdvantages, updateBaseline } from '../../src/rlhf/groupAdvantages';
import { grpoLoss } from '../../src/rlhf/grpoLoss';
import { mulberry32 } from '../../src/data/random';

async function take(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

function expectAllClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `entry ${i}`).toBeCloseTo(expected[i], digits));
}

function groupSums(xs: number[], k: number): number[] {
  const sums: number[] = [];
  for (let i = 0; i < xs.length; i += k) sums.push(xs.slice(i, i + k).reduce((s, x) => s + x, 0));
  return sums;
}

// Two prompts, k = 4 samples each, grouped by prompt.
const SCORES = [1, 2, 3, 6, 0, 0, 4, 4];

describe('group advantages', () => {
  it('RLOO: score minus the mean of the other k - 1 scores', async () => {
    const s = tf.tensor1d(SCORES);
    // group 0 sums to 12: 1 - 11/3, 2 - 10/3, 3 - 9/3, 6 - 6/3;  group 1 sums to 8: 0 - 8/3, 0 - 8/3, 4 - 4/3, 4 - 4/3
    expectAllClose(await take(rlooAdvantages(s, 4)), [-8 / 3, -4 / 3, 0, 4, -8 / 3, -8 / 3, 8 / 3, 8 / 3]);
    s.dispose();
  });

  it('GRPO: (score - group mean) / (sample std + 1e-4)', async () => {
    const s = tf.tensor1d(SCORES);
    // group 0: mean 3, deviations -2 -1 0 3, sum of squares 14, sample std sqrt(14/3)
    // group 1: mean 2, deviations -2 -2 2 2, sum of squares 16, sample std sqrt(16/3)
    const s0 = Math.sqrt(14 / 3) + 1e-4;
    const s1 = Math.sqrt(16 / 3) + 1e-4;
    expectAllClose(await take(grpoAdvantages(s, 4)), [-2 / s0, -1 / s0, 0, 3 / s0, -2 / s1, -2 / s1, 2 / s1, 2 / s1]);
    s.dispose();
  });

  it('RLOO and GRPO advantages sum to zero within every group of random scores; equal scores give zero', async () => {
    const rand = mulberry32(5);
    const scores = Array.from({ length: 15 }, () => 4 * rand() - 2);
    const s = tf.tensor1d(scores);
    for (const a of [await take(rlooAdvantages(s, 3)), await take(grpoAdvantages(s, 3))]) {
      groupSums(a, 3).forEach((sum) => expect(sum).toBeCloseTo(0, 5));
    }
    const flat = tf.tensor1d([0.7, 0.7, 0.7]);
    expectAllClose(await take(grpoAdvantages(flat, 3)), [0, 0, 0], 6);
    expectAllClose(await take(rlooAdvantages(flat, 3)), [0, 0, 0], 6);
    tf.dispose([s, flat]);
  });

  it('rejects k < 2 and batches that are not whole groups', () => {
    const s = tf.tensor1d([1, 2, 3]);
    expect(() => rlooAdvantages(s, 1)).toThrow();
    expect(() => grpoAdvantages(s, 2)).toThrow();
    s.dispose();
  });

  it('REINFORCE: score minus a running-average baseline', async () => {
    const s = tf.tensor1d([1, 2]);
    expectAllClose(await take(reinforceAdvantages(s, 1.5)), [-0.5, 0.5]);
    expect(updateBaseline(1, 3, 0.9)).toBeCloseTo(0.9 * 1 + 0.1 * 3, 12);
    s.dispose();
  });
});

describe('GRPO loss', () => {
  it('at ratio 1 with no KL is -mean over sequences of A, each sequence weighted equally', async () => {
    const lp = tf.tensor2d([
      [-1, -2, -0.5],
      [-0.3, -9, -9],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    const adv = tf.tensor1d([1, -3]);
    const out = grpoLoss(lp, lp, lp, adv, mask, 0.2, 0.1);
    // per sequence: -1 (three tokens of A = 1) and +3 (one token of A = -3); their mean is 1
    // (a token-level mean would give (-3 + 3) / 4 = 0)
    expect((await take(out.loss))[0]).toBeCloseTo(1, 6);
    expect((await take(out.pgLoss))[0]).toBeCloseTo(1, 6);
    expect((await take(out.kl))[0]).toBe(0);
    expect((await take(out.clipFrac))[0]).toBe(0);
    tf.dispose([lp, mask, adv]);
  });

  it('adds beta times the k3 KL to the reference', async () => {
    const lp = tf.tensor2d([[-1, -1]]);
    const ref = tf.tensor2d([[-1.5, -1]]);
    const mask = tf.tensor2d([[1, 1]]);
    const adv = tf.tensor1d([0]);
    const out = grpoLoss(lp, lp, ref, adv, mask, 0.2, 0.1);
    const k3 = (Math.exp(-0.5) - 1 + 0.5 + 0) / 2; // token 0: x = -0.5; token 1: x = 0
    expect((await take(out.kl))[0]).toBeCloseTo(k3, 6);
    expect((await take(out.loss))[0]).toBeCloseTo(0.1 * k3, 6);
    tf.dispose([out.pgLoss, out.clipFrac, lp, ref, mask, adv]);
  });

  it('counts a token at ratio 1.5 with A > 0 as clipped, and its gradient is -A / length at ratio 1', async () => {
    const old = tf.tensor2d([[-1, -2]]);
    const lp = tf.tensor2d([[-1 + Math.log(1.5), -2]]);
    const mask = tf.tensor2d([[1, 1]]);
    const adv = tf.tensor1d([2]);
    const out = grpoLoss(lp, old, old, adv, mask, 0.2, 0.1);
    expect((await take(out.clipFrac))[0]).toBeCloseTo(0.5, 6);
    tf.dispose([out.loss, out.pgLoss, out.kl]);
    // With logp = old = ref: d/dlogp_t of -(r_t A) / 2 is -A / 2 = -1, and k3 has zero slope there.
    // (x is a separate tensor equal to old: differentiating old itself would move oldLogp and ref too.)
    const x0 = tf.tensor2d([[-1, -2]]);
    const g = tf.grad((x: tf.Tensor) => grpoLoss(x as tf.Tensor2D, old, old, adv, mask, 0.2, 0.1).loss)(x0);
    expectAllClose(await take(g), [-1, -1]);
    tf.dispose([old, lp, x0, mask, adv]);
  });

  it('does not leak tensors', () => {
    const lp = tf.tensor2d([
      [-1, -2],
      [-3, -4],
    ]);
    const mask = tf.tensor2d([
      [1, 1],
      [1, 0],
    ]);
    const scores = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    const adv = grpoAdvantages(scores, 2);
    tf.dispose(Object.values(grpoLoss(lp, lp, lp, adv, mask, 0.2, 0.04)));
    tf.dispose([adv, rlooAdvantages(scores, 2)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([lp, mask, scores]);
  });
});
