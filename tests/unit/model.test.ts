// The model, on the CPU backend with tiny shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { forward, lmLogits, scalarHead } from '../../src/model/gpt';
import { crossEntropy } from '../../src/model/logprobs';
import { lossAndFlatGrad, makeLayout } from '../../src/model/params';
import { sample, teacherForcedLogProbs } from '../../src/model/sample';
import { leftPad } from '../../src/model/padding';
import type { GPTConfig } from '../../src/model/config';
import { EOS, PAD } from '../../src/data/types';

const config: GPTConfig = { vocabSize: 13, contextLength: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

async function logitsOf(model: GPT, rows: number[][]): Promise<number[][][]> {
  const out = tf.tidy(() => {
    const w = model.weights();
    const ids = tf.tensor2d(rows, undefined, 'int32');
    return lmLogits(w, forward(w, model.config, ids)).reshape([rows.length, rows[0].length, -1]);
  });
  const values = (await out.array()) as number[][][];
  out.dispose();
  return values;
}

describe('GPT forward pass', () => {
  it('is causal: changing token t+1 leaves the logits at positions <= t unchanged', async () => {
    const model = GPT.random(config, 3);
    const a = [1, 5, 6, 7, 8, 9, 10, 11];
    const b = [...a];
    b[4] = 12; // change position 4
    const [la, lb] = [(await logitsOf(model, [a]))[0], (await logitsOf(model, [b]))[0]];
    for (let t = 0; t < 4; t++) for (let v = 0; v < config.vocabSize; v++) expect(lb[t][v]).toBeCloseTo(la[t][v], 5);
    // ...and does change the logits from position 4 on (the test can fail).
    expect(Math.max(...la[4].map((x, v) => Math.abs(x - lb[4][v])))).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('ties the LM head to the token embedding: one tensor, logits = hidden . wte^T', async () => {
    const layout = makeLayout(config);
    expect(layout.entries.filter((e) => e.shape[0] === config.vocabSize).map((e) => e.name)).toEqual(['wte']);
    const model = GPT.random(config, 4);
    const ids = [1, 2, 3, 4];
    const [logits, hidden, wte] = await Promise.all(
      tf
        .tidy(() => {
          const w = model.weights();
          const h = forward(w, config, tf.tensor2d([ids], undefined, 'int32'));
          return [lmLogits(w, h), h, w.wte];
        })
        .map((t) => t.array() as Promise<number[][]>),
    );
    // Independent computation of hidden . wte^T in plain JavaScript.
    for (let t = 0; t < ids.length; t++) {
      for (let v = 0; v < config.vocabSize; v++) {
        const dot = hidden[t].reduce((s, h, j) => s + h * wte[v][j], 0);
        expect(logits[t][v]).toBeCloseTo(dot, 4);
      }
    }
    model.dispose();
  });

  it('has a scalar head: one number per position, hidden . w + b', async () => {
    const model = GPT.random(config, 10);
    const w = await model.read();
    w[model.layout.byName.get('head.b')!.offset] = 0.25; // a non-zero bias, so the test sees it
    model.assign(w);
    const [scores, hidden, hw] = await Promise.all(
      tf
        .tidy(() => {
          const weights = model.weights();
          const h = forward(
            weights,
            config,
            tf.tensor2d(
              [
                [1, 2, 3],
                [4, 5, 6],
              ],
              undefined,
              'int32',
            ),
          );
          return [scalarHead(weights, h), h, weights['head.w']];
        })
        .map((t) => t.array() as Promise<number[] | number[][]>),
    );
    expect(scores).toHaveLength(6);
    (hidden as number[][]).forEach((row, i) => {
      const expected = row.reduce((s, h, j) => s + h * (hw as number[][])[j][0], 0.25);
      expect((scores as number[])[i]).toBeCloseTo(expected, 4);
    });
    model.dispose();
  });

  it('has gradients that match finite differences for every weight matrix (both uses of wte included)', async () => {
    const model = GPT.random(config, 5);
    const rows = [
      [1, 5, 6, 7, 3, 8, 9, 2],
      [1, 9, 3, 10, 2, 0, 0, 0],
    ];
    const targets = [5, 6, 7, 3, 8, 9, 2, 0, 9, 3, 10, 2, 0, 0, 0, 0];
    const weights = targets.map((_, i) => (i < 7 || (i >= 8 && i < 12) ? 1 / 11 : 0));
    const lossOf = (w: ReturnType<GPT['weights']>) =>
      crossEntropy(
        lmLogits(w, forward(w, config, tf.tensor2d(rows, undefined, 'int32'))),
        tf.tensor1d(targets, 'int32'),
        tf.tensor1d(weights),
      );
    const grad = tf.tidy(() => lossAndFlatGrad(model.flat, model.layout, lossOf).grad);
    const analytic = (await grad.data()) as Float32Array;
    grad.dispose();
    const base = await model.read();
    const lossAt = async (values: Float32Array) => {
      model.assign(values);
      const l = tf.tidy(() => lossOf(model.weights()));
      const [v] = await l.data();
      l.dispose();
      return v;
    };
    const eps = 1e-3;
    for (const e of model.layout.entries.filter((x) => x.name !== 'head.w' && x.name !== 'head.b')) {
      for (const k of [0, Math.floor(e.size / 2), e.size - 1]) {
        const i = e.offset + k;
        const plus = base.slice();
        plus[i] += eps;
        const minus = base.slice();
        minus[i] -= eps;
        const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * eps);
        expect(
          Math.abs(analytic[i] - numeric),
          `${e.name}[${k}]: analytic ${analytic[i]} numeric ${numeric}`,
        ).toBeLessThan(1e-3 + 0.02 * Math.abs(numeric));
      }
    }
    // The scalar head does not touch the LM loss: its gradient is exactly zero.
    const head = model.layout.byName.get('head.w')!;
    expect(Array.from(analytic.subarray(head.offset, head.offset + head.size)).every((g) => g === 0)).toBe(true);
    model.dispose();
  });

  it('ignores left padding: a padded row gives the same next-token log-probs as the bare row', async () => {
    const model = GPT.random(config, 6);
    const rows = [
      [1, 5, 6, 7],
      [1, 8, 9, 10, 11, 3],
    ];
    const p = leftPad(rows);
    const lp = tf.tidy(() =>
      teacherForcedLogProbs(model.weights(), model, tf.tensor2d(p.ids, [p.B, p.T], 'int32'), p.leftPad, 1, 0),
    );
    const padded = (await lp.array()) as number[][];
    const bare = tf.tidy(() =>
      teacherForcedLogProbs(model.weights(), model, tf.tensor2d([rows[0]], undefined, 'int32'), [0], 1, 0),
    );
    const alone = ((await bare.array()) as number[][])[0];
    const offset = p.leftPad[0];
    alone.forEach((v, t) => expect(padded[0][offset + t]).toBeCloseTo(v, 5));
    tf.dispose([lp, bare]);
    model.dispose();
  });
});

describe('sampling', () => {
  it('returns the log-probs of the sampled tokens under the distribution they were drawn from (= teacher forcing)', async () => {
    const model = GPT.random(config, 7);
    const prompts = [
      [1, 5, 3],
      [1, 6, 7, 8, 3],
    ];
    for (const [temperature, topK] of [
      [1, 0],
      [0.7, 4],
    ]) {
      const r = await sample(model, prompts, { maxNewTokens: 3, temperature, topK, seed: 11 });
      const full = prompts.map((p, b) => [...p, ...r.tokens[b]]);
      const p = leftPad(full);
      const t = tf.tidy(() =>
        teacherForcedLogProbs(
          model.weights(),
          model,
          tf.tensor2d(p.ids, [p.B, p.T], 'int32'),
          p.leftPad,
          temperature,
          topK,
        ),
      );
      const forced = (await t.array()) as number[][];
      t.dispose();
      prompts.forEach((prompt, b) => {
        const start = p.leftPad[b] + prompt.length - 1; // the column that predicts the first new token
        r.logProbs[b].forEach((lp, i) => expect(forced[b][start + i]).toBeCloseTo(lp, 4));
      });
      if (topK > 0) r.logProbs.flat().forEach((lp) => expect(lp).toBeGreaterThan(-50)); // never a filtered token
    }
    model.dispose();
  });

  it("samples rows at their own temperatures in one batch: each log-prob is that row's teacher-forced one", async () => {
    const model = GPT.random(config, 7);
    const prompts = [
      [1, 5, 3],
      [1, 5, 3],
      [1, 6, 7, 8, 3],
    ];
    const temperatures = [0.5, 1.5, 0.8];
    const r = await sample(model, prompts, { maxNewTokens: 3, temperature: temperatures, topK: 0, seed: 5 });
    const full = prompts.map((p, b) => [...p, ...r.tokens[b]]);
    const p = leftPad(full);
    for (const [b, prompt] of prompts.entries()) {
      const t = tf.tidy(() =>
        teacherForcedLogProbs(
          model.weights(),
          model,
          tf.tensor2d(p.ids, [p.B, p.T], 'int32'),
          p.leftPad,
          temperatures[b],
          0,
        ),
      );
      const forced = (await t.array()) as number[][];
      t.dispose();
      const start = p.leftPad[b] + prompt.length - 1;
      r.logProbs[b].forEach((lp, i) => expect(forced[b][start + i]).toBeCloseTo(lp, 4));
    }
    await expect(sample(model, prompts, { maxNewTokens: 2, temperature: [1, 1], topK: 0, seed: 1 })).rejects.toThrow(
      /2 temperatures for 3 prompts/,
    );
    model.dispose();
  });

  it('draws the same tokens with and without the KV cache', async () => {
    const model = GPT.random(config, 8);
    const prompts = [
      [1, 5, 3],
      [1, 6, 7, 8, 3],
      [1, 3],
    ];
    const opts = { maxNewTokens: 3, temperature: 1, topK: 0, seed: 21 };
    const cached = await sample(model, prompts, opts);
    const recomputed = await sample(model, prompts, { ...opts, useCache: false });
    expect(cached.tokens).toEqual(recomputed.tokens);
    cached.logProbs.flat().forEach((lp, i) => expect(recomputed.logProbs.flat()[i]).toBeCloseTo(lp, 4));
    model.dispose();
  });

  it('stops a response at EOS and leaks no tensors', async () => {
    const model = GPT.random(config, 9);
    // Make EOS overwhelmingly likely: final LayerNorm outputs a fixed vector that points at EOS's embedding.
    const w = await model.read();
    const L = model.layout;
    const set = (name: string, index: number, value: number) => (w[L.byName.get(name)!.offset + index] = value);
    for (let j = 0; j < config.nEmbd; j++) {
      set('lnf.g', j, 0);
      set('lnf.b', j, j === 0 ? 10 : 0);
    }
    set('wte', EOS * config.nEmbd + 0, 10);
    model.assign(w);
    const before = tf.memory().numTensors;
    const r = await sample(
      model,
      [
        [1, 5, 3],
        [1, 6, 3],
      ],
      { maxNewTokens: 4, temperature: 1, topK: 0, seed: 1 },
    );
    expect(r.tokens).toEqual([[EOS], [EOS]]);
    expect(r.tokens.flat()).not.toContain(PAD);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
