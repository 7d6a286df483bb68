// How far a policy has moved and what it earns, without training it: a batch of its answers,
// their KL from the reference and their reward-model scores. DPO and IPO never sample while they
// train, so this is how their curves get the same KL and score axes as PPO's.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { rewardScores } from './rewardModel';
import { klPerToken } from './kl';
import { idsTensor, maskTensor, responseOutputs, rollout, scoredRows, type Rollout } from './rollout';

export interface PolicyMeasure {
  rollout: Rollout;
  /** Mean over answers of sum_t (log pi - log pi_ref): the k1 estimate of KL(pi || pi_ref) per answer. */
  kl: number;
  /** Mean normalised reward-model score. */
  score: number;
  responseLength: number;
}

/** KL = E[sum_t log pi(a_t) - log pi_ref(a_t)] over the policy's own samples (Monte Carlo, k1). */
export async function measurePolicy(
  policy: GPT,
  reference: GPT,
  reward: GPT,
  promptIds: number[][],
  N: number,
  temperature: number,
  normalization: { mean: number; std: number },
  seed: number,
): Promise<PolicyMeasure> {
  const r = await rollout(policy, promptIds, N, temperature, seed);
  const packed = tf.tidy(() => {
    const ids = idsTensor(r),
      mask = maskTensor(r);
    const logp = responseOutputs(policy.weights(), policy, ids, r.pads, r.Tp, r.N, temperature).logp;
    const ref = responseOutputs(reference.weights(), reference, ids, r.pads, r.Tp, r.N, temperature).logp;
    const kl = tf.mean(tf.sum(tf.mul(klPerToken(logp, ref, 'k1'), mask), 1));
    const raw = rewardScores(reward.weights(), reward, scoredRows(r, reward.config.contextLength));
    const score = tf.mean(tf.div(tf.sub(raw, normalization.mean), normalization.std));
    return tf.stack([kl, score, tf.mean(tf.sum(mask, 1))]);
  });
  const [kl, score, responseLength] = await packed.data();
  packed.dispose();
  return { rollout: r, kl, score, responseLength };
}
