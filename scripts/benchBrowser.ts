// The browser part of `npm run bench`: the built app in headless Chromium (WebGPU on SwiftShader
// where there is no GPU). Measures the time from navigation to the first sample completions on
// screen and the longest main-thread task meanwhile (from the first paint), then trains Pretrain for
// a few steps and reports the step time shown by the page and the longest task meanwhile, then
// labels a few pairs by keyboard and reports the longest task while labelling (goal for all three:
// under 50 ms). Each longest task is given twice: by wall clock (the page's 'longtask' entries)
// and by CPU time on the main thread (Chrome's trace; see tests/e2e/longTasks.ts for why).
// Prints one line: BENCH_BROWSER {...}.
//
//   npx tsx scripts/benchBrowser.ts [STEPS] [LABELS]

import type { Page } from 'playwright-core';
import { launchBrowser, openPage } from '../tests/e2e/browser';
import { serveBuild } from '../tests/e2e/serve';
import {
  firstPaint,
  longestTaskSince,
  markPage,
  recordLongTasks,
  traceMainThread,
  worstTasks,
} from '../tests/e2e/longTasks';

const STEPS = Number(process.argv[2] ?? 5);
const LABELS = Number(process.argv[3] ?? 5);
const STARTUP_MS = 180_000;
const LABEL_MS = 180_000;

/** The longest task of a window, by wall clock and by main-thread CPU time, in whole ms. */
export interface TaskPeak {
  wallMs: number;
  cpuMs: number;
}

const comparisons = async (page: Page) => parseInt(await page.getByTestId('comparison-count').innerText(), 10);

async function waitUntil(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await ok())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Labels `n` pairs with the key 1, each once its pair is on screen and the last label is counted. */
async function labelByKeyboard(page: Page, n: number): Promise<void> {
  const left = page.getByTestId('pair-left');
  const before = await comparisons(page);
  for (let i = 1; i <= n; i++) {
    await left.waitFor({ state: 'visible', timeout: LABEL_MS });
    await page.keyboard.press('1');
    await waitUntil(`label ${i} to be counted`, LABEL_MS, async () => (await comparisons(page)) >= before + i);
  }
}

async function main() {
  const served = await serveBuild();
  const browser = await launchBrowser({ webgpu: true });
  try {
    const t = await openPage(browser);
    const page = t.page;
    await recordLongTasks(page);

    // 1. Load: from the first paint until the first completions are on screen.
    let msToFirstCompletions = 0;
    let settled = 0;
    const loadTrace = await traceMainThread(browser, 'settled', async () => {
      await page.goto(served.url, { waitUntil: 'commit' });
      const firstCompletion = await page.waitForFunction(
        () => (document.querySelector('[data-testid="samples-pretrain"] li') ? performance.now() : 0),
        undefined,
        { polling: 'raf', timeout: STARTUP_MS },
      );
      msToFirstCompletions = Math.round((await firstCompletion.jsonValue()) as number);
      settled = await markPage(page, 'settled');
    });
    const paintedAt = (await firstPaint(page)) ?? 0;
    const atLoad: TaskPeak = {
      wallMs: Math.round(await longestTaskSince(page, paintedAt, settled)),
      cpuMs: Math.round(worstTasks(loadTrace.tasksBetween('firstPaint', 'settled')).byCpu?.cpu ?? 0),
    };
    const backend = (await page.getByTestId('backend-badge').innerText()).trim();

    // 2. Training Pretrain for STEPS steps.
    const panel = page.locator('section[data-testid="stage-pretrain"]');
    const points = async () =>
      Number(await page.locator('svg[data-testid="loss-chart-pretrain"]').getAttribute('data-points'));
    await t.resetLongestTask();
    await panel.getByRole('button', { name: 'Play', exact: true }).click();
    const started = Date.now();
    while ((await points()) < STEPS && Date.now() - started < 300_000) await page.waitForTimeout(250);
    const longestTaskMs = Math.round(await t.longestTask());
    const msPerStepShown = Number(await page.getByTestId('ms-per-step-pretrain').locator('dd').innerText());
    await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    const stepsTrained = await points();

    // 3. Labelling LABELS pairs by keyboard in the Preferences panel.
    let whileLabelling: TaskPeak | null = null;
    if (LABELS > 0) {
      const prefs = page.locator('section[data-testid="stage-preferences"]');
      await prefs.scrollIntoViewIfNeeded();
      await page.getByTestId('pair-left').waitFor({ state: 'visible', timeout: STARTUP_MS });
      let [from, to] = [0, 0];
      const labelTrace = await traceMainThread(browser, 'labelling', async () => {
        from = await markPage(page, 'labelling');
        await labelByKeyboard(page, LABELS);
        await page.waitForTimeout(1000); // the re-scored table of the last label
        to = await markPage(page, 'labelled');
      });
      whileLabelling = {
        wallMs: Math.round(await longestTaskSince(page, from, to)),
        cpuMs: Math.round(worstTasks(labelTrace.tasksBetween('labelling', 'labelled')).byCpu?.cpu ?? 0),
      };
    }

    const report = {
      ok: true,
      backend,
      msToFirstCompletions,
      stepsTrained,
      msPerStepShown,
      longestTaskMs,
      longestTaskAtLoad: atLoad,
      labelled: LABELS,
      longestTaskWhileLabelling: whileLabelling,
      errors: [...t.pageErrors, ...t.consoleErrors],
    };
    console.log('BENCH_BROWSER ' + JSON.stringify(report));
  } finally {
    await browser.close();
    await served.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e?.stack ?? String(e));
    process.exit(1);
  },
);
