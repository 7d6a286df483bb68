// Reading an effect's numbers out of a run's events: RL curves, the gold agreement, probes.

import type { Command, RlMetricPoint, WorkerEvent } from '../engine/protocol';

type Of<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

export function eventsOf<T extends WorkerEvent['type']>(events: WorkerEvent[], type: T): Of<T>[] {
  return events.filter((e) => e.type === type) as Of<T>[];
}

/** Every RL metric point of the run, in order. */
export function rlPoints(events: WorkerEvent[]): RlMetricPoint[] {
  return eventsOf(events, 'rlMetrics').flatMap((e) => e.points);
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean of a metric over the first and the last `window` iterations. */
export function earlyLate(points: RlMetricPoint[], metric: (p: RlMetricPoint) => number, window = 5) {
  const values = points.map(metric);
  return { early: mean(values.slice(0, window)), late: mean(values.slice(-window)) };
}

/** The highest mean of a metric over any `window` consecutive iterations. */
export function peak(points: RlMetricPoint[], metric: (p: RlMetricPoint) => number, window = 5): number {
  const values = points.map(metric);
  let best = -Infinity;
  for (let i = 0; i + window <= values.length; i++) best = Math.max(best, mean(values.slice(i, i + window)));
  return best;
}

/** The newest gold agreement the Reward panel showed (on the gold probe's fresh pairs). */
export function lastGoldAgreement(events: WorkerEvent[]): number {
  const d = eventsOf(events, 'rewardDiagnostics').at(-1)?.diagnostics;
  return d?.goldAccuracy ?? NaN;
}

/** `count` RL iterations. */
export const rlSteps = (count: number): Command[] =>
  Array.from({ length: count }, () => ({ type: 'rlStep' }) as Command);

/** `count` labels from a simulated labeler, one at a time as clicks come (the reward model learns after each). */
export const oneByOne = (labelerId: string, count: number): Command[] =>
  Array.from({ length: count }, () => ({ type: 'autoLabel', labelerId, count: 1 }) as Command);

export const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
