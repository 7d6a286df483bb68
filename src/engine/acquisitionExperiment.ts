// An experiment the Preferences panel can run: does asking about the pairs the reward model is
// least sure of teach it faster than asking about random pairs? A simulated labeler plays the
// person. Both strategies start from the same reward model, see the same candidate pairs and
// are judged by the same labeler; after every few labels each is measured on a fixed set of
// pairs ordered by the labeler's gold score.

import { GPT } from '../model/model';
import type { GPTConfig } from '../model/config';
import type { BuiltInScenarioId, Tokenizer } from '../data/types';
import { labelerGold, labelPair, type LabelerSpec } from '../data/labelers';
import { mulberry32 } from '../data/random';
import { mostUncertain } from '../rlhf/acquisition';
import { RewardTrainer, REWARD_DEFAULTS, type RewardPair } from './rewardTrainer';
import { preferenceProbability, STEPS_PER_LABEL } from './rewardSession';
import { ACQUISITION_LABELS, checkRange, type Acquisition, type PairToLabel, type WorkerEvent } from './protocol';

const CANDIDATES_PER_LABEL = 6;
const EVAL_PAIRS = 48;
const POINTS = 8;
const SAMPLE_CHUNK = 16;

/** What every experiment beside the labels is given (experimentSetup.ts builds it from the live session). */
export interface ExperimentBase {
  spec: LabelerSpec;
  scenario: BuiltInScenarioId;
  seed: number;
  config: GPTConfig;
  tokenizer: Tokenizer;
  initialWeights: () => Promise<Float32Array>;
  samplePairs: (n: number) => Promise<PairToLabel[]>;
  emit: (e: WorkerEvent) => void;
  cancelled: () => boolean;
}

export interface AcquisitionRun extends ExperimentBase {
  labels: number;
}

async function sampleMany(run: AcquisitionRun, n: number): Promise<PairToLabel[]> {
  const out: PairToLabel[] = [];
  while (out.length < n) out.push(...(await run.samplePairs(Math.min(SAMPLE_CHUNK, n - out.length))));
  return out;
}

/** Pairs ordered by the labeler's gold score, without its noise or biases (ties in gold are left out). */
export function goldOrdered(run: Pick<ExperimentBase, 'spec' | 'scenario'>, pairs: PairToLabel[]): RewardPair[] {
  return pairs.flatMap((p) => {
    const [a, b] = [p.left, p.right].map((t) => labelerGold(run.spec, run.scenario, p.prompt, t));
    if (a === b) return [];
    return [
      { prompt: p.prompt, chosen: a > b ? p.left : p.right, rejected: a > b ? p.right : p.left, target: 1, weight: 1 },
    ];
  });
}

export async function runAcquisitionComparison(run: AcquisitionRun): Promise<void> {
  const problem = checkRange(run.labels, ACQUISITION_LABELS);
  if (problem) throw new Error(problem);
  const evalPairs = goldOrdered(run, await sampleMany(run, EVAL_PAIRS));
  if (evalPairs.length === 0) throw new Error('the sampled pairs all have the same gold score; try another labeler');
  const candidates = await sampleMany(run, run.labels * CANDIDATES_PER_LABEL);
  const every = Math.max(1, Math.round(run.labels / POINTS));
  const strategies: Acquisition[] = ['random', 'uncertain'];
  const weights = await run.initialWeights();
  run.emit({ type: 'acquisitionCurve', points: [], reset: true });
  for (const [s, strategy] of strategies.entries()) {
    const model = new GPT(run.config, weights);
    const trainer = new RewardTrainer(model, run.tokenizer, [], { ...REWARD_DEFAULTS }, run.seed);
    const rand = mulberry32(run.seed * 101); // the labeler's coin flips, the same for both strategies
    const measure = async (labels: number) => {
      const { accuracy } = await trainer.evaluate(evalPairs);
      run.emit({ type: 'acquisitionCurve', points: [{ strategy, labels, accuracy }], reset: false });
    };
    try {
      await measure(0);
      for (let i = 0; i < run.labels && !run.cancelled(); i++) {
        const pool = candidates.slice(i * CANDIDATES_PER_LABEL, (i + 1) * CANDIDATES_PER_LABEL);
        let pick = 0;
        if (strategy === 'uncertain' && trainer.step > 0) {
          const r = await trainer.score(
            pool.flatMap((p) => [
              { prompt: p.prompt, response: p.left },
              { prompt: p.prompt, response: p.right },
            ]),
          );
          pick = mostUncertain(pool.map((_, j) => preferenceProbability(r[2 * j], r[2 * j + 1])));
        }
        const pair = pool[pick];
        const { chosen, rejected, tie } = labelPair(run.spec, run.scenario, pair, rand);
        trainer.pairs = [...trainer.pairs, { prompt: pair.prompt, chosen, rejected, target: tie ? 0.5 : 1, weight: 1 }];
        for (let k = 0; k < STEPS_PER_LABEL; k++) await trainer.trainStep();
        if ((i + 1) % every === 0 || i + 1 === run.labels) await measure(i + 1);
        run.emit({
          type: 'progress',
          job: 'acquisition',
          done: s * run.labels + i + 1,
          total: strategies.length * run.labels,
        });
      }
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  run.emit({ type: 'progress', job: 'acquisition', done: 1, total: 1 });
}
