// Drives the system Chromium for the e2e tests: headless, WebGPU on (SwiftShader where there is
// no GPU) unless asked otherwise, one fresh context per test, console and page errors collected,
// and the longest main-thread task recorded in the page (window.__longestTask).

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM_INSTALL_HINT =
  "The e2e tests need Debian's Chromium: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).";

/** The Chromium to drive: $CHROMIUM_PATH, else /usr/bin/chromium; undefined when neither exists. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium'];
  return candidates.find((p) => existsSync(p));
}

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface LaunchOptions {
  /** false: launch without --enable-unsafe-webgpu, so the app must fall back. Default true. */
  webgpu?: boolean;
  /** false: launch with the GPU and its software stand-in off, so WebGL cannot start either. Default true. */
  webgl?: boolean;
}

/** Launches headless Chromium. Throws (failing the test, never skipping it) when Chromium is missing. */
export async function launchBrowser({ webgpu = true, webgl = true }: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error(
      `Chromium not found at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}. ${CHROMIUM_INSTALL_HINT}`,
    );
  }
  const args = [
    ...BASE_ARGS,
    ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
    ...(webgl ? [] : ['--disable-gpu', '--disable-software-rasterizer']),
  ];
  return chromium.launch({ executablePath, args, headless: true });
}

/**
 * One browser shared by the tests of a file, launched by the first test that asks for it, so that
 * a missing Chromium fails every test (with the install command), rather than failing a hook and
 * leaving the tests reported as skipped. Call close() in afterAll.
 */
export function sharedBrowser(options: LaunchOptions = {}): { get(): Promise<Browser>; close(): Promise<void> } {
  let launched: Promise<Browser> | undefined;
  return {
    get: () => (launched ??= launchBrowser(options)),
    close: async () => {
      const b = await launched?.catch(() => undefined);
      launched = undefined;
      await b?.close();
    },
  };
}

declare global {
  interface Window {
    /** Duration in ms of the longest 'longtask' entry seen since load or the last reset. */
    __longestTask: number;
    /** Every long task seen since load or the last reset, in ms. */
    __longTasks: number[];
  }
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Text of every console.error message, in order. */
  consoleErrors: string[];
  /** Message (and stack) of every uncaught page error, in order. */
  pageErrors: string[];
  /** 'STATUS URL' of every response with an HTTP error status, and every request that failed outright. */
  httpErrors: string[];
  /** Longest main-thread task in ms since load or the last resetLongestTask(). */
  longestTask(): Promise<number>;
  resetLongestTask(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a page in a fresh browser context of `browser`, with error collection and long-task tracking. */
export async function openPage(browser: Browser): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(() => {
    window.__longestTask = 0;
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          window.__longTasks.push(entry.duration);
          window.__longestTask = Math.max(window.__longestTask, entry.duration);
        }
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      window.__longestTask = Number.NaN; // no longtask support: make any assertion on it fail loudly
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000); // SwiftShader is slow; tests pass longer timeouts where they need them
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  // Console messages of the page's dedicated workers (the training worker) arrive here too,
  // and an uncaught error inside a worker arrives as a page error.
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url; // Chromium's "Failed to load resource: 404" names its URL only here
    consoleErrors.push(`${msg.worker() ? '[worker] ' : ''}${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  page.on('crash', () => pageErrors.push('the page crashed'));
  // Chromium's console message for a 404 does not name the URL; these do.
  const httpErrors: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) httpErrors.push(`${res.status()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => httpErrors.push(`${req.failure()?.errorText ?? 'failed'} ${req.url()}`));
  return {
    context,
    page,
    consoleErrors,
    pageErrors,
    httpErrors,
    // Long-task entries are delivered to the observer asynchronously; give them a frame or two to land.
    longestTask: async () => {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
      return page.evaluate(() => window.__longestTask);
    },
    resetLongestTask: () =>
      page.evaluate(() => {
        window.__longestTask = 0;
        window.__longTasks = [];
      }),
    close: () => context.close(),
  };
}
