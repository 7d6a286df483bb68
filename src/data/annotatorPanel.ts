// A panel of simulated annotators judging the same comparisons as the person (or labeler) who
// labelled them, and how often each two of them agree. Annotators with different weightings
// disagree in telling ways: "Helpful" and "Harmless" split over dangerous requests.

import type { Comparison } from './preferences';
import { chooseBetween, type LabelerSpec } from './labelers';
import type { BuiltInScenarioId } from './types';
import { mulberry32 } from './random';

/** Agreement of the annotators (the human and the simulated panel) on the same comparisons. */
export interface PanelVotes {
  annotators: string[];
  /** votes[a][i]: does annotator a prefer comparison i's chosen text? null where it has no say (ties). */
  votes: (boolean | null)[][];
  /** Pairwise agreement over the comparisons both judged; 'label' stands for whoever gave the label. */
  agreement: { a: string; b: string; agreement: number; shared: number }[];
}

/** The name the agreement table gives whoever labelled each comparison. */
export const LABEL_COLUMN = 'label';

/** FNV-1a hash of a string, as a seed: the same comparison and annotator always vote the same way. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * One simulated vote on a comparison: does the annotator prefer the chosen text? The two texts
 * are put on the left and right at random (seeded by the ids), so a left bias adds noise, not agreement.
 * Ties and "both bad" order nothing, so the vote is null, and so is the vote of an annotator who sees no
 * difference it cares about (a harmlessness-only annotator on two harmless answers).
 */
export function panelVote(spec: LabelerSpec, scenario: BuiltInScenarioId, c: Comparison): boolean | null {
  if (c.verdict !== 'preferred') return null;
  const rand = mulberry32(seedOf(`${c.id}/${spec.id}`));
  const chosenLeft = rand() < 0.5;
  const [a, b] = chosenLeft ? [c.chosen, c.rejected] : [c.rejected, c.chosen];
  const pick = chooseBetween(spec, scenario, c.prompt, a, b, rand);
  return pick.tie ? null : pick.prefersA === chosenLeft;
}

/** Agreement of two vote lists over the comparisons both have a say on: (same votes) / (shared). */
export function voteAgreement(a: (boolean | null)[], b: (boolean | null)[]): { agreement: number; shared: number } {
  let same = 0,
    shared = 0;
  a.forEach((v, i) => {
    const w = b[i];
    if (v === null || w === null) return;
    shared += 1;
    if (v === w) same += 1;
  });
  return { agreement: shared ? same / shared : NaN, shared };
}

/** Votes of every panel annotator on every comparison, and the agreement of each two (the label included). */
export function panelVotes(
  comparisons: readonly Comparison[],
  panel: LabelerSpec[],
  scenario: BuiltInScenarioId,
): PanelVotes {
  // The label itself always "prefers the chosen text" where it states a preference.
  const labelVotes = comparisons.map((c) => (c.verdict === 'preferred' ? true : null));
  const votes = panel.map((spec) => comparisons.map((c) => panelVote(spec, scenario, c)));
  const names = [LABEL_COLUMN, ...panel.map((s) => s.id)];
  const all = [labelVotes, ...votes];
  const agreement: PanelVotes['agreement'] = [];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++)
      agreement.push({ a: names[i], b: names[j], ...voteAgreement(all[i], all[j]) });
  }
  return { annotators: panel.map((s) => s.id), votes, agreement };
}
