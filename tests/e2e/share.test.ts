// End-to-end: links. A preset link opens with its settings applied and its "what to watch" note;
// a malformed link opens with the defaults and a notice per bad value, and nothing in it runs.

import { PRESETS } from '../../src/presets';
import { verifiedText } from '../../src/presets/preset';
import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { pagesOf } from './pages';

const STARTUP_MS = 180_000;
const baseUrl = inject('baseUrl');

/** The RL settings form's β field once the worker has reported its settings. */
async function betaField(page: Page): Promise<string> {
  await page.locator('section[data-testid="stage-rl"]').getByText('RL settings', { exact: true }).click();
  const beta = page.locator('#rl-beta');
  await expect.poll(() => beta.inputValue(), { timeout: STARTUP_MS }).not.toBe('');
  return beta.inputValue();
}

describe('links', () => {
  const open = pagesOf({ webgpu: true });

  test('a preset link opens with its settings applied and its note on what to watch', async () => {
    const t = await open();
    const page = t.page;
    // "An anchor so strong nothing moves", on the tiny model (a value in the link wins over the preset's).
    await page.goto(`${baseUrl}#preset=strong-anchor&size=tiny`, { waitUntil: 'domcontentloaded' });
    await expect
      .poll(() => page.getByTestId('preset-banner').innerText(), { timeout: STARTUP_MS })
      .toMatch(/An anchor so strong nothing moves/);
    // The note states the budget the effect was checked at and how many seeds it appeared in, from the preset's own record.
    expect(await page.getByTestId('preset-budget').innerText()).toBe(verifiedText(PRESETS['strong-anchor'].effect));
    expect(await page.getByTestId('preset-budget').innerText()).toMatch(
      /24 labels and 30 RL iterations.*appeared in \d+ of \d+ seeds/,
    );
    await expect.poll(() => page.locator('#preset-select').inputValue(), { timeout: STARTUP_MS }).toBe('tiny');
    await expect.poll(() => betaField(page), { timeout: STARTUP_MS }).toBe('1');
    await expect.poll(() => page.locator('#gold-select').inputValue(), { timeout: STARTUP_MS }).toBe('positive');
    expect(t.pageErrors).toEqual([]);
  });

  test('a malformed link opens with the defaults and a notice, and no script runs', async () => {
    const t = await open();
    const page = t.page;
    const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
    await page.goto(`${baseUrl}#size=tiny&beta=zzz&scenario=${evil}&madeUp=1&temp=%E0%A4%A`, {
      waitUntil: 'domcontentloaded',
    });
    const notices = page.getByTestId('notices');
    await expect.poll(() => notices.innerText(), { timeout: STARTUP_MS }).toMatch(/beta/);
    const text = await notices.innerText();
    expect(text).toMatch(/scenario/);
    expect(text).toMatch(/madeUp/);
    expect(await betaField(page)).toBe('0.2'); // the default
    await expect.poll(() => page.locator('#scenario-select').inputValue(), { timeout: STARTUP_MS }).toBe('reviews');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(t.pageErrors).toEqual([]);
  });
});
