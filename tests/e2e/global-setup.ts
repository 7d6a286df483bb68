// Global setup of the e2e project: build the app once with the project's vite.config.ts,
// serve the build with `vite preview` on a free port, and hand the URL to the tests
// (`inject('baseUrl')`). The build goes to a temporary folder, not dist/, so a test run never
// clobbers a build someone else is serving.

import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { findChromium, CHROMIUM_INSTALL_HINT } from './browser';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the built app is served, e.g. http://127.0.0.1:41234/ */
    baseUrl: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(root, 'vite.config.ts');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // No skipping: every browser test fails on launch when Chromium is missing (see browser.ts).
  // Say so here too, once, before the build spends its time.
  if (!findChromium()) console.error(`[e2e] Chromium not found. ${CHROMIUM_INSTALL_HINT}`);

  const outDir = mkdtempSync(join(tmpdir(), 'rlhf-playground-e2e-'));
  const started = Date.now();
  await build({ root, configFile, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  console.log(`[e2e] built the app in ${Date.now() - started} ms`);

  let server: PreviewServer;
  try {
    server = await preview({
      root, configFile, mode: 'production', logLevel: 'warn',
      build: { outDir },
      // Port 0: the OS picks a free port, so parallel runs and a running `npm run preview` don't clash.
      preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
    });
  } catch (e) {
    rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
  const address = server.httpServer.address() as AddressInfo | null;
  if (!address || typeof address === 'string') throw new Error(`[e2e] preview server has no TCP address: ${String(address)}`);
  const baseUrl = `http://127.0.0.1:${address.port}/`;
  console.log(`[e2e] serving the build at ${baseUrl}`);
  project.provide('baseUrl', baseUrl);

  return async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
