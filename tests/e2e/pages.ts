// The page fixture of the e2e tests (kept apart from browser.ts, which the benchmark also uses
// outside Vitest).
import { afterAll, afterEach, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, sharedBrowser, type LaunchOptions, type TestPage } from './browser';

/** The page logged no uncaught error, no console error and no failed request. */
export function expectNoErrors(t: TestPage): void {
  expect(t.pageErrors, 'uncaught page errors').toEqual([]);
  expect(t.consoleErrors, 'console errors').toEqual([]);
  expect(t.httpErrors, 'failed requests').toEqual([]);
}

/** One browser per describe block (launched by its first test), a fresh page per test, closed after it. */
export function pagesOf(options: LaunchOptions): () => Promise<TestPage> {
  const browser = sharedBrowser(options);
  let current: TestPage | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(() => browser.close());
  return async () => (current = await openPage(await browser.get()));
}

/** Asks the Preferences panel's simulated annotator for `n` labels. */
export async function autoLabel(page: Page, n: number): Promise<void> {
  const count = page.getByLabel('Pairs to label', { exact: true });
  await count.fill(String(n));
  await count.press('Tab'); // commits the field
  await page.getByRole('button', { name: 'Auto-label', exact: true }).click();
}
