// Metric events may arrive many times a frame; a chart only asks for a redraw, and this runs the
// d3 drawing at most once per animation frame however often it is asked.
//
// All the page's charts share one queue, so that a burst (the first frame after the page mounts,
// a new model, a resize that redraws a dozen charts) is spread over several frames: each frame
// draws charts until it has spent FRAME_BUDGET_MS, and the rest wait for the next frame, oldest
// request first. A single chart therefore still draws on the next frame; only a crowd is spread.

export interface FrameDraw {
  /** Asks for a redraw on a coming animation frame (one, however many asks come before it). */
  schedule(): void;
  /** Drops a pending redraw (when the chart goes away). */
  cancel(): void;
}

/** Drawing time one animation frame may spend before the remaining charts wait for the next. */
export const FRAME_BUDGET_MS = 12;

/** One page-wide queue of pending draws (like requestAnimationFrame itself, there is one per page). */
export class DrawQueue {
  private readonly pending = new Set<() => void>();
  private frame = 0;

  constructor(
    private readonly budgetMs = FRAME_BUDGET_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly nextFrame: (f: () => void) => number = (f) => requestAnimationFrame(f),
    private readonly cancelFrame: (h: number) => void = (h) => cancelAnimationFrame(h),
  ) {}

  add(draw: () => void): void {
    this.pending.add(draw); // a draw already waiting keeps its place in the line
    if (!this.frame) this.frame = this.nextFrame(() => this.run());
  }

  delete(draw: () => void): void {
    this.pending.delete(draw);
    if (!this.pending.size && this.frame) {
      this.cancelFrame(this.frame);
      this.frame = 0;
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private run(): void {
    this.frame = 0;
    const start = this.now();
    try {
      for (const draw of this.pending) {
        this.pending.delete(draw);
        draw();
        if (this.now() - start >= this.budgetMs) break;
      }
    } finally {
      // The rest wait for the next frame, even when a draw threw.
      if (this.pending.size && !this.frame) this.frame = this.nextFrame(() => this.run());
    }
  }
}

const pageQueue = new DrawQueue();

export function frameDraw(draw: () => void, queue: DrawQueue = pageQueue): FrameDraw {
  return {
    schedule: () => queue.add(draw),
    cancel: () => queue.delete(draw),
  };
}
