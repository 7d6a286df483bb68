// What the rating desk holds in the page: the answers of one prompt on screen (rated one at a time,
// the focused one first), the scale in use, and the ratings as the worker last sent them plus those
// this page saved that the worker has not taken in yet (so the count moves the moment a key is pressed).

import type { RankingToLabel } from '../engine/protocol';
import type { Rating, RatingScale } from '../data/ratings';

export class RatingDesk {
  /** Answers of one prompt to rate; null while the next ones are asked for. */
  answers = $state.raw<RankingToLabel | null>(null);
  /** Which of the answers is rated next. */
  at = $state(0);
  /** A 'nextAnswers' request is on its way. */
  pending = $state(false);
  /** Why the worker could not offer answers; not asked again until the person tries again. */
  problem = $state<string | null>(null);
  scale = $state<RatingScale>('thumbs');
  local = $state.raw<Rating[]>([]);
  private fromWorker = $state.raw<Rating[]>([]);
  private heard = false;

  /** Every rating: the worker's list and, after it, this page's ratings it has not taken in yet. */
  ratings = $derived.by(() => {
    if (this.local.length === 0) return this.fromWorker;
    const known = new Set(this.fromWorker.map((r) => r.id));
    return [...this.fromWorker, ...this.local.filter((r) => !known.has(r.id))];
  });

  /** The answer on screen, or null. */
  get current(): { prompt: string; completion: string } | null {
    const a = this.answers;
    return a && this.at < a.completions.length ? { prompt: a.prompt, completion: a.completions[this.at] } : null;
  }

  /** True when the page should ask the worker for answers. */
  get wanted(): boolean {
    return !this.current && !this.pending && !this.problem;
  }

  received(answers: RankingToLabel): void {
    this.answers = answers;
    this.at = 0;
    this.pending = false;
  }

  refused(message: string): void {
    this.pending = false;
    this.problem = message;
  }

  /** Moves on to the next answer (after a rating or a skip). */
  advance(): void {
    this.at += 1;
  }

  addLocal(r: Rating): void {
    this.local = [...this.local, r];
  }

  /** A save that failed: the rating leaves the count. */
  dropLocal(r: Rating): void {
    this.local = this.local.filter((x) => x.id !== r.id);
  }

  /** The worker's list; the saved ratings it now holds are no longer extra (as LabelDesk.dataset). */
  fromStore(list: Rating[]): void {
    this.heard = true;
    this.fromWorker = list;
    const known = new Set(list.map((r) => r.id));
    if (this.local.some((r) => known.has(r.id))) this.local = this.local.filter((r) => !known.has(r.id));
  }

  /** The ratings stored in this browser, read by the page at load: shown until the worker sends its list. */
  showStored(list: Rating[]): void {
    if (!this.heard && this.fromWorker.length === 0) this.fromWorker = list;
  }

  /** Ratings of another scenario will not come back in this one's list. */
  keepScenario(scenario: string): void {
    this.local = this.local.filter((r) => r.scenario === scenario);
  }

  /** A new model: its answers are asked for afresh. */
  clear(): void {
    this.answers = null;
    this.pending = false;
    this.problem = null;
  }
}
