// ILQL (Snell et al. 2022), offline: the dataset is every labelled answer (both answers of each pair,
// each rated answer), each scored once by the reward model, the reward on its last token. Each
// iteration takes a few steps on fixed-size batches drawn from it (Q and V heads on the policy, the
// Bellman, expectile, CQL and AWAC losses: rlhf/ilql.ts) and never samples to train; then fresh
// answers, decoded with the policy's logits + beta (Q - V), measure the KL and score so the curves
// overlay PPO's, DPO's and KTO's. trlx: ILQLConfig (tau, gamma, cql_scale, awac_scale, alpha, gen_kwargs.beta).

import { AdamW } from '../../model/adamw';
import { decayMask } from '../../model/params';
import { IlqlHeads } from '../../rlhf/ilqlHeads';
import { ilqlSteps, scoreAnswers } from '../../rlhf/ilqlTrainer';
import { measureIlql } from '../../rlhf/ilqlDecode';
import { ReferenceLogProbs } from '../../rlhf/referenceLogProbs';
import { drawPrompts, encode, type MethodState, type RlMethod, type StepInputs, type StepOutcome } from './rlMethod';

/**
 * The heads learn at 10x the RL learning rate: they start from nothing, the transformer from the fine-tuned model
 * (reviews, tiny model, 30 "Positive" labels: at 1x the Q values were still ~0.03 after 80 steps).
 */
const HEADS_RATE = 10;

/** ILQL's own state: the heads on the policy, their optimiser, and each answer's normalised reward as first scored. */
class IlqlState implements MethodState {
  readonly headsOpt: AdamW;
  /** (prompt, answer) -> reward: the same keyed store as the reference's log-probs, holding scores. */
  private rewards = new ReferenceLogProbs();
  private scoredWith = '';

  constructor(readonly heads: IlqlHeads) {
    this.headsOpt = new AdamW(heads.paramCount, decayMask(heads.layout));
  }

  /** The scores so far, forgotten when the reward model's normalisation changed (it has trained since). */
  rewardsFor(n: { mean: number; std: number }): ReferenceLogProbs {
    const key = `${n.mean} ${n.std}`;
    if (key !== this.scoredWith) [this.rewards, this.scoredWith] = [new ReferenceLogProbs(), key];
    return this.rewards;
  }

  dispose(): void {
    this.heads.dispose();
    this.headsOpt.dispose();
  }
}

type Answer = { prompt: string; response: string };

/** Every distinct labelled answer: the chosen and the rejected answer of each pair, and each rated answer. */
export function offlineAnswers(inp: Pick<StepInputs, 'preferencePairs' | 'ratedAnswers'>): Answer[] {
  const items = [
    ...inp.preferencePairs().flatMap((p) => [
      { prompt: p.prompt, response: p.chosen },
      { prompt: p.prompt, response: p.rejected },
    ]),
    ...inp.ratedAnswers().map((r) => ({ prompt: r.prompt, response: r.completion })),
  ];
  return [...new Map(items.map((it) => [JSON.stringify([it.prompt, it.response]), it])).values()];
}

/** The batches' rewards: cached scores, after the answers never scored are scored in one read. */
async function rewardsOf(inp: StepInputs, state: IlqlState, batches: Answer[][]): Promise<Float32Array[]> {
  const cache = state.rewardsFor(inp.normalization);
  const fresh = [...new Set(batches.flat())].filter((a) => !cache.lookup([a]));
  if (fresh.length > 0) {
    const scores = await scoreAnswers(inp.reward, inp.data.tokenizer, fresh, inp.normalization, inp.settings.batchSize);
    cache.save(fresh, scores);
  }
  return batches.map((b) => cache.lookup(b)!);
}

async function step(inp: StepInputs): Promise<StepOutcome> {
  const { models: m, settings: s } = inp;
  const all = offlineAnswers(inp);
  if (all.length === 0)
    throw new Error('ILQL learns from your labelled answers: label some pairs or rate some answers first');
  const state =
    m.methodState instanceof IlqlState ? m.methodState : new IlqlState(new IlqlHeads(m.policy.config, inp.seed));
  if (state !== m.methodState) m.methodState?.dispose();
  m.methodState = state;
  // 1. batches of the dataset (batchSize answers each, drawn with replacement) and their rewards
  const batches = Array.from({ length: s.ilqlSteps }, () =>
    Array.from({ length: s.batchSize }, () => all[Math.floor(inp.rand() * all.length)]),
  );
  const rewards = await rewardsOf(inp, state, batches);
  // 2. the steps
  const result = await ilqlSteps(
    { policy: m.policy, heads: state.heads, policyOpt: m.policyOpt, headsOpt: state.headsOpt, reward: inp.reward },
    inp.data.tokenizer,
    batches.map((items, i) => ({ items, rewards: rewards[i] })),
    {
      gamma: s.gamma,
      tau: s.ilqlTau,
      cqlScale: s.ilqlCqlScale,
      awacScale: s.ilqlAwacScale,
      alpha: s.ilqlAlpha,
      learningRate: s.learningRate,
      headsLearningRate: s.learningRate * HEADS_RATE,
    },
  );
  // 3. fresh answers, decoded with the perturbed logits, for the KL and the score
  const prompts = drawPrompts(inp, s.batchSize);
  const measured = await measureIlql(
    { policy: m.policy, heads: state.heads, reference: m.reference, reward: inp.reward },
    encode(inp, prompts),
    s.responseLength,
    s.temperature,
    s.ilqlBeta,
    inp.normalization,
    inp.seed,
  );
  return { kind: 'offline', prompts, result, measured };
}

export const ilql: RlMethod = {
  usesValueModel: false,
  usesKlController: false,
  step,
};
