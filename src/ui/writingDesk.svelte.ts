// What the writing desk holds in the page: the model's answer on screen (to correct, or to replace
// with one's own demonstration), the draft, the vocabulary that checks it, the demonstrations as the
// worker last sent them plus those this page saved that it has not taken in yet, and the result of
// the last "Fine-tune on my demonstrations". It takes its own events from the worker (handle).

import type { Command, DemonstrationFit, ModelInfo, WorkerEvent } from '../engine/protocol';
import { answerProblem, type Demonstration } from '../data/demonstrations';
import { tokenizerFromSpec } from '../data/tokenizer';
import type { Tokenizer } from '../data/types';

export class WritingDesk {
  /** The prompt and the model's answer on screen; null while the next one is asked for. */
  answer = $state.raw<{ prompt: string; original: string } | null>(null);
  /** What the person has written (starts as the model's answer, to be corrected). */
  draft = $state('');
  /** Keep a correction as a demonstration too. */
  keepAsDemonstration = $state(true);
  pending = $state(false);
  problem = $state<string | null>(null);
  fit = $state.raw<DemonstrationFit | null>(null);
  /** A "Fine-tune on my demonstrations" is running. */
  tuning = $state(false);
  local = $state.raw<Demonstration[]>([]);
  private fromWorker = $state.raw<Demonstration[]>([]);
  private tokenizer = $state.raw<Tokenizer | null>(null);
  private contextLength = 0;
  private heard = false;

  /** Every demonstration: the worker's list and, after it, this page's it has not taken in yet. */
  demonstrations = $derived.by(() => {
    if (this.local.length === 0) return this.fromWorker;
    const known = new Set(this.fromWorker.map((d) => d.id));
    return [...this.fromWorker, ...this.local.filter((d) => !known.has(d.id))];
  });

  /** Why the draft cannot be saved yet (unknown words named), or null. */
  draftProblem = $derived.by(() =>
    this.answer && this.tokenizer
      ? answerProblem(this.tokenizer, this.contextLength, this.answer.prompt, this.draft)
      : 'Waiting for the model…',
  );

  /** True when the page should ask the worker for an answer. */
  get wanted(): boolean {
    return !this.answer && !this.pending && !this.problem;
  }

  /** Moves on: the next answer is asked for. */
  next(): void {
    this.answer = null;
    this.draft = '';
  }

  addLocal(list: Demonstration[]): void {
    this.local = [...this.local, ...list];
  }

  dropLocal(list: Demonstration[]): void {
    const ids = new Set(list.map((d) => d.id));
    this.local = this.local.filter((d) => !ids.has(d.id));
  }

  /** Takes what is this desk's in an event from the worker (the page's state hands it every event). */
  handle(e: WorkerEvent): void {
    if (e.type === 'model') this.newModel(e.info);
    else if (e.type === 'answers' && e.desk === 'writing') {
      this.answer = { prompt: e.answers.prompt, original: e.answers.completions[0] ?? '' };
      this.draft = this.answer.original;
      this.pending = false;
    } else if (e.type === 'pairRefused' && e.mode === 'writing') [this.pending, this.problem] = [false, e.message];
    else if (e.type === 'demonstrations') this.fromStore(e.demonstrations);
    else if (e.type === 'demonstrationFit') [this.fit, this.tuning] = [e.fit, false];
    else if (e.type === 'notice' && e.level === 'error') this.tuning = false;
    else if (e.type === 'restarted') [this.answer, this.pending, this.tuning] = [null, false, false];
  }

  /** What the page sent that concerns this desk: a request for an answer, or fine-tuning begun. */
  noteSent(cmd: Command): void {
    if (cmd.type === 'nextAnswers' && cmd.desk === 'writing') this.pending = true;
    if (cmd.type === 'fineTuneOnDemonstrations') this.tuning = true;
  }

  /** The demonstrations stored in this browser, read by the page at load: shown until the worker sends its list. */
  showStored(list: Demonstration[]): void {
    if (!this.heard && this.fromWorker.length === 0) this.fromWorker = list;
  }

  private fromStore(list: Demonstration[]): void {
    this.heard = true;
    this.fromWorker = list;
    const known = new Set(list.map((d) => d.id));
    if (this.local.some((d) => known.has(d.id))) this.local = this.local.filter((d) => !known.has(d.id));
  }

  /** A new model (or scenario): its vocabulary checks drafts; its answers are asked for afresh. */
  private newModel(info: ModelInfo): void {
    this.tokenizer = tokenizerFromSpec(info.tokenizer);
    this.contextLength = info.config.contextLength;
    this.local = this.local.filter((d) => d.scenario === info.scenario);
    [this.answer, this.pending, this.problem, this.fit, this.tuning] = [null, false, null, null, false];
  }
}
