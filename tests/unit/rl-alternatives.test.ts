// The alternatives to PPO on tiny random models (CPU backend): REINFORCE / RLOO / GRPO iterations,
// best-of-n sampling, and DPO / IPO from preference pairs. Expectations are derived by hand.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { decayMask } from '../../src/model/params';
import { forward, lmLogits } from '../../src/model/gpt';
import { loadScenario } from '../../src/data/scenarios';
import { encodePrompt } from '../../src/data/sequences';
import { AdamW } from '../../src/model/adamw';
import { RL_DEFAULTS } from '../../src/engine/rlTrainer';
import { GROUP_DEFAULTS, groupIteration, type GroupMethod, type GroupSettings } from '../../src/rlhf/groupMethods';
import { bestOfN } from '../../src/rlhf/bestOfN';
import { preferenceRows, preferenceStep, sequenceLogProbs, type PreferencePair } from '../../src/rlhf/dpoTrainer';
import { ReferenceLogProbs } from '../../src/rlhf/referenceLogProbs';

const data = loadScenario('reviews', 1);
const tok = data.tokenizer;
const config = configFor('tiny', tok.vocabSize);
const PROMPTS = ['review : the pizza', 'review : the staff', 'review : the room', 'review : the film'].map((p) =>
  encodePrompt(tok, p),
);
const K = 3;
/** A random reward model's raw scores sit near 0.05 within about 0.005: spread them to O(1) so the checks bite. */
const SPREAD = { mean: 0.05, std: 0.005 };

/** Policy and reference with the same weights (step 0), a differently seeded reward model, an optimiser. */
function models(seed = 3) {
  const w = GPT.randomWeights(config, seed);
  const policy = new GPT(config, w),
    reference = new GPT(config, w),
    reward = GPT.random(config, seed + 1);
  const optimizer = new AdamW(policy.paramCount, decayMask(policy.layout));
  return {
    policy,
    reference,
    reward,
    optimizer,
    dispose: () => {
      [policy, reference, reward].forEach((m) => m.dispose());
      optimizer.dispose();
    },
  };
}

function settings(patch: Partial<GroupSettings> = {}): GroupSettings {
  return { ...RL_DEFAULTS, ...GROUP_DEFAULTS, groupSize: K, responseLength: 6, epochs: 1, minibatches: 1, ...patch };
}

function iterate(m: ReturnType<typeof models>, method: GroupMethod, s: GroupSettings, seed = 7, baseline = 0) {
  return groupIteration({
    method,
    models: m,
    optimizer: m.optimizer,
    settings: s,
    beta: 0.3,
    promptIds: PROMPTS.slice(0, 2),
    normalization: SPREAD,
    seed,
    detailRows: 2,
    baseline,
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const groups = (xs: number[], k: number) =>
  Array.from({ length: xs.length / k }, (_, g) => xs.slice(g * k, (g + 1) * k));

describe('REINFORCE, RLOO and GRPO iterations', () => {
  it.each(['rloo', 'grpo'] as const)(
    '%s: at step 0 the KL is 0 and the advantages are the hand formula, summing to 0 per group',
    async (method) => {
      const m = models();
      const r = await iterate(m, method, settings());
      expect(r.stats.kl).toBe(0);
      expect(r.stats.nonScore).toBeCloseTo(0, 10);
      r.tokens.forEach((t) => t.kl.forEach((v) => expect(v).toBe(0)));
      expect(r.advantages).toHaveLength(2 * K);
      // KL = 0, so the sequence reward is the score: RLOO A_i = s_i - mean of the other k-1; GRPO (s_i - mean) / (sample std + 1e-4).
      const expected = groups(r.scores, K).flatMap((g) => {
        const mean = sum(g) / K,
          std = Math.sqrt(sum(g.map((x) => (x - mean) ** 2)) / (K - 1));
        return g.map((x) => (method === 'rloo' ? x - (sum(g) - x) / (K - 1) : (x - mean) / (std + 1e-4)));
      });
      r.advantages.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 4));
      groups(r.advantages, K).forEach((g) => expect(sum(g)).toBeCloseTo(0, 5));
      // The displayed per-token advantage is the sequence advantage on every valid token, 0 after the response.
      r.tokens.forEach((t, d) =>
        t.advantage.forEach((a, i) =>
          expect(a).toBeCloseTo(r.rollout.mask[d * r.rollout.N + i] ? r.advantages[d] : 0, 5),
        ),
      );
      // One minibatch, one epoch: the update is measured at the sampling weights, so the ratio is 1 and nothing is clipped.
      expect(r.stats.ratioMean).toBeCloseTo(1, 5);
      expect(r.stats.clipFrac).toBe(0);
      expect(r.stats.approxKl).toBeCloseTo(0, 8);
      expect(r.stats.vfLoss).toBe(0);
      expect(r.scatter.length).toBe(sum(Array.from(r.rollout.mask)));
      m.dispose();
    },
  );

  it('REINFORCE: advantage = score - baseline at step 0, and the baseline moves toward the batch mean', async () => {
    const m = models();
    const r = await iterate(m, 'reinforce', settings({ groupSize: 1, baselineDecay: 0.9 }), 7, 0.5);
    r.advantages.forEach((a, i) => expect(a).toBeCloseTo(r.scores[i] - 0.5, 5));
    expect(r.baseline).toBeCloseTo(0.9 * 0.5 + 0.1 * (sum(r.scores) / r.scores.length), 5);
    m.dispose();
  });

  it('refuses minibatches that would split a group, and RLOO with one sample', async () => {
    const m = models();
    await expect(iterate(m, 'rloo', settings({ minibatches: 4 }))).rejects.toThrow(/whole groups/);
    await expect(iterate(m, 'rloo', settings({ groupSize: 1 }))).rejects.toThrow(/more samples/);
    m.dispose();
  });

  it.each(['reinforce', 'rloo', 'grpo'] as const)(
    '%s: trains across iterations, the reference stays put, no tensors leak',
    async (method) => {
      const m = models();
      const s = settings({ epochs: 2, minibatches: 2, learningRate: 1e-2 });
      const refBefore = await m.reference.read();
      await iterate(m, method, s, 1);
      const after1 = tf.memory().numTensors;
      await iterate(m, method, s, 2);
      await iterate(m, method, s, 3);
      expect(tf.memory().numTensors).toBe(after1);
      expect(await m.reference.read()).toEqual(refBefore);
      const r = await iterate(m, method, s, 4);
      expect(r.stats.kl).not.toBe(0); // the policy has left the reference
      expect(Object.values(r.stats).every(Number.isFinite)).toBe(true);
      m.dispose();
    },
  );
});

describe('best-of-n', () => {
  it('reports the analytic KL log n - (n-1)/n, keeps the best of each group, and leaks nothing', async () => {
    const m = models();
    const run = (seed: number) =>
      bestOfN({
        policy: m.policy,
        reward: m.reward,
        promptIds: PROMPTS,
        n: 4,
        responseLength: 6,
        temperature: 1,
        normalization: { mean: 0, std: 1 },
        missingEosPenalty: 0,
        seed,
      });
    const r = await run(5);
    expect(r.kl).toBeCloseTo(Math.log(4) - 3 / 4, 12); // 0.6362943611...
    expect(r.bestMean).toBeGreaterThanOrEqual(r.allMean);
    expect(r.allMean).toBeCloseTo(sum(r.scores.flat()) / 16, 6);
    r.chosen.forEach((c, p) => {
      expect(c.score).toBe(Math.max(...r.scores[p]));
      expect(c.ids.length).toBeGreaterThan(0);
    });
    const before = tf.memory().numTensors;
    await run(6);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});

const PAIRS: PreferencePair[] = [
  { prompt: 'review : the pizza', chosen: 'was great', rejected: 'was cold' },
  { prompt: 'review : the staff', chosen: 'were kind', rejected: 'were rude and slow' },
];

describe('DPO and IPO from preference pairs', () => {
  it('the rows follow the reward model encoding and the mask covers the response and its <eos>', () => {
    const rows = preferenceRows(tok, PAIRS, config.contextLength);
    const T = config.contextLength;
    const promptLength = tok.encode(PAIRS[0].prompt).length + 2,
      responseLength = tok.encode(PAIRS[0].chosen).length + 1;
    const maskRow = Array.from(rows.mask.subarray(0, T - 1));
    expect(sum(maskRow)).toBe(responseLength);
    expect(maskRow.indexOf(1)).toBe(promptLength - 1); // the column that predicts the first response token
    expect(rows.ids[promptLength - 1]).toBe(3); // <sep>
    expect(rows.ids[promptLength + responseLength - 1]).toBe(2); // <eos>
  });

  it('sequenceLogProbs equals the sum of log softmax picks computed one prefix at a time', async () => {
    const m = models();
    const T = config.contextLength,
      enc = preferenceRows(tok, PAIRS, T);
    const got = tf.tidy(() =>
      sequenceLogProbs(
        m.policy.weights(),
        m.policy,
        tf.tensor2d(enc.ids, [enc.rows, T], 'int32'),
        tf.tensor2d(enc.mask, [enc.rows, T - 1]),
      ),
    );
    const fast = Array.from(await got.data());
    got.dispose();
    for (let r = 0; r < enc.rows; r++) {
      let total = 0;
      for (let j = 1; j < T; j++) {
        if (!enc.mask[r * (T - 1) + j - 1]) continue;
        // The model reads only the prefix x_0..x_{j-1}; log softmax of its last logits, in plain JS.
        const prefix = Array.from(enc.ids.subarray(r * T, r * T + j));
        const t = tf.tidy(() =>
          lmLogits(m.policy.weights(), forward(m.policy.weights(), config, tf.tensor2d(prefix, [1, j], 'int32'))).slice(
            [j - 1, 0],
            [1, -1],
          ),
        );
        const z = Array.from(await t.data());
        t.dispose();
        const max = Math.max(...z),
          lse = max + Math.log(sum(z.map((v) => Math.exp(v - max))));
        total += z[enc.ids[r * T + j]] - lse;
      }
      expect(fast[r]).toBeCloseTo(total, 4);
    }
    m.dispose();
  });

  it('DPO at initialisation: loss ln 2, zero implicit rewards; then the loss falls and the reference is untouched', async () => {
    const m = models();
    const refBefore = await m.reference.read();
    const step = () =>
      preferenceStep(m.policy, m.reference, m.optimizer, tok, PAIRS, { beta: 0.1, learningRate: 5e-3, loss: 'dpo' });
    const first = await step();
    expect(first.loss).toBeCloseTo(Math.LN2, 6);
    expect(first['rewards/margins']).toBe(0);
    expect(first['rewards/chosen']).toBe(0);
    expect(first['rewards/accuracies']).toBe(0); // ties are not wins
    expect(first['logps/chosen']).toBeLessThan(0);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = await step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last.loss).toBeLessThan(first.loss);
    expect(last['rewards/margins']).toBeGreaterThan(0);
    expect(await m.reference.read()).toEqual(refBefore);
    m.dispose();
  });

  it("DPO with the reference's log-probs kept: the same steps, and no reference forward pass for pairs seen before", async () => {
    const settings = { beta: 0.1, learningRate: 5e-3, loss: 'dpo' as const };
    const plain = models();
    const cached = models();
    const cache = new ReferenceLogProbs();
    const kernels: number[] = [];
    const tensors: number[] = [];
    for (let i = 0; i < 3; i++) {
      tensors.push(tf.memory().numTensors);
      const a = await preferenceStep(plain.policy, plain.reference, plain.optimizer, tok, PAIRS, settings);
      let b: Awaited<ReturnType<typeof preferenceStep>> | undefined;
      const profile = await tf.profile(async () => {
        b = await preferenceStep(cached.policy, cached.reference, cached.optimizer, tok, PAIRS, settings, cache);
      });
      kernels.push(profile.kernels.length);
      expect(b).toEqual(a); // float32 values read back and reused: the same numbers exactly
    }
    expect(cache.size).toBe(2 * PAIRS.length);
    expect(tf.memory().numTensors).toBe(tensors[0]); // nothing leaks, with or without the cache
    // The first step ran the reference; the later ones did not, and cost the same as each other.
    expect(kernels[1]).toBeLessThan(kernels[0]);
    expect(kernels[2]).toBe(kernels[1]);
    expect(await cached.policy.read()).toEqual(await plain.policy.read());
    plain.dispose();
    cached.dispose();
  });

  it('IPO at initialisation: loss (1 / (2 beta))^2', async () => {
    const m = models();
    const r = await preferenceStep(m.policy, m.reference, m.optimizer, tok, PAIRS, {
      beta: 0.5,
      learningRate: 1e-3,
      loss: 'ipo',
    });
    expect(r.loss).toBeCloseTo(1, 6); // (1 / (2 * 0.5))^2 = 1
    m.dispose();
    const m2 = models(11);
    const r2 = await preferenceStep(m2.policy, m2.reference, m2.optimizer, tok, PAIRS, {
      beta: 0.25,
      learningRate: 1e-3,
      loss: 'ipo',
    });
    expect(r2.loss).toBeCloseTo(4, 5); // (1 / (2 * 0.25))^2 = 4
    expect(r2['rewards/margins']).toBe(0);
    m2.dispose();
  });
});
