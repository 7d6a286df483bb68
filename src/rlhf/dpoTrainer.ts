// DPO and IPO trained straight from preference pairs: no reward model, no sampling. Each pair
// becomes two rows, <bos> prompt <sep> chosen <eos> and <bos> prompt <sep> rejected <eos>
// (the reward model's encoding, right-padded to the context length); the sequence log-prob of a
// response is the sum of its tokens' log-probs (<eos> included) at temperature 1, under the policy
// (with gradient) and under the frozen reference (computed outside the gradient closure).
// One AdamW step and one read per call. Keep the number of pairs fixed from step to step: the
// shapes then stay the same and the GPU's buffers are reused.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { lossAndFlatGrad, type Weights } from '../model/params';
import { teacherForcedLogProbs } from '../model/sample';
import type { Tokenizer } from '../data/types';
import type { AdamW } from '../model/adamw';
import { encodeCompletions } from './rewardModel';
import { dpoLoss, ipoLoss, preferenceMetrics, type PairLogps, type PreferenceMetrics } from './dpo';
import { flatConcat, flatSplit } from '../model/kernels/flatCopies';
import type { ReferenceLogProbs } from './referenceLogProbs';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
}

export interface PreferenceStepSettings {
  beta: number;
  learningRate: number;
  loss: 'dpo' | 'ipo';
}

/** The loss and TRL's DPOTrainer metrics of the batch, measured before the step. */
export type PreferenceStepResult = { loss: number } & { [K in keyof PreferenceMetrics]: number };

const METRIC_NAMES: (keyof PreferenceMetrics)[] = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
];

export interface PreferenceRows {
  /** [R, T] token ids (for pairs, R = 2P: the P chosen rows, then the P rejected rows). */
  ids: Int32Array;
  /** [R, T - 1]: 1 where the target (the next token) is a response token or its <eos>. */
  mask: Float32Array;
  rows: number;
  T: number;
}

/** The pairs as rows (encodeCompletions' layout) and the response mask over next-token targets. */
export function preferenceRows(tok: Tokenizer, pairs: PreferencePair[], T: number): PreferenceRows {
  return completionRows(tok, pairItems(pairs), T);
}

/** The pairs' responses in row order: the chosen ones, then the rejected ones. */
function pairItems(pairs: PreferencePair[]): { prompt: string; response: string }[] {
  return [
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.chosen })),
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.rejected })),
  ];
}

/** Any (prompt, response) items as rows, one each in order, with the response mask (KTO's rows too). */
export function completionRows(
  tok: Tokenizer,
  items: { prompt: string; response: string }[],
  T: number,
): PreferenceRows {
  const enc = encodeCompletions(tok, items, T);
  const mask = new Float32Array(enc.rows * (T - 1));
  items.forEach((item, r) => {
    // Tokens promptLength .. readAt are the response and its <eos> (fewer when the row was cut at T);
    // token j is the target of column j - 1.
    const promptLength = tok.encode(item.prompt).length + 2; // <bos> prompt <sep>
    for (let j = promptLength; j <= enc.readAt[r]; j++) mask[r * (T - 1) + j - 1] = 1;
  });
  return { ids: enc.ids, mask, rows: enc.rows, T };
}

/**
 * log pi(y | x) = sum_t m_t log softmax(z_t)[x_{t+1}]  over the response tokens (temperature 1)
 * (the sequence log-likelihood DPO compares; Rafailov et al. 2023, eq. 7). rows [R, T] right-padded
 * (no left padding, so positions and the causal mask are the plain ones), mask [R, T - 1]. Returns [R].
 */
export function sequenceLogProbs(w: Weights, model: GPT, rows: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const perToken = teacherForcedLogProbs(w, model, rows, new Array(rows.shape[0]).fill(0), 1, 0);
    return tf.sum(tf.mul(perToken, mask), 1) as tf.Tensor1D;
  });
}

/**
 * One DPO or IPO step on a batch of pairs (losses in dpo.ts):
 *   DPO  mean(-log sigmoid(beta h)),  IPO  mean((h - 1/(2 beta))^2),
 *   h = (log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l))        (Rafailov 2023; Azar 2023)
 * Both use summed sequence log-probs here (TRL averages them per token for IPO).
 */
export async function preferenceStep(
  policy: GPT,
  reference: GPT,
  optimizer: AdamW,
  tokenizer: Tokenizer,
  pairs: PreferencePair[],
  settings: PreferenceStepSettings,
  referenceLogProbs?: ReferenceLogProbs,
): Promise<PreferenceStepResult> {
  if (pairs.length === 0) throw new Error('a preference step needs at least one pair');
  if (settings.loss !== 'dpo' && settings.loss !== 'ipo')
    throw new Error(`the loss must be dpo or ipo (got ${String(settings.loss)})`);
  const T = policy.config.contextLength,
    P = pairs.length;
  // The rows' responses in order (chosen, then rejected), whose reference log-probs a cache may hold.
  const items = pairItems(pairs);
  const enc = completionRows(tokenizer, items, T);
  const saved = referenceLogProbs?.lookup(items) ?? null;
  const packed = tf.tidy(() => {
    const ids = tf.tensor2d(enc.ids, [enc.rows, T], 'int32');
    const mask = tf.tensor2d(enc.mask, [enc.rows, T - 1]);
    // The reference's log-probs are constants of the loss: computed here, outside the gradient
    // (or, for pairs seen before, taken from the cache).
    const ref = saved ? tf.tensor1d(saved) : sequenceLogProbs(reference.weights(), reference, ids, mask);
    const [refChosen, refRejected] = flatSplit(ref, [P, P]);
    let metrics: tf.Tensor1D | null = null;
    const step = lossAndFlatGrad(policy.flat, policy.layout, (w) => {
      const [policyChosen, policyRejected] = flatSplit(sequenceLogProbs(w, policy, ids, mask), [P, P]);
      const p: PairLogps = { policyChosen, policyRejected, refChosen, refRejected };
      const loss = settings.loss === 'dpo' ? dpoLoss(p, settings.beta) : ipoLoss(p, settings.beta);
      const m = preferenceMetrics(p, settings.beta);
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
  const out = { loss: v[0] } as PreferenceStepResult;
  METRIC_NAMES.forEach((name, i) => (out[name] = v[i + 1]));
  return out;
}
