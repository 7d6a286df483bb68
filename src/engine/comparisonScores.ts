// The reward model's margin r(chosen) - r(rejected) of every comparison, kept between reports so
// that a label does not re-score the whole dataset. Each report scores the comparisons that have no
// margin yet (new, or edited), then the ones scored longest ago, up to a fixed budget: a click costs
// the same whether 10 or 500 comparisons are saved, and every margin is at most
// ceil(n / RESCORE_BUDGET) reports old. Below the budget every comparison is scored every time.

import type { Comparison } from '../data/preferences';

/** Comparisons re-scored per report beyond the unscored ones: one 64-row scoring chunk. */
export const RESCORE_BUDGET = 32;

interface Scored {
  chosen: string;
  rejected: string;
  margin: number;
  /** The reward model's version when it was scored. */
  version: number;
}

export class ComparisonScores {
  private scored = new Map<string, Scored>();
  /** Bumped whenever the reward model's weights change; a margin of an older version is stale. */
  private version = 0;

  /** The weights changed (a training step, a restored model): every margin is stale from now on. */
  weightsChanged(): void {
    this.version += 1;
  }

  /** The weights were replaced wholesale (a restored session): forget every margin, so all are scored again. */
  forget(): void {
    this.scored.clear();
    this.version += 1;
  }

  private current(c: Comparison): Scored | undefined {
    const s = this.scored.get(c.id);
    return s && s.chosen === c.chosen && s.rejected === c.rejected ? s : undefined;
  }

  /** The comparisons to score now: every unscored one, then the stalest, up to the budget. */
  toScore(comparisons: readonly Comparison[]): Comparison[] {
    const unscored = comparisons.filter((c) => !this.current(c));
    const stale = comparisons
      .filter((c) => {
        const s = this.current(c);
        return s !== undefined && s.version < this.version;
      })
      .sort((a, b) => this.current(a)!.version - this.current(b)!.version);
    return [...unscored, ...stale.slice(0, Math.max(0, RESCORE_BUDGET - unscored.length))];
  }

  /** Keeps the margins just computed, and forgets comparisons no longer in the dataset. */
  record(scored: readonly Comparison[], margins: readonly number[], dataset: readonly Comparison[]): void {
    scored.forEach((c, i) =>
      this.scored.set(c.id, { chosen: c.chosen, rejected: c.rejected, margin: margins[i], version: this.version }),
    );
    const ids = new Set(dataset.map((c) => c.id));
    for (const id of this.scored.keys()) if (!ids.has(id)) this.scored.delete(id);
  }

  /** Each comparison's latest margin (NaN where it has none), and how many are from an older model. */
  margins(comparisons: readonly Comparison[]): { margins: number[]; stale: number } {
    let stale = 0;
    const margins = comparisons.map((c) => {
      const s = this.current(c);
      if (s && s.version < this.version) stale += 1;
      return s ? s.margin : NaN;
    });
    return { margins, stale };
  }
}
