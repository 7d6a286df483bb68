// End-to-end: the download buttons under a chart. After one pretraining step the pretrain loss
// chart has a point; its SVG, PNG and CSV buttons must each give a file that is what it says:
// an SVG document that parses, a PNG with a real size, and a CSV with a header and numbers.

import { describe, expect, inject, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import type { TestPage } from './browser';
import { expectNoErrors, pagesOf } from './pages';

const STARTUP_MS = 120_000; // navigation to first completions, cold, on SwiftShader
const FIRST_STEP_MS = 120_000; // the first training step of a page compiles its shaders
const DOWNLOAD_MS = 30_000;

const baseUrl = inject('baseUrl');

const stage = (page: Page) => page.locator('section[data-testid="stage-pretrain"]');
const exportButton = (page: Page, format: 'SVG' | 'PNG' | 'CSV') =>
  stage(page).getByRole('button', { name: `Download the Pretrain loss chart as ${format}`, exact: true });

async function chartPoints(page: Page): Promise<number> {
  const raw = await page.locator('svg[data-testid="loss-chart-pretrain"]').getAttribute('data-points');
  const n = Number(raw);
  if (raw === null || !Number.isInteger(n)) throw new Error(`loss-chart-pretrain has data-points="${raw}"`);
  return n;
}

async function loadUntilCompletions(t: TestPage): Promise<void> {
  await t.page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
  await t.page.waitForFunction(() => !!document.querySelector('[data-testid="samples-pretrain"] li'), undefined, {
    polling: 'raf',
    timeout: STARTUP_MS,
  });
}

/** Clicks an export button and returns the download it starts, with the file's bytes. */
async function download(page: Page, format: 'SVG' | 'PNG' | 'CSV'): Promise<{ d: Download; bytes: Buffer }> {
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout: DOWNLOAD_MS }),
    exportButton(page, format).click(),
  ]);
  const path = await d.path();
  return { d, bytes: await readFile(path) };
}

describe('chart export', () => {
  const open = pagesOf({ webgpu: true });

  test('the pretrain loss chart downloads as SVG, PNG and CSV', async () => {
    const t = await open();
    const page = t.page;
    await loadUntilCompletions(t);
    const before = await chartPoints(page);
    await stage(page).getByRole('button', { name: 'Step', exact: true }).click();
    await expect.poll(() => chartPoints(page), { timeout: FIRST_STEP_MS, interval: 200 }).toBeGreaterThan(before);
    for (const format of ['SVG', 'PNG', 'CSV'] as const) {
      await expect.poll(() => exportButton(page, format).isEnabled(), { timeout: 10_000 }).toBe(true);
    }
    const dated = (ext: string) => new RegExp(`^loss-pretrain-\\d{4}-\\d{2}-\\d{2}\\.${ext}$`);

    // SVG: a standalone document with the namespace, the drawn lines and the inlined styles.
    const svg = await download(page, 'SVG');
    expect(svg.d.suggestedFilename()).toMatch(dated('svg'));
    const svgText = svg.bytes.toString('utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svgText).toMatch(/<path\b[^>]*\sd="M/);
    expect(svgText).toMatch(/style="[^"]*font-size/);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.getElementsByTagName('parsererror').length > 0,
        name: root.localName,
        ns: root.namespaceURI,
        width: Number(root.getAttribute('width')),
        height: Number(root.getAttribute('height')),
        viewBox: root.getAttribute('viewBox'),
        paths: root.getElementsByTagName('path').length,
        background: root.firstElementChild?.localName === 'rect' && root.firstElementChild.getAttribute('fill'),
      };
    }, svgText);
    expect(parsed.error).toBe(false);
    expect(parsed.name).toBe('svg');
    expect(parsed.ns).toBe('http://www.w3.org/2000/svg');
    expect(parsed.width).toBeGreaterThan(0);
    expect(parsed.height).toBeGreaterThan(0);
    expect(parsed.viewBox).toMatch(/^[\d.\s-]+$/);
    expect(parsed.paths).toBeGreaterThan(0);
    // The light theme's card is white: the copy's background takes it.
    expect(parsed.background).toMatch(/^(#ffffff|rgb\(255, 255, 255\))$/);

    // PNG: the signature, then an IHDR chunk with a width and height, twice the SVG's size.
    const png = await download(page, 'PNG');
    expect(png.d.suggestedFilename()).toMatch(dated('png'));
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    const pngWidth = png.bytes.readUInt32BE(16);
    const pngHeight = png.bytes.readUInt32BE(20);
    expect(pngWidth).toBeGreaterThan(0);
    expect(pngHeight).toBeGreaterThan(0);
    expect(pngWidth).toBe(2 * parsed.width);
    expect(pngHeight).toBe(2 * parsed.height);

    // CSV: the header, then at least one row whose step and train loss are numbers.
    const csv = await download(page, 'CSV');
    expect(csv.d.suggestedFilename()).toMatch(dated('csv'));
    const lines = csv.bytes
      .toString('utf8')
      .split('\r\n')
      .filter((l) => l.length > 0);
    expect(lines[0]).toBe('step,train_loss,heldout_loss');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const [step, trainLoss, heldout] = lines[lines.length - 1].split(',');
    expect(Number.isFinite(Number(step)) && step !== '').toBe(true);
    expect(Number.isFinite(Number(trainLoss)) && trainLoss !== '').toBe(true);
    expect(heldout === '' || Number.isFinite(Number(heldout))).toBe(true);
    console.log(
      `[e2e] export: svg ${svg.bytes.length} B, png ${pngWidth}x${pngHeight} ${png.bytes.length} B, csv ${lines.length - 1} rows`,
    );

    // The buttons are left out of print.
    await page.emulateMedia({ media: 'print' });
    expect(await exportButton(page, 'SVG').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await exportButton(page, 'SVG').isVisible()).toBe(true);
    expectNoErrors(t);
  });
});
