// Which pair to ask the person about next (active learning for preference data). Random pairs
// are the baseline; asking about the pairs the reward model is least sure of spends each click
// where it teaches the most (Christiano et al. 2017 used ensemble disagreement).

/** The candidate whose P(left beats right) is closest to 1/2:  argmin_i |p_i - 0.5|. */
export function mostUncertain(p: number[]): number {
  let best = 0;
  p.forEach((v, i) => {
    if (Math.abs(v - 0.5) < Math.abs(p[best] - 0.5)) best = i;
  });
  return best;
}

/**
 * The candidate the ensemble disagrees on most:  argmax_i Var_m(p_{m,i}), the variance across
 * models m of each model's P(left beats right) for candidate i.
 */
export function mostDisagreed(pByModel: number[][]): number {
  const n = pByModel[0]?.length ?? 0;
  let best = 0,
    bestVar = -1;
  for (let i = 0; i < n; i++) {
    const ps = pByModel.map((row) => row[i]);
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    const variance = ps.reduce((a, b) => a + (b - mean) ** 2, 0) / ps.length;
    if (variance > bestVar) [best, bestVar] = [i, variance];
  }
  return best;
}
