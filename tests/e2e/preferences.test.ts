// End-to-end: the Preferences and Reward model stages in headless Chromium (WebGPU on SwiftShader,
// so every wait is generous and on a condition). Each test gets a fresh browser profile, so the
// IndexedDB of labels starts empty.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { autoLabel, expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 120_000; // navigation to the first pair, cold, on SwiftShader
const LABEL_MS = 120_000; // a label: saved, a few reward steps (the first compiles shaders), re-scored
const PAIR_MS = 120_000; // the next pair (usually sampled ahead already)

const baseUrl = inject('baseUrl');

const prefs = (page: Page) => page.locator('section[data-testid="stage-preferences"]');
const countText = (page: Page) => page.getByTestId('comparison-count').innerText();
const rows = (page: Page) => page.locator('[data-testid="comparison-row"]');

/** Waits for a pair on screen (other than `previous`), with the panel in view so its keys work; returns its id. */
async function waitForPair(page: Page, previous: string | null = null): Promise<string> {
  const handle = await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-pair-id]');
      const id = el?.getAttribute('data-pair-id');
      const keys = document.querySelector('[data-testid="pair-keys"]')?.getAttribute('data-active');
      return id && id !== prev && keys === 'true' ? id : null;
    },
    previous,
    { polling: 'raf', timeout: PAIR_MS },
  );
  return (await handle.jsonValue()) as string;
}

async function expectCount(page: Page, n: number): Promise<void> {
  const want = `${n} ${n === 1 ? 'comparison' : 'comparisons'}`;
  await expect.poll(async () => (await countText(page)).trim(), { timeout: LABEL_MS, interval: 200 }).toBe(want);
}

describe('preferences', () => {
  const open = pagesOf({ webgpu: true });

  test('keys label pairs, z undoes, and the labels survive a reload', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await expectCount(page, 0);
    await prefs(page).scrollIntoViewIfNeeded();

    let id = await waitForPair(page);
    await page.keyboard.press('1');
    await expectCount(page, 1);

    id = await waitForPair(page, id);
    await page.keyboard.press('ArrowRight');
    await expectCount(page, 2);
    expect(await rows(page).count()).toBe(2);

    await waitForPair(page, id);
    await page.keyboard.press('z');
    await expectCount(page, 1);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await expectCount(page, 1);
    await expect.poll(() => rows(page).count(), { timeout: LABEL_MS }).toBe(1);
    const row = rows(page).first();
    expect(await row.innerText()).toContain('human');
    expect(await row.getByRole('button', { name: 'Flip comparison 1', exact: true }).isVisible()).toBe(true);
    expect(await row.getByRole('button', { name: 'Delete comparison 1', exact: true }).isVisible()).toBe(true);
    expectNoErrors(t);
  });

  test('auto-label adds comparisons and a reward chart point; Flip and Delete edit the table', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await prefs(page).scrollIntoViewIfNeeded();
    await waitForPair(page);

    await autoLabel(page, 5);
    await expectCount(page, 5);
    const chart = page.locator('svg[data-testid="loss-chart-reward"]');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: LABEL_MS })
      .toBeGreaterThan(0);
    expect(await page.getByTestId('labels-reward').innerText()).toContain('5');

    // Flip swaps the chosen and rejected texts of a row; Delete removes it.
    const row = rows(page).filter({ has: page.getByRole('button', { name: 'Flip comparison 5', exact: true }) });
    const [chosen, rejected] = await row.locator('td.text').allInnerTexts();
    await row.getByRole('button', { name: 'Flip comparison 5', exact: true }).click();
    await expect.poll(() => row.locator('td.text').allInnerTexts(), { timeout: LABEL_MS }).toEqual([rejected, chosen]);
    await row.getByRole('button', { name: 'Delete comparison 5', exact: true }).click();
    await expectCount(page, 4);
    expect(await rows(page).count()).toBe(4);
    expectNoErrors(t);
  });

  test('export then import round-trips the dataset; a malformed file is refused and changes nothing', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await prefs(page).scrollIntoViewIfNeeded();
    await waitForPair(page);
    await autoLabel(page, 3);
    await expectCount(page, 3);
    const before = (await rows(page).allInnerTexts()).map((r) => r.split('\t').slice(1, 4).join('|')).sort();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      prefs(page).getByRole('button', { name: 'Export JSONL', exact: true }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);

    await prefs(page).getByRole('button', { name: 'Undo', exact: true }).click(); // the auto-label batch goes as one
    await expectCount(page, 0);
    const file = page.getByTestId('preferences-file');
    await file.setInputFiles({
      name: 'broken.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from('{"prompt": 1}\n'),
    });
    await expect
      .poll(() => page.getByTestId('notices').innerText(), { timeout: LABEL_MS })
      .toMatch(/broken\.jsonl was not imported: line 1/);
    await expectCount(page, 0);
    await file.setInputFiles({
      name: download.suggestedFilename(),
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expectCount(page, 3);
    const after = (await rows(page).allInnerTexts()).map((r) => r.split('\t').slice(1, 4).join('|')).sort();
    expect(after).toEqual(before);
    expect(t.pageErrors).toEqual([]);
  });
});
