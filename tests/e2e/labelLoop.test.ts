// End-to-end: the label loop answers at once and loses nothing (headless Chromium, WebGPU on
// SwiftShader, the tiny model). Keys pressed five times as fast as a person labels are each counted
// within 500 ms; a reload 100 ms after the last key keeps every label, once; two tabs see each
// other's labels; a worker that stops is noticed and replaced, and the labels stay.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 180_000; // navigation to the first pairs on hand, cold, on SwiftShader
const COUNT_MS = 500; // a key press to its count on screen (the bound)
/** A person reads and judges a pair in a second or two; these keys come five times as fast. */
const KEY_GAP_MS = 250;

const baseUrl = inject('baseUrl');
const url = `${baseUrl}#size=tiny`;

const prefs = (page: Page) => page.locator('section[data-testid="stage-preferences"]');
const count = async (page: Page) =>
  Number((await page.getByTestId('comparison-count').innerText()).trim().split(' ')[0]);

/** Waits until the page holds `n` pairs (one on screen, n - 1 ready) with the panel's keys active. */
async function waitForPairs(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const active = document.querySelector('[data-testid="pair-keys"]')?.getAttribute('data-active') === 'true';
      const ready = Number(
        /\d+/.exec(document.querySelector('[data-testid="pairs-ready"]')?.textContent ?? '')?.[0] ?? 0,
      );
      return active && ready + 1 >= want;
    },
    n,
    { polling: 'raf', timeout: STARTUP_MS },
  );
}

/** Presses `key` and returns ms until the count on screen reads `want` (polled every frame). */
async function pressAndTime(page: Page, key: string, want: number): Promise<number> {
  const started = Date.now();
  await page.keyboard.press(key);
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="comparison-count"]')?.textContent?.trim().split(' ')[0]) === n,
    want,
    { polling: 'raf', timeout: 10_000 },
  );
  return Date.now() - started;
}

/** Every stored label of the page's origin, read straight from IndexedDB. */
function storedLabels(page: Page): Promise<{ id: string; prompt: string; chosen: string; rejected: string }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('rlhf-playground-preferences');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('comparisons')) return resolve([]);
          const all = db.transaction('comparisons').objectStore('comparisons').getAll();
          all.onsuccess = () => {
            resolve(all.result);
            db.close();
          };
        };
      }),
  );
}

describe('the label loop', () => {
  const open = pagesOf({ webgpu: true });

  test('quick keys are each counted within 500 ms; a reload 100 ms later keeps every label, once', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await prefs(page).scrollIntoViewIfNeeded();
    await waitForPairs(page, 3);
    expect(await count(page)).toBe(0);
    // No labels yet: the RL stage says its reward model has learned nothing.
    await page.getByTestId('rl-untrained').waitFor({ state: 'attached', timeout: 30_000 });
    expect(await page.getByTestId('rl-untrained').innerText()).toMatch(/learned from no labels/);
    const times: number[] = [];
    const keys = ['1', '2', '1'];
    for (const [i, key] of keys.entries()) {
      times.push(await pressAndTime(page, key, i + 1));
      await page.waitForTimeout(KEY_GAP_MS);
    }
    console.log(`[e2e] key press -> count on screen, ms: ${times.join(', ')}`);
    times.forEach((ms) => expect(ms).toBeLessThan(COUNT_MS));
    // Two more as soon as pairs are on hand, the last one 100 ms before a reload.
    await waitForPairs(page, 2);
    times.push(await pressAndTime(page, '0', 4));
    await waitForPairs(page, 1);
    await page.keyboard.press('1');
    await page.waitForTimeout(100);
    await page.reload({ waitUntil: 'domcontentloaded' });
    const stored = await storedLabels(page);
    expect(stored).toHaveLength(5);
    const keysStored = new Set(stored.map((c) => `${c.prompt}\u0000${[c.chosen, c.rejected].sort().join('\u0000')}`));
    expect(keysStored.size).toBe(5); // no pair judged twice
    // The count comes back from the store long before any model is ready.
    const reloaded = Date.now();
    await expect.poll(() => count(page), { timeout: 5_000, interval: 100 }).toBe(5);
    console.log(`[e2e] after the reload, the count read 5 in ${Date.now() - reloaded} ms`);
    expectNoErrors(t);
  });

  test('two tabs share one dataset, and a stopped worker is replaced with every label kept', async () => {
    const t = await open();
    const [pageA] = [t.page];
    const pageB = await t.context.newPage();
    await pageA.goto(url, { waitUntil: 'domcontentloaded' });
    await pageB.goto(url, { waitUntil: 'domcontentloaded' });
    for (const page of [pageA, pageB]) {
      await prefs(page).scrollIntoViewIfNeeded();
      await waitForPairs(page, 1);
    }
    await pageA.keyboard.press('1');
    await pageB.keyboard.press('2');
    const pressed = Date.now();
    // Each tab hears the other's label while its own worker trains on its own (the store is read beside training).
    await expect.poll(() => count(pageA), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => count(pageB), { timeout: 60_000 }).toBe(2);
    console.log(`[e2e] the other tab's label counted in both tabs after ${Date.now() - pressed} ms`);
    expect(await storedLabels(pageA)).toHaveLength(2);

    // Stop tab A's worker the way a crash would: it goes silent. The page notices, says so, restarts it.
    const worker = pageA.workers()[0];
    await worker.evaluate(() => (self as unknown as { close(): void }).close());
    await expect
      .poll(() => pageA.getByTestId('notices').innerText(), { timeout: 120_000, interval: 1000 })
      .toMatch(/training worker stopped .*restarted/);
    await waitForPairs(pageA, 1);
    await pageA.keyboard.press('1');
    await expect.poll(() => count(pageA), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => count(pageB), { timeout: 60_000 }).toBe(3);
    expect(await storedLabels(pageB)).toHaveLength(3);
    await pageB.close();
    expect(t.pageErrors).toEqual([]);
  });
});
