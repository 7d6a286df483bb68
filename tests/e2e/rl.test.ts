// End-to-end: the RL fine-tune stage in headless Chromium (WebGPU on SwiftShader). The tiny model
// and a small PPO batch keep an iteration to seconds; the test checks that Play adds points to
// the KL and reward charts, that the token view colours the sampled tokens, and that the page's
// main thread never spends 100 ms of CPU in one task while PPO runs.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { autoLabel, expectNoErrors, expectResponsive, pagesOf } from './pages';
import { markPage, traceMainThread } from './longTasks';

const STARTUP_MS = 180_000;
const ITERATION_MS = 240_000; // the first iteration compiles every shader on SwiftShader

const baseUrl = inject('baseUrl');
const rl = (page: Page) => page.locator('section[data-testid="stage-rl"]');
const points = async (page: Page, id: string) =>
  Number(await page.locator(`svg[data-testid="line-chart-${id}"]`).getAttribute('data-points'));

describe('RL fine-tune', () => {
  const open = pagesOf({ webgpu: true });

  test('Play adds points to the KL and reward charts, colours tokens, and keeps the page responsive', async () => {
    const t = await open();
    const page = t.page;
    // A link sets the tiny model and a small PPO batch (the link's settings are applied at start-up).
    await page.goto(`${baseUrl}#size=tiny&batch=4&minibatches=1&epochs=1&respLen=6`, { waitUntil: 'domcontentloaded' });
    const play = page.getByTestId('rl-play');
    await expect.poll(() => play.isEnabled(), { timeout: STARTUP_MS, interval: 250 }).toBe(true);
    await expect
      .poll(async () => await page.locator('#preset-select').inputValue(), { timeout: STARTUP_MS })
      .toBe('tiny');
    await rl(page).getByText('RL settings', { exact: true }).click();
    await expect.poll(() => page.locator('#rl-batchSize').inputValue(), { timeout: STARTUP_MS }).toBe('4');

    await rl(page).scrollIntoViewIfNeeded();
    await t.resetLongestTask();
    const trace = await traceMainThread(t.context.browser()!, 'rl-play', async () => {
      await markPage(page, 'rl-play');
      await play.click();
      await expect
        .poll(() => points(page, 'rl-kl'), { timeout: ITERATION_MS, interval: 250 })
        .toBeGreaterThanOrEqual(2);
      await play.click(); // pause
      await markPage(page, 'rl-paused');
    });
    const wallLongest = await t.longestTask();
    expect(await points(page, 'rl-rewards')).toBeGreaterThanOrEqual(2);

    const tokens = page.getByTestId('rl-token');
    await expect.poll(() => tokens.count(), { timeout: ITERATION_MS }).toBeGreaterThan(0);
    // Coloured by advantage, the tokens of a batch show several colours (advantages differ token by token).
    await page.locator('#rl-token-mode').selectOption('advantage');
    const colours = await tokens.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(colours).size).toBeGreaterThan(1);
    await tokens.first().click();
    expect(await page.getByTestId('rl-top-tokens').isVisible()).toBe(true);

    console.log(`[e2e] RL: ${await points(page, 'rl-kl')} KL points`);
    expectResponsive('while PPO ran', trace.tasksBetween('rl-play', 'rl-paused'), `longest ${Math.round(wallLongest)}`);
    expect(t.pageErrors).toEqual([]);
    expect(t.consoleErrors).toEqual([]);
  });

  test('KTO learns from auto-labelled thumbs: its loss and the diversity chart gain points', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(`${baseUrl}#size=tiny&algo=kto&batch=4&respLen=6`, { waitUntil: 'domcontentloaded' });
    const play = page.getByTestId('rl-play');
    await expect.poll(() => play.isEnabled(), { timeout: STARTUP_MS, interval: 250 }).toBe(true);
    // With no labels the panel says KTO has nothing to learn from; four auto-labels give it four pairs.
    await expect.poll(() => rl(page).getByTestId('rl-untrained').innerText(), { timeout: STARTUP_MS }).toContain('KTO');
    await autoLabel(page, 4);
    await expect.poll(() => rl(page).getByTestId('rl-untrained').count(), { timeout: ITERATION_MS }).toBe(0);
    await rl(page).getByRole('button', { name: 'Step (one iteration)' }).click();
    await expect.poll(() => points(page, 'rl-dpo'), { timeout: ITERATION_MS, interval: 250 }).toBeGreaterThanOrEqual(1);
    expect(await points(page, 'rl-diversity')).toBeGreaterThanOrEqual(1);
    // At the first step the policy is the reference: r = z0 = 0 and the loss is 1 - sigmoid(0) = 0.5.
    const summary = await page.locator('svg[data-testid="line-chart-rl-dpo"]').getAttribute('aria-label');
    expect(summary).toContain('KTO loss 0.5 at step 1');
    expectNoErrors(t);
  });
});
