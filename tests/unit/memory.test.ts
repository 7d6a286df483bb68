// Nothing the engine builds and throws away keeps memory: a model, an optimiser, and the RL stage
// rebuilt by a reset or a method switch leave tf.memory() where it was (a variable holds on to its
// initial value's buffer, so an initial tensor left undisposed is one parameter-sized leak each time).
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GPT } from '../../src/model/model';
import { AdamW } from '../../src/model/adamw';
import { decayMask } from '../../src/model/params';
import { RewardTrainer, SCORE_ROWS } from '../../src/engine/rewardTrainer';
import { REWARD_DEFAULTS } from '../../src/engine/protocol';
import { loadScenario } from '../../src/data/scenarios';
import { configFor } from '../../src/model/config';
import { disposePlaygrounds, start } from './harness';

afterEach(disposePlaygrounds);

const memory = () => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes });

describe('memory', () => {
  it('a model and its optimiser, disposed, leave no tensor or byte behind', () => {
    const before = memory();
    const model = GPT.random({ vocabSize: 13, contextLength: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 3);
    const opt = new AdamW(model.paramCount, decayMask(model.layout));
    // While alive: the weights, AdamW's two moments and its decay mask, each one parameter vector.
    expect(memory().bytes - before.bytes).toBe(4 * 4 * model.paramCount);
    opt.dispose();
    model.dispose();
    expect(memory()).toEqual(before);
  });

  it('RL resets and method switches leave the tensors and bytes where they were', async () => {
    const { send } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    await send({ type: 'autoLabel', labelerId: 'positive', count: 4 });
    await send({ type: 'setRlSettings', settings: { batchSize: 4, responseLength: 4, epochs: 1, minibatches: 1 } });
    const after: ReturnType<typeof memory>[] = [];
    for (const algorithm of ['ppo', 'reinforce', 'ppo', 'reinforce'] as const) {
      await send({ type: 'setRlSettings', settings: { algorithm } });
      await send({ type: 'rlStep' });
      await send({ type: 'rlReset' });
      after.push(memory());
    }
    // The first round may warm caches; every later one ends where the one before it did.
    expect(after.slice(2)).toEqual([after[1], after[1]]);
  }, 120_000);

  it("scoring many comparisons peaks at one chunk's memory, not the whole dataset's", async () => {
    const data = loadScenario('reviews', 1);
    const model = GPT.random(configFor('tiny', data.tokenizer.vocabSize), 1);
    const trainer = new RewardTrainer(model, data.tokenizer, [], { ...REWARD_DEFAULTS }, 1);
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ prompt: data.prompts[i % data.prompts.length], response: 'good fun' }));
    const rows = SCORE_ROWS; // one chunk
    const peak = async (n: number) => {
      const info = await tf.profile(() => trainer.scoresOnDevice(items(n)));
      tf.dispose(info.result as tf.Tensor);
      return info.peakBytes;
    };
    const [one, ten] = [await peak(rows), await peak(10 * rows)];
    console.log(`[memory] scoring peak: ${rows} rows ${one} bytes, ${10 * rows} rows ${ten} bytes`);
    // Ten chunks need ten chunks' scores (4 bytes each) more, and nothing else of the nine extra chunks.
    expect(ten - one).toBeLessThanOrEqual(4 * 9 * rows + 4 * 10 * rows);
    trainer.dispose();
    model.dispose();
  });
});
