// Builds the app with the project's vite.config.ts into a temporary folder (not dist/, so it never
// clobbers a build someone else is serving) and serves it with `vite preview` on a free port.
// Used by the e2e tests' global setup and by the browser part of `npm run bench`.

import { build, preview, type PreviewServer } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(root, 'vite.config.ts');

export interface ServedBuild {
  url: string; // e.g. http://127.0.0.1:41234/
  buildMs: number;
  close(): Promise<void>;
}

export async function serveBuild(): Promise<ServedBuild> {
  const outDir = mkdtempSync(join(tmpdir(), 'rlhf-playground-build-'));
  const started = Date.now();
  let server: PreviewServer;
  try {
    await build({ root, configFile, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({
      root,
      configFile,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir },
      // Port 0: the OS picks a free port, so parallel runs and a running `npm run preview` don't clash.
      preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
    });
  } catch (e) {
    rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
  const buildMs = Date.now() - started;
  const address = server.httpServer.address() as AddressInfo | null;
  if (!address || typeof address === 'string') throw new Error(`preview server has no TCP address: ${String(address)}`);
  return {
    url: `http://127.0.0.1:${address.port}/`,
    buildMs,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
