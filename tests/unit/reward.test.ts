// The reward model's loss (hand-computed values) and a tiny reward model that learns a preference.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { pairAccuracy, rewardModelLoss } from '../../src/rlhf/rewardLoss';
import { RewardTrainer, rewardNormalization, type RewardPair } from '../../src/engine/rewardTrainer';
import { GPT } from '../../src/model/model';
import { configFor } from '../../src/model/config';
import { loadScenario } from '../../src/data/scenarios';
import { BUILT_IN_LABELERS, chooseBetween, labelerGold } from '../../src/data/labelers';
import { mulberry32 } from '../../src/data/random';
import { encodeCompletions, rewardScores } from '../../src/rlhf/rewardModel';
import { forward, scalarHead } from '../../src/model/gpt';

async function loss(rc: number[], rr: number[], t: number[], w: number[], margin = 0, centering = 0): Promise<number> {
  const v = tf.tidy(() =>
    rewardModelLoss(tf.tensor1d(rc), tf.tensor1d(rr), tf.tensor1d(t), tf.tensor1d(w), { margin, centering }),
  );
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
    const a = Math.log(1 + Math.exp(-1.5)),
      b = Math.log(1 + Math.exp(1));
    expect(await loss([2, 0], [0.5, 1], [1, 1], [1, 3])).toBeCloseTo((a + 3 * b) / 4, 6);
    // centring: + c * mean((r_c + r_r)^2) = 0.1 * 2.5^2
    expect(await loss([2], [0.5], [1], [1], 0, 0.1)).toBeCloseTo(a + 0.625, 6);
  });

  it('counts accuracy on clear preferences only', async () => {
    const acc = tf.tidy(() =>
      pairAccuracy(tf.tensor1d([1, 0, 3, 2]), tf.tensor1d([0, 1, 2, 5]), tf.tensor1d([1, 1, 0.5, 1])),
    );
    expect((await acc.data())[0]).toBeCloseTo(1 / 3, 6);
    acc.dispose();
  });

  it('normalises rewards to mean 0 and standard deviation 1', () => {
    const { mean, std } = rewardNormalization([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(1.25), 10);
  });
});

describe('reward scores', () => {
  it('are the mean of the scalar head over the response tokens and <eos>, computed apart from the prompt', async () => {
    const data = loadScenario('reviews', 1);
    const model = GPT.random(configFor('tiny', data.tokenizer.vocabSize), 4);
    const items = [
      { prompt: 'the pizza', response: 'great food .' },
      { prompt: 'the pizza is', response: '' },
    ];
    const rows = encodeCompletions(data.tokenizer, items, 12);
    // <bos> the pizza <sep> great food . <eos>: the response starts at column 4 and <eos> is at 7; an empty answer is its <eos> alone
    expect(Array.from(rows.from)).toEqual([4, 5]);
    expect(Array.from(rows.readAt)).toEqual([7, 5]);
    const scores = rewardScores(model.weights(), model, rows);
    const perToken = scalarHead(
      model.weights(),
      forward(model.weights(), model.config, tf.tensor2d(rows.ids, [2, 12], 'int32')),
    );
    const head = Array.from(await perToken.data());
    const byHand = [(head[4] + head[5] + head[6] + head[7]) / 4, head[12 + 5]];
    Array.from(await scores.data()).forEach((x, i) => expect(x).toBeCloseTo(byHand[i], 5));
    tf.dispose([scores, perToken]);
    model.dispose();
  });
});

describe('a tiny reward model', () => {
  it("learns a simulated labeler's taste: held-out accuracy against the gold score well above chance, no tensor leak", async () => {
    const data = loadScenario('reviews', 1);
    const labeler = BUILT_IN_LABELERS.reviews.find((l) => l.id === 'positive')!;
    const byPrompt = new Map<string, string[]>();
    for (const e of data.pretrain) byPrompt.set(e.prompt, [...(byPrompt.get(e.prompt) ?? []), e.response]);
    const prompts = [...byPrompt.keys()];
    const rand = mulberry32(3);
    // Two different completions of one prompt, labelled by the (noisy) simulated labeler.
    const draw = () => {
      const prompt = prompts[Math.floor(rand() * prompts.length)];
      const options = byPrompt.get(prompt)!;
      const a = options[Math.floor(rand() * options.length)],
        b = options[Math.floor(rand() * options.length)];
      return { prompt, a, b };
    };
    const train: RewardPair[] = Array.from({ length: 300 }, () => {
      const { prompt, a, b } = draw();
      const c = chooseBetween(labeler, 'reviews', prompt, a, b, rand);
      return { prompt, chosen: c.prefersA ? a : b, rejected: c.prefersA ? b : a, target: 1, weight: 1 };
    });
    // Held out: ordered by the gold score itself (clear gold differences only), never seen in training.
    const heldOut: RewardPair[] = [];
    while (heldOut.length < 60) {
      const { prompt, a, b } = draw();
      const [ga, gb] = [labelerGold(labeler, 'reviews', prompt, a), labelerGold(labeler, 'reviews', prompt, b)];
      if (Math.abs(ga - gb) > 0.2)
        heldOut.push({ prompt, chosen: ga > gb ? a : b, rejected: ga > gb ? b : a, target: 1, weight: 1 });
    }
    const model = GPT.random(configFor('tiny', data.tokenizer.vocabSize), 1);
    const trainer = new RewardTrainer(
      model,
      data.tokenizer,
      train,
      { learningRate: 5e-3, batchSize: 8, margin: 0, centering: 0.01 },
      1,
    );
    const before = await trainer.evaluate(heldOut);
    let tensors = 0;
    for (let i = 1; i <= 150; i++) {
      await trainer.trainStep();
      if (i === 2) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await trainer.evaluate(heldOut);
    console.log(
      `reward model vs gold, held-out: loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, accuracy ` +
        `${before.accuracy.toFixed(2)} -> ${after.accuracy.toFixed(2)}`,
    );
    expect(before.loss).toBeCloseTo(Math.log(2), 1); // a fresh head scores everything about the same
    expect(after.accuracy).toBeGreaterThan(0.8);
    expect(after.loss).toBeLessThan(before.loss);
    trainer.dispose();
    model.dispose();
  });
});
