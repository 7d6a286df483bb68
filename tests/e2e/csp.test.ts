// End-to-end: the app works under its own Content-Security-Policy. The built page is served with
// the policy both in index.html's <meta> and as a header (vite.config.ts), and the header also
// covers the worker script. Loading, a Pretrain step, a typeset formula and a chart export (SVG
// and PNG, which goes through a data: image and a canvas) must not trip a single directive, on
// WebGPU and on the fallback without it.

import { describe, expect, inject, test } from 'vitest';
import type { TestPage } from './browser';
import { expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 180_000;
const STEP_MS = 180_000;
const baseUrl = inject('baseUrl');

declare global {
  interface Window {
    __violations: string[];
  }
}

/** Records every CSP violation of the page, and the policy header of the page and of its worker script. */
async function watch(t: TestPage): Promise<{ headers: Map<string, string> }> {
  await t.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const headers = new Map<string, string>();
  t.page.on('response', (res) => {
    const kind = res.request().resourceType();
    const url = new URL(res.url());
    const key = kind === 'document' ? 'document' : /\/assets\/worker-[^/]*\.js$/.test(url.pathname) ? 'worker' : '';
    if (key) headers.set(key, res.headers()['content-security-policy'] ?? '');
  });
  return { headers };
}

async function exercise(t: TestPage, backend: RegExp): Promise<void> {
  const page = t.page;
  const { headers } = await watch(t);
  await page.goto(`${baseUrl}#size=tiny`, { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid="samples-pretrain"] li').first().waitFor({ timeout: STARTUP_MS });
  await expect.poll(() => page.getByTestId('backend-badge').innerText(), { timeout: STARTUP_MS }).toMatch(backend);

  const pretrain = page.locator('section[data-testid="stage-pretrain"]');
  await pretrain.getByRole('button', { name: 'Step', exact: true }).click();
  const chart = page.locator('svg[data-testid="loss-chart-pretrain"]');
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: STEP_MS })
    .toBeGreaterThan(0);

  // A formula: KaTeX's markup lays itself out with style attributes, which the policy allows.
  await pretrain.locator('details.explain summary').first().click();
  const strut = pretrain.locator('details.explain[open] .katex .strut').first(); // zero-width, so never "visible"
  await strut.waitFor({ state: 'attached', timeout: 30_000 });
  expect(await strut.evaluate((el) => parseFloat(getComputedStyle(el).height))).toBeGreaterThan(0);

  for (const format of ['svg', 'png']) {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      pretrain.locator(`button[data-export="${format}"]`).first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${format}$`));
  }

  expect(await page.evaluate(() => window.__violations)).toEqual([]);
  expectNoErrors(t);
  const policy = headers.get('document') ?? '';
  expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
  expect(headers.get('worker'), 'the worker script is served under the same policy').toBe(policy);
}

describe('under its Content-Security-Policy, with WebGPU', () => {
  const open = pagesOf({ webgpu: true });
  test('loads, steps Pretrain, typesets a formula and exports a chart with no violation', async () => {
    await exercise(await open(), /^WebGPU$/);
  });
});

describe('under its Content-Security-Policy, without WebGPU', () => {
  const open = pagesOf({ webgpu: false });
  test('falls back, steps Pretrain, typesets a formula and exports a chart with no violation', async () => {
    await exercise(await open(), /^(WebGL|CPU)/);
  });
});
