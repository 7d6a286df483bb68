// The training loop of the first two stages: next-token prediction.
// Pretraining counts every token of the corpus; supervised fine-tuning counts only the response
// tokens of the demonstrations. Each step is one fixed-shape batch, one AdamW update, and one
// read from the GPU (the loss and the gradient norm together).

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { forward, lmLogits } from '../model/gpt';
import { crossEntropy } from '../model/logprobs';
import { decayMask, lossAndFlatGrad, type Weights } from '../model/params';
import { AdamW } from '../model/adamw';
import { learningRate } from '../model/schedule';
import {
  encodeExample,
  makeBatch,
  splitHeldOut,
  type Batch,
  type EncodedExample,
  type LossOn,
} from '../data/sequences';
import { mulberry32 } from '../data/random';
import { withOwnDemonstrations } from '../data/demonstrations';
import type { Example, ScenarioData, Tokenizer } from '../data/types';
import type { TrainSettings } from './protocol';

/** Rows of the fixed batches a loss is measured on (the held-out loss, the loss on a person's demonstrations). */
const HELD_OUT_ROWS = 64;

/** Re-exported from the settings registry, the one home of every default. */
export { TRAIN_DEFAULTS } from './settingsRegistry';

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  tokens: number; // tokens that counted in the loss
  ms: number;
}

/** Cross-entropy of a batch under the model (a scalar on the GPU). Call inside a tidy or a gradient closure. */
export function batchLoss(model: GPT, batch: Batch, w: Weights = model.weights()): tf.Scalar {
  const ids = tf.tensor2d(batch.inputs, [batch.B, batch.T], 'int32');
  const logits = lmLogits(w, forward(w, model.config, ids));
  return crossEntropy(logits, tf.tensor1d(batch.targets, 'int32'), tf.tensor1d(batch.weights));
}

/**
 * The trainer of a stage on a scenario: pretraining counts every token of the corpus, fine-tuning
 * only the responses of the demonstrations; a fixed tenth of the examples is held out.
 */
export function stageTrainer(
  model: GPT,
  data: ScenarioData,
  stage: 'pretrain' | 'sft',
  settings: TrainSettings,
  seed: number,
): LMTrainer {
  const { train, heldOut } = stage === 'pretrain' ? splitHeldOut(data.pretrain, 0.1, 1234) : sftExamples(data, []);
  return new LMTrainer(
    model,
    data.tokenizer,
    train,
    heldOut,
    stage === 'pretrain' ? 'all' : 'response',
    settings,
    seed,
  );
}

/**
 * The fine-tuning examples: a fixed tenth of the scenario's demonstrations held out, the rest to train on with the
 * person's own demonstrations added (repeated so that about a quarter of the rows drawn are theirs).
 */
export function sftExamples(data: ScenarioData, own: Example[]): { train: Example[]; heldOut: Example[] } {
  const { train, heldOut } = splitHeldOut(data.demonstrations, 0.1, 1234);
  return { train: withOwnDemonstrations(train, own), heldOut };
}

export class LMTrainer {
  step = 0;
  private optimizer: AdamW;
  private rand: () => number;
  private train: EncodedExample[];
  private heldOut: Batch;

  constructor(
    readonly model: GPT,
    private tokenizer: Tokenizer,
    trainExamples: Example[],
    heldOutExamples: Example[],
    readonly lossOn: LossOn,
    public settings: TrainSettings,
    seed: number,
  ) {
    this.train = this.encode(trainExamples);
    // The held-out batch is fixed (the first 64 held-out examples), so its loss is comparable across steps.
    this.heldOut = this.fixedBatch(heldOutExamples);
    this.optimizer = new AdamW(model.paramCount, decayMask(model.layout));
    this.rand = mulberry32(seed);
  }

  private encode(examples: Example[]): EncodedExample[] {
    const encoded = examples.map((ex) =>
      encodeExample(this.tokenizer, ex, this.model.config.contextLength, this.lossOn),
    );
    if (encoded.length === 0) throw new Error('there are no training examples');
    return encoded;
  }

  /** One batch of the first HELD_OUT_ROWS examples, for a loss that is comparable from step to step. */
  fixedBatch(examples: Example[]): Batch {
    return makeBatch(this.encode(examples.slice(0, HELD_OUT_ROWS)), this.model.config.contextLength);
  }

  /** Trains on these examples from now on (the held-out batch stays as it was); the optimiser's state is kept. */
  useExamples(examples: Example[]): void {
    this.train = this.encode(examples);
  }

  private nextBatch(): Batch {
    const rows: EncodedExample[] = [];
    for (let i = 0; i < this.settings.batchSize; i++)
      rows.push(this.train[Math.floor(this.rand() * this.train.length)]);
    return makeBatch(rows, this.model.config.contextLength);
  }

  /** One optimisation step. */
  async trainStep(): Promise<StepResult> {
    const started = performance.now();
    const batch = this.nextBatch();
    const lr = learningRate(this.step, this.settings.learningRate, this.settings.warmupSteps, this.settings.totalSteps);
    this.optimizer.settings.weightDecay = this.settings.weightDecay;
    this.optimizer.settings.gradClip = this.settings.gradClip;
    const stats = tf.tidy(() => {
      const { value, grad } = lossAndFlatGrad(this.model.flat, this.model.layout, (w) =>
        batchLoss(this.model, batch, w),
      );
      const gradNorm = this.optimizer.update(this.model.flat, grad, lr);
      return tf.stack([value, gradNorm]);
    });
    const [loss, gradNorm] = await stats.data(); // the one GPU read of the step
    stats.dispose();
    this.step += 1;
    return {
      step: this.step,
      loss,
      gradNorm,
      learningRate: lr,
      tokens: batch.countedTokens,
      ms: performance.now() - started,
    };
  }

  /** Loss on the fixed held-out batch (no gradient). */
  heldOutLoss(): Promise<number> {
    return this.meanLoss(this.heldOut);
  }

  /** Mean cross-entropy per counted token of a batch (no gradient; one read); NaN when no token counts. */
  async meanLoss(batch: Batch): Promise<number> {
    if (batch.countedTokens === 0) return NaN;
    const loss = tf.tidy(() => batchLoss(this.model, batch));
    const [value] = await loss.data();
    loss.dispose();
    return value;
  }

  /** Forget optimizer state and restart the schedule (after the weights were replaced). */
  restart(): void {
    this.step = 0;
    this.optimizer.reset();
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
