// The steps PPO (ppo.ts) and the group methods (groupMethods.ts) share, in the order an iteration
// runs them: the policy answers the prompts and the policy and the frozen reference read the
// answers back (step 1), the reward model scores them (step 2), and the frame of the update
// (the last step): epochs over seeded, shuffled minibatches, each gathered from the batch and
// trained inside its own tf.tidy. Each method brings only its own advantages and loss.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { answerRoom } from '../model/sample';
import { mulberry32 } from '../data/random';
import { rewardScores } from './rewardModel';
import { idsTensor, maskTensor, responseOutputs, rollout, scoredRows, type Rollout } from './rollout';

/** Step 1: the policy answers every prompt row once at `temperature` (one read); answers are cut to fit the context. */
export function answerPrompts(
  policy: GPT,
  promptRows: number[][],
  responseLength: number,
  temperature: number,
  seed: number,
): Promise<Rollout> {
  return rollout(policy, promptRows, answerRoom(policy, promptRows, responseLength), temperature, seed);
}

/** The rollouts as tensors, and what the policy and the reference said about them at sampling time. */
export interface SampledRollouts {
  /** Prompt + response token ids, [B, Tp + N]. */
  ids: tf.Tensor2D;
  /** 1 on the response tokens that count (up to and including <eos>), [B, N]. */
  mask: tf.Tensor2D;
  /** log pi_old(a_t) under the policy, [B, N]. */
  oldLogp: tf.Tensor2D;
  /** Entropy of the policy's next-token distribution, [B, N]. */
  entropy: tf.Tensor2D;
  /** The policy's own scalar head, [B, N] (PPO's value estimate when there is no separate value model). */
  headValues: tf.Tensor2D;
  /** log pi_ref(a_t) under the frozen reference, [B, N]. */
  refLogp: tf.Tensor2D;
  /** Log-probabilities over the vocabulary, [B * N, V], under the policy and the reference (for the top-token tables). */
  oldAll: tf.Tensor2D;
  refAll: tf.Tensor2D;
}

/** One forward pass of the policy and one of the reference over the rollouts, before any update. */
export function sampledOutputs(policy: GPT, reference: GPT, r: Rollout, temperature: number): SampledRollouts {
  return tf.tidy(() => {
    const ids = idsTensor(r),
      mask = maskTensor(r);
    const old = responseOutputs(policy.weights(), policy, ids, r.pads, r.Tp, r.N, temperature);
    const ref = responseOutputs(reference.weights(), reference, ids, r.pads, r.Tp, r.N, temperature);
    return {
      ids,
      mask,
      oldLogp: old.logp,
      entropy: old.entropy,
      headValues: old.values,
      refLogp: ref.logp,
      oldAll: old.logpAll,
      refAll: ref.logpAll,
    };
  });
}

/**
 * Step 2, the reward model's score of each answer, [B]:
 *   s = (r - mean) / std - missingEosPenalty * [no <eos>]        (normalised as in TRL's PPOTrainer)
 */
export function normalisedScores(
  reward: GPT,
  r: Rollout,
  normalization: { mean: number; std: number },
  missingEosPenalty: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const raw = rewardScores(reward.weights(), reward, scoredRows(r, reward.config.contextLength));
    const noEos = tf.tensor1d(r.hasEos.map((e) => (e ? 0 : 1)));
    return tf.sub(
      tf.div(tf.sub(raw, normalization.mean), normalization.std),
      tf.mul(noEos, missingEosPenalty),
    ) as tf.Tensor1D;
  });
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The same rows of every tensor in a record, one gather each: a minibatch of the batch. */
export function gatherRows<T extends { [K in keyof T]: tf.Tensor }>(batch: T, idx: tf.Tensor1D): T {
  return Object.fromEntries(
    Object.entries(batch).map(([name, t]) => [name, tf.gather(t as tf.Tensor, idx)]),
  ) as unknown as T;
}

export interface EpochPlan {
  /** What is shuffled: rollouts (PPO, groupSize 1) or whole groups of groupSize rows (the group methods). */
  groups: number;
  groupSize: number;
  minibatches: number;
  epochs: number;
  /** The iteration's seed; the shuffles draw from mulberry32(seed ^ 0x9e3779b9). */
  seed: number;
  /** Left-pad count of every row of the batch. */
  pads: number[];
}

/** The rows of one minibatch. */
export interface MinibatchRows {
  /** Row indices into the batch, [mb]. */
  idx: tf.Tensor1D;
  /** Their left-pad counts. */
  pads: number[];
  /** The last minibatch of the last epoch: the one whose tokens the scatter plot shows. */
  isLast: boolean;
}

/** What one minibatch's step keeps: its packed metrics and, on the last minibatch, its scatter stack. */
export interface MinibatchKept {
  metrics: tf.Tensor1D;
  scatter: tf.Tensor | null;
}

/** What the whole update keeps for the read at the end. */
export interface UpdateKept {
  /** One packed metrics vector per minibatch. */
  perMinibatch: tf.Tensor1D[];
  /** The last minibatch's scatter stack [4, mb, N]. */
  lastScatter: tf.Tensor | null;
}

/** The update's frame: each epoch shuffles the groups afresh and cuts them into minibatches; `step` runs in its own tf.tidy. */
export function minibatchEpochs(plan: EpochPlan, step: (rows: MinibatchRows) => MinibatchKept): UpdateKept {
  const rand = mulberry32(plan.seed ^ 0x9e3779b9);
  const k = plan.groupSize,
    groupsPerMinibatch = plan.groups / plan.minibatches;
  const update: UpdateKept = { perMinibatch: [], lastScatter: null };
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    const order = shuffled(plan.groups, rand);
    for (let m = 0; m < plan.minibatches; m++) {
      const rows = order
        .slice(m * groupsPerMinibatch, (m + 1) * groupsPerMinibatch)
        .flatMap((g) => Array.from({ length: k }, (_, j) => g * k + j));
      const isLast = epoch === plan.epochs - 1 && m === plan.minibatches - 1;
      const kept = tf.tidy(() => {
        const { metrics, scatter } = step({
          idx: tf.tensor1d(rows, 'int32'),
          pads: rows.map((i) => plan.pads[i]),
          isLast,
        });
        return scatter ? { metrics, scatter } : { metrics };
      });
      update.perMinibatch.push(kept.metrics);
      if (kept.scatter) update.lastScatter = kept.scatter;
    }
  }
  return update;
}
