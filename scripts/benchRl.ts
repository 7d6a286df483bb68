// The RL part of one backend's benchmark: a PPO iteration of the default config split into its
// phases (rollout, scoring, update), and a DPO step. Called by benchBackend.ts in its own process.

import * as tf from '@tensorflow/tfjs';
import { GPT } from '../src/model/model';
import type { GPTConfig } from '../src/model/config';
import { decayMask } from '../src/model/params';
import type { ScenarioData } from '../src/data/types';
import { encodePrompt } from '../src/data/sequences';
import { AdamW } from '../src/model/adamw';
import { RL_DEFAULTS } from '../src/engine/rlTrainer';
import { ppoIteration } from '../src/rlhf/ppo';
import { idsTensor, responseOutputs, rollout, scoredRows } from '../src/rlhf/rollout';
import { rewardScores } from '../src/rlhf/rewardModel';
import { preferenceStep } from '../src/rlhf/dpoTrainer';
import { ReferenceLogProbs } from '../src/rlhf/referenceLogProbs';

export interface PhaseReport {
  ms: number;
  kernels: number;
  /** WebGPU shader dispatches (null off WebGPU). */
  programs: number | null;
  reads: number;
}

/** What benchBackend.ts's instrument() counts on the backend. */
export interface BackendCounts {
  reads: number;
  programs: number;
}
export interface RlBenchReport {
  batchSize: number;
  responseLength: number;
  rollout: PhaseReport;
  scoring: PhaseReport;
  /** The whole iteration; the update is what is left after rollout and scoring. */
  iteration: PhaseReport;
  update: PhaseReport;
  dpoStep: PhaseReport;
  tensorsFlat: boolean;
}

/**
 * One call's ms (timed unprofiled: tf.profile slows what it measures about 2.9x), then its kernels
 * (tf.profile), WebGPU programs and device reads in a second, counted call; after a warm-up call.
 */
async function measure(counts: BackendCounts, run: () => Promise<unknown>): Promise<PhaseReport> {
  await run();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const before = { ...counts };
  const profile = await tf.profile(async () => {
    await run();
  });
  const programs = tf.getBackend() === 'webgpu' ? counts.programs - before.programs : null;
  return { ms, kernels: profile.kernels.length, programs, reads: counts.reads - before.reads };
}

export async function benchRl(data: ScenarioData, config: GPTConfig, counts: BackendCounts): Promise<RlBenchReport> {
  const s = { ...RL_DEFAULTS };
  const [policy, reference, reward, value] = [1, 1, 2, 2].map((seed) => GPT.random(config, seed));
  const optimizers = {
    policy: new AdamW(policy.paramCount, decayMask(policy.layout)),
    value: new AdamW(value.paramCount, decayMask(value.layout)),
  };
  const promptIds = data.prompts.slice(0, s.batchSize).map((p) => encodePrompt(data.tokenizer, p));
  const N = Math.min(s.responseLength, config.contextLength - Math.max(...promptIds.map((p) => p.length)));
  const r = await rollout(policy, promptIds, N, s.temperature, 1);

  const rolloutPhase = await measure(counts, () => rollout(policy, promptIds, N, s.temperature, 1));
  const scoring = await measure(counts, async () => {
    const out = tf.tidy(() => {
      const ids = idsTensor(r);
      const parts = [policy, reference, value].map((m) =>
        responseOutputs(m.weights(), m, ids, r.pads, r.Tp, r.N, s.temperature),
      );
      return tf.concat([
        ...parts.map((p) => tf.sum(tf.add(p.logp, p.values))).map((t) => t.reshape([1])),
        rewardScores(reward.weights(), reward, scoredRows(r, config.contextLength)),
      ]);
    });
    await out.data();
    out.dispose();
  });
  const iterate = () =>
    ppoIteration({
      models: { policy, reference, reward, value },
      optimizers,
      settings: s,
      beta: s.beta,
      promptIds,
      normalization: { mean: 0, std: 1 },
      seed: 3,
      detailRows: 3,
    });
  const iteration = await measure(counts, iterate);
  const before = tf.memory().numTensors;
  await iterate();
  const tensorsFlat = tf.memory().numTensors === before;
  const demos = data.demonstrations;
  const pairs = demos
    .slice(0, 8)
    .map((e, i) => ({ prompt: e.prompt, chosen: e.response, rejected: demos[(i + 1) % demos.length].response }));
  // As in a run: the reference's log-probs of pairs drawn before are kept, so after the first step
  // (the warm-up here) a step runs no reference forward pass.
  const referenceLogProbs = new ReferenceLogProbs();
  const dpo = () =>
    preferenceStep(
      policy,
      reference,
      optimizers.policy,
      data.tokenizer,
      pairs,
      { beta: 0.1, learningRate: 1e-4, loss: 'dpo' },
      referenceLogProbs,
    );
  await dpo();
  const dpoStep = await measure(counts, dpo);
  const update = {
    ms: iteration.ms - rolloutPhase.ms - scoring.ms,
    kernels: iteration.kernels - rolloutPhase.kernels - scoring.kernels,
    programs: iteration.programs === null ? null : iteration.programs - rolloutPhase.programs! - scoring.programs!,
    reads: iteration.reads - rolloutPhase.reads - scoring.reads,
  };
  [policy, reference, reward, value].forEach((m) => m.dispose());
  optimizers.policy.dispose();
  optimizers.value.dispose();
  return {
    batchSize: s.batchSize,
    responseLength: N,
    rollout: rolloutPhase,
    scoring,
    iteration,
    update,
    dpoStep,
    tensorsFlat,
  };
}
