import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';

// The Content-Security-Policy is written once, in index.html's <meta> (README "Security").
const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/;

function readPolicy(): string {
  const found = CSP_META.exec(readFileSync(new URL('./index.html', import.meta.url), 'utf8'));
  if (!found) throw new Error('index.html has no Content-Security-Policy <meta>');
  return found[2].replace(/\s+/g, ' ').trim(); // one line: a header cannot hold the meta's line breaks
}

const POLICY = readPolicy();

// A header may carry what a <meta> cannot: frame-ancestors (nobody may frame the page).
const HEADER_POLICY = `${POLICY}; frame-ancestors 'none'`;

// The dev server puts each module's CSS into a <style> element it creates from script (and its
// error overlay carries one too), which style-src 'self' refuses; the built app links .css files.
const DEV_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

function devPolicy(): Plugin {
  return {
    name: 'rlhf-playground:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(CSP_META, (_all, open: string, _policy: string, close: string) => open + DEV_POLICY + close),
  };
}

// The playground is a static site: the training runs in a Web Worker (src/engine/worker.ts).
export default defineConfig({
  plugins: [svelte(), devPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { port: 5173 },
  // The header also covers the worker script, which a document's <meta> policy does not reach.
  preview: { port: 4173, headers: { 'Content-Security-Policy': HEADER_POLICY } },
});
