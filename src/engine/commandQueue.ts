// The worker's one line of work: commands and training steps run one at a time, in order, with
// three exceptions that keep the page answering at once. Work the page waits on ("asked": the next
// pair, a probe) goes before queued background jobs; a background job (reward training after new
// labels, re-reading the store) is queued once however often it is asked for; and a Pause cancels
// the training commands still waiting behind it.

export interface QueueOptions {
  /** The page waits on this: queued background jobs let it go first. */
  asked?: boolean;
  /** A later pause() drops this while it still waits. */
  cancelledByPause?: boolean;
}

export class CommandQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private askedWaiting = 0;
  private pauses = 0;
  private jobsWaiting = new Map<string, Promise<void>>();

  /** Runs `work` after everything queued before it; resolves when it has run (or was cancelled). */
  push(work: () => Promise<unknown> | unknown, options: QueueOptions = {}): Promise<unknown> {
    const pausesBefore = this.pauses;
    if (options.asked) this.askedWaiting += 1;
    const result = this.tail.then(() => {
      if (options.asked) this.askedWaiting -= 1;
      if (options.cancelledByPause && this.pauses !== pausesBefore) return;
      return work();
    });
    this.tail = result.catch(() => undefined); // a failure is the caller's to handle; the line goes on
    return result;
  }

  /** Cancels every cancelledByPause item still waiting. */
  pause(): void {
    this.pauses += 1;
  }

  /**
   * Queues the background job `name` unless it already waits; when its turn comes while asked work
   * waits, it steps behind that work. Resolves when it has run; its failure goes to `onError`.
   */
  coalesce(name: string, job: () => Promise<unknown>, onError: (e: Error) => void): Promise<void> {
    const waiting = this.jobsWaiting.get(name);
    if (waiting) return waiting;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    this.jobsWaiting.set(name, finished);
    const run = async (): Promise<void> => {
      if (this.askedWaiting > 0) {
        this.tail = this.tail.then(run);
        return;
      }
      this.jobsWaiting.delete(name);
      await job().catch(onError);
      done();
    };
    this.tail = this.tail.then(run);
    return finished;
  }

  /** Resolves once everything queued (and queued meanwhile) has run. */
  async idle(): Promise<void> {
    for (let t = this.tail; ; t = this.tail) {
      await t;
      if (t === this.tail) return;
    }
  }
}
