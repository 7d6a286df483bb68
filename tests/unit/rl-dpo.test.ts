// DPO and IPO losses and TRL's preference metrics, against hand values.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { dpoLoss, ipoLoss, logRatioMargin, preferenceMetrics, type PairLogps } from '../../src/rlhf/dpo';

async function scalar(t: tf.Tensor): Promise<number> {
  const [v] = await t.data();
  t.dispose();
  return v;
}

function pairs(pc: number[], pr: number[], rc: number[], rr: number[]): PairLogps {
  return {
    policyChosen: tf.tensor1d(pc),
    policyRejected: tf.tensor1d(pr),
    refChosen: tf.tensor1d(rc),
    refRejected: tf.tensor1d(rr),
  };
}

function disposePairs(p: PairLogps): void {
  tf.dispose([p.policyChosen, p.policyRejected, p.refChosen, p.refRejected]);
}

// policy == reference: every log-ratio is 0
const AT_INIT = (): PairLogps => pairs([-3, -7.5, -1], [-4, -2, -6], [-3, -7.5, -1], [-4, -2, -6]);

// log-ratios: chosen 0.5, -0.5; rejected -0.5, 0.2; so h = 1 and -0.7
const HAND = (): PairLogps => pairs([-3, -5], [-4, -4], [-3.5, -4.5], [-3.5, -4.2]);

describe('DPO and IPO', () => {
  it('DPO loss is ln 2 and IPO loss is (1 / (2 beta))^2 while the policy equals the reference', async () => {
    const p = AT_INIT();
    expect(await scalar(dpoLoss(p, 0.1))).toBeCloseTo(Math.LN2, 6);
    expect(await scalar(ipoLoss(p, 0.1))).toBeCloseTo(25, 4);
    expect(await scalar(ipoLoss(p, 0.5))).toBeCloseTo(1, 6);
    const m = preferenceMetrics(p, 0.1);
    expect(await scalar(m['rewards/margins'])).toBe(0);
    expect(await scalar(m['rewards/accuracies'])).toBe(0);
    tf.dispose(Object.values(m));
    disposePairs(p);
  });

  it('match hand-computed losses', async () => {
    const p = HAND();
    const margin = logRatioMargin(p);
    const h = Array.from(await margin.data());
    margin.dispose();
    expect(h[0]).toBeCloseTo(1, 6);
    expect(h[1]).toBeCloseTo(-0.7, 6);
    // mean(-log sigmoid(0.1 h)) = mean(log(1 + e^-0.1), log(1 + e^0.07))
    expect(await scalar(dpoLoss(p, 0.1))).toBeCloseTo(
      (Math.log(1 + Math.exp(-0.1)) + Math.log(1 + Math.exp(0.07))) / 2,
      6,
    );
    // mean((1 - 5)^2, (-0.7 - 5)^2) = (16 + 32.49) / 2
    expect(await scalar(ipoLoss(p, 0.1))).toBeCloseTo(24.245, 4);
    disposePairs(p);
  });

  it('metrics: the margin is beta times the difference of log-ratios', async () => {
    const p = HAND();
    const m = preferenceMetrics(p, 0.1);
    expect(await scalar(m['rewards/chosen'])).toBeCloseTo((0.1 * (0.5 - 0.5)) / 2, 6);
    expect(await scalar(m['rewards/rejected'])).toBeCloseTo((0.1 * (-0.5 + 0.2)) / 2, 6);
    expect(await scalar(m['rewards/margins'])).toBeCloseTo((0.1 * (1 - 0.7)) / 2, 6);
    expect(await scalar(m['rewards/accuracies'])).toBeCloseTo(0.5, 6);
    expect(await scalar(m['logps/chosen'])).toBeCloseTo(-4, 6);
    expect(await scalar(m['logps/rejected'])).toBeCloseTo(-4, 6);
    disposePairs(p);
  });

  it('DPO gradient at init raises the chosen log-prob: d loss / d pc = -beta * sigmoid(0) / N', async () => {
    const p = AT_INIT();
    const g = tf.grad((pc: tf.Tensor) => dpoLoss({ ...p, policyChosen: pc as tf.Tensor1D }, 0.2))(p.policyChosen);
    const v = Array.from(await g.data());
    g.dispose();
    v.forEach((x) => expect(x).toBeCloseTo((-0.2 * 0.5) / 3, 6));
    disposePairs(p);
  });

  it('does not leak tensors', () => {
    const p = HAND();
    const before = tf.memory().numTensors;
    tf.dispose([dpoLoss(p, 0.1), ipoLoss(p, 0.1), logRatioMargin(p), ...Object.values(preferenceMetrics(p, 0.1))]);
    expect(tf.memory().numTensors).toBe(before);
    disposePairs(p);
  });
});
