// Metric events may arrive many times a frame; a chart only asks for a redraw, and this runs the
// d3 drawing at most once per animation frame however often it is asked.

export interface FrameDraw {
  /** Asks for a redraw on the next animation frame (one, however many asks come before it). */
  schedule(): void;
  /** Drops a pending redraw (when the chart goes away). */
  cancel(): void;
}

export function frameDraw(draw: () => void): FrameDraw {
  let frame = 0;
  return {
    schedule() {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        draw();
      });
    },
    cancel() {
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
    },
  };
}
