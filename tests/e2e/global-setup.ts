// Global setup of the e2e project: build the app once, serve it on a free port, and hand the URL
// to the tests (`inject('baseUrl')`); the server closes when the run ends.

import type { TestProject } from 'vitest/node';
import { findChromium, CHROMIUM_INSTALL_HINT } from './browser';
import { serveBuild } from './serve';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the built app is served, e.g. http://127.0.0.1:41234/ */
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // No skipping: every browser test fails on launch when Chromium is missing (see browser.ts).
  // Say so here too, once, before the build spends its time.
  if (!findChromium()) console.error(`[e2e] Chromium not found. ${CHROMIUM_INSTALL_HINT}`);
  const served = await serveBuild();
  console.log(`[e2e] built the app in ${served.buildMs} ms; serving it at ${served.url}`);
  project.provide('baseUrl', served.url);
  return served.close;
}
