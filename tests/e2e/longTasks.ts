// Long main-thread tasks, two ways, for the responsiveness test and the browser part of `npm run bench`.
//
// 1. The page's own 'longtask' entries (recordLongTasks, longestTaskSince): wall-clock time, what a
//    person feels. browser.ts keeps only durations; this log also keeps each task's start, so a
//    measurement can begin at the first paint or at any later moment.
// 2. Chrome's trace of the renderer's main thread (traceMainThread): for each task its wall time and
//    its CPU time. On a machine whose cores are shared (two cores, a training worker, SwiftShader's
//    GPU threads and other jobs) a task's wall time includes the time the OS ran something else: a
//    task of 10 ms of work was seen taking 886 ms. The CPU time is what the page's code cost, and it
//    is what the tests assert on; the wall time is reported beside it.

import type { Browser, Page } from 'playwright-core';

/** One 'longtask' entry: start and duration in ms on the page's clock (performance.now()). */
export interface LongTask {
  start: number;
  duration: number;
}

declare global {
  interface Window {
    /** Every long task since the document started, with its start time. */
    __longTaskLog: LongTask[];
  }
}

/** Makes every document `page` loads from now on log its long tasks into window.__longTaskLog. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__longTaskLog = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTaskLog.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      window.__longTaskLog.push({ start: 0, duration: Number.NaN }); // no longtask support: fail loudly
    }
  });
}

/** When the page first painted anything (its 'first-paint' entry), or null before that. */
export function firstPaint(page: Page): Promise<number | null> {
  return page.evaluate(() => performance.getEntriesByName('first-paint')[0]?.startTime ?? null);
}

/**
 * The long tasks that ended after `from` and began before `to` (ms on the page's clock), oldest
 * first. Entries reach the observer a frame or two late, so this waits for a frame and a short
 * timeout first.
 */
export async function longTasksSince(page: Page, from: number, to = Infinity): Promise<LongTask[]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
  const [a, b] = [from, Number.isFinite(to) ? to : Number.MAX_VALUE]; // Infinity does not survive the trip
  return page.evaluate(
    ([t0, t1]) => window.__longTaskLog.filter((e) => e.start + e.duration > t0 && e.start < t1),
    [a, b],
  );
}

/** Duration in ms of the longest task in that window; 0 when there was none over 50 ms. */
export async function longestTaskSince(page: Page, from: number, to = Infinity): Promise<number> {
  const tasks = await longTasksSince(page, from, to);
  return tasks.reduce((m, e) => Math.max(m, e.duration), 0);
}

/** Rounded durations of the tasks, for a log line: "120@3400 64@5120" (duration@start). */
export function describeTasks(tasks: LongTask[]): string {
  return tasks.map((e) => `${Math.round(e.duration)}@${Math.round(e.start)}`).join(' ') || 'none';
}

/** One task of the page's main thread, from Chrome's trace; times in ms. */
export interface TracedTask {
  /** Start, in ms after the trace's first mark or paint it is measured from (see tasksBetween). */
  start: number;
  wall: number;
  cpu: number;
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'loading'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

/** The tasks of one renderer's main thread and the marks and paints on it, from a Chrome trace. */
export class MainThreadTrace {
  private readonly tasks: TraceEvent[];
  private readonly points = new Map<string, number>();

  /** `firstMark`: a performance.mark the page made during the trace; it names the page's main thread. */
  constructor(json: string, firstMark: string) {
    const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
    const mark = events.find((e) => e.name === firstMark && e.ph !== 'M');
    if (!mark)
      throw new Error(`the trace has no mark '${firstMark}': was it made between startTracing and stopTracing?`);
    const onMain = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid);
    this.tasks = onMain.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.dur !== undefined);
    for (const e of onMain)
      if (!this.points.has(e.name) && (e.ph === 'R' || e.ph === 'I' || e.ph === 'n')) this.points.set(e.name, e.ts);
  }

  /** Trace time (us) of a mark or paint ('firstPaint', 'firstContentfulPaint', or a performance.mark name). */
  at(name: string): number {
    const ts = this.points.get(name);
    if (ts === undefined) throw new Error(`the trace has no '${name}' on the page's main thread`);
    return ts;
  }

  /** The tasks that ran (wholly or partly) between two marks or paints, oldest first. */
  tasksBetween(from: string, to: string): TracedTask[] {
    const a = this.at(from);
    const b = this.at(to);
    return this.tasks
      .filter((e) => e.ts + (e.dur ?? 0) > a && e.ts < b)
      .map((e) => ({ start: (e.ts - a) / 1000, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000 }));
  }
}

/** Makes a performance.mark in the page, to bound a window of the trace; returns its time on the page's clock. */
export function markPage(page: Page, name: string): Promise<number> {
  return page.evaluate((n) => performance.mark(n).startTime, name);
}

/**
 * Runs `body` while Chrome traces `browser`, and returns the trace of the main thread that made
 * the mark `firstMark` (body must make it, with markPage). One trace per browser at a time.
 */
export async function traceMainThread(
  browser: Browser,
  firstMark: string,
  body: () => Promise<void>,
): Promise<MainThreadTrace> {
  await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
  let json: string;
  try {
    await body();
  } finally {
    json = (await browser.stopTracing()).toString('utf8');
  }
  return new MainThreadTrace(json, firstMark);
}

/** The task with the most CPU time and the one with the most wall time (either may be undefined). */
export function worstTasks(tasks: TracedTask[]): { byCpu?: TracedTask; byWall?: TracedTask } {
  const max = (k: 'cpu' | 'wall') =>
    tasks.reduce<TracedTask | undefined>((m, t) => (!m || t[k] > m[k] ? t : m), undefined);
  return { byCpu: max('cpu'), byWall: max('wall') };
}

/** "cpu 31 ms (wall 64 ms) at +812 ms" for a log line. */
export function describeTask(t: TracedTask | undefined): string {
  return t ? `cpu ${Math.round(t.cpu)} ms (wall ${Math.round(t.wall)} ms) at +${Math.round(t.start)} ms` : 'no task';
}
