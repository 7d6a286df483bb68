// PPO's losses (Schulman et al. 2017) as RLHF uses them (TRL's PPOTrainer): the clipped policy
// surrogate, the clipped value loss, an optional entropy bonus, and the metrics practitioners
// watch (approximate KL, clip fractions, the probability ratio).
// Old log-probs, old values, advantages and returns are computed before the update, outside
// the gradient closure (tfjs has no stop-gradient); only logp, values and entropy carry gradients.

import * as tf from '@tensorflow/tfjs';
import { maskedMean, maskedVar } from './whiten';
import { fusedKernelsActive } from '../model/kernels/program';
import { fusedPpoLoss } from '../model/kernels/ppoLoss';

/**
 * The clipped surrogate per token, before averaging:
 *   ratio = exp(logp - oldLogp)
 *   loss_t = max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps))          (Schulman 2017, eq. 7)
 *   clipped_t = 1 where the clipped branch is the larger (it gives no gradient), else 0.
 * advantages may be [B, T] or [B, 1] (one advantage per sequence, as in GRPO).
 */
export function clippedSurrogate(
  logp: tf.Tensor2D,
  oldLogp: tf.Tensor2D,
  advantages: tf.Tensor2D,
  eps: number,
): { ratio: tf.Tensor2D; loss: tf.Tensor2D; clipped: tf.Tensor2D } {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logp, oldLogp)) as tf.Tensor2D;
    const negA = tf.neg(advantages);
    const unclipped = tf.mul(negA, ratio);
    const clippedLoss = tf.mul(negA, tf.clipByValue(ratio, 1 - eps, 1 + eps));
    return {
      ratio,
      loss: tf.maximum(unclipped, clippedLoss) as tf.Tensor2D,
      clipped: tf.greater(clippedLoss, unclipped).toFloat() as tf.Tensor2D,
    };
  });
}

/** Per-token ratio and 0/1 clipped indicator [B, T] for colouring tokens in the UI (not masked). */
export function tokenClipInfo(
  logp: tf.Tensor2D,
  oldLogp: tf.Tensor2D,
  advantages: tf.Tensor2D,
  eps: number,
): { ratio: tf.Tensor2D; clipped: tf.Tensor2D } {
  return tf.tidy(() => {
    const { ratio, clipped } = clippedSurrogate(logp, oldLogp, advantages, eps);
    return { ratio, clipped };
  });
}

export interface PpoLossInputs {
  /** log pi(a_t) under the policy being trained, [B, T] (carries the gradient). */
  logp: tf.Tensor2D;
  /** log pi_old(a_t) when the rollouts were sampled, [B, T]. */
  oldLogp: tf.Tensor2D;
  advantages: tf.Tensor2D;
  /** The value head now, [B, T] (carries the gradient). */
  values: tf.Tensor2D;
  /** The value head when the rollouts were sampled, [B, T]. */
  oldValues: tf.Tensor2D;
  /** Value targets (advantages + old values, see gae.ts), [B, T]. */
  returns: tf.Tensor2D;
  mask: tf.Tensor2D;
  /** Per-token entropy of the policy, [B, T]; only needed when entCoef > 0. */
  entropy?: tf.Tensor2D;
}

export interface PpoLossOptions {
  /** eps of the policy clip (TRL cliprange, 0.2). */
  clipEps: number;
  /** eps of the value clip (TRL cliprange_value, 0.2). */
  clipEpsValue: number;
  /** Weight of the value loss (TRL vf_coef, 0.1). */
  vfCoef: number;
  /** Weight of the entropy bonus (0 = none). */
  entCoef: number;
}

/** Scalars; the TRL metric each one matches is named in its comment. */
export interface PpoLossOutput {
  /** pgLoss + vfCoef * vfLoss - entCoef * entropy: the number to minimise. */
  loss: tf.Scalar;
  /** loss/policy_avg */
  pgLoss: tf.Scalar;
  /** loss/value_avg */
  vfLoss: tf.Scalar;
  /** policy/entropy_avg (0 when no entropy was given) */
  entropy: tf.Scalar;
  /** policy/approxkl_avg: 0.5 * masked mean of (logp - oldLogp)^2 */
  approxKl: tf.Scalar;
  /** policy/clipfrac_avg: share of valid tokens where the policy clip is active */
  clipFrac: tf.Scalar;
  /** val/clipfrac_avg: share of valid tokens where the value clip is active */
  vfClipFrac: tf.Scalar;
  /** val/ratio: masked mean of the ratio */
  ratioMean: tf.Scalar;
  /** val/ratio_var: masked variance of the ratio over tokens (population, / n) */
  ratioVar: tf.Scalar;
}

/**
 * PPO's loss over valid tokens (every mean is a masked mean over all B*T entries, as in TRL):
 *   pgLoss = mean(max(-A r, -A clip(r, 1-eps, 1+eps)))                          (Schulman 2017)
 *   vClip  = V_old + clip(V - V_old, -epsV, epsV)
 *   vfLoss = 0.5 * mean(max((V - R)^2, (vClip - R)^2))                          (TRL PPOTrainer)
 *   loss   = pgLoss + vfCoef * vfLoss - entCoef * mean(entropy)
 * Inside tf.variableGrads the returned metrics are freed with the closure: tf.keep() them to read later.
 */
export function ppoLoss(inp: PpoLossInputs, opts: PpoLossOptions): PpoLossOutput {
  // On WebGPU the same loss and metrics run as one fused dispatch each way (model/kernels/ppoLoss.ts).
  if (fusedKernelsActive() && inp.advantages.size === inp.logp.size) return tf.tidy(() => fusedPpoLoss(inp, opts));
  return tf.tidy(() => {
    const { mask } = inp;
    const surrogate = clippedSurrogate(inp.logp, inp.oldLogp, inp.advantages, opts.clipEps);
    const pgLoss = maskedMean(surrogate.loss, mask) as tf.Scalar;
    const clipFrac = maskedMean(surrogate.clipped, mask) as tf.Scalar;

    const vClipped = tf.add(
      inp.oldValues,
      tf.clipByValue(tf.sub(inp.values, inp.oldValues), -opts.clipEpsValue, opts.clipEpsValue),
    );
    const vfLoss1 = tf.square(tf.sub(inp.values, inp.returns));
    const vfLoss2 = tf.square(tf.sub(vClipped, inp.returns));
    const vfLoss = tf.mul(maskedMean(tf.maximum(vfLoss1, vfLoss2), mask), 0.5) as tf.Scalar;
    const vfClipFrac = maskedMean(tf.greater(vfLoss2, vfLoss1).toFloat(), mask) as tf.Scalar;

    const entropy = (inp.entropy ? maskedMean(inp.entropy, mask) : tf.scalar(0)) as tf.Scalar;
    let loss = tf.add(pgLoss, tf.mul(vfLoss, opts.vfCoef));
    if (opts.entCoef !== 0) loss = tf.sub(loss, tf.mul(entropy, opts.entCoef));

    const approxKl = tf.mul(maskedMean(tf.square(tf.sub(inp.logp, inp.oldLogp)), mask), 0.5) as tf.Scalar;
    const ratioMean = maskedMean(surrogate.ratio, mask) as tf.Scalar;
    const ratioVar = maskedVar(surrogate.ratio, mask, false);
    return { loss: loss as tf.Scalar, pgLoss, vfLoss, entropy, approxKl, clipFrac, vfClipFrac, ratioMean, ratioVar };
  });
}
