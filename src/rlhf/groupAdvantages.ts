// Advantages without a value head: each sequence's score compared with a baseline built from
// other samples. RLOO and GRPO draw k completions per prompt and compare within the group;
// REINFORCE compares with a running average.
//
// Layout: scores [N], N = P * k, grouped by prompt:
//   [prompt0 sample0 .. sample(k-1), prompt1 sample0 .. sample(k-1), ...]
// (TRL's GRPOTrainer groups rows the same way; older versions of its RLOOTrainer ordered them
// sample-major, all prompts' sample 0 first: reorder before calling if you copy that layout.)

import * as tf from '@tensorflow/tfjs';

function grouped(scores: tf.Tensor1D, k: number): tf.Tensor2D {
  const n = scores.shape[0];
  if (!(k >= 2) || n % k !== 0) throw new Error(`need k >= 2 samples per prompt dividing ${n}, got k = ${k}`);
  return scores.reshape([n / k, k]);
}

/**
 * RLOO, leave-one-out baseline (Ahmadian et al. 2024; Kool et al. 2019):
 *   A_i = s_i - (sum_group s - s_i) / (k - 1)
 * Within a group the advantages sum to zero.
 */
export function rlooAdvantages(scores: tf.Tensor1D, k: number): tf.Tensor1D {
  return tf.tidy(() => {
    const g = grouped(scores, k);
    const othersMean = tf.div(tf.sub(tf.sum(g, 1, true), g), k - 1);
    return tf.sub(g, othersMean).reshape([-1]);
  }) as tf.Tensor1D;
}

/**
 * GRPO's group-normalised advantage (Shao et al. 2024, DeepSeekMath, section 4.1.2):
 *   A_i = (s_i - mean_group) / (std_group + 1e-4)
 * std is the sample standard deviation (divides by k - 1, as torch.std in TRL). A group whose
 * samples all score the same gets zero advantage.
 */
export function grpoAdvantages(scores: tf.Tensor1D, k: number): tf.Tensor1D {
  return tf.tidy(() => {
    const g = grouped(scores, k);
    const centred = tf.sub(g, tf.mean(g, 1, true));
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 1, true), k - 1));
    return tf.div(centred, tf.add(std, 1e-4)).reshape([-1]);
  }) as tf.Tensor1D;
}

/** REINFORCE with a baseline (Williams 1992): A_i = s_i - b, b a plain number (see updateBaseline). */
export function reinforceAdvantages(scores: tf.Tensor1D, baseline: number): tf.Tensor1D {
  return tf.tidy(() => tf.sub(scores, baseline)) as tf.Tensor1D;
}

/** The running baseline, an exponential moving average: b <- decay * b + (1 - decay) * mean(scores). */
export function updateBaseline(baseline: number, batchMeanScore: number, decay: number): number {
  return decay * baseline + (1 - decay) * batchMeanScore;
}
