// What the experiments beside the labels (acquisitionExperiment.ts, feedbackKindExperiment.ts) take
// from the live preference session: a simulated labeler, a fresh reward model's start, the samplers,
// the labeler's neutral gold value (the middle of its rating scale), the scenario's demonstrations (what a
// simulated correction is written with), the events and a cancel flag.

import type { PreferenceSession } from './preferenceSession';

export function experimentSetup(session: PreferenceSession, labelerId: string) {
  const spec = session.labeler(labelerId);
  const scenario = session.goldScenario!;
  return {
    spec,
    scenario,
    seed: session.seed,
    config: session.rewardModel.config,
    tokenizer: session.data.tokenizer,
    initialWeights: () => session.freshRewardWeights(),
    samplePairs: (n: number) => session.pairs.samplePairs(n),
    answerGroups: (n: number, k: number) => session.pairs.answerGroups(n, k),
    neutral: () => session.ratings.neutralGold(spec, scenario, session.reference),
    /** The scenario's demonstrations, whose sentences a simulated correction is made of. */
    demonstrations: session.data.demonstrations,
    emit: session.emit,
    cancelled: session.startJob(),
  };
}
