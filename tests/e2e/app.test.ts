// End-to-end: the built app in headless Chromium. WebGPU here is SwiftShader (CPU emulation), so
// start-up can take tens of seconds and a training step a second or more: waits are generous,
// and every wait is on a condition, not a fixed sleep, except checking that Pause really stops.

import { describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestPage } from './browser';
import { expectNoErrors, expectResponsive, pagesOf } from './pages';
import { markPage, traceMainThread } from './longTasks';

const STARTUP_MS = 120_000; // navigation to first completions, cold, on SwiftShader
const FIRST_STEP_MS = 120_000; // the first training step of a page compiles its shaders: ~20 s here
const STEP_MS = 60_000; // a later step and its redraw (~5 s on a busy 2-core machine)
const PLAY_STEPS = 2; // steps that must land after the first one before the test presses Pause
const PLAY_MS = 120_000; // time allowed for them

const baseUrl = inject('baseUrl');

const badge = (page: Page) => page.getByTestId('backend-badge');
const stage = (page: Page, id: 'pretrain' | 'sft') => page.locator(`section[data-testid="stage-${id}"]`);
const button = (page: Page, id: 'pretrain' | 'sft', name: string) =>
  stage(page, id).getByRole('button', { name, exact: true });
const completions = (page: Page) => page.locator('[data-testid="samples-pretrain"] li');

/** Number of train-loss points the pretrain chart has drawn. */
async function chartPoints(page: Page): Promise<number> {
  const raw = await page.locator('svg[data-testid="loss-chart-pretrain"]').getAttribute('data-points');
  const n = Number(raw);
  if (raw === null || !Number.isInteger(n)) throw new Error(`loss-chart-pretrain has data-points="${raw}"`);
  return n;
}

/** Navigates to the app and waits for the first pretrain completion; returns waitForCompletions' ms. */
async function loadUntilCompletions(t: TestPage): Promise<number> {
  await t.page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
  return waitForCompletions(t);
}

/**
 * Waits for the first pretrain completion. Returns the ms from navigation start to the first
 * frame in which a completion is in the DOM, measured by the page's own clock.
 */
async function waitForCompletions(t: TestPage): Promise<number> {
  const handle = await t.page.waitForFunction(
    () => (document.querySelector('[data-testid="samples-pretrain"] li') ? performance.now() : 0),
    undefined,
    { polling: 'raf', timeout: STARTUP_MS },
  );
  const ms = Math.round((await handle.jsonValue()) as number);
  expect(await completions(t.page).count()).toBeGreaterThan(0);
  expect((await completions(t.page).first().innerText()).trim().length).toBeGreaterThan(0);
  return ms;
}

describe('with WebGPU', () => {
  const open = pagesOf({ webgpu: true });

  test('loads cleanly on WebGPU, shows the pipeline and sample completions', async () => {
    const t = await open();
    const page = t.page;
    await page.goto(baseUrl, { waitUntil: 'commit' });
    // The first frame that has the badge shows it starting: the worker takes a while to choose.
    const first = await page.waitForFunction(
      () => document.querySelector('[data-testid="backend-badge"]')?.textContent?.trim(),
      undefined,
      { polling: 'raf', timeout: STARTUP_MS },
    );
    expect(await first.jsonValue()).toBe('starting…');
    const ms = await waitForCompletions(t);
    console.log(`[e2e] WebGPU: navigation to first completion: ${ms} ms`);

    await expect.poll(async () => (await badge(page).innerText()).trim(), { timeout: STARTUP_MS }).toBe('WebGPU');

    const nav = page.getByRole('navigation', { name: 'RLHF pipeline' });
    for (const name of ['Pretrain', 'Supervised fine-tune', 'Preferences', 'Reward model', 'RL fine-tune']) {
      expect(await nav.getByRole('button', { name, exact: true }).isEnabled(), name).toBe(true);
    }

    for (const id of ['pretrain', 'sft'] as const) {
      for (const name of ['Play', 'Step', 'Reset']) {
        expect(await button(page, id, name).isEnabled(), `${id} ${name}`).toBe(true);
      }
    }
    expect(await button(page, 'pretrain', 'Pretrain from scratch').isVisible()).toBe(true);
    expect(await button(page, 'sft', 'Pretrain from scratch').count()).toBe(0);
    expect(await chartPoints(page)).toBeGreaterThanOrEqual(0);
    expectNoErrors(t);
  });

  test('Step adds a point to the pretrain loss chart', async () => {
    const t = await open();
    await loadUntilCompletions(t);
    const before = await chartPoints(t.page);
    await button(t.page, 'pretrain', 'Step').click();
    await expect.poll(() => chartPoints(t!.page), { timeout: FIRST_STEP_MS, interval: 200 }).toBeGreaterThan(before);
    console.log(`[e2e] Step: chart points ${before} -> ${await chartPoints(t.page)}`);
    expectNoErrors(t);
  });

  test('Play trains until Pause, with no main-thread task over 100 ms', async () => {
    const t = await open();
    const page = t.page;
    await loadUntilCompletions(t);
    const before = await chartPoints(page);

    await t.resetLongestTask();
    let msPerStep = 0;
    const trace = await traceMainThread(t.context.browser()!, 'play', async () => {
      await markPage(page, 'play');
      await button(page, 'pretrain', 'Play').click();
      await button(page, 'pretrain', 'Pause').waitFor({ state: 'visible', timeout: STEP_MS });
      // Let it play until a few steps have landed (the first is slow: shaders compile), timing the
      // later ones to know how long a step takes here.
      await expect.poll(() => chartPoints(page), { timeout: FIRST_STEP_MS, interval: 200 }).toBeGreaterThan(before);
      const firstAt = Date.now();
      const firstN = await chartPoints(page);
      await expect
        .poll(() => chartPoints(page), { timeout: PLAY_MS, interval: 200 })
        .toBeGreaterThanOrEqual(firstN + PLAY_STEPS);
      msPerStep = (Date.now() - firstAt) / ((await chartPoints(page)) - firstN);
      await button(page, 'pretrain', 'Pause').click();
      await button(page, 'pretrain', 'Play').waitFor({ state: 'visible', timeout: STEP_MS });
      await markPage(page, 'paused');
    });
    const wallLongest = await t.longestTask();

    const atPause = await chartPoints(page);
    console.log(`[e2e] Play: chart points ${before} -> ${atPause} (~${Math.round(msPerStep)} ms per step)`);
    expect(atPause).toBeGreaterThanOrEqual(before + 1 + PLAY_STEPS);
    expectResponsive('while training', trace.tasksBetween('play', 'paused'), `longest ${Math.round(wallLongest)}`);

    // Paused means paused: over the time of a few steps, at most the step in flight still lands.
    await page.waitForTimeout(Math.max(3_000, 2.5 * msPerStep));
    expect(await chartPoints(page)).toBeLessThanOrEqual(atPause + 1);
    expectNoErrors(t);
  });
});

describe('checkpoints in the browser', () => {
  const open = pagesOf({ webgpu: true });

  const notices = (page: Page) => page.getByTestId('notices');

  test('a model saved in IndexedDB survives a page reload and loads back', async () => {
    const t = await open();
    const page = t.page;
    await loadUntilCompletions(t);
    await button(page, 'pretrain', 'Step').click();
    await expect.poll(() => chartPoints(page), { timeout: FIRST_STEP_MS, interval: 200 }).toBe(1);
    await button(page, 'pretrain', 'Save in browser').click();
    await notices(page).getByText('Saved the pretrain model in this browser.').waitFor({ timeout: STEP_MS });

    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForCompletions(t);
    await expect
      .poll(() => stage(page, 'pretrain').innerText(), { timeout: STEP_MS })
      .toContain('shipped pretrained checkpoint');
    await button(page, 'pretrain', 'Load from browser').click();
    await notices(page).getByText('Loaded the copy saved in this browser into Pretrain.').waitFor({ timeout: STEP_MS });
    expect(await stage(page, 'pretrain').innerText()).toContain('file the copy saved in this browser');
    expectNoErrors(t);
  });

  test('a corrupt checkpoint file is refused with a message, and the page carries on', async () => {
    const t = await open();
    const page = t.page;
    await loadUntilCompletions(t);
    const before = await stage(page, 'sft').innerText();
    await page.getByTestId('checkpoint-file-sft').setInputFiles({
      name: 'broken.ckpt',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('<script>alert(1)</script> not weights'),
    });
    const alert = notices(page).getByRole('alert');
    await alert.waitFor({ timeout: STEP_MS });
    expect(await alert.innerText()).toContain('Not a usable checkpoint');
    expect(await stage(page, 'sft').innerText()).toContain('shipped fine-tuned checkpoint');
    expect((await stage(page, 'sft').innerText()).length).toBeGreaterThan(0.5 * before.length);
    expectNoErrors(t);
  });
});

describe('without WebGPU', () => {
  const open = pagesOf({ webgpu: false });

  test('falls back to another backend, says why, and still writes completions', async () => {
    const t = await open();
    const ms = await loadUntilCompletions(t);
    const text = (await badge(t.page).innerText()).trim();
    console.log(`[e2e] no WebGPU: badge "${text}"; navigation to first completion: ${ms} ms`);
    // The backend's name, then a reason (the badge writes "WASM — no WebGPU adapter" or similar).
    expect(text).toMatch(/^(WebGL|WASM|CPU)\b\W+\w.{3,}/);
    expectNoErrors(t);
  });
});

describe('without WebGPU or WebGL', () => {
  const open = pagesOf({ webgpu: false, webgl: false });

  test('runs on WebAssembly, says why, and still writes completions', async () => {
    const t = await open();
    const ms = await loadUntilCompletions(t);
    const text = (await badge(t.page).innerText()).trim();
    console.log(`[e2e] no WebGPU or WebGL: badge "${text}"; navigation to first completion: ${ms} ms`);
    expect(text).toMatch(/^WASM\b\W+\w.{3,}/);
    expectNoErrors(t);
  });
});
