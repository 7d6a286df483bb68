// The page fixture of the e2e tests (kept apart from browser.ts, which the benchmark also uses
// outside Vitest).
import { afterAll, afterEach, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, sharedBrowser, type LaunchOptions, type TestPage } from './browser';
import { describeTask, worstTasks, type TracedTask } from './longTasks';

/** The most CPU one main-thread task may spend while the page loads, labels or trains (the goal is 50 ms). */
export const MAX_TASK_MS = 100;

/** The page logged no uncaught error, no console error and no failed request. */
export function expectNoErrors(t: TestPage): void {
  expect(t.pageErrors, 'uncaught page errors').toEqual([]);
  expect(t.consoleErrors, 'console errors').toEqual([]);
  expect(t.httpErrors, 'failed requests').toEqual([]);
}

/**
 * Logs the window's worst main-thread tasks and checks that none spent MAX_TASK_MS of CPU. Tasks are
 * judged by CPU time from Chrome's trace, not wall time: on a shared two-core machine a task's wall time
 * is mostly the time the OS gave the training worker and SwiftShader (see longTasks.ts). `wallTasks`
 * (the page's own long-task entries) is logged beside them.
 */
export function expectResponsive(what: string, tasks: TracedTask[], wallTasks: string): void {
  const { byCpu, byWall } = worstTasks(tasks);
  console.log(
    `[e2e] ${what}: ${tasks.length} tasks; most CPU: ${describeTask(byCpu)}; longest: ${describeTask(byWall)}`,
  );
  console.log(`[e2e] ${what}: long tasks by the page's own clock (wall ms): ${wallTasks}`);
  expect(tasks.length, "the trace holds the main thread's tasks").toBeGreaterThan(0);
  const slow = tasks.filter((t) => t.cpu >= MAX_TASK_MS);
  expect(slow.map(describeTask), `main-thread tasks of ${MAX_TASK_MS} ms or more of CPU ${what}`).toEqual([]);
}

/** One browser per describe block (launched by its first test), a fresh page per test, closed after it. */
export function pagesOf(options: LaunchOptions): () => Promise<TestPage> {
  const browser = sharedBrowser(options);
  let current: TestPage | undefined;
  afterEach(async (ctx) => {
    if (current && ctx.task.result?.state === 'fail') await describeFailure(current);
    await current?.close();
    current = undefined;
  });
  afterAll(() => browser.close());
  return async () => (current = await openPage(await browser.get()));
}

/** What a failed test's page showed: its notices and every error it logged (a failure in CI then explains itself). */
async function describeFailure(t: TestPage): Promise<void> {
  const notices = await t.page
    .getByTestId('notices')
    .innerText({ timeout: 2000 })
    .catch((e: Error) => `(unreadable: ${e.message})`);
  console.log(`[e2e] the failed test's page: notices: ${JSON.stringify(notices)}`);
  console.log(`[e2e] page errors: ${JSON.stringify(t.pageErrors)}; console errors: ${JSON.stringify(t.consoleErrors)}`);
}

/** Asks the Preferences panel's simulated annotator for `n` labels. */
export async function autoLabel(page: Page, n: number): Promise<void> {
  const count = page.getByLabel('Pairs to label', { exact: true });
  await count.fill(String(n));
  await count.press('Tab'); // commits the field
  await page.getByRole('button', { name: 'Auto-label', exact: true }).click();
}
