// What a preset is, and how the effect it promises is checked. A preset is link values (so every
// preset is also a link, `#...&preset=<id>`), commands to run once they are applied, the stage to
// look at, and one sentence on what to watch there. Its effect states the numeric criterion that
// sentence promises and the budget (labels, iterations) it was verified at; `npm run phenomena`
// runs every effect over seeds (scripts/phenomena.ts) and README.md reports how often it appeared.

import type { Command, StageId, WorkerEvent } from '../engine/protocol';
import type { PresetId, UrlSettings } from '../ui/urlState';

/** The labels given and the RL iterations run before the effect is judged. */
export interface Budget {
  labels: number;
  iterations: number;
}

/** One seed's verdict: whether the criterion held, and the numbers it was judged on. */
export interface Outcome {
  met: boolean;
  measured: string;
}

/** A fresh playground set up on the link values: `run` sends commands in order and returns the events they caused. */
export interface EffectSession {
  run(commands: Command[]): Promise<WorkerEvent[]>;
}

/** Starts a fresh playground on `values` (their `seed` included), as the page applies a link. */
export type EffectRun = (values: Partial<UrlSettings>) => Promise<EffectSession>;

export interface Effect {
  id: string;
  title: string;
  /** The promise as the numbers it is checked with. */
  criterion: string;
  budget: Budget;
  /** What the last full harness run measured (npm run phenomena): seeds where the criterion held, of seeds run. */
  verified: { met: number; seeds: number };
  /** Runs the setup for one seed (the link's `seed`) and judges the criterion. */
  check(run: EffectRun, seed: number): Promise<Outcome>;
}

export interface Preset {
  id: PresetId;
  title: string;
  /** One sentence: what to look at once the setup has run, with the budget it takes. */
  watch: string;
  values: Partial<UrlSettings>;
  /** Run in order after the settings are applied. */
  commands: Command[];
  /** The stage the page scrolls to. */
  stage: StageId;
  /** The effect `watch` promises, as the phenomena harness checks it. */
  effect: Effect;
}

/** The budget and the measured reliability, as the page states them under a preset's "what to watch". */
export function verifiedText(effect: Effect): string {
  const { labels, iterations } = effect.budget;
  const budget = `${labels} labels${iterations ? ` and ${iterations} RL iterations` : ''}`;
  const { met, seeds } = effect.verified;
  if (seeds === 0) return `To be checked at ${budget} (${effect.criterion}): not measured over seeds yet.`;
  return `Checked at ${budget} (${effect.criterion}): it appeared in ${met} of ${seeds} seeds.`;
}
