// Best-of-n sampling (Stiennon et al. 2020; Nakano et al. 2021): no training at all. The policy
// answers each prompt n times, the reward model scores every answer, and the best one is kept.
// It is the baseline every RL method should beat at the same KL: its KL to the policy is known
// in closed form (bestOfNKl in kl.ts), so it gives one point on the reward-vs-KL frontier per n.
// Two reads: the rollout's and the scores.

import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/model';
import { answerRoom } from '../model/sample';
import { rewardScores } from './rewardModel';
import { bestOfNKl } from './kl';
import { rollout, scoredRows } from './rollout';

export interface BestOfNInputs {
  policy: GPT;
  reward: GPT;
  /** One entry per prompt (<bos> prompt <sep>); each is answered n times, so the batch is prompts * n. */
  promptIds: number[][];
  n: number;
  responseLength: number;
  temperature: number;
  /** r' = (r - mean) / std, as the RL methods normalise. */
  normalization: { mean: number; std: number };
  /** Subtracted from the score of an answer without <eos> (0 = none), as in ppo.ts. */
  missingEosPenalty: number;
  seed: number;
}

export interface BestOfNResult {
  n: number;
  /** Analytic KL(best-of-n || policy) = log n - (n - 1) / n, in nats. */
  kl: number;
  /** Mean over prompts of the best score (the engine's objective/scores). */
  bestMean: number;
  /** Mean score of all prompts * n samples (what plain sampling gets). */
  allMean: number;
  /** Per prompt: the chosen response's token ids (up to and including <eos>), its index in the group and its score. */
  chosen: { ids: number[]; index: number; score: number }[];
  /** Per prompt, the n scores. */
  scores: number[][];
}

/** Best-of-n: y* = argmax_{i <= n} r(x, y_i), y_i ~ pi(. | x)            (Stiennon et al. 2020) */
export async function bestOfN(inp: BestOfNInputs): Promise<BestOfNResult> {
  const { n } = inp;
  const kl = bestOfNKl(n); // validates n >= 1
  if (!Number.isInteger(n)) throw new Error(`best-of-n needs a whole number of samples, got ${n}`);
  const rows = inp.promptIds.flatMap((p) => Array.from({ length: n }, () => p));
  const r = await rollout(
    inp.policy,
    rows,
    answerRoom(inp.policy, rows, inp.responseLength),
    inp.temperature,
    inp.seed,
  );

  const scored = tf.tidy(() => {
    const raw = rewardScores(inp.reward.weights(), inp.reward, scoredRows(r, inp.reward.config.contextLength));
    const noEos = tf.tensor1d(r.hasEos.map((e) => (e ? 0 : 1)));
    return tf.sub(
      tf.div(tf.sub(raw, inp.normalization.mean), inp.normalization.std),
      tf.mul(noEos, inp.missingEosPenalty),
    );
  });
  const flat = Array.from(await scored.data());
  scored.dispose();

  const scores = inp.promptIds.map((_, p) => flat.slice(p * n, (p + 1) * n));
  const chosen = scores.map((group, p) => {
    const index = group.indexOf(Math.max(...group)); // the first of any ties
    return { ids: r.responses[p * n + index], index, score: group[index] };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { n, kl, bestMean: mean(chosen.map((c) => c.score)), allMean: mean(flat), chosen, scores };
}
