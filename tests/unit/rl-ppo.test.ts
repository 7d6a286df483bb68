// PPO-RLHF pieces with hand-computed expectations: KL estimators, the KL-penalised reward, GAE,
// masked whitening, the clipped losses and their gradients, and the KL controllers.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bestOfNKl, klPerToken } from '../../src/rlhf/kl';
import { klPenalisedRewards, lastTokenOneHot } from '../../src/rlhf/rewards';
import { gae } from '../../src/rlhf/gae';
import { maskedMean, maskedVar, whiten } from '../../src/rlhf/whiten';
import { ppoLoss, tokenClipInfo, type PpoLossInputs } from '../../src/rlhf/ppoLoss';
import { AdaptiveKlController, FixedKlController } from '../../src/rlhf/klController';
import { mulberry32 } from '../../src/data/random';

/** Reads a tensor, then frees it. */
async function take(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

function expectAllClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `entry ${i}`).toBeCloseTo(expected[i], digits));
}

function randomMatrix(rand: () => number, rows: number, cols: number, lo: number, hi: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + (hi - lo) * rand()));
}

describe('KL estimators', () => {
  it('match hand values: k1 = logp - ref, k3 = e^x - 1 - x with x = ref - logp', async () => {
    const logp = tf.tensor2d([[-1, -2]]);
    const ref = tf.tensor2d([[-1.5, -1]]);
    expectAllClose(await take(klPerToken(logp, ref, 'k1')), [0.5, -1]);
    expectAllClose(await take(klPerToken(logp, ref, 'k3')), [Math.exp(-0.5) - 1 + 0.5, Math.E - 1 - 1]);
    tf.dispose([logp, ref]);
  });

  it('are exactly 0 when the policy equals the reference', async () => {
    const lp = tf.tensor2d([
      [-0.1, -3.2, -7],
      [-0.5, -0.5, -2],
    ]);
    expect(await take(klPerToken(lp, lp, 'k1'))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await take(klPerToken(lp, lp, 'k3'))).toEqual([0, 0, 0, 0, 0, 0]);
    lp.dispose();
  });

  it('k3 is never negative on random inputs, including nearly equal ones, while k1 is', async () => {
    const rand = mulberry32(7);
    const a = randomMatrix(rand, 8, 32, -8, 0);
    // Half the rows far apart, half within float rounding of each other.
    const b = a.map((row, i) => row.map((x) => (i % 2 === 0 ? -8 * rand() : x + (rand() - 0.5) * 1e-6)));
    const logp = tf.tensor2d(a);
    const ref = tf.tensor2d(b);
    const k3 = await take(klPerToken(logp, ref, 'k3'));
    const k1 = await take(klPerToken(logp, ref, 'k1'));
    expect(Math.min(...k3)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...k1)).toBeLessThan(0);
    tf.dispose([logp, ref]);
  });

  it('best-of-n KL is log n - (n - 1) / n', () => {
    expect(bestOfNKl(1)).toBe(0);
    expect(bestOfNKl(2)).toBeCloseTo(0.693147 - 0.5, 6);
    expect(bestOfNKl(4)).toBeCloseTo(1.386294 - 0.75, 6);
    expect(() => bestOfNKl(0)).toThrow();
  });
});

describe('KL-penalised per-token reward', () => {
  it('puts -beta * kl on valid tokens and the score on the last one', async () => {
    const kl = tf.tensor2d([
      [0.1, 0.2, 0.3, 0.4],
      [0.5, -0.1, 9, 9],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    const scores = tf.tensor1d([2, -1]);
    const { rewards, nonScore } = klPenalisedRewards(kl, scores, mask, 0.5);
    expectAllClose(await take(nonScore), [-0.05, -0.1, -0.15, -0.2, -0.25, 0.05, 0, 0]);
    expectAllClose(await take(rewards), [-0.05, -0.1, -0.15, -0.2 + 2, -0.25, 0.05 - 1, 0, 0]);
    tf.dispose([kl, mask, scores]);
  });

  it('equals the score when the policy equals the reference (k1 and k3)', async () => {
    const lp = tf.tensor2d([
      [-1, -2, -0.3],
      [-0.7, -4, -1],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    const scores = tf.tensor1d([0.8, -2.5]);
    for (const kind of ['k1', 'k3'] as const) {
      const kl = klPerToken(lp, lp, kind);
      const { rewards, nonScore } = klPenalisedRewards(kl, scores, mask, 0.2);
      expectAllClose(await take(nonScore), [0, 0, 0, 0, 0, 0], 6);
      expectAllClose(await take(rewards), [0, 0.8, 0, 0, 0, -2.5], 6);
      kl.dispose();
    }
    tf.dispose([lp, mask, scores]);
  });

  it('marks the last valid token, and nothing on an empty row', async () => {
    const mask = tf.tensor2d([
      [1, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(await take(lastTokenOneHot(mask))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0]);
    mask.dispose();
  });
});

/** Plain-JS GAE, an independent reference: the textbook backward recursion, row by row. */
function gaeReference(r: number[][], v: number[][], m: number[][], gamma: number, lambda: number) {
  return r.map((row, b) => {
    const T = row.length;
    const adv = new Array<number>(T).fill(0);
    let next = 0;
    for (let t = T - 1; t >= 0; t--) {
      if (!m[b][t]) {
        next = 0;
        continue;
      }
      const vNext = t + 1 < T && m[b][t + 1] ? v[b][t + 1] : 0;
      next = row[t] + gamma * vNext - v[b][t] + gamma * lambda * next;
      adv[t] = next;
    }
    return { adv, ret: adv.map((a, t) => (m[b][t] ? a + v[b][t] : 0)) };
  });
}

describe('GAE', () => {
  it('with gamma = lambda = 1 and zero values gives rewards-to-go, ignoring rewards after EOS', async () => {
    const rewards = tf.tensor2d([
      [1, 2, 3, 4],
      [0.5, -1, 7, 7],
    ]);
    const values = tf.zeros([2, 4]) as tf.Tensor2D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    const { advantages, returns } = gae(rewards, values, mask, 1, 1);
    // row 0: 1+2+3+4, 2+3+4, 3+4, 4;  row 1: 0.5-1, -1, then nothing after EOS.
    const expected = [10, 9, 7, 4, -0.5, -1, 0, 0];
    expectAllClose(await take(advantages), expected);
    expectAllClose(await take(returns), expected);
    tf.dispose([rewards, values, mask]);
  });

  it('with lambda = 0 gives one-step TD errors r_t + gamma V_{t+1} - V_t', async () => {
    const rewards = tf.tensor2d([
      [1, 0, 2],
      [0, 1, 5],
    ]);
    const values = tf.tensor2d([
      [0.5, 1, -1],
      [2, 3, 4],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 1],
      [1, 1, 0],
    ]);
    const { advantages, returns } = gae(rewards, values, mask, 0.9, 0);
    // row 0: 1 + 0.9*1 - 0.5 = 1.4;  0 + 0.9*(-1) - 1 = -1.9;  2 + 0 - (-1) = 3
    // row 1: 0 + 0.9*3 - 2 = 0.7;  1 + 0.9*0 (V after EOS counts as 0) - 3 = -2;  masked: 0
    expectAllClose(await take(advantages), [1.4, -1.9, 3, 0.7, -2, 0]);
    expectAllClose(await take(returns), [1.9, -0.9, 2, 2.7, 1, 0]);
    tf.dispose([rewards, values, mask]);
  });

  it('matches a plain-JS recursion for gamma = 0.95, lambda = 0.8, with zero advantage after EOS', async () => {
    const rand = mulberry32(3);
    const r = randomMatrix(rand, 3, 6, -1, 1);
    const v = randomMatrix(rand, 3, 6, -1, 1);
    const m = [
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ];
    const ref = gaeReference(r, v, m, 0.95, 0.8);
    const [rt, vt, mt] = [tf.tensor2d(r), tf.tensor2d(v), tf.tensor2d(m)];
    const { advantages, returns } = gae(rt, vt, mt, 0.95, 0.8);
    const adv = await take(advantages);
    expectAllClose(
      adv,
      ref.flatMap((x) => x.adv),
    );
    expectAllClose(
      await take(returns),
      ref.flatMap((x) => x.ret),
    );
    m.flat().forEach((valid, i) => {
      if (!valid) expect(Math.abs(adv[i])).toBe(0);
    });
    tf.dispose([rt, vt, mt]);
  });

  it('does not leak tensors', () => {
    const rewards = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const values = tf.tensor2d([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    const mask = tf.tensor2d([
      [1, 1],
      [1, 0],
    ]);
    const before = tf.memory().numTensors;
    const out = gae(rewards, values, mask, 0.9, 0.95);
    tf.dispose([out.advantages, out.returns]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([rewards, values, mask]);
  });
});

describe('masked statistics and whitening', () => {
  it('masked mean and variance match hand values', async () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    // valid entries 1, 2, 4: mean 7/3; squared deviations 16/9 + 1/9 + 25/9 = 14/3
    expect((await take(maskedMean(x, mask)))[0]).toBeCloseTo(7 / 3, 6);
    expect((await take(maskedVar(x, mask)))[0]).toBeCloseTo(14 / 3 / 2, 6);
    expect((await take(maskedVar(x, mask, false)))[0]).toBeCloseTo(14 / 3 / 3, 6);
    expectAllClose(await take(maskedMean(x, mask, 1)), [1.5, 4]);
    tf.dispose([x, mask]);
  });

  it('whitened values have masked mean 0 and masked variance 1, and 0 off the mask', async () => {
    const rand = mulberry32(11);
    const raw = randomMatrix(rand, 4, 5, -3, 7);
    const m = [
      [1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0],
      [1, 1, 1, 1, 0],
      [1, 0, 0, 0, 0],
    ];
    const [xt, mt] = [tf.tensor2d(raw), tf.tensor2d(m)];
    const w = await take(whiten(xt, mt));
    const valid = w.filter((_, i) => m.flat()[i] === 1);
    const mean = valid.reduce((s, x) => s + x, 0) / valid.length;
    const variance = valid.reduce((s, x) => s + (x - mean) ** 2, 0) / (valid.length - 1);
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 4);
    w.forEach((x, i) => {
      if (!m.flat()[i]) expect(Math.abs(x)).toBe(0);
    });

    // shiftMean = false keeps the original masked mean.
    const rawValid = raw.flat().filter((_, i) => m.flat()[i] === 1);
    const rawMean = rawValid.reduce((s, x) => s + x, 0) / rawValid.length;
    const kept = (await take(whiten(xt, mt, false))).filter((_, i) => m.flat()[i] === 1);
    expect(kept.reduce((s, x) => s + x, 0) / kept.length).toBeCloseTo(rawMean, 4);
    tf.dispose([xt, mt]);
  });
});

/** Hand example, B = 1, T = 3, third token padding (its values must not matter). */
function handInputs(): PpoLossInputs {
  return {
    logp: tf.tensor2d([[Math.log(1.5) - 1, Math.log(0.5) - 2, 3]]),
    oldLogp: tf.tensor2d([[-1, -2, 3]]),
    advantages: tf.tensor2d([[1, 1, 5]]),
    values: tf.tensor2d([[1, 0, 3]]),
    oldValues: tf.tensor2d([[0.5, 0.5, 0]]),
    returns: tf.tensor2d([[2, 1, 0]]),
    mask: tf.tensor2d([[1, 1, 0]]),
    entropy: tf.tensor2d([[0.3, 0.5, 100]]),
  };
}

function disposeInputs(inp: PpoLossInputs): void {
  tf.dispose(Object.values(inp) as tf.Tensor[]);
}

const OPTS = { clipEps: 0.2, clipEpsValue: 0.2, vfCoef: 0.1, entCoef: 0.01 };

async function scalars<T extends object>(out: T): Promise<Record<keyof T, number>> {
  const res = {} as Record<keyof T, number>;
  for (const [k, v] of Object.entries(out)) res[k as keyof T] = (await take(v as tf.Tensor))[0];
  return res;
}

describe('PPO loss', () => {
  it('with logp = oldLogp has ratio 1, no clipping, zero approx KL, and pgLoss = -mean(A)', async () => {
    const inp = handInputs();
    inp.logp.dispose();
    inp.logp = inp.oldLogp.clone();
    const s = await scalars(ppoLoss(inp, OPTS));
    expect(s.ratioMean).toBeCloseTo(1, 6);
    expect(s.ratioVar).toBeCloseTo(0, 6);
    expect(s.clipFrac).toBe(0);
    expect(s.approxKl).toBe(0);
    expect(s.pgLoss).toBeCloseTo(-1, 6);
    disposeInputs(inp);
  });

  it('matches a hand-computed example: policy clip, value clip, entropy, metrics', async () => {
    const inp = handInputs();
    const s = await scalars(ppoLoss(inp, OPTS));
    // token 0: ratio 1.5, A = 1: max(-1.5, -1.2) = -1.2 (clipped);  token 1: ratio 0.5: max(-0.5, -0.8) = -0.5
    expect(s.pgLoss).toBeCloseTo((-1.2 - 0.5) / 2, 5);
    expect(s.clipFrac).toBeCloseTo(0.5, 6);
    expect(s.ratioMean).toBeCloseTo(1, 5);
    expect(s.ratioVar).toBeCloseTo(0.25, 5);
    expect(s.approxKl).toBeCloseTo((0.5 * (Math.log(1.5) ** 2 + Math.log(0.5) ** 2)) / 2, 5);
    // token 0: (1-2)^2 = 1 vs (0.5+0.2-2)^2 = 1.69 (value clip active); token 1: (0-1)^2 = 1 vs (0.5-0.2-1)^2 = 0.49
    expect(s.vfLoss).toBeCloseTo((0.5 * (1.69 + 1)) / 2, 5);
    expect(s.vfClipFrac).toBeCloseTo(0.5, 6);
    expect(s.entropy).toBeCloseTo(0.4, 6);
    expect(s.loss).toBeCloseTo(-0.85 + 0.1 * 0.6725 - 0.01 * 0.4, 5);
    disposeInputs(inp);
  });

  it('per-token ratio and clipped flags for the UI', async () => {
    const inp = handInputs();
    const { ratio, clipped } = tokenClipInfo(inp.logp, inp.oldLogp, inp.advantages, 0.2);
    expectAllClose(await take(ratio), [1.5, 0.5, 1]);
    expect(await take(clipped)).toEqual([1, 0, 0]);
    disposeInputs(inp);
  });

  it('gives no gradient to a token clipped at ratio 1.5 with A > 0, and -A * ratio with A < 0', async () => {
    const gradFor = async (advantage: number) => {
      const oldLogp = tf.tensor2d([[-1.2]]);
      const logp = tf.tensor2d([[-1.2 + Math.log(1.5)]]);
      const fixed = {
        oldLogp,
        advantages: tf.tensor2d([[advantage]]),
        values: tf.zeros([1, 1]) as tf.Tensor2D,
        oldValues: tf.zeros([1, 1]) as tf.Tensor2D,
        returns: tf.zeros([1, 1]) as tf.Tensor2D,
        mask: tf.ones([1, 1]) as tf.Tensor2D,
      };
      const g = tf.grad((lp: tf.Tensor) => ppoLoss({ ...fixed, logp: lp as tf.Tensor2D }, OPTS).pgLoss)(logp);
      const [v] = await take(g);
      tf.dispose([logp, ...Object.values(fixed)]);
      return v;
    };
    expect(Math.abs(await gradFor(1))).toBe(0);
    // max(1.5, 1.2) picks the unclipped -A * ratio, whose derivative in logp is -A * ratio = 1.5
    expect(await gradFor(-1)).toBeCloseTo(1.5, 5);
  });

  it('does not leak tensors', () => {
    const inp = handInputs();
    const before = tf.memory().numTensors;
    tf.dispose(Object.values(ppoLoss(inp, OPTS)));
    const info = tokenClipInfo(inp.logp, inp.oldLogp, inp.advantages, 0.2);
    tf.dispose([info.ratio, info.clipped]);
    expect(tf.memory().numTensors).toBe(before);
    disposeInputs(inp);
  });
});

describe('KL controllers', () => {
  it('fixed: beta never moves', () => {
    const c = new FixedKlController(0.05);
    c.update(100, 512);
    expect(c.value).toBe(0.05);
  });

  it('adaptive: unchanged at the target, bounded moves far from it, proportional in between', () => {
    const at = new AdaptiveKlController(0.1, 6, 10000);
    at.update(6, 256);
    expect(at.value).toBeCloseTo(0.1, 12);

    const above = new AdaptiveKlController(0.1, 6, 10000);
    above.update(600, 256);
    expect(above.value).toBeCloseTo(0.1 * (1 + (0.2 * 256) / 10000), 12);

    const below = new AdaptiveKlController(0.1, 6, 10000);
    below.update(0, 256);
    expect(below.value).toBeCloseTo(0.1 * (1 - (0.2 * 256) / 10000), 12);

    const near = new AdaptiveKlController(0.1, 6, 10000);
    near.update(6.6, 100); // error 0.1
    expect(near.value).toBeCloseTo(0.1 * (1 + (0.1 * 100) / 10000), 12);
  });
});
