// Optimizer, schedule, the LM training loop and checkpoints, on the CPU backend with tiny shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../src/model/adamw';
import { learningRate } from '../../src/model/schedule';
import { LMTrainer, TRAIN_DEFAULTS } from '../../src/engine/lmTrainer';
import { GPT } from '../../src/model/model';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint';
import { configFor } from '../../src/model/config';
import { buildWordTokenizer } from '../../src/data/tokenizer';
import { encodeExample, makeBatch } from '../../src/data/sequences';
import { BOS, EOS, PAD, SEP, type Example } from '../../src/data/types';

// A tiny corpus with an obvious pattern: the response repeats the prompt's colour.
const colours = ['red', 'blue', 'green', 'pink', 'grey'];
const corpus: Example[] = Array.from({ length: 60 }, (_, i) => ({
  prompt: `the sky is ${colours[i % 5]}`,
  response: `yes it is ${colours[i % 5]} .`,
}));
const tokenizer = buildWordTokenizer(corpus.flatMap((e) => [e.prompt, e.response]));

describe('AdamW', () => {
  it('matches a scalar re-implementation over two steps, with decay on masked weights only', async () => {
    const p0 = [1, -2, 0.5],
      mask = [1, 0, 1];
    const grads = [
      [0.1, 0.2, -0.3],
      [0.3, -0.1, 0.2],
    ];
    const s = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, gradClip: 0 };
    const params = tf.variable(tf.tensor1d(p0));
    const opt = new AdamW(3, new Float32Array(mask), { ...s });
    for (const g of grads) tf.dispose(opt.update(params, tf.tensor1d(g), 0.01));
    // By hand (first step): m_hat = g and v_hat = g^2, so the Adam term is sign(g):
    // p1 = p0 - 0.01 * (sign(g) + 0.1 * mask * p0) = [0.989, -2.01, 0.5095].
    const expected = p0.slice(),
      m = [0, 0, 0],
      v = [0, 0, 0];
    grads.forEach((g, step) => {
      for (let i = 0; i < 3; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
        const mh = m[i] / (1 - 0.9 ** (step + 1)),
          vh = v[i] / (1 - 0.95 ** (step + 1));
        expected[i] -= 0.01 * (mh / (Math.sqrt(vh) + 1e-8) + 0.1 * mask[i] * expected[i]);
      }
      if (step === 0) expect(expected.map((x) => +x.toFixed(6))).toEqual([0.989, -2.01, 0.5095]);
    });
    Array.from(await params.data()).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    opt.dispose();
    params.dispose();
  });

  it("scales each weight's step by its rate multiplier (0 freezes it)", async () => {
    const params = tf.variable(tf.tensor1d([1, 1, 1]));
    const settings = { beta1: 0.9, beta2: 0.95, epsilon: 0, weightDecay: 0, gradClip: 0 };
    const opt = new AdamW(3, new Float32Array(3), settings, new Float32Array([1, 0.1, 0]));
    tf.dispose(opt.update(params, tf.tensor1d([0.5, 0.5, 0.5]), 0.01));
    // First step: the Adam term is sign(g) = 1, so the steps are 0.01 x [1, 0.1, 0].
    Array.from(await params.data()).forEach((x, i) => expect(x).toBeCloseTo([0.99, 0.999, 1][i], 6));
    opt.dispose();
    params.dispose();
  });

  it('clips the gradient to the global norm and reports the norm before clipping', async () => {
    const params = tf.variable(tf.tensor1d([0, 0]));
    const opt = new AdamW(2, new Float32Array([0, 0]), { beta1: 0, beta2: 0, epsilon: 0, weightDecay: 0, gradClip: 1 });
    const norm = opt.update(params, tf.tensor1d([3, 4]), 1);
    expect((await norm.data())[0]).toBeCloseTo(5, 5);
    // With beta1 = beta2 = 0 the step is g / |g| elementwise whatever the scale, so check the moments' input:
    // the clipped gradient [0.6, 0.8] gives exactly the same direction: p = -[1, 1].
    Array.from(await params.data()).forEach((x) => expect(x).toBeCloseTo(-1, 5));
    tf.dispose([norm, params]);
    opt.dispose();
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, then follows a cosine down to a tenth of the peak', () => {
    expect(learningRate(0, 1, 10, 110)).toBeCloseTo(0.1);
    expect(learningRate(9, 1, 10, 110)).toBeCloseTo(1);
    expect(learningRate(10, 1, 10, 110)).toBeCloseTo(1);
    expect(learningRate(60, 1, 10, 110)).toBeCloseTo(0.55); // halfway: 0.1 + 0.9 * 0.5
    expect(learningRate(110, 1, 10, 110)).toBeCloseTo(0.1);
    expect(learningRate(500, 1, 10, 110)).toBeCloseTo(0.1);
  });
});

describe('sequences', () => {
  it('lays out <bos> prompt <sep> response <eos> and counts only the response for fine-tuning', () => {
    const ex = { prompt: 'the sky is red', response: 'yes' };
    const T = 10;
    const all = encodeExample(tokenizer, ex, T, 'all');
    const resp = encodeExample(tokenizer, ex, T, 'response');
    const ids = tokenizer.encode('the sky is red');
    expect(all.tokens).toEqual([BOS, ...ids, SEP, tokenizer.encode('yes')[0], EOS, PAD, PAD, PAD]);
    // targets are tokens[1..]: 4 prompt words, SEP, 'yes', EOS are real; the rest padding.
    expect(all.counted).toEqual([true, true, true, true, true, true, true, false, false, false]);
    expect(resp.counted).toEqual([false, false, false, false, false, true, true, false, false, false]);
    const batch = makeBatch([all, resp], T);
    expect(batch.countedTokens).toBe(9);
    expect(batch.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe('LM training', () => {
  it('lowers the loss on a tiny corpus and keeps the tensor count flat (step 2 vs step 100)', async () => {
    const model = GPT.random(configFor('tiny', tokenizer.vocabSize), 1);
    const settings = { ...TRAIN_DEFAULTS.pretrain, learningRate: 1e-2, batchSize: 8, warmupSteps: 5, totalSteps: 100 };
    const trainer = new LMTrainer(model, tokenizer, corpus, corpus.slice(0, 10), 'all', settings, 1);
    const first = await trainer.heldOutLoss();
    let tensorsAtStep2 = 0,
      bytesAtStep2 = 0;
    for (let i = 1; i <= 100; i++) {
      await trainer.trainStep();
      if (i === 2) ({ numTensors: tensorsAtStep2, numBytes: bytesAtStep2 } = tf.memory());
    }
    expect(tf.memory().numTensors).toBe(tensorsAtStep2);
    expect(tf.memory().numBytes).toBe(bytesAtStep2);
    const last = await trainer.heldOutLoss();
    expect(first).toBeGreaterThan(Math.log(tokenizer.vocabSize) - 0.5); // about uniform at init
    expect(last).toBeLessThan(first * 0.5);
    trainer.dispose();
    model.dispose();
  });
});

describe('checkpoints', () => {
  const config = configFor('tiny', tokenizer.vocabSize);
  const weights = GPT.randomWeights(config, 2);
  const file = encodeCheckpoint({
    config,
    tokenizer: tokenizer.spec,
    weights,
    meta: { scenario: 'test', stage: 'pretrain', step: 3, createdAt: 'now' },
  });

  it('round-trips weights, config, tokenizer and notes exactly', () => {
    const back = decodeCheckpoint(file);
    expect(back.config).toEqual(config);
    expect(back.tokenizer).toEqual(tokenizer.spec);
    expect(back.meta.step).toBe(3);
    expect(Array.from(back.weights)).toEqual(Array.from(weights));
  });

  it('refuses corrupt and foreign files with a message that says why', () => {
    const flipped = file.slice();
    flipped[flipped.length - 5] ^= 0xff;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum/);
    expect(() => decodeCheckpoint(file.slice(0, file.length - 8))).toThrow(/should hold/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"hello": "world"}'))).toThrow(/signature/);
    expect(() => decodeCheckpoint(new Uint8Array(0))).toThrow(/signature/);
    const badHeader = file.slice();
    badHeader[12] = 0x5d; // corrupt the JSON
    expect(() => decodeCheckpoint(badHeader)).toThrow(/not valid JSON/);
    const textLength = new DataView(file.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(12, 12 + textLength)));
    const rewrite = (h: object) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const start = Math.ceil((12 + json.length) / 4) * 4;
      const out = new Uint8Array(start + weights.byteLength);
      out.set(file.subarray(0, 8));
      new DataView(out.buffer).setUint32(8, json.length, true);
      out.set(json, 12);
      out.set(new Uint8Array(weights.buffer), start);
      return out;
    };
    expect(decodeCheckpoint(rewrite(header)).weights.length).toBe(weights.length); // the rewrite itself is valid
    expect(() => decodeCheckpoint(rewrite({ ...header, config: { ...config, nHead: 3 } }))).toThrow(/divisible/);
    expect(() => decodeCheckpoint(rewrite({ ...header, config: { ...config, nLayer: 2 } }))).toThrow(/declares/);
    expect(() => decodeCheckpoint(rewrite({ ...header, tokenizer: { kind: 'word', vocab: ['a'] } }))).toThrow(
      /tokenizer/,
    );
    expect(() => decodeCheckpoint(rewrite({ ...header, version: 9 }))).toThrow(/version 9/);
  });
});
