// Labelling guidelines: what a scenario's gold labeler rewards, in words, and a check of one label
// against it. Labelling teams write such guidelines so that people judge alike (InstructGPT's
// labelers had one, and a calibration round against the researchers' own labels); here the
// guideline is read straight off the labeler's trait weights (labelers.ts), so it can never drift
// from what the gold score measures.

import { goldTraits, TRAIT_INFO, type Trait } from './gold';
import { BUILT_IN_LABELERS, labelerGold, type LabelerSpec } from './labelers';
import type { BuiltInScenarioId } from './types';

/** The labeler whose taste is each scenario's guideline when no gold labeler is chosen. */
export const GUIDELINE_LABELER: Record<BuiltInScenarioId, string> = {
  reviews: 'positive',
  assistant: 'helpful-harmless',
};

/** How many pairs the calibration round checks. */
export const CALIBRATION_PAIRS = 8;

/** The labeler a scenario's guideline follows: the chosen gold labeler (built-in or the user's own), else the default. */
export function guidelineLabeler(scenario: BuiltInScenarioId, goldId: string | null, custom: LabelerSpec): LabelerSpec {
  if (goldId === custom.id) return custom;
  const list = BUILT_IN_LABELERS[scenario];
  return list.find((l) => l.id === goldId) ?? list.find((l) => l.id === GUIDELINE_LABELER[scenario])!;
}

/** The traits a labeler weighs, heaviest first. */
function weighted(spec: LabelerSpec): [Trait, number][] {
  return (Object.entries(spec.weights) as [Trait, number][]).filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]);
}

/** The guideline in words: one line per trait the labeler weighs, heaviest first, with its weight relative to the heaviest. */
export function guidelineLines(spec: LabelerSpec): string[] {
  const traits = weighted(spec);
  const top = traits[0]?.[1] ?? 1;
  return traits.map(([trait, w], i) => {
    const info = TRAIT_INFO[trait];
    const share = i === 0 ? 'counts most' : `counts ${+(w / top).toPrecision(2)} as much`;
    return `${info.label} (${share}): ${info.meaning}.`;
  });
}

export interface GuidelineVerdict {
  /** Which answer the guideline prefers, or 'tie' where the two are worth the same to it. */
  prefers: 'chosen' | 'rejected' | 'tie';
  /** The label agrees with the guideline (null for a guideline tie, which no label can contradict). */
  agrees: boolean | null;
  /** The traits that decided it, biggest weighted difference first: "Sentiment 0.5 against -1". */
  reasons: string[];
}

const show = (v: number) => String(+v.toFixed(2));

/**
 * gold(chosen) - gold(rejected) under the guideline's weights (no noise, no biases), and the traits whose
 * weighted differences make it up. A label agrees when the guideline prefers the answer it chose.
 */
export function checkAgainstGuideline(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  prompt: string,
  chosen: string,
  rejected: string,
): GuidelineVerdict {
  const gap = labelerGold(spec, scenario, prompt, chosen) - labelerGold(spec, scenario, prompt, rejected);
  const prefers = Math.abs(gap) < 1e-9 ? 'tie' : gap > 0 ? 'chosen' : 'rejected';
  const a = goldTraits(scenario, prompt, chosen);
  const b = goldTraits(scenario, prompt, rejected);
  const reasons = weighted(spec)
    .map(([trait, w]) => ({
      trait,
      a: a[trait] ?? 0,
      b: b[trait] ?? 0,
      weighted: w * ((a[trait] ?? 0) - (b[trait] ?? 0)),
    }))
    .filter((d) => Math.abs(d.weighted) >= 1e-9)
    .sort((x, y) => Math.abs(y.weighted) - Math.abs(x.weighted))
    .map((d) => `${TRAIT_INFO[d.trait].label} ${show(d.a)} against ${show(d.b)}`);
  return { prefers, agrees: prefers === 'tie' ? null : prefers === 'chosen', reasons };
}

/** How often someone's own labels agree with the guideline: over their 'preferred' labels where the guideline is not tied. */
export function agreementWithGuideline(
  spec: LabelerSpec,
  scenario: BuiltInScenarioId,
  comparisons: readonly { prompt: string; chosen: string; rejected: string; verdict: string }[],
): { agreed: number; judged: number } {
  let agreed = 0,
    judged = 0;
  for (const c of comparisons) {
    if (c.verdict !== 'preferred') continue;
    const v = checkAgainstGuideline(spec, scenario, c.prompt, c.chosen, c.rejected);
    if (v.agrees === null) continue;
    judged += 1;
    if (v.agrees) agreed += 1;
  }
  return { agreed, judged };
}
