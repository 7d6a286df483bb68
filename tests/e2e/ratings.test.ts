// End-to-end: ratings in headless Chromium (WebGPU on SwiftShader, the tiny model). Thumbs and a
// 1-7 rating given with the keyboard are saved at once, survive a reload, can be deleted and undone,
// and go out and come back in as TRL unpaired JSONL.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 180_000; // navigation to the first answers, cold, on SwiftShader
const SAVE_MS = 60_000; // a rating: saved, sent to the worker, sent back

const url = `${inject('baseUrl')}#size=tiny`;
const prefs = (page: Page) => page.locator('section[data-testid="stage-preferences"]');
const ratingCount = async (page: Page) =>
  Number((await page.getByTestId('rating-count').innerText()).trim().split(' ')[0]);

/** Presses one of the choice buttons (the arrow keys pressed after it judge, they do not change the choice). */
async function choose(page: Page, label: string): Promise<void> {
  const button = prefs(page).getByRole('button', { name: label, exact: true });
  await button.click();
  await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
}

/** Waits for an answer on screen with the rating keys active; returns its caption ("Answer k of n ..."). */
async function waitForAnswer(page: Page, previous: string | null): Promise<string> {
  const handle = await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid="rating-answer"]');
      const caption = el ? `${el.textContent}` : null;
      const keys = document.querySelector('[data-testid="rating-keys"]')?.getAttribute('data-active');
      return caption && caption !== prev && keys === 'true' ? caption : null;
    },
    previous,
    { polling: 'raf', timeout: STARTUP_MS },
  );
  return (await handle.jsonValue()) as string;
}

async function expectRatings(page: Page, n: number): Promise<void> {
  await expect.poll(() => ratingCount(page), { timeout: SAVE_MS, interval: 200 }).toBe(n);
}

describe('ratings', () => {
  const open = pagesOf({ webgpu: true });

  test('keys rate answers, the ratings survive a reload, delete and undo edit them, and export then import round-trips', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await choose(page, 'Rate one answer');
    await prefs(page).scrollIntoViewIfNeeded();

    const first = await waitForAnswer(page, null);
    await page.keyboard.press('ArrowUp'); // thumbs up
    await expectRatings(page, 1);
    await waitForAnswer(page, first);
    await page.keyboard.press('d'); // thumbs down
    await expectRatings(page, 2);
    await choose(page, '1 to 7');
    await waitForAnswer(page, null);
    await page.keyboard.press('6');
    await expectRatings(page, 3);
    const table = page.getByTestId('rating-table');
    expect(await table.innerText()).toMatch(/good \(up\)[\s\S]*bad \(down\)|bad \(down\)[\s\S]*good \(up\)/);
    expect(await table.innerText()).toContain('6 of 7');

    await page.reload({ waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await choose(page, 'Rate one answer');
    await expectRatings(page, 3);
    await waitForAnswer(page, null); // the worker is ready again

    // Export, delete one, undo the newest; importing the file brings back exactly the two that went.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      prefs(page).getByRole('button', { name: 'Export ratings (TRL unpaired JSONL)' }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync((await download.path())!, 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.scale, r.rating, r.label]).sort()).toEqual([
      ['seven', 6, true],
      ['thumbs', 0, false],
      ['thumbs', 1, true],
    ]);
    await table
      .getByRole('button', { name: /^Delete the rating/ })
      .first()
      .click();
    await expectRatings(page, 2);
    await page.keyboard.press('z'); // after a reload, undo takes back the newest rating given here
    await expectRatings(page, 1);
    await page.getByTestId('preferences-file').setInputFiles({
      name: download.suggestedFilename(),
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expectRatings(page, 3);
    await expect
      .poll(() => page.getByTestId('notices').innerText(), { timeout: SAVE_MS })
      .toMatch(/Imported 2 rating\(s\) from ratings-reviews-[\d-]+\.jsonl \(1 already here were skipped\)/);
    expectNoErrors(t);
  });
});
