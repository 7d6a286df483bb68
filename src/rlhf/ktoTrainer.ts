// KTO trained straight from answers marked good or bad (TRL's unpaired preference type: prompt,
// completion, label), no reward model and no sampling. Rows are dpoTrainer's: <bos> prompt <sep>
// completion <eos>, right-padded to the context length, each scored by its summed token log-probs.
// Beside the N examples go N mismatched rows, each prompt with the previous example's completion
// (TRL's KL dataset, shifted by one within the batch); the policy's KL from the reference on them is
// the reference point z0, computed before the step and held constant. One AdamW step and one read per
// call; keep the number of examples fixed from step to step so the shapes (N and 2N rows) stay the same.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad } from '../model/params';
import type { Tokenizer } from '../data/types';
import type { AdamW } from '../model/adamw';
import { flatConcat, flatSplit } from '../model/kernels/flatCopies';
import { completionRows, sequenceLogProbs, type PreferencePair } from './dpoTrainer';
import { KTO_WEIGHTS, ktoLoss, ktoMetrics, ktoReferencePoint, type KtoMetrics, type KtoWeights } from './kto';
import type { ReferenceLogProbs } from './referenceLogProbs';

/** One answer marked good (label true: thumbs up) or bad (false), TRL's unpaired preference example. */
export interface UnpairedExample {
  prompt: string;
  completion: string;
  label: boolean;
}

export interface KtoStepSettings {
  beta: number;
  learningRate: number;
  /** desirable_weight / undesirable_weight; TRL's 1.0 and 1.0 when left out. */
  weights?: KtoWeights;
}

/** The loss and TRL's KTOTrainer metrics of the batch, measured before the step; a group's metrics are absent when it has no example. */
export type KtoStepResult = { loss: number; kl: number; desirable: number; undesirable: number } & Partial<
  Record<Exclude<keyof KtoMetrics, 'kl'>, number>
>;

const METRIC_NAMES: (keyof KtoMetrics)[] = [
  'kl',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
];

/** Each pair as one desirable (its chosen answer) and one undesirable (its rejected answer) example (TRL's unpair_preference_dataset). */
export function unpairPreferences(pairs: PreferencePair[]): UnpairedExample[] {
  return pairs.flatMap((p) => [
    { prompt: p.prompt, completion: p.chosen, label: true },
    { prompt: p.prompt, completion: p.rejected, label: false },
  ]);
}

/** Example i's prompt with example i - 1's completion (the first takes the last's): TRL's KL rows. */
export function mismatchedItems(examples: UnpairedExample[]): { prompt: string; response: string }[] {
  const n = examples.length;
  return examples.map((e, i) => ({ prompt: e.prompt, response: examples[(i + n - 1) % n].completion }));
}

/**
 * One KTO step on a batch of unpaired examples (loss and metrics in kto.ts):
 *   loss = mean_i w_i (1 - sigmoid(beta s_i (r_i - z0))),  r_i = log pi(y_i | x_i) - log ref(y_i | x_i)   (Ethayarajh 2024)
 *   z0 = max(0, mean(log pi - log ref) over the mismatched rows), computed before the step (TRL KTOTrainer)
 */
export async function ktoStep(
  policy: GPT,
  reference: GPT,
  optimizer: AdamW,
  tokenizer: Tokenizer,
  examples: UnpairedExample[],
  settings: KtoStepSettings,
  referenceLogProbs?: ReferenceLogProbs,
): Promise<KtoStepResult> {
  if (examples.length === 0) throw new Error('a KTO step needs at least one example');
  const T = policy.config.contextLength,
    N = examples.length;
  const weights = settings.weights ?? KTO_WEIGHTS;
  // The rows in order: the N examples, then their N mismatched partners; a cache may hold their reference log-probs.
  const items = [...examples.map((e) => ({ prompt: e.prompt, response: e.completion })), ...mismatchedItems(examples)];
  const enc = completionRows(tokenizer, items, T);
  const labels = Float32Array.from(examples, (e) => (e.label ? 1 : 0));
  const saved = referenceLogProbs?.lookup(items) ?? null;
  const packed = tf.tidy(() => {
    const half = (from: number) => ({
      ids: tf.tensor2d(enc.ids.subarray(from * T, (from + N) * T), [N, T], 'int32'),
      mask: tf.tensor2d(enc.mask.subarray(from * (T - 1), (from + N) * (T - 1)), [N, T - 1]),
    });
    const own = half(0),
      mismatched = half(N);
    // The reference's log-probs are constants of the loss: computed here, outside the gradient (or taken from the cache).
    const ref = saved
      ? tf.tensor1d(saved)
      : sequenceLogProbs(
          reference.weights(),
          reference,
          tf.tensor2d(enc.ids, [2 * N, T], 'int32'),
          tf.tensor2d(enc.mask, [2 * N, T - 1]),
        );
    const [refOwn, refMismatched] = flatSplit(ref, [N, N]);
    // z0 from the policy before the step, outside the gradient: KTO holds it constant.
    const z0 = ktoReferencePoint(
      sequenceLogProbs(policy.weights(), policy, mismatched.ids, mismatched.mask),
      refMismatched,
    );
    const desirable = tf.tensor1d(labels);
    let metrics: tf.Tensor1D | null = null;
    const step = lossAndFlatGrad(policy.flat, policy.layout, (w) => {
      const p = { policy: sequenceLogProbs(w, policy, own.ids, own.mask), reference: refOwn, desirable };
      const loss = ktoLoss(p, z0, settings.beta, weights);
      const m = ktoMetrics(p, z0, settings.beta);
      metrics = tf.keep(flatConcat([loss, ...METRIC_NAMES.map((name) => m[name])]));
      return loss;
    });
    optimizer.update(policy.flat, step.grad, settings.learningRate);
    // One read: the metrics, then the reference's log-probs when they are new to the cache.
    if (!referenceLogProbs || saved) return metrics!;
    const both = flatConcat([metrics!, ref]);
    metrics!.dispose(); // kept by the gradient closure, now copied
    return both;
  });
  const v = await packed.data();
  packed.dispose();
  if (referenceLogProbs && !saved) referenceLogProbs.save(items, v.subarray(METRIC_NAMES.length + 1));
  return stepResult(v, labels);
}

/** The values read back as named metrics, leaving out those of a group (desirable or undesirable) the batch lacks. */
function stepResult(v: ArrayLike<number>, labels: Float32Array): KtoStepResult {
  const desirable = labels.reduce((a, l) => a + l, 0),
    undesirable = labels.length - desirable;
  const has: Record<keyof KtoMetrics, boolean> = {
    kl: true,
    'rewards/chosen': desirable > 0,
    'rewards/rejected': undesirable > 0,
    'rewards/margins': desirable > 0 && undesirable > 0,
    'logps/chosen': desirable > 0,
    'logps/rejected': undesirable > 0,
  };
  const out: KtoStepResult = { loss: v[0], kl: 0, desirable, undesirable };
  METRIC_NAMES.forEach((name, i) => {
    if (has[name]) out[name] = v[i + 1];
  });
  return out;
}
