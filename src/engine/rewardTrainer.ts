// Training the reward model on preference pairs. Each step scores a fixed-size minibatch of
// pairs (chosen and rejected rows in one forward pass), applies the Bradley-Terry loss, takes one
// AdamW step, and reads back loss and accuracy together (one GPU read).

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { decayMask, lossAndFlatGrad, type Weights } from '../model/params';
import { AdamW } from '../model/adamw';
import { encodeCompletions, rewardScores, type ScoredRows } from '../rlhf/rewardModel';
import { pairAccuracy, rewardModelLoss, type RewardLossOptions } from '../rlhf/rewardLoss';
import { mulberry32 } from '../data/random';
import type { Tokenizer } from '../data/types';
import type { RewardSettings } from './protocol';

/**
 * One training pair: target 1 = chosen preferred, 0.5 = a tie; weight 1/C(K,2) for ranking pairs.
 * From ratings (data/ratings.ts) also: a margin of its own, or one rated answer learnt pointwise.
 */
export interface RewardPair {
  prompt: string;
  chosen: string;
  rejected: string;
  target: number;
  weight: number;
  margin?: number;
  pointwise?: boolean;
}

/** What one training step needs of the user's reward settings (protocol.ts has the full set). */
export type RewardStepSettings = Pick<RewardSettings, 'learningRate' | 'batchSize' | 'margin' | 'centering'>;

/** Re-exported from the settings registry, the one home of every default. */
export { REWARD_DEFAULTS } from './settingsRegistry';

/** A fixed-shape batch of pairs: 2B rows (chosen rows first), targets and weights; the rating terms if any pair has them. */
interface PairBatch {
  rows: ScoredRows;
  targets: Float32Array;
  weights: Float32Array;
  ratings: { margins: Float32Array; pointwise: Float32Array } | null;
}

function makePairBatch(tok: Tokenizer, pairs: RewardPair[], T: number): PairBatch {
  const items = [
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.chosen })),
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.rejected })),
  ];
  return {
    rows: encodeCompletions(tok, items, T),
    targets: Float32Array.from(pairs, (p) => p.target),
    weights: Float32Array.from(pairs, (p) => p.weight),
    ratings: pairs.some((p) => p.margin || p.pointwise)
      ? {
          margins: Float32Array.from(pairs, (p) => p.margin ?? 0),
          pointwise: Float32Array.from(pairs, (p) => (p.pointwise ? 1 : 0)),
        }
      : null,
  };
}

/** Loss and accuracy of a batch (scalars on the GPU). */
function batchLossAndAccuracy(w: Weights, model: GPT, batch: PairBatch, opts: RewardLossOptions) {
  const scores = rewardScores(w, model, batch.rows);
  const B = batch.targets.length;
  const [chosen, rejected] = [scores.slice(0, B), scores.slice(B, B)];
  const targets = tf.tensor1d(batch.targets);
  const ratings = batch.ratings && {
    margins: tf.tensor1d(batch.ratings.margins),
    pointwise: tf.tensor1d(batch.ratings.pointwise),
  };
  return {
    loss: rewardModelLoss(chosen, rejected, targets, tf.tensor1d(batch.weights), opts, ratings ?? undefined),
    accuracy: () => pairAccuracy(chosen, rejected, targets, ratings?.pointwise),
  };
}

/**
 * Rows scored per forward pass. Scoring takes no gradient, so a chunk can be wider than a training
 * batch: 64 rows of the small model hold a few MB of activations, and a label with 200 comparisons
 * saved runs 8 chunks where 16-row chunks ran 29 (each chunk is the same dispatches, whatever its rows).
 */
export const SCORE_ROWS = 64;

/** Splits items into chunks of exactly `size`, padding the last one with `pad(first item)`. */
function fixedChunks<T>(items: T[], size: number, pad: (first: T) => T): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    while (chunk.length < size) chunk.push(pad(chunk[0]));
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * The learning rate of the pretrained body relative to the new scalar head's. At the full rate a
 * few dozen labels overwrite what the fine-tuned model knows (measured with the score read at <eos>,
 * reviews, "Positive", seeds 2-3: gold agreement after 30 labels 0.73-0.74 at 1, 0.79-0.83 at 0.1,
 * 0.62-0.64 with the body frozen).
 */
export const BODY_RATE_SCALE = 0.1;

/** Per-weight learning-rate multipliers: 1 for the scalar head, BODY_RATE_SCALE for the rest. */
function rateScale(model: GPT): Float32Array {
  const scale = new Float32Array(model.paramCount).fill(BODY_RATE_SCALE);
  for (const e of model.layout.entries) if (e.name.startsWith('head.')) scale.fill(1, e.offset, e.offset + e.size);
  return scale;
}

export class RewardTrainer {
  step = 0;
  private optimizer: AdamW;
  private rand: () => number;

  constructor(
    readonly model: GPT,
    private tokenizer: Tokenizer,
    public pairs: RewardPair[],
    public settings: RewardStepSettings,
    seed: number,
  ) {
    this.optimizer = new AdamW(model.paramCount, decayMask(model.layout), undefined, rateScale(model));
    this.rand = mulberry32(seed);
  }

  /** One step on a random minibatch of the training pairs; returns its loss and accuracy. */
  async trainStep(): Promise<{ loss: number; accuracy: number }> {
    if (this.pairs.length === 0) throw new Error('there are no labelled pairs to train the reward model on yet');
    const picked = Array.from(
      { length: this.settings.batchSize },
      () => this.pairs[Math.floor(this.rand() * this.pairs.length)],
    );
    const batch = makePairBatch(this.tokenizer, picked, this.model.config.contextLength);
    const stats = tf.tidy(() => {
      let accuracy: tf.Scalar | null = null;
      const { value, grad } = lossAndFlatGrad(this.model.flat, this.model.layout, (w) => {
        const r = batchLossAndAccuracy(w, this.model, batch, this.settings);
        accuracy = tf.keep(r.accuracy());
        return r.loss;
      });
      this.optimizer.update(this.model.flat, grad, this.settings.learningRate);
      const both = tf.stack([value, accuracy!]);
      tf.dispose(accuracy!);
      return both;
    });
    const [loss, accuracy] = await stats.data();
    stats.dispose();
    this.step += 1;
    return { loss, accuracy };
  }

  /**
   * Loss and accuracy over a set of pairs, in batches of the training shape (the last one padded
   * with weight-0 pairs, so GPU buffers keep their sizes), read back with one await data().
   */
  async evaluate(pairs: RewardPair[]): Promise<{ loss: number; accuracy: number }> {
    if (pairs.length === 0) return { loss: NaN, accuracy: NaN };
    const chunks = fixedChunks(pairs, this.settings.batchSize, (p) => ({ ...p, weight: 0, target: 0.5 }));
    const out = this.chunkwise(chunks, tf.stack, (w, chunk) => {
      const batch = makePairBatch(this.tokenizer, chunk, this.model.config.contextLength);
      const r = batchLossAndAccuracy(w, this.model, batch, { ...this.settings, centering: 0 });
      return tf.stack([r.loss, r.accuracy()]);
    });
    const values = await out.data();
    out.dispose();
    let lossSum = 0,
      weightSum = 0,
      right = 0,
      decided = 0;
    chunks.forEach((chunk, i) => {
      const w = chunk.reduce((s, p) => s + p.weight, 0);
      const d = chunk.filter((p) => p.target === 1 && !p.pointwise).length;
      lossSum += values[2 * i] * w;
      weightSum += w;
      right += values[2 * i + 1] * d;
      decided += d;
    });
    return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: decided > 0 ? right / decided : NaN };
  }

  /**
   * Raw rewards of completions on the device, in fixed chunks of SCORE_ROWS rows (padded: the first
   * items.length count). One shape for every call, so the buffer pool holds one set of its buffers.
   */
  scoresOnDevice(items: { prompt: string; response: string }[]): tf.Tensor1D {
    const chunks = fixedChunks(items, SCORE_ROWS, (item) => item);
    return this.chunkwise(chunks, tf.concat, (w, chunk) =>
      rewardScores(w, this.model, encodeCompletions(this.tokenizer, chunk, this.model.config.contextLength)),
    ) as tf.Tensor1D;
  }

  /**
   * `perChunk` on each chunk, joined: each chunk's activations are freed before the next one runs,
   * so the peak memory is one chunk's whatever the number of chunks (only the small results stay).
   */
  private chunkwise<T>(
    chunks: T[][],
    join: (parts: tf.Tensor[]) => tf.Tensor,
    perChunk: (w: Weights, chunk: T[]) => tf.Tensor,
  ): tf.Tensor {
    const w = tf.tidy(() => this.model.weights());
    try {
      const parts = chunks.map((chunk) => tf.tidy(() => perChunk(w, chunk)));
      const joined = join(parts);
      tf.dispose(parts);
      return joined;
    } finally {
      tf.dispose(Object.values(w));
    }
  }

  /** Raw rewards of completions, read back once. */
  async score(items: { prompt: string; response: string }[]): Promise<number[]> {
    if (items.length === 0) return [];
    const out = this.scoresOnDevice(items);
    const values = Array.from(await out.data()).slice(0, items.length);
    out.dispose();
    return values;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * The shift and scale that give a set of reference completions (the fine-tuned model's) mean 0 and
 * standard deviation 1:  r' = (r - mean) / std.
 */
export function rewardNormalization(rawScores: number[]): { mean: number; std: number } {
  const n = rawScores.length;
  if (n === 0) return { mean: 0, std: 1 };
  const mean = rawScores.reduce((a, b) => a + b, 0) / n;
  const variance = rawScores.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance) || 1 };
}
