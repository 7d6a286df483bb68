// ILQL: the expectile, Bellman, CQL and AWAC losses against values worked out in plain arithmetic, the
// Polyak rule of the target heads, decoding (beta = 0 is the base policy), steps on the tiny model
// (CPU backend) without leaks, and the method through the RL trainer.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { decayMask } from '../../src/model/params';
import { AdamW } from '../../src/model/adamw';
import { samplingLogProbs } from '../../src/model/logprobs';
import { sample } from '../../src/model/sample';
import { loadScenario } from '../../src/data/scenarios';
import { encodePrompt } from '../../src/data/sequences';
import { EOS } from '../../src/data/types';
import { mulberry32, normal } from '../../src/data/random';
import { bellmanTargets, expectileLoss, ilqlLosses, polyak } from '../../src/rlhf/ilql';
import { IlqlHeads } from '../../src/rlhf/ilqlHeads';
import { episodeMasks, ilqlSteps, scoreAnswers, type IlqlStepSettings } from '../../src/rlhf/ilqlTrainer';
import { ilqlSample, perturbedLogProbs } from '../../src/rlhf/ilqlDecode';
import { completionRows } from '../../src/rlhf/dpoTrainer';
import { RewardSession } from '../../src/engine/rewardSession';
import { RlTrainer } from '../../src/engine/rlTrainer';
import { RL_METHODS } from '../../src/engine/rlMethods';
import { RL_DEFAULTS } from '../../src/engine/rlSettingsRegistry';
import { offlineAnswers } from '../../src/engine/rlMethods/ilql';
import { disposePlaygrounds, start } from './harness';

afterEach(disposePlaygrounds);

/**
 * The end-to-end run's seed, length and bound. The mean gold gain over the 8 iterations, prompt for prompt, measured
 * at seeds 1-4 (the baseline run first, without a reset): +0.023, +0.068, +0.253, +0.174 (the last 4 iterations alone:
 * +0.07, -0.03, +0.25, +0.18); this test at seed 2 measures +0.053.
 */
const E2E_SEED = 2,
  ITERATIONS = 8,
  GAIN_BOUND = 0;

const data = loadScenario('reviews', 1);
const tok = data.tokenizer;
const config = configFor('tiny', tok.vocabSize);

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}
const scalar = async (t: tf.Tensor) => (await values(t))[0];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const softplus = (x: number) => Math.log(1 + Math.exp(x));

describe('the ILQL losses', () => {
  it('expectile loss: tau u^2 above 0, (1 - tau) u^2 below', async () => {
    // u = 2, -1, 0.5, 0 at tau = 0.7: 0.7 * 4, 0.3 * 1, 0.7 * 0.25, 0
    const got = await values(expectileLoss(tf.tensor1d([2, -1, 0.5, 0]), 0.7));
    [2.8, 0.3, 0.175, 0].forEach((x, i) => expect(got[i]).toBeCloseTo(x, 6));
  });

  it('V fitted by gradient descent on the expectile loss: tau = 0.5 gives the mean of Q, tau = 0.9 its 0.9-expectile', async () => {
    const Q = tf.tensor1d([1, 2, 6]);
    const fit = async (tau: number) => {
      let v = 0;
      const grad = tf.grad((x: tf.Tensor) => tf.mean(expectileLoss(tf.sub(Q, x) as tf.Tensor1D, tau)));
      for (let i = 0; i < 400; i++) {
        const g = grad(tf.scalar(v));
        v -= 0.5 * (await scalar(g));
      }
      return v;
    };
    expect(await fit(0.5)).toBeCloseTo(3, 5); // (1 + 2 + 6) / 3
    // With 2 < V < 6: 0.9 (6 - V) = 0.1 ((V - 1) + (V - 2)), so V = 5.7 / 1.1.
    expect(await fit(0.9)).toBeCloseTo(5.7 / 1.1, 4);
    Q.dispose();
  });

  it("Bellman targets r + gamma V(s') with V = 0 after <eos>, on the rows of a real answer", async () => {
    const T = config.contextLength;
    const enc = completionRows(tok, [{ prompt: 'review : the pizza', response: 'was great' }], T);
    const { last, nextNotDone } = episodeMasks(enc.mask, 1, T);
    const actions = [...enc.mask].flatMap((m, t) => (m ? [t] : []));
    const end = actions.at(-1)!;
    expect(actions).toHaveLength(tok.encode('was great').length + 1); // the answer's tokens and its <eos>
    expect(enc.ids[end + 1]).toBe(EOS); // the last action column chooses <eos>
    expect([...last].flatMap((x, t) => (x ? [t] : []))).toEqual([end]);
    // Every action but the last leads to a state that is not terminal.
    expect(actions.filter((t) => nextNotDone[t] === 1)).toEqual(actions.slice(0, -1));
    // Hand values on six columns: actions at 1, 2, 3 (3 is <eos>), reward 2 there, gamma 0.9, V(s') = 0.5, 1, 2, 3, 4, 5.
    const small = episodeMasks(Float32Array.from([0, 1, 1, 1, 0, 0, 0]), 1, 8);
    expect([...small.last]).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect([...small.nextNotDone]).toEqual([1, 1, 1, 0, 0, 0, 0]);
    const rewards = tf.tensor1d([...small.last].map((x) => 2 * x));
    const vNext = tf.tensor1d([0.5, 1, 2, 3, 4, 5, 6]);
    const got = await values(bellmanTargets(rewards, vNext, tf.tensor1d(small.nextNotDone), 0.9));
    [0.45, 0.9, 1.8, 2, 0, 0, 0].forEach((x, i) => expect(got[i]).toBeCloseTo(x, 6));
    tf.dispose([rewards, vNext]);
  });

  it('Q, V, CQL and AWAC terms and their weighted sum match the hand formula, averaged over action columns', async () => {
    const inputs = (mask: number[]) => ({
      qs: [tf.tensor2d([1, 0, 0, 2], [2, 2]), tf.tensor2d([0.5, 0, 0, 1], [2, 2])] as [tf.Tensor2D, tf.Tensor2D],
      logits: tf.zeros([2, 2]) as tf.Tensor2D,
      v: tf.tensor1d([0.2, 0.4]),
      actions: tf.tensor1d([0, 1], 'int32'),
      qTarget: tf.tensor1d([1, 1]),
      targetQ: tf.tensor1d([0.8, 1.5]),
      awacWeight: tf.tensor1d([1, 2]),
      mask: tf.tensor1d(mask),
    });
    const s = { tau: 0.7, cqlScale: 0.1, awacScale: 0.5 };
    const x = inputs([1, 1]);
    const l = ilqlLosses(x, s);
    // Q taken: head 0 gives 1 and 2, head 1 gives 0.5 and 1; Bellman targets 1 and 1.
    const q = mean([0, 1]) + mean([0.25, 0]);
    const v = 0.7 * mean([0.6 ** 2, 1.1 ** 2]); // u = 0.6, 1.1, both above 0
    const cql = mean([softplus(-1), softplus(-2)]) + mean([softplus(-0.5), softplus(-1)]); // -log softmax at the action
    const awac = mean([Math.LN2 * 1, Math.LN2 * 2]);
    expect(await scalar(l.q)).toBeCloseTo(q, 6);
    expect(await scalar(l.v)).toBeCloseTo(v, 6);
    expect(await scalar(l.cql)).toBeCloseTo(cql, 6);
    expect(await scalar(l.awac)).toBeCloseTo(awac, 6);
    expect(await scalar(l.loss)).toBeCloseTo(q + v + 0.1 * cql + 0.5 * awac, 6);
    tf.dispose([...l.taken, ...Object.values(x).flat()]);
    // Only the first column is an action: every mean is over it alone.
    const one = inputs([1, 0]);
    const l1 = ilqlLosses(one, s);
    expect(await scalar(l1.loss)).toBeCloseTo(
      0 + 0.25 + 0.7 * 0.36 + 0.1 * (softplus(-1) + softplus(-0.5)) + 0.5 * Math.LN2,
      6,
    );
    tf.dispose([l1.q, l1.v, l1.cql, l1.awac, ...l1.taken, ...Object.values(one).flat()]);
  });

  it('Polyak averaging: alpha online + (1 - alpha) target', async () => {
    const got = await values(polyak(tf.tensor1d([1, 2]), tf.tensor1d([3, 6]), 0.25));
    expect(got).toEqual([1.5, 3]);
  });
});

/** Heads with every weight drawn at random (a fresh head says 0 everywhere), so Q - V is not 0. */
function noisyHeads(seed: number): IlqlHeads {
  const heads = new IlqlHeads(config, seed);
  const rand = mulberry32(seed);
  const random = Float32Array.from({ length: heads.paramCount }, () => 0.5 * normal(rand));
  tf.tidy(() => heads.flat.assign(tf.tensor1d(random)));
  heads.syncTargets(1); // decoding reads the target heads: alpha = 1 copies the trained ones
  return heads;
}

describe('ILQL decoding', () => {
  it('shifts log-probs by beta (Q - V): with beta = ln 2 a token with Q - V one higher is twice as likely', async () => {
    const logits = tf.tensor2d([[0, 0, 0]]),
      q = tf.tensor2d([[1.5, 0.5, 0.5]]),
      v = tf.tensor1d([0.5]);
    const p = (await values(perturbedLogProbs(logits, q, v, Math.LN2, 1))).map(Math.exp);
    [0.5, 0.25, 0.25].forEach((x, i) => expect(p[i]).toBeCloseTo(x, 6));
    // beta = 0: exactly the base policy's log-probs at the temperature, whatever Q and V say.
    const z = tf.tensor2d([[1, -2, 0.3]]);
    const base = await values(samplingLogProbs(z, 0.7, 0));
    const atZero = await values(perturbedLogProbs(z, q, v, 0, 0.7));
    base.forEach((x, i) => expect(atZero[i]).toBeCloseTo(x, 6));
    tf.dispose([logits, q, v, z]);
  });

  it('with beta = 0 draws exactly what the base policy draws (same seed), and without leaking', async () => {
    const policy = GPT.random(config, 5),
      heads = noisyHeads(6);
    const prompts = ['review : the pizza', 'review : the staff', 'review : the room'].map((p) => encodePrompt(tok, p));
    const base = await sample(policy, prompts, { maxNewTokens: 8, temperature: 0.9, topK: 0, seed: 11 });
    const before = tf.memory().numTensors;
    const mine = await ilqlSample(policy, heads, prompts, 8, 0.9, 0, 11);
    expect(tf.memory().numTensors).toBe(before);
    expect(mine.tokens).toEqual(base.tokens);
    mine.logProbs.forEach((row, b) => row.forEach((lp, i) => expect(lp).toBeCloseTo(base.logProbs[b][i], 4)));
    // A large beta follows the heads instead: the answers change.
    const leaning = await ilqlSample(policy, heads, prompts, 8, 0.9, 20, 11);
    expect(leaning.tokens).not.toEqual(base.tokens);
    policy.dispose();
    heads.dispose();
  });
});

const ANSWERS = [
  { prompt: 'review : the pizza', response: 'was great' },
  { prompt: 'review : the staff', response: 'were rude and slow' },
  { prompt: 'review : the room', response: 'was clean .' },
  { prompt: 'review : the film', response: 'was dull' },
];

describe('ILQL steps on the tiny model', () => {
  const settings: IlqlStepSettings = {
    gamma: 0.99,
    tau: 0.7,
    cqlScale: 0.1,
    awacScale: 1,
    alpha: 0.25,
    learningRate: 3e-3,
    headsLearningRate: 3e-2,
  };
  function models() {
    const policy = GPT.random(config, 3),
      reward = GPT.random(config, 4),
      heads = new IlqlHeads(config, 5);
    const m = {
      policy,
      reward,
      heads,
      policyOpt: new AdamW(policy.paramCount, decayMask(policy.layout)),
      headsOpt: new AdamW(heads.paramCount, decayMask(heads.layout)),
    };
    const dispose = () => [policy, reward, heads, m.policyOpt, m.headsOpt].forEach((x) => x.dispose());
    return { m, dispose };
  }

  it('scores answers once in fixed chunks: the normalised reward-model score of each', async () => {
    const { m, dispose } = models();
    const norm = { mean: 0.05, std: 0.01 };
    const chunked = await scoreAnswers(m.reward, tok, ANSWERS.slice(0, 3), norm, 2); // chunks of 2: the third is padded
    const alone = await Promise.all(ANSWERS.slice(0, 3).map((a) => scoreAnswers(m.reward, tok, [a], norm, 1)));
    expect(chunked).toHaveLength(3);
    chunked.forEach((x, i) => expect(x).toBeCloseTo(alone[i][0], 4));
    dispose();
  });

  it('the target heads change only by the Polyak rule, the losses fall on a repeated batch, and nothing leaks', async () => {
    const { m, dispose } = models();
    const batch = { items: ANSWERS, rewards: Float32Array.from([1, -1, 1, -1]) };
    const start = await m.heads.read();
    expect(start.target).toEqual(start.heads.subarray(0, start.target.length)); // the targets start as the Q heads
    const first = await ilqlSteps(m, tok, [batch], settings);
    const once = await m.heads.read();
    once.target.forEach((t, j) => expect(t).toBeCloseTo(0.25 * once.heads[j] + 0.75 * start.target[j], 6));
    expect(first['losses/loss_v']).toBe(0); // fresh heads: V = Q^ = 0
    expect(first['values/mean']).toBe(0);
    expect(first['awac_weight/mean']).toBe(1);
    // Q = 0 everywhere at first: the Q loss is 2 heads x (1 + 1 + 1 + 1) / (number of action columns).
    const columns = completionRows(tok, ANSWERS, config.contextLength).mask.reduce((a, b) => a + b, 0);
    expect(first['losses/loss_q']).toBeCloseTo((2 * 4) / columns, 5);
    expect(first['losses/loss_cql']).toBeCloseTo(2 * Math.log(tok.vocabSize), 4); // uniform Q rows
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 3; i++) {
      const before = await m.heads.read();
      last = await ilqlSteps(m, tok, [batch, batch], settings);
      const mid = await m.heads.read();
      await ilqlSteps(m, tok, [batch], settings);
      const after = await m.heads.read();
      expect(after.heads).not.toEqual(mid.heads); // the heads learn
      // target <- 0.25 (q0 | q1) + 0.75 target, from the heads just after the step, and nothing else moves it.
      after.target.forEach((t, j) => expect(t).toBeCloseTo(0.25 * after.heads[j] + 0.75 * mid.target[j], 6));
      expect(mid.target).not.toEqual(before.target);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last['losses/loss_q']).toBeLessThan(first['losses/loss_q']);
    expect(last['losses/loss_cql']).toBeLessThan(first['losses/loss_cql']);
    dispose();
  });
});

describe('ILQL through the RL trainer', () => {
  it('is a method with no value model and no KL controller; its point carries trlx names, and it leaks nothing', async () => {
    expect(RL_METHODS.ilql).toMatchObject({ usesValueModel: false, usesKlController: false });
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
    const rated = [{ prompt: 'review : the staff', completion: 'great food .', label: true }];
    // The dataset: each distinct answer once (a pair's two answers, then the rated one).
    expect(offlineAnswers({ preferencePairs: () => [...pairs, ...pairs], ratedAnswers: () => rated })).toHaveLength(3);
    const rl = new RlTrainer(
      sft,
      reward,
      data,
      3,
      () => null,
      () => pairs,
      () => rated,
    );
    rl.setSettings({ algorithm: 'ilql', batchSize: 4, responseLength: 6, ilqlSteps: 2 });
    const { point, detail } = await rl.step();
    expect(detail).toBeNull();
    expect(point.algorithm).toBe('ilql');
    expect(point['losses/loss_v']).toBeGreaterThanOrEqual(0);
    for (const key of ['losses/loss', 'losses/loss_q', 'losses/loss_cql', 'losses/loss_awac', 'values/mean'] as const)
      expect(Number.isFinite(point[key])).toBe(true);
    expect(point['loss/kto']).toBeUndefined();
    expect(point.response_length).toBeGreaterThan(0);
    Object.values(point).forEach((v) => typeof v === 'number' && expect(Number.isFinite(v)).toBe(true));
    const tensors = tf.memory().numTensors;
    await rl.step();
    const third = await rl.step();
    expect(third.point.iteration).toBe(3);
    expect(tf.memory().numTensors).toBe(tensors); // the same tensors after every iteration
    rl.reset(); // the heads go with the run
    expect(tf.memory().numTensors).toBeLessThan(tensors);
    rl.dispose();
    const empty = new RlTrainer(
      sft,
      reward,
      data,
      3,
      () => null,
      () => [],
    );
    empty.setSettings({ algorithm: 'ilql', batchSize: 4, responseLength: 6 });
    await expect(empty.step()).rejects.toThrow(/label some pairs or rate some answers first/);
    empty.dispose();
    reward.dispose();
    sft.dispose();
    rewardModel.dispose();
  });
});

describe('ILQL end to end (tiny config, shipped checkpoints)', () => {
  it('raises the gold score of a simulated labeler above the fine-tuned model on the same prompts', async () => {
    const { send, of } = start(true);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: E2E_SEED });
    await send({ type: 'setRewardSettings', settings: { learningRate: 5e-3 } });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 30 });
    await send({ type: 'trainReward', steps: 100 });
    await send({ type: 'setLabelerSettings', settings: { goldLabeler: 'positive' } });
    const shape = { algorithm: 'ilql', batchSize: 16, responseLength: 12 } as const;
    const golds = async (settings: object) => {
      await send({ type: 'rlReset' });
      await send({ type: 'setRlSettings', settings: { ...shape, ...settings } });
      const from = of('rlMetrics').length;
      for (let i = 0; i < ITERATIONS; i++) await send({ type: 'rlStep' });
      return of('rlMetrics')
        .slice(from)
        .map((e) => e.points[0].gold!);
    };
    // The fine-tuned model's answers: beta 0 (the base policy) and a step too small to move it. Iteration i draws the
    // same prompts and noise in both runs (both start from iteration 0), so the two are compared prompt for prompt.
    const base = await golds({ learningRate: 1e-9, ilqlBeta: 0, ilqlSteps: 1 });
    const ilql = await golds({
      learningRate: RL_DEFAULTS.learningRate,
      ilqlBeta: RL_DEFAULTS.ilqlBeta,
      ilqlSteps: RL_DEFAULTS.ilqlSteps,
    });
    expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
    const gain = mean(ilql) - mean(base);
    const trace = `base ${base.map((g) => g.toFixed(2)).join(' ')} / ILQL ${ilql.map((g) => g.toFixed(2)).join(' ')}`;
    expect(gain, trace).toBeGreaterThan(GAIN_BOUND);
    console.log(`[rl] ILQL gold gain over the fine-tuned model (mean of 8 iterations): ${gain.toFixed(3)}; ${trace}`);
  }, 600_000);
});
