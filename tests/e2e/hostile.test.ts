// End-to-end: hostile input. Script payloads go in through every way text enters the page (every
// link key, the reward probe's boxes, the session name, a preference file, a session file, the
// corpus dialog) and none may run: window.__pwned stays undefined, the Content-Security-Policy
// reports no blocked script (an injected handler would be blocked, and reported), no element with
// a handler or a javascript: URL appears, and the payload shows as text where it is shown. One page
// (one fresh profile) for the whole file, the tiny model, so SwiftShader gets through in minutes.
// Also: a 10 MB paste into the corpus dialog is refused at input, without freezing the page.

import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, sharedBrowser, type TestPage } from './browser';
import { expectNoErrors } from './pages';
import { SCHEMA } from '../../src/ui/urlState';
import { loadScenario } from '../../src/data/scenarios';
import { MAX_CHARACTERS } from '../../src/data/customCorpus';

const STARTUP_MS = 180_000;
const WORK_MS = 180_000;
const MAX_TASK_MS = 100; // the page's own work per input
/** Bound on a task that includes the browser's own handling of 10 MB (a clipboard copy, a teardown). */
const BROWSER_10MB_MS = 1_000;
const baseUrl = inject('baseUrl');

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '"><svg onload=window.__pwned=1>',
  'javascript:window.__pwned=1',
  `'><iframe srcdoc="<script>parent.__pwned=1</script>">`,
  '{@html "<img src=x onerror=window.__pwned=1>"}',
];
/** Payloads that can be file names (no slash). */
const FILE_PAYLOADS = [PAYLOADS[0], PAYLOADS[2], PAYLOADS[3]];

declare global {
  interface Window {
    __pwned?: number;
    /** Every Content-Security-Policy violation of the page, as "directive blocked sample". */
    __violations: string[];
  }
}

/** Elements a payload would leave behind if it were ever parsed as HTML. */
function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) found.push(`<${el.localName} ${a.name}>`);
        const url = /^(href|src|action|formaction|xlink:href)$/i.test(a.name);
        if (url && /^\s*javascript:/i.test(a.value)) found.push(`<${el.localName} ${a.name}=javascript:>`);
      }
      if (/^(iframe|object|embed)$/.test(el.localName)) found.push(`<${el.localName}>`);
      if (el.localName === 'script' && !el.getAttribute('src')) found.push('<script> without src');
      if (el.localName === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
    }
    return found;
  });
}

/** Nothing ran, nothing was injected, nothing was blocked, nothing failed. */
async function expectNothingRan(t: TestPage, where: string): Promise<void> {
  expect(await t.page.evaluate(() => window.__pwned), `${where}: window.__pwned`).toBeUndefined();
  expect(await t.page.evaluate(() => window.__violations), `${where}: CSP violations`).toEqual([]);
  expect(await injectedElements(t.page), `${where}: injected elements`).toEqual([]);
  expectNoErrors(t);
}

const notices = (page: Page) => page.getByTestId('notices').innerText();

describe('hostile input', () => {
  const browser = sharedBrowser({ webgpu: true });
  let t: TestPage;
  let page: Page;

  beforeAll(async () => {
    t = await openPage(await browser.get());
    page = t.page;
    await t.context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`);
      });
    });
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
  });
  afterAll(async () => {
    await t?.close();
    await browser.close();
  });

  test('a link with a payload in every key (and as key names) runs nothing and shows the payloads as text', async () => {
    const enc = encodeURIComponent;
    const pieces = SCHEMA.map((e, i) => `${e.key}=${enc(PAYLOADS[i % PAYLOADS.length])}`);
    pieces.push(`${enc(PAYLOADS[1])}=1`, `${enc(PAYLOADS[2])}`);
    await page.goto(`${baseUrl}#${pieces.join('&')}`, { waitUntil: 'domcontentloaded' });
    await expect.poll(() => notices(page), { timeout: STARTUP_MS }).toMatch(/The link could not be used in full/);
    const text = await notices(page);
    expect(text).toContain(`(${SCHEMA.length + 2} problems)`);
    // Each shown as the page quotes a raw value: JSON-quoted, cut at 40 characters.
    for (const p of PAYLOADS) expect(text, p).toContain(JSON.stringify(p.length > 40 ? `${p.slice(0, 40)}…` : p));
    await expect.poll(() => page.locator('#scenario-select').inputValue(), { timeout: STARTUP_MS }).toBe('reviews');
    expect(await page.locator('#preset-select').inputValue()).toBe('small');
    // Let the worker start before the next test navigates away (an aborted worker script counts as a failed request).
    await expect.poll(() => page.getByTestId('backend-badge').innerText(), { timeout: STARTUP_MS }).toBe('WebGPU');
    await expectNothingRan(t, 'link');
  });

  test('the reward probe boxes take payloads as text', async () => {
    await page.goto('about:blank');
    // Leaving the page cuts what the last test's page still had in flight (net::ERR_ABORTED): not a failed request.
    t.httpErrors.splice(0, t.httpErrors.length, ...t.httpErrors.filter((e) => !e.startsWith('net::ERR_ABORTED')));
    await page.goto(`${baseUrl}#size=tiny`, { waitUntil: 'domcontentloaded' });
    const save = page.getByRole('button', { name: 'Save session', exact: true });
    await expect.poll(() => save.isEnabled(), { timeout: STARTUP_MS, interval: 250 }).toBe(true);
    await page.locator('#probe-prompt').fill(PAYLOADS[0]);
    await page.locator('#probe-response').fill(PAYLOADS.slice(1).join(' '));
    const probe = page.getByTestId('reward-probe');
    await expect.poll(() => probe.getByTestId('reward-probe-value').count(), { timeout: WORK_MS }).toBe(1);
    expect(await page.locator('#probe-prompt').inputValue()).toBe(PAYLOADS[0]);
    expect(await page.locator('#probe-response').inputValue()).toBe(PAYLOADS.slice(1).join(' '));
    expect(await probe.innerText()).toMatch(/Not in the vocabulary/); // the payload's words, listed as text
    await expectNothingRan(t, 'reward probe');
  });

  test('a preference file with payloads in every field is refused; one with payload annotators imports as text', async () => {
    const file = page.getByTestId('preferences-file');
    const hostile = PAYLOADS.map((p, i) =>
      JSON.stringify({
        prompt: p,
        chosen: PAYLOADS[(i + 1) % PAYLOADS.length],
        rejected: PAYLOADS[(i + 2) % PAYLOADS.length],
        annotator: p.slice(0, 40),
        source: p.slice(0, 64),
        scenario: p.slice(0, 64),
        [p]: p,
      }),
    ).join('\n');
    const badName = `${FILE_PAYLOADS[1]}.jsonl`;
    await file.setInputFiles({ name: badName, mimeType: 'application/json', buffer: Buffer.from(hostile) });
    await expect.poll(() => notices(page), { timeout: WORK_MS }).toContain(`${badName} was not imported: line 1`);
    expect(await page.getByTestId('comparison-count').innerText()).toMatch(/^0 comparisons/);

    const demos = loadScenario('reviews', 1).demonstrations;
    const good = PAYLOADS.slice(0, 4)
      .map((p, i) =>
        JSON.stringify({
          prompt: demos[i].prompt,
          chosen: demos[i].response,
          rejected: demos[i + 4].response,
          annotator: p.slice(0, 40),
          scenario: PAYLOADS[1],
          [PAYLOADS[2]]: PAYLOADS[0],
        }),
      )
      .join('\n');
    await file.setInputFiles({
      name: `${FILE_PAYLOADS[0]}.jsonl`,
      mimeType: 'application/json',
      buffer: Buffer.from(good),
    });
    await expect
      .poll(() => page.getByTestId('comparison-count').innerText(), { timeout: WORK_MS })
      .toMatch(/^4 comparisons/);
    const table = (await page.locator('[data-testid="comparison-row"]').allInnerTexts()).join('\n');
    for (const p of PAYLOADS.slice(0, 4)) expect(table, p).toContain(p);
    await expectNothingRan(t, 'preference import');
  });

  test('a payload session name and a session file (good and broken, payload-named) show as text', async () => {
    await page.getByLabel('Name', { exact: true }).fill(PAYLOADS[0]);
    await page.getByRole('button', { name: 'Save session', exact: true }).click();
    const rows = page.getByTestId('session-row');
    await expect.poll(() => rows.count(), { timeout: WORK_MS }).toBe(1);
    expect(await rows.first().innerText()).toContain(PAYLOADS[0]);

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WORK_MS }),
      page.getByRole('button', { name: 'Export as file', exact: true }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync((await download.path())!);
    const input = page.getByTestId('session-file');
    await input.setInputFiles({
      name: `${FILE_PAYLOADS[2]}.rlhfsession`,
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    // Stored beside the first as "<name> (2)" and restored (which first saves what was here as a session of its own).
    await expect
      .poll(async () => (await rows.allInnerTexts()).join('\n'), { timeout: WORK_MS })
      .toContain(`${PAYLOADS[0]} (2)`);
    await expect
      .poll(() => page.getByTestId('comparison-count').innerText(), { timeout: WORK_MS })
      .toMatch(/^4 comparisons/);
    const stored = await rows.count();

    const broken = Buffer.concat([bytes.subarray(0, 8), Buffer.from(PAYLOADS.join(''))]);
    const brokenName = `${FILE_PAYLOADS[1]}.rlhfsession`;
    await input.setInputFiles({ name: brokenName, mimeType: 'application/octet-stream', buffer: broken });
    await expect.poll(() => notices(page), { timeout: WORK_MS }).toContain(`${brokenName} was not imported`);
    expect(await rows.count()).toBe(stored);
    await expectNothingRan(t, 'sessions');
  });

  test('the corpus dialog refuses a 10 MB paste at input, stops typing at the limit, and takes payload lines as text', async () => {
    await page.locator('#scenario-select').selectOption({ label: 'Paste your own corpus…' });
    const area = page.locator('#corpus-text');
    await area.waitFor();
    expect(Number(await area.getAttribute('maxlength'))).toBe(MAX_CHARACTERS);
    const size = page.getByTestId('corpus-size');
    const big = 'how are you? | fine, thanks.\n'.repeat(360_000); // 10,440,000 characters

    // A real paste of 10 MB through the clipboard: refused whole, from its length alone. The task
    // holds the browser's own copy of 10 MB out of the clipboard (~20-400 ms on this shared machine),
    // which no page can avoid; before the limit bit at input, this paste froze the page for seconds.
    await page.evaluate((s) => navigator.clipboard.writeText(s), big);
    await area.focus();
    await t.resetLongestTask();
    await page.keyboard.press('Control+V');
    await expect.poll(() => size.innerText(), { timeout: 10_000 }).toMatch(/That paste holds 10,440,000 characters/);
    const pasteTask = await t.longestTask();
    console.log(`[e2e] 10 MB paste: longest main-thread task ${Math.round(pasteTask)} ms`);
    expect(await area.inputValue()).toBe('');
    expect(pasteTask).toBeLessThan(BROWSER_10MB_MS);

    // A script puts 10 MB there: setting it is the test's own work and is not timed; the page's answer
    // to the input event (which includes the browser tearing down the 10 MB value it puts back) and
    // every task after it are. Nothing after it may be long: no 10 MB layout, split or count.
    const scripted = await area.evaluate(async (el: HTMLTextAreaElement, text) => {
      const tasks: PerformanceEntry[] = [];
      new PerformanceObserver((l) => tasks.push(...l.getEntries())).observe({ type: 'longtask' });
      el.value = text;
      const started = performance.now();
      el.dispatchEvent(new Event('input', { bubbles: true }));
      for (let i = 0; i < 5; i++) await Promise.resolve(); // Svelte's updates run as microtasks
      const answered = performance.now();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 400))));
      const after = tasks.filter((e) => e.startTime >= answered).map((e) => Math.round(e.duration));
      return { handlerMs: answered - started, after, length: el.value.length };
    }, big);
    const after = scripted.after.join(', ') || 'none';
    console.log(
      `[e2e] 10 MB set by script: input answered in ${Math.round(scripted.handlerMs)} ms; long tasks after it: ${after}`,
    );
    expect(scripted.handlerMs).toBeLessThan(BROWSER_10MB_MS);
    expect(Math.max(0, ...scripted.after)).toBeLessThan(MAX_TASK_MS);
    expect(scripted.length).toBe(0);
    expect(await size.innerText()).toMatch(
      /A text of 10,440,000 characters was put here: the limit is 200,000 characters/,
    );

    // Typing next to the limit: each key costs the page the same small work, and maxlength stops it there.
    // (Set by script: Playwright's fill() types it through the editor, which takes minutes for 200,000 characters.)
    await area.evaluate(
      (el: HTMLTextAreaElement, text) => {
        el.value = text;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      },
      'how are you? | fine, thanks.\n'.repeat(7_000).slice(0, MAX_CHARACTERS - 10),
    ); // ~6,900 lines
    await expect.poll(() => size.innerText(), { timeout: 10_000 }).toBe('199,990 of 200,000 characters');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
    await area.press('Control+End');
    await t.resetLongestTask();
    await area.pressSequentially('0123456789abcdefghij');
    const typingTask = await t.longestTask();
    console.log(`[e2e] typing at 199,990 characters: longest main-thread task ${Math.round(typingTask)} ms`);
    expect(typingTask).toBeLessThan(MAX_TASK_MS);
    expect((await area.inputValue()).length).toBe(MAX_CHARACTERS);
    await expect.poll(() => size.innerText(), { timeout: 10_000 }).toMatch(/at the limit of 200,000 characters/);

    // Typing still counts, after a pause; a corpus of payload lines goes through as text.
    const lines = Array.from({ length: 12 }, (_, i) => `x${i} | ${PAYLOADS[i % PAYLOADS.length]}`);
    await area.fill(lines.join('\n'));
    await expect
      .poll(() => page.getByTestId('corpus-count').innerText(), { timeout: 10_000 })
      .toMatch(/12 lines, 12 with the separator/);
    expect(await area.inputValue()).toBe(lines.join('\n'));
    await page.getByRole('button', { name: 'Use this corpus', exact: true }).click();
    await expect.poll(() => notices(page), { timeout: WORK_MS }).toMatch(/Using your corpus: 12 examples/);
    await expect.poll(() => page.locator('#scenario-select').inputValue(), { timeout: WORK_MS }).toBe('custom');
    await expectNothingRan(t, 'corpus dialog');
  });

  test('the checks above can fail: an injected handler is caught', async () => {
    await page.evaluate(() => {
      const box = document.createElement('div');
      box.setAttribute('data-probe', '');
      document.body.append(box);
      box.setAttribute('onclick', 'window.__pwned = 1');
      box.click(); // blocked by the CSP, and reported
    });
    await expect.poll(() => page.evaluate(() => window.__violations.length), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await injectedElements(page)).toEqual(['<div onclick>']);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined(); // the CSP held
  });
});
