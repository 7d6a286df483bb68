// End-to-end: saved sessions in headless Chromium. Save, reload, restore gives back the same
// dataset and charts; an exported session file imports on a fresh browser profile.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { autoLabel, pagesOf } from './pages';

const STARTUP_MS = 180_000;
const WORK_MS = 180_000;
const baseUrl = inject('baseUrl');

const countText = (page: Page) => page.getByTestId('comparison-count').innerText();
const rowTexts = async (page: Page) =>
  (await page.locator('[data-testid="comparison-row"] td.text').allInnerTexts()).sort();
const rewardPoints = async (page: Page) =>
  Number(await page.locator('svg[data-testid="loss-chart-reward"]').getAttribute('data-points'));

async function expectCount(page: Page, n: number): Promise<void> {
  const want = `${n} ${n === 1 ? 'comparison' : 'comparisons'}`;
  await expect.poll(async () => (await countText(page)).trim(), { timeout: WORK_MS, interval: 250 }).toBe(want);
}

/** Opens the page and waits until the model is ready (the session buttons come alive). */
async function ready(page: Page): Promise<void> {
  await page.goto(`${baseUrl}#size=tiny`, { waitUntil: 'domcontentloaded' }); // the tiny model keeps SwiftShader quick
  const save = page.getByRole('button', { name: 'Save session', exact: true });
  await expect.poll(() => save.isEnabled(), { timeout: STARTUP_MS, interval: 250 }).toBe(true);
}

describe('sessions', () => {
  const open = pagesOf({ webgpu: true });

  test('save, reload, restore returns the same dataset and charts; the export imports on a fresh profile', async () => {
    const t = await open();
    const page = t.page;
    await ready(page);
    await autoLabel(page, 3);
    await expectCount(page, 3);
    await expect.poll(() => rewardPoints(page), { timeout: WORK_MS }).toBeGreaterThan(0);
    const labels = await rowTexts(page);
    const points = await rewardPoints(page);

    await page.getByLabel('Name', { exact: true }).fill('e2e session');
    await page.getByRole('button', { name: 'Save session', exact: true }).click();
    await expect.poll(() => page.getByTestId('session-row').count(), { timeout: WORK_MS }).toBe(1);

    await page.reload({ waitUntil: 'domcontentloaded' });
    const save = page.getByRole('button', { name: 'Save session', exact: true });
    await expect.poll(() => save.isEnabled(), { timeout: STARTUP_MS, interval: 250 }).toBe(true);
    await expect.poll(() => page.getByTestId('session-row').count(), { timeout: WORK_MS }).toBe(1);
    await autoLabel(page, 2);
    await expectCount(page, 5);

    await page.getByRole('button', { name: 'Restore session e2e session', exact: true }).click();
    await expectCount(page, 3);
    expect(await rowTexts(page)).toEqual(labels);
    await expect.poll(() => rewardPoints(page), { timeout: WORK_MS }).toBe(points);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as file', exact: true }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('RLHFSESS');
    expect(t.pageErrors).toEqual([]);
    await t.close();

    const fresh = await open(); // a new browser context: an empty profile
    await ready(fresh.page);
    await expectCount(fresh.page, 0);
    await fresh.page
      .getByTestId('session-file')
      .setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: bytes });
    await expectCount(fresh.page, 3);
    expect(await rowTexts(fresh.page)).toEqual(labels);
    await expect.poll(() => rewardPoints(fresh.page), { timeout: WORK_MS }).toBe(points);
    expect(fresh.pageErrors).toEqual([]);
  }, 900_000);
});
