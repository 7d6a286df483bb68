// How ILQL answers: the base policy's next-token log-probs, shifted by beta times each token's
// advantage under the learned heads, Q^(s, a) - V(s) (the target heads' Q, as trlx's generate reads
// them), then the temperature. With beta = 0 that is exactly the base policy's distribution. Decoding
// runs the whole fixed-size context for every token (no KV cache: the heads need each step's hidden
// state), with sample.ts's Gumbel draws, and reads back once. measureIlql then gives the answers' KL
// from the reference and their score, the same measures DPO and KTO take on fresh samples.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { forward, lmLogits, maskedAttend } from '../model/gpt';
import { logSoftmax, pickLogProbs } from '../model/logprobs';
import { drawsOf, gumbelNoise, type SampleResult } from '../model/sample';
import { leftPad, paddedMask, paddedPositions } from '../model/padding';
import { EOS, PAD } from '../data/types';
import { mulberry32 } from '../data/random';
import type { IlqlHeads } from './ilqlHeads';
import { klPerToken } from './kl';
import { rewardScores } from './rewardModel';
import { idsTensor, layout, maskTensor, responseOutputs, scoredRows } from './rollout';
import type { PolicyMeasure } from './measurePolicy';

/** log pi(a | s) = log softmax((log softmax(z)_a + beta (Q^(s, a) - V(s))) / temperature)   (Snell 2022, sec. 3.3; trlx generate) */
export function perturbedLogProbs(
  logits: tf.Tensor2D,
  targetQ: tf.Tensor2D,
  v: tf.Tensor1D,
  beta: number,
  temperature: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const advantage = tf.sub(targetQ, v.reshape([-1, 1]));
    return logSoftmax(tf.div(tf.add(logSoftmax(logits), tf.mul(advantage, beta)), temperature) as tf.Tensor2D);
  });
}

/** The hidden state [B, C] of column `col` of a [B * T, C] block. */
function column(hidden: tf.Tensor2D, B: number, T: number, col: number): tf.Tensor2D {
  return hidden.reshape([B, T, -1]).slice([0, col, 0], [B, 1, -1]).reshape([B, -1]) as tf.Tensor2D;
}

/** Answers to left-padded prompts drawn from perturbedLogProbs, N tokens at most; tokens and their log-probs, one read. */
export async function ilqlSample(
  policy: GPT,
  heads: IlqlHeads,
  prompts: number[][],
  N: number,
  temperature: number,
  beta: number,
  seed: number,
): Promise<SampleResult> {
  const c = policy.config,
    pad = leftPad(prompts);
  const B = pad.B,
    Tp = pad.T,
    total = Tp + N,
    V = c.vocabSize;
  if (total > c.contextLength)
    throw new Error(`prompt (${Tp}) + new tokens (${N}) exceed the context of ${c.contextLength}`);
  const rand = mulberry32(seed);
  const start = new Int32Array(B * total);
  for (let b = 0; b < B; b++) start.set(pad.ids.subarray(b * Tp, (b + 1) * Tp), b * total);
  const fixed = tf.tidy(() => ({
    w: policy.weights(),
    wh: heads.weights(),
    positions: paddedPositions(pad.leftPad, 0, total),
    mask: paddedMask(pad.leftPad, 0, total, total),
  }));
  const attend = maskedAttend(c, fixed.mask);
  let ids = tf.tensor2d(start, [B, total], 'int32');
  let done = tf.zeros([B], 'bool');
  const picked: tf.Tensor[] = [];
  for (let col = Tp; col < total; col++) {
    const noise = gumbelNoise(rand, B * V);
    const next = tf.tidy(() => {
      const h = column(forward(fixed.w, c, ids, fixed.positions, attend), B, total, col - 1);
      const logp = perturbedLogProbs(
        lmLogits(fixed.w, h),
        heads.targetQ(h),
        heads.value(fixed.wh, h),
        beta,
        temperature,
      );
      const drawn = tf.argMax(tf.add(logp, tf.tensor2d(noise, [B, V])), -1) as tf.Tensor1D;
      // Once a row has produced EOS it is finished: further tokens are PAD with log-prob 0.
      const token = tf.where(done, tf.fill([B], PAD, 'int32'), drawn.toInt()) as tf.Tensor1D;
      const logProb = tf.where(done, tf.zeros([B]), pickLogProbs(logp, drawn));
      const nextIds = tf.add(ids, tf.mul(tf.oneHot([col], total, 1, 0, 'int32'), token.reshape([B, 1])));
      return { token: token.toFloat(), logProb, done: tf.logicalOr(done, tf.equal(token, EOS)), ids: nextIds };
    });
    tf.dispose([ids, done]);
    ids = next.ids as tf.Tensor2D;
    done = next.done;
    picked.push(next.token, next.logProb);
  }
  const both = tf.tidy(() => tf.stack(picked).reshape([N, 2, B]));
  const data = await both.data();
  tf.dispose([
    both,
    ids,
    done,
    ...picked,
    ...Object.values(fixed.w),
    ...Object.values(fixed.wh),
    fixed.positions,
    fixed.mask,
  ]);
  return drawsOf(data, 2, B, N);
}

/** ILQL's answers to the prompts: KL = mean over answers of sum_t (log pi_ILQL - log pi_ref) (k1), and their mean normalised score. */
export async function measureIlql(
  models: { policy: GPT; heads: IlqlHeads; reference: GPT; reward: GPT },
  promptIds: number[][],
  N: number,
  temperature: number,
  beta: number,
  normalization: { mean: number; std: number },
  seed: number,
): Promise<PolicyMeasure> {
  const drawn = await ilqlSample(models.policy, models.heads, promptIds, N, temperature, beta, seed);
  const padded = leftPad(promptIds);
  const r = layout(promptIds, drawn.tokens, padded.leftPad, padded.T, N);
  const own = new Float32Array(promptIds.length * N);
  drawn.logProbs.forEach((row, b) => own.set(row, b * N));
  const packed = tf.tidy(() => {
    const ids = idsTensor(r),
      mask = maskTensor(r);
    const ref = responseOutputs(models.reference.weights(), models.reference, ids, r.pads, r.Tp, r.N, temperature).logp;
    const kl = tf.mean(tf.sum(tf.mul(klPerToken(tf.tensor2d(own, [r.pads.length, N]), ref, 'k1'), mask), 1));
    const raw = rewardScores(models.reward.weights(), models.reward, scoredRows(r, models.reward.config.contextLength));
    const score = tf.mean(tf.div(tf.sub(raw, normalization.mean), normalization.std));
    return tf.stack([kl, score, tf.mean(tf.sum(mask, 1))]);
  });
  const [kl, score, responseLength] = await packed.data();
  packed.dispose();
  return { rollout: r, kl, score, responseLength };
}
