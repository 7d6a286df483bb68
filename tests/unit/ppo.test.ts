// One PPO iteration on a tiny model (CPU backend): what must hold at the start of training, the
// rollout layout, sampled vs teacher-forced log-probs, frozen models, no leaks, and the guard.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { sample } from '../../src/model/sample';
import { loadScenario } from '../../src/data/scenarios';
import { encodePrompt } from '../../src/data/sequences';
import { EOS, PAD } from '../../src/data/types';
import { layout, idsTensor, responseOutputs, scoredRows } from '../../src/rlhf/rollout';
import { RewardSession } from '../../src/engine/rewardSession';
import { brokenMetric, RL_DEFAULTS, RlTrainer, validateRlSettings } from '../../src/engine/rlTrainer';
import type { RlMetricPoint } from '../../src/engine/protocol';

const data = loadScenario('reviews', 1);
const config = configFor('tiny', data.tokenizer.vocabSize);
const small = { batchSize: 4, responseLength: 6, epochs: 1, minibatches: 1 };

/** An RL trainer on fresh tiny models (the reward model a differently seeded copy). */
function trainer(seed = 3) {
  const sft = GPT.random(config, seed);
  const rewardModel = GPT.random(config, seed + 1);
  const reward = new RewardSession(
    rewardModel,
    data.tokenizer,
    seed,
    async () => [],
    () => sft.read(),
    async () => [],
  );
  const rl = new RlTrainer(sft, reward, data, seed, () => null);
  return {
    sft,
    rewardModel,
    reward,
    rl,
    dispose: () => {
      rl.dispose();
      reward.dispose();
      sft.dispose();
      rewardModel.dispose();
    },
  };
}

describe('rollout layout', () => {
  it('left-pads prompts, right-pads responses and masks up to and including <eos>', () => {
    // prompts of 3 and 2 tokens -> Tp = 3, pads [0, 1]; responses [7, EOS] and [8, 9, 9] cut to N = 3
    const r = layout(
      [
        [1, 5, 3],
        [1, 3],
      ],
      [
        [7, EOS],
        [8, 9, 9],
      ],
      [0, 1],
      3,
      3,
    );
    expect(Array.from(r.ids)).toEqual([1, 5, 3, 7, EOS, PAD, PAD, 1, 3, 8, 9, 9]);
    expect(Array.from(r.mask)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(r.hasEos).toEqual([true, false]);
    // the reward model reads <bos> prompt <sep> response <eos>, adding <eos> where it is missing
    const rows = scoredRows(r, 8);
    expect(Array.from(rows.ids)).toEqual([1, 5, 3, 7, EOS, PAD, PAD, PAD, 1, 3, 8, 9, 9, EOS, PAD, PAD]);
    expect(Array.from(rows.readAt)).toEqual([4, 5]);
    expect(Array.from(rows.from)).toEqual([3, 2]); // the score averages the response tokens and <eos>
  });

  it('the log-probs the sampler reports equal the teacher-forced ones at the same temperature', async () => {
    const model = GPT.random(config, 5);
    const prompts = ['review : the pizza', 'review : the staff'].map((p) => encodePrompt(data.tokenizer, p));
    const s = await sample(model, prompts, { maxNewTokens: 6, temperature: 0.7, topK: 0, seed: 9 });
    const Tp = Math.max(...prompts.map((p) => p.length));
    const r = layout(
      prompts,
      s.tokens,
      prompts.map((p) => Tp - p.length),
      Tp,
      6,
    );
    const logp = tf.tidy(() => responseOutputs(model.weights(), model, idsTensor(r), r.pads, Tp, 6, 0.7).logp);
    const rows = (await logp.array()) as number[][];
    logp.dispose();
    s.logProbs.forEach((lp, b) => lp.forEach((v, t) => expect(rows[b][t]).toBeCloseTo(v, 4)));
    model.dispose();
  });
});

describe('a PPO iteration', () => {
  it('at step 0 every KL_t is 0, the penalised reward equals the score, and the first minibatch has ratio 1 and clipfrac 0', async () => {
    const t = trainer();
    t.rl.setSettings({ ...small, beta: 0.5, klEstimator: 'k3' });
    const { point, detail } = await t.rl.step();
    expect(point['objective/kl']).toBe(0);
    expect(point['objective/non_score_reward']).toBeCloseTo(0, 10);
    expect(point['objective/rlhf_reward']).toBeCloseTo(point['objective/scores'], 10);
    expect(point['val/ratio']).toBeCloseTo(1, 5);
    expect(point['policy/clipfrac_avg']).toBe(0);
    expect(point['policy/approxkl_avg']).toBeCloseTo(0, 8);
    detail!.responses.forEach((r) => r.tokens.forEach((tok) => expect(tok.kl).toBe(0)));
    expect(detail!.responses).toHaveLength(3);
    t.dispose();
  });

  it('moves the policy, leaves the reference and reward model bitwise unchanged, and leaks no tensors', async () => {
    const t = trainer();
    t.rl.setSettings({ ...small, epochs: 2, minibatches: 2, learningRate: 1e-2 });
    const rewardBefore = await t.rewardModel.read();
    const sftBefore = await t.sft.read();
    await t.rl.step();
    const after1 = tf.memory().numTensors;
    await t.rl.step();
    await t.rl.step();
    expect(tf.memory().numTensors).toBe(after1);
    expect(await t.rewardModel.read()).toEqual(rewardBefore);
    expect(await t.sft.read()).toEqual(sftBefore);
    const { point } = await t.rl.step();
    expect(point['objective/kl']).not.toBe(0); // the policy has left the reference
    expect(point.iteration).toBe(4);
    t.dispose();
  });

  it('the value head can live on the policy, zero-initialised, and the run still trains', async () => {
    const t = trainer();
    t.rl.setSettings({ ...small, valueInit: 'policy' });
    const { point } = await t.rl.step();
    // All values start at 0, so the explained variance is 1 - Var(R)/Var(R) = 0.
    expect(point['val/explained_variance']).toBeCloseTo(0, 3); // up to the 1e-8 guard in the denominator
    expect(Number.isFinite(point['loss/value_avg'])).toBe(true);
    t.dispose();
  });

  it('a broken metric stops the run and a rollback restores the weights from before it', async () => {
    const t = trainer();
    t.rl.setSettings(small);
    await t.rl.step();
    const policy = t.rl.policy;
    const good = await policy.read();
    const tensors = tf.memory().numTensors;
    const normalization = t.reward.normalization;
    t.reward.normalization = { mean: 0, std: 1e-45 }; // a broken normalisation: scores become infinite
    await expect(t.rl.step()).rejects.toThrow(/objective\/.* reached/);
    expect(t.rl.diverged).toMatchObject({ canRollBack: true });
    await expect(t.rl.step()).rejects.toThrow(/roll back or reset first/);
    t.rl.rollback();
    expect(await policy.read()).toEqual(good);
    expect(t.rl.diverged).toBeNull();
    expect(() => t.rl.rollback()).toThrow(/nothing to roll back/);
    expect(tf.memory().numTensors).toBe(tensors); // the rollback left nothing behind
    t.reward.normalization = normalization;
    await t.rl.step();
    expect(tf.memory().numTensors).toBe(tensors);
    t.dispose();
  });
});

describe('settings and the guard', () => {
  it('refuses out-of-range or inconsistent settings and changes nothing', () => {
    const t = trainer();
    expect(() => t.rl.setSettings({ clipRange: 0 })).toThrow(/Clip range ε must be a number from 0.01 to 1 \(got 0\)/);
    expect(() => t.rl.setSettings({ batchSize: 6, minibatches: 4 })).toThrow(/multiple of the minibatches/);
    expect(() => t.rl.setSettings({ klEstimator: 'k2' as never })).toThrow(/k1 or k3/);
    expect(t.rl.settings).toEqual(RL_DEFAULTS);
    expect(() => validateRlSettings(RL_DEFAULTS)).not.toThrow();
    t.dispose();
  });

  it('names the first non-finite metric, then any beyond its limit', () => {
    const base = {
      iteration: 1,
      'objective/kl': 1,
      'val/ratio': 1,
      'policy/approxkl_avg': 0.01,
      gold: null,
    } as unknown as RlMetricPoint;
    expect(brokenMetric(base)).toBeNull();
    expect(brokenMetric({ ...base, 'loss/value_avg': NaN })).toEqual({ metric: 'loss/value_avg', value: NaN });
    expect(brokenMetric({ ...base, 'val/ratio': 11 })).toEqual({ metric: 'val/ratio', value: 11 });
    expect(brokenMetric({ ...base, 'objective/kl': 250 })).toEqual({ metric: 'objective/kl', value: 250 });
  });
});

describe('every method runs through the same trainer', () => {
  it('REINFORCE, RLOO, GRPO, best-of-n, DPO, IPO and KTO each take a step with finite metrics', async () => {
    const t = trainer();
    const pairs = [{ prompt: 'review : the pizza', chosen: 'great food .', rejected: 'terrible food .' }];
    const rl = new RlTrainer(
      t.sft,
      t.reward,
      data,
      3,
      () => null,
      () => pairs,
    );
    for (const algorithm of ['reinforce', 'rloo', 'grpo', 'bestOfN', 'dpo', 'ipo', 'kto'] as const) {
      rl.setSettings({ ...small, algorithm, groupSize: 2 });
      const { point } = await rl.step();
      expect(point.algorithm).toBe(algorithm);
      expect(point.iteration).toBe(1); // a new method starts again from the fine-tuned model
      Object.values(point).forEach((v) => typeof v === 'number' && expect(Number.isFinite(v)).toBe(true));
      if (algorithm === 'bestOfN') expect(point['objective/kl']).toBeCloseTo(Math.log(2) - 1 / 2, 10);
      if (algorithm === 'dpo') expect(point['loss/dpo']).toBeCloseTo(Math.log(2), 5); // policy = reference at the first step
      if (algorithm === 'kto') expect(point['loss/kto']).toBeCloseTo(1 - 1 / (1 + Math.exp(0)), 5); // r = z0 = 0: 1 - sigmoid(0)
    }
    rl.dispose();
    const empty = new RlTrainer(
      t.sft,
      t.reward,
      data,
      3,
      () => null,
      () => [],
    );
    empty.setSettings({ ...small, algorithm: 'dpo' });
    await expect(empty.step()).rejects.toThrow(/label some pairs first/);
    empty.dispose();
    t.dispose();
  });
});

describe('a beta sweep through the playground', () => {
  it('runs each beta from the fine-tuned model and sends each finished run', async () => {
    const { start, disposePlaygrounds } = await import('./harness');
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'setRlSettings', settings: small });
    await send({ type: 'rlSweep', betas: [0, 0.5], iterations: 2 });
    const runs = of('rlRun');
    expect(runs.map((r) => r.label)).toEqual(['PPO β = 0', 'PPO β = 0.5']);
    runs.forEach((r) => expect(r.points.map((p) => p.iteration)).toEqual([1, 2]));
    expect(runs[1].points.map((p) => p.beta)).toEqual([0.5, 0.5]);
    expect(of('rlState').at(-1)!.state).toMatchObject({ running: false, settings: { beta: RL_DEFAULTS.beta } });
    await send({ type: 'rlSweep', betas: [0, 0.1, 0.2, 0.3, 0.4], iterations: 2 });
    expect(of('notice').at(-1)!.message).toMatch(/1 to 4 values of beta/);
    disposePlaygrounds();
  });
});

describe('changing beta mid-run', () => {
  it('takes effect from the next iteration', async () => {
    const t = trainer();
    t.rl.setSettings(small);
    expect((await t.rl.step()).point.beta).toBe(RL_DEFAULTS.beta);
    t.rl.setSettings({ beta: 0.3 });
    expect((await t.rl.step()).point.beta).toBe(0.3);
    t.dispose();
  });
});
