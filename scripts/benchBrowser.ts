// The browser part of `npm run bench`: the built app in headless Chromium (WebGPU on SwiftShader
// where there is no GPU). Measures the time from navigation to the first sample completions on
// screen, then trains Pretrain for a few steps and reports the step time shown by the page and the
// longest main-thread task meanwhile (goal: under 50 ms). Prints one line: BENCH_BROWSER {...}.

import { launchBrowser, openPage } from '../tests/e2e/browser';
import { serveBuild } from '../tests/e2e/serve';

const STEPS = Number(process.argv[2] ?? 5);

async function main() {
  const served = await serveBuild();
  const browser = await launchBrowser({ webgpu: true });
  try {
    const t = await openPage(browser);
    const page = t.page;
    await page.goto(served.url, { waitUntil: 'commit' });
    const firstCompletion = await page.waitForFunction(
      () => (document.querySelector('[data-testid="samples-pretrain"] li') ? performance.now() : 0),
      undefined, { polling: 'raf', timeout: 180_000 },
    );
    const msToFirstCompletions = Math.round((await firstCompletion.jsonValue()) as number);
    const backend = (await page.getByTestId('backend-badge').innerText()).trim();

    const panel = page.locator('section[data-testid="stage-pretrain"]');
    const points = async () => Number(await page.locator('svg[data-testid="loss-chart-pretrain"]').getAttribute('data-points'));
    await t.resetLongestTask();
    await panel.getByRole('button', { name: 'Play', exact: true }).click();
    const started = Date.now();
    while ((await points()) < STEPS && Date.now() - started < 300_000) await page.waitForTimeout(250);
    const longestTaskMs = Math.round(await t.longestTask());
    const msPerStepShown = Number(await page.getByTestId('ms-per-step-pretrain').locator('dd').innerText());
    await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    const report = { ok: true, backend, msToFirstCompletions, stepsTrained: await points(), msPerStepShown, longestTaskMs, errors: [...t.pageErrors, ...t.consoleErrors] };
    console.log('BENCH_BROWSER ' + JSON.stringify(report));
  } finally {
    await browser.close();
    await served.close();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
