// Calibration of the reward model's pairwise probabilities: when it says "chosen wins with
// probability 0.7", does the chosen completion win about 70% of the time? The predictions are
// grouped into equal-width bins over [0, 1], and each bin compares the mean prediction with the
// fraction of outcomes that came true (a reliability diagram).
// Pure functions of numbers: no tensors, no DOM.

export interface Prediction {
  /** The predicted probability that the outcome is 1. */
  p: number;
  outcome: 0 | 1;
}

export interface CalibrationBin {
  /** Mean predicted probability of the predictions in the bin. */
  predicted: number;
  /** Fraction of those predictions whose outcome was 1. */
  observed: number;
  count: number;
}

// bin b = min(K - 1, floor(p * K)); predicted_b = mean p, observed_b = mean outcome, over the bin.
/**
 * Groups predictions into `binCount` equal-width bins over [0, 1] (p = 1 falls in the last bin)
 * and returns one entry per non-empty bin, in order of p. Predictions with a non-finite p are
 * ignored; a p outside [0, 1] is counted in the nearest end bin.
 */
export function calibrationBins(predictions: Prediction[], binCount: number): CalibrationBin[] {
  const k = Math.max(1, Math.floor(binCount));
  const sumP = new Array<number>(k).fill(0);
  const sumOutcome = new Array<number>(k).fill(0);
  const count = new Array<number>(k).fill(0);
  for (const { p, outcome } of predictions) {
    if (!Number.isFinite(p)) continue;
    const b = Math.min(k - 1, Math.max(0, Math.floor(p * k)));
    sumP[b] += p;
    sumOutcome[b] += outcome;
    count[b] += 1;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < k; b++) {
    if (count[b] > 0) out.push({ predicted: sumP[b] / count[b], observed: sumOutcome[b] / count[b], count: count[b] });
  }
  return out;
}

// (p_i) -> [(p_i, 1), (1 - p_i, 0)] for each comparison i.
/**
 * Turns each comparison's P(chosen beats rejected) into two predictions, one from each side.
 *
 * Why: the label always names the winner, so scored only from the chosen side every outcome
 * would be 1 and the "observed frequency" would be 1 in every bin, which says nothing. Scoring
 * the pair from the rejected side as well ("rejected beats chosen with probability 1 - p, and it
 * did not") puts the misses in the picture: a bin around 0.3 then holds the pairs the model
 * thought were 70/30 seen from the loser's side, and its observed frequency is how often the
 * side the model rated at 30% actually won. The resulting plot is symmetric about (0.5, 0.5)
 * (exactly so unless a p falls right on a bin edge, since bins include their left edge), so one
 * half carries all the information and the other half mirrors it.
 */
export function symmetricPredictions(pChosen: number[]): Prediction[] {
  const out: Prediction[] = [];
  for (const p of pChosen) {
    out.push({ p, outcome: 1 }, { p: 1 - p, outcome: 0 });
  }
  return out;
}
