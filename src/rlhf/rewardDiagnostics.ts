// What the Reward panel shows about the reward model besides its loss: the margin of each
// comparison, how well its probabilities are calibrated, and how often it orders a pair the
// way the gold labeler's score does. Plain numbers in, plain numbers out (no tensors).

import type { Comparison } from '../data/preferences';
import { labelerGold, labelNoise, type LabelerSpec } from '../data/labelers';
import type { BuiltInScenarioId } from '../data/types';
import { calibrationBins, symmetricPredictions } from './calibration';

/** One bin of a calibration plot: mean predicted P against the observed frequency. */
export interface CalibrationBin {
  predicted: number;
  observed: number;
  count: number;
}

/** What the reward panel draws besides the loss curve; sent after each training run. */
export interface RewardDiagnostics {
  /** r(chosen) - r(rejected) of each comparison (raw rewards), and whether it is held out. */
  margins: { value: number; heldOut: boolean }[];
  calibration: CalibrationBin[];
  /** Which comparisons the calibration was measured on. */
  calibrationOn: 'heldOut' | 'all';
  /** Share of the gold probe's fresh pairs (not labels) that the reward model orders as the gold labeler's score does. */
  goldAccuracy: number | null;
  /** How many probe pairs that share is measured on (those whose answers differ in gold score). */
  goldPairs: number;
  goldLabeler: string | null;
  /** The gold labeler's own label noise on the same probe pairs (labelNoise in data/labelers.ts); null without a gold labeler. */
  goldLabelNoise: { withGold: number | null; betweenTwo: number | null } | null;
  /** r_normalised = (r - mean) / std makes the fine-tuned model's completions score mean 0, std 1. */
  normalization: { mean: number; std: number } | null;
  /** Comparisons whose margin is from an earlier reward model (a report re-scores a bounded slice). */
  staleScores: number;
}

const CALIBRATION_BINS = 10;
/** Below this many held-out comparisons the calibration plot uses all of them. */
const MIN_HELD_OUT_FOR_CALIBRATION = 10;

/**
 * Share of pairs the reward model orders as the gold score does:
 *   mean over pairs with gold(c) != gold(r) of [sign(r_c - r_r) == sign(gold(c) - gold(r))], a reward tie counting 1/2
 * (so a reward model that scores everything alike sits at chance, 0.5). NaN when no pair has a gold difference.
 */
export function goldOrderAccuracy(margins: number[], goldChosen: number[], goldRejected: number[]): number {
  let right = 0,
    counted = 0;
  margins.forEach((m, i) => {
    const g = goldChosen[i] - goldRejected[i];
    if (g === 0) return;
    counted += 1;
    if (m === 0) right += 0.5;
    else if (Math.sign(m) === Math.sign(g)) right += 1;
  });
  return counted ? right / counted : NaN;
}

/**
 * Agreement with the gold labeler on fresh pairs: goldOrderAccuracy over the pairs whose two answers
 * differ in gold score, with their count (pairs the gold labeler scores equally have no right order).
 */
export function goldAgreement(
  gold: { spec: LabelerSpec; scenario: BuiltInScenarioId },
  pairs: readonly { prompt: string; left: string; right: string }[],
  margins: number[],
): { agreement: number | null; pairs: number } {
  const score = (prompt: string, text: string) => labelerGold(gold.spec, gold.scenario, prompt, text);
  const left = pairs.map((p) => score(p.prompt, p.left));
  const right = pairs.map((p) => score(p.prompt, p.right));
  const counted = left.filter((g, i) => g !== right[i]).length;
  const agreement = goldOrderAccuracy(margins, left, right);
  return { agreement: Number.isFinite(agreement) ? agreement : null, pairs: counted };
}

/**
 * Builds the panel's diagnostics from each comparison's margin r(chosen) - r(rejected), and the
 * margins r(left) - r(right) of the gold probe's fresh pairs. Only comparisons with a clear
 * preference enter the calibration plot.
 */
export function buildDiagnostics(
  comparisons: readonly Comparison[],
  margins: number[],
  heldOutIds: ReadonlySet<string>,
  gold: { spec: LabelerSpec; scenario: BuiltInScenarioId } | null,
  probe: { pairs: readonly { prompt: string; left: string; right: string }[]; margins: number[] } | null,
  normalization: { mean: number; std: number } | null,
): Omit<RewardDiagnostics, 'staleScores'> {
  const decided = comparisons
    .map((c, i) => ({ c, margin: margins[i], heldOut: heldOutIds.has(c.id) }))
    .filter((d) => d.c.verdict === 'preferred');
  const heldOut = decided.filter((d) => d.heldOut);
  const calibrationOn = heldOut.length >= MIN_HELD_OUT_FOR_CALIBRATION ? 'heldOut' : 'all';
  const forCalibration = calibrationOn === 'heldOut' ? heldOut : decided;
  const pChosen = forCalibration.map((d) => 1 / (1 + Math.exp(-d.margin)));
  const agreement = gold && probe ? goldAgreement(gold, probe.pairs, probe.margins) : { agreement: null, pairs: 0 };
  return {
    margins: comparisons
      .map((c, i) => ({ value: margins[i], heldOut: heldOutIds.has(c.id) }))
      .filter((m) => Number.isFinite(m.value)),
    calibration: calibrationBins(symmetricPredictions(pChosen), CALIBRATION_BINS),
    calibrationOn,
    goldAccuracy: agreement.agreement,
    goldPairs: agreement.pairs,
    goldLabeler: gold?.spec.id ?? null,
    goldLabelNoise: gold && probe ? labelNoise(gold.spec, gold.scenario, probe.pairs) : null,
    normalization,
  };
}
