// Simulated annotators filling the human-feedback datasets: judging fresh pairs, rating answers, or
// correcting them. Each job is saved chunk by chunk as it is made (so nothing is lost if it is
// cancelled), shows its progress, is taken back whole by one undo, and the reward model learns from
// what it gave at the end.

import { mulberry32 } from '../data/random';
import { simulatedLabels } from '../data/labelers';
import type { RatingScale } from '../data/ratings';
import { AUTO_LABEL_PAIRS, checkRange } from './protocol';
import { labelInChunks } from './labelDataset';
import type { PreferenceSession } from './preferenceSession';

/** What every simulated annotator's job shares: its size (checked), its progress events, and the cancel flag. */
function chunkedJob(s: PreferenceSession, count: number) {
  const problem = checkRange(count, AUTO_LABEL_PAIRS);
  if (problem) throw new Error(problem);
  const progress = (done: number) => s.emit({ type: 'progress', job: 'autoLabel', done, total: count });
  return { count, progress, cancelled: s.startJob() };
}

/** Fills the dataset from a simulated annotator: `count` fresh pairs, saved chunk by chunk as they are judged. */
export async function autoLabel(s: PreferenceSession, labelerId: string, count: number): Promise<void> {
  const spec = s.labeler(labelerId);
  const scenario = s.goldScenario!;
  const job = chunkedJob(s, count);
  const rand = mulberry32(s.pairs.nextSeed());
  const createdAt = Date.now(); // one time stamp for the batch: undo after a reload takes it back whole
  const ids = await labelInChunks({
    ...job,
    chunk: async (n) => simulatedLabels(spec, scenario, await s.pairs.samplePairs(n), rand, createdAt),
    save: async (made) => {
      await s.store.add(made);
      s.labels.append(made);
      s.emitDataset(); // counted on the page at once; scored after training
    },
  });
  if (s.labelers.goldLabeler === null) await s.setLabelers({ goldLabeler: spec.id }, false);
  if (ids.length === 0) return;
  s.labels.pushUndo(ids);
  await s.learnFrom(ids.length);
}

/** A simulated annotator rates `count` answers, RATED_PER_PROMPT to a prompt; the reward model then learns. */
export async function autoRate(s: PreferenceSession, labelerId: string, count: number, scale: RatingScale) {
  const job = chunkedJob(s, count);
  const rater = { spec: s.labeler(labelerId), scenario: s.goldScenario!, scale, reference: s.reference };
  const ids = await s.ratings.autoRate(rater, job, mulberry32(s.pairs.nextSeed()));
  if (ids.length) await s.learnFrom(ids.length);
}

/**
 * A simulated annotator corrects `count` fresh answers, one to a prompt: each correction is a comparison (the edit
 * preferred) and a demonstration. The reward model then learns from the comparisons.
 */
export async function autoCorrect(s: PreferenceSession, labelerId: string, count: number): Promise<void> {
  const job = chunkedJob(s, count);
  const answers = async (n: number) =>
    (await s.pairs.answerGroups(n, 1)).map((g) => ({ prompt: g.prompt, completion: g.completions[0] }));
  const corrector = { spec: s.labeler(labelerId), scenario: s.goldScenario!, answers };
  const pairs = { store: s.store, dataset: s.labels, saved: () => s.emitDataset() };
  const ids = await s.demonstrations.autoCorrect(corrector, job, pairs);
  if (ids.length) await s.learnFrom(ids.length);
}
