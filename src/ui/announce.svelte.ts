// What a screen reader hears about things that change on their own: one polite live region
// (Announcer.svelte) shows the latest message given to announce(). The message builders are
// plain functions so they can be tested without a page.

import type { RlMetricPoint, StageId } from '../engine/protocol';
import { PIPELINE, stageNumber, stageText } from './stages';

/** The text of the live region; only announce() changes it. */
export const live = $state({ text: '' });

let flip = false;

/** Say `text` to screen-reader users, politely (after what they are hearing now). */
export function announce(text: string): void {
  if (!text) return;
  // A region whose text does not change is not read again: an invisible zero-width space makes a
  // repeated message new.
  flip = !flip;
  live.text = flip ? text : `${text}\u200b`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : String(v));

/** What to say when the number of comparisons goes from `prev` to `next`; null when nothing changed. */
export function comparisonsMessage(prev: number, next: number): string | null {
  const diff = next - prev;
  const all = plural(next, 'comparison', 'comparisons');
  if (diff === 0) return null;
  if (diff === 1) return `Label saved: ${all}`;
  if (diff > 1) return `${diff} comparisons added: ${all}`;
  if (diff === -1) return `Comparison removed: ${all} left`;
  return `${-diff} comparisons removed: ${all} left`;
}

/** "Stage 3 of 5: Preferences". */
export function stageMessage(id: StageId): string {
  return `Stage ${stageNumber(id)} of ${PIPELINE.length}: ${stageText(id).title}`;
}

/** A stage starting or stopping: "Pretrain: training started", "Pretrain: training paused at step 1,200". */
export function trainingMessage(id: StageId, running: boolean, where: string | null = null): string {
  return `${stageText(id).title}: training ${running ? 'started' : 'paused'}${!running && where ? ` ${where}` : ''}`;
}

/** "RL iteration 7: KL 0.84, score 0.31". */
export function rlIterationMessage(p: Pick<RlMetricPoint, 'iteration' | 'objective/kl' | 'objective/scores'>): string {
  return `RL iteration ${p.iteration}: KL ${num(p['objective/kl'])}, score ${num(p['objective/scores'])}`;
}
