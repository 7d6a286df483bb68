// End-to-end: corrections and demonstrations in headless Chromium (WebGPU on SwiftShader, the tiny
// model). A word outside the vocabulary is named and nothing can be saved; a correction and a
// demonstration given with the keyboard are saved at once, survive a reload, and go out and come back
// in as TRL prompt-completion JSONL.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 180_000; // navigation to the first answer, cold, on SwiftShader
const SAVE_MS = 60_000; // saved, sent to the worker, sent back

const url = `${inject('baseUrl')}#size=tiny`;
const prefs = (page: Page) => page.locator('section[data-testid="stage-preferences"]');
const demonstrationCount = async (page: Page) =>
  Number((await page.getByTestId('demonstration-count').innerText()).trim().split(/\s+/)[0]);

async function chooseWriting(page: Page): Promise<void> {
  const button = prefs(page).getByRole('button', { name: 'Correct or write', exact: true });
  await button.click();
  await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
}

/** Waits for a model answer in the text box other than `previous`; returns the prompt shown with it. */
async function waitForAnswer(page: Page, previous: string | null): Promise<string> {
  const handle = await page.waitForFunction(
    (prev) => {
      const box = document.querySelector<HTMLTextAreaElement>('[data-testid="writing-draft"]');
      const prompt = document.querySelector('[data-testid="writing-prompt"]')?.textContent ?? null;
      const key = box ? `${prompt}|${box.value}` : null;
      return key && key !== prev ? key : null;
    },
    previous,
    { polling: 'raf', timeout: STARTUP_MS },
  );
  return (await handle.jsonValue()) as string;
}

async function expectDemonstrations(page: Page, n: number): Promise<void> {
  await expect.poll(() => demonstrationCount(page), { timeout: SAVE_MS, interval: 200 }).toBe(n);
}

describe('corrections and demonstrations', () => {
  const open = pagesOf({ webgpu: true });

  test('unknown words are named; keys save a correction and a demonstration, kept across a reload and a file', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await chooseWriting(page);
    await prefs(page).scrollIntoViewIfNeeded();
    const first = await waitForAnswer(page, null);
    const box = page.getByTestId('writing-draft');

    // A word the model does not know: named, and Ctrl+Enter saves nothing.
    await box.fill('lovely and zqxv.');
    await expect.poll(() => page.getByTestId('writing-problem').innerText()).toContain('Not in the vocabulary');
    expect(await page.getByTestId('writing-problem').innerText()).toContain('zqxv');
    await box.press('Control+Enter');
    expect(await demonstrationCount(page)).toBe(0);

    // The correction, kept as a demonstration too: one comparison (marked correction) and one demonstration.
    await box.press('Control+a'); // typed key by key: the page's own keys (space plays, 1-5 pick a stage) stay out of it
    await page.keyboard.type('lovely and fresh.');
    await box.press('Control+Enter');
    await expectDemonstrations(page, 1);
    await expect
      .poll(() => prefs(page).getByTestId('comparison-table').innerText(), { timeout: SAVE_MS })
      .toMatch(/lovely and fresh\.[\s\S]*correction/);

    // A demonstration written from scratch.
    await waitForAnswer(page, first);
    await box.press('Control+a');
    await page.keyboard.type('great food and lovely staff.');
    await box.press('Control+Shift+Enter');
    await expectDemonstrations(page, 2);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await prefs(page).waitFor({ timeout: STARTUP_MS });
    await chooseWriting(page);
    await expectDemonstrations(page, 2);
    const table = page.getByTestId('demonstration-table');
    expect(await table.innerText()).toMatch(/written[\s\S]*from a correction/);
    await waitForAnswer(page, null); // the worker is ready again

    // Export, delete one; importing the file brings back exactly the one that went.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      prefs(page).getByRole('button', { name: 'Export demonstrations (TRL prompt-completion JSONL)' }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync((await download.path())!, 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.completion, r.source]).sort()).toEqual([
      ['great food and lovely staff.', 'demonstration'],
      ['lovely and fresh.', 'correction'],
    ]);
    await table
      .getByRole('button', { name: /^Delete the demonstration/ })
      .first()
      .click();
    await expectDemonstrations(page, 1);
    await page.getByTestId('preferences-file').setInputFiles({
      name: download.suggestedFilename(),
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expectDemonstrations(page, 2);
    await expect
      .poll(() => page.getByTestId('notices').innerText(), { timeout: SAVE_MS })
      .toMatch(
        /Imported 1 demonstration\(s\) from demonstrations-reviews-[\d-]+\.jsonl \(1 already here were skipped\)/,
      );
    expectNoErrors(t);
  });
});
