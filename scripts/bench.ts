// npm run bench — measures the training engine on every backend Node has here:
//   cpu, wasm, WebGPU through Dawn on SwiftShader (a GPU emulated on the CPU), and WebGPU on
//   Dawn's null device (does no GPU work: its step time is pure dispatch overhead, the floor of
//   the step time on any real GPU).
// For the default config (2 layers, d=64, 4 heads, context 32, batch 16) it reports ms per
// training step, kernels per step (tf.profile), WebGPU programs dispatched per step, reads from
// the device per step (await data(), and synchronous reads: on cpu and wasm those are the
// backend's own internal reads of CPU memory; on WebGPU they must be 0), tensor and byte counts
// from step 10 to step 200 (must be flat), and sampling ms per token with and without the KV cache.
// Then the interactions a person causes, through the playground (benchInteractions.ts): the samples
// under a stage, the next pair, one label with 10 and with 200 saved (50 with --quick): kernels,
// programs, reads, ms and peak bytes. Each backend runs in its own process. It prints the tables and
// writes bench-results/bench.json.
//
// Then it opens the built app in headless Chromium (scripts/benchBrowser.ts) for the time from page
// load to the first completions and the longest main-thread task at load, while training and while
// labelling pairs by keyboard (by wall clock, and by CPU time on the main thread).
//
//   npm run bench                 all backends, then the browser
//   npm run bench -- --quick      fewer steps (for a fast look)
//   npm run bench -- --no-browser skip the browser part

import type { PhaseReport, RlBenchReport } from './benchRl';
import type { InteractionReport, InteractionsReport } from './benchInteractions';
import type { TaskPeak } from './benchBrowser';
import type { MediumReport } from './benchMedium';
import type { FlatReport } from './benchFlat';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';

const BACKENDS = ['cpu', 'wasm', 'webgpu-swiftshader', 'webgpu-null', 'webgpu-null-unfused'] as const;
type BenchBackend = (typeof BACKENDS)[number];

export interface BackendReport {
  backend: BenchBackend;
  ok: boolean;
  error?: string;
  msPerStep?: number;
  kernelsPerStep?: number;
  kernelsByName?: Record<string, number>;
  programsPerStep?: number | null; // WebGPU shader dispatches (null off WebGPU)
  readsPerStep?: number;
  syncReadsPerStep?: number;
  tensors?: { step10: number; step200: number; bytesStep10: number; bytesStep200: number; stepsRun: number };
  samplingMsPerToken?: { cached: number; recomputed: number; speedup: number; newTokens: number };
  rl?: RlBenchReport;
  interactions?: InteractionsReport;
  medium?: MediumReport | null;
  flat?: FlatReport | null;
}

function runChild(backend: BenchBackend, quick: boolean): BackendReport {
  const env = { ...process.env };
  if (backend.startsWith('webgpu')) {
    env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
    env.LD_LIBRARY_PATH = ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  const args = ['tsx', 'scripts/benchBackend.ts', backend, ...(quick ? ['--quick'] : [])];
  const child = spawnSync('npx', args, { env, encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line)
    return {
      backend,
      ok: false,
      error: (child.stderr || child.error?.message || 'no output').trim().split('\n').slice(-3).join(' | '),
    };
  return JSON.parse(line.slice('BENCH_JSON '.length)) as BackendReport;
}

interface BrowserReport {
  ok: boolean;
  error?: string;
  backend?: string;
  msToFirstCompletions?: number;
  stepsTrained?: number;
  msPerStepShown?: number;
  longestTaskMs?: number;
  longestTaskAtLoad?: TaskPeak;
  labelled?: number;
  longestTaskWhileLabelling?: TaskPeak | null;
  errors?: string[];
}

function runBrowser(quick: boolean): BrowserReport {
  const args = ['tsx', 'scripts/benchBrowser.ts', quick ? '3' : '8', quick ? '3' : '5']; // pretrain steps, pairs to label
  const child = spawnSync('npx', args, { encoding: 'utf8', timeout: 20 * 60_000 });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_BROWSER '));
  if (!line)
    return {
      ok: false,
      error: (child.stderr || child.error?.message || 'no output').trim().split('\n').slice(-3).join(' | '),
    };
  return JSON.parse(line.slice('BENCH_BROWSER '.length)) as BrowserReport;
}

function fmt(x: number | null | undefined, digits = 1): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** The interactions a person causes (scripts/benchInteractions.ts), one row per backend and interaction. */
function printInteractions(reports: BackendReport[]): void {
  const rows = [['backend', 'interaction', 'ms', 'kernels', 'GPU programs', 'reads', 'peak MB']];
  const row = (backend: string, name: string, x: InteractionReport) =>
    rows.push([
      backend,
      name,
      fmt(x.ms),
      String(x.kernels),
      x.programs == null ? '-' : String(x.programs),
      String(x.reads),
      fmt(x.peakBytes / 1024 / 1024, 2),
    ]);
  for (const r of reports) {
    const i = r.interactions;
    if (!r.ok || !i) continue;
    row(r.backend, '4 samples under a stage', i.stageSamples);
    row(r.backend, 'next pair (queue refilled)', i.nextPair);
    for (const [n, x] of Object.entries(i.label)) row(r.backend, `one label, ${n} saved`, x);
  }
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
  console.log('\nInteractions (small model, shipped checkpoints, through the playground):');
  for (const r of rows) console.log(r.map((c, k) => (c ?? '').padEnd(widths[k])).join('  '));
}

function main() {
  const quick = process.argv.includes('--quick');
  const reports = BACKENDS.map((b) => {
    console.error(`benchmarking ${b}...`);
    return runChild(b, quick);
  });
  const checkpoints = existsSync('public/checkpoints')
    ? readdirSync('public/checkpoints')
        .filter((f) => f.endsWith('.ckpt'))
        .reduce((s, f) => s + statSync(`public/checkpoints/${f}`).size, 0)
    : 0;

  const rows = [
    [
      'backend',
      'ms/step',
      'kernels/step',
      'GPU programs/step',
      'reads/step (await data; sync)',
      'tensors @10 -> @200',
      'bytes @10 -> @200',
      'sample ms/token cache',
      'no cache',
      'speedup',
    ],
  ];
  for (const r of reports) {
    if (!r.ok) {
      rows.push([r.backend, `failed: ${r.error}`]);
      continue;
    }
    const t = r.tensors!,
      s = r.samplingMsPerToken!;
    rows.push([
      r.backend,
      fmt(r.msPerStep),
      String(r.kernelsPerStep),
      r.programsPerStep == null ? '-' : String(r.programsPerStep),
      `${r.readsPerStep}; ${r.syncReadsPerStep}`,
      `${t.step10} -> ${t.step200}`,
      `${t.bytesStep10} -> ${t.bytesStep200}`,
      fmt(s.cached, 2),
      fmt(s.recomputed, 2),
      `${fmt(s.speedup, 1)}x`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  '));
  const rlRows = [
    [
      'backend',
      'PPO iteration ms (kernels; programs; reads)',
      'rollout',
      'scoring',
      'update',
      'DPO step',
      'tensors flat',
    ],
  ];
  for (const r of reports) {
    if (!r.ok || !r.rl) continue;
    const p = (x: PhaseReport) => `${fmt(x.ms)} (${x.kernels}; ${x.programs ?? '-'}; ${x.reads})`;
    rlRows.push([
      r.backend,
      p(r.rl.iteration),
      p(r.rl.rollout),
      p(r.rl.scoring),
      p(r.rl.update),
      p(r.rl.dpoStep),
      String(r.rl.tensorsFlat),
    ]);
  }
  const rlWidths = rlRows[0].map((_, i) => Math.max(...rlRows.map((r) => (r[i] ?? '').length)));
  const rl0 = reports.find((r) => r.rl)?.rl;
  console.log(
    `\nRL (default config, ${rl0?.batchSize ?? '?'} rollouts of ${rl0?.responseLength ?? '?'} tokens, PPO 4 epochs x 2 minibatches):`,
  );
  for (const r of rlRows) console.log(r.map((c, i) => (c ?? '').padEnd(rlWidths[i])).join('  '));
  printInteractions(reports);
  const medium = reports.find((r) => r.backend === 'webgpu-null')?.medium;
  if (medium) {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    console.log('\nMedium preset on the null device (WebGPU buffer pool: allocated / in live tensors):');
    for (const p of medium.phases) console.log(`  ${p.phase}: ${mb(p.poolAllocatedBytes)} / ${mb(p.poolUsedBytes)}`);
    console.log(
      `  largest: ${mb(medium.peakPoolBytes)}${medium.errors.length ? `; errors: ${medium.errors.join(' | ')}` : ''}`,
    );
  }
  const flat = reports.find((r) => r.backend === 'webgpu-null')?.flat;
  if (flat) {
    console.log('\nA long RL session on the null device (after each RL reset: live tensors, pool allocated / in use):');
    for (const f of flat.rounds)
      console.log(
        `  after ${f.iterations} PPO iterations: ${f.tensors} tensors, ${f.poolAllocatedBytes} / ${f.poolUsedBytes} bytes`,
      );
  }
  console.log(`\nshipped checkpoints: ${(checkpoints / 1024 / 1024).toFixed(2)} MB in all`);
  let browser: BrowserReport | null = null;
  if (!process.argv.includes('--no-browser')) {
    console.error('benchmarking the browser...');
    browser = runBrowser(quick);
    const peak = (p: TaskPeak | null | undefined) => (p ? `${p.wallMs} ms (CPU ${p.cpuMs} ms)` : '-');
    console.log(
      browser.ok
        ? `browser (${browser.backend}): page load to first completions ${browser.msToFirstCompletions} ms; ` +
            `${browser.stepsTrained} pretrain steps at ${browser.msPerStepShown} ms/step; ` +
            `longest main-thread task while training ${browser.longestTaskMs} ms` +
            `\n  longest main-thread task at load ${peak(browser.longestTaskAtLoad)}; ` +
            `while labelling ${browser.labelled ?? 0} pairs ${peak(browser.longestTaskWhileLabelling)}` +
            (browser.errors?.length ? `; errors: ${browser.errors.join(' | ')}` : '')
        : `browser: failed: ${browser.error}`,
    );
  }

  const nul = reports.find((r) => r.backend === 'webgpu-null');
  const targets = nul?.ok
    ? {
        kernelsPerStepAtMost400: (nul.kernelsPerStep ?? Infinity) <= 400,
        // Issue 12's targets for the fused kernels (null device, unprofiled times).
        lmStepAtMost80Programs: (nul.programsPerStep ?? Infinity) <= 80,
        lmStepAtMost4ms: (nul.msPerStep ?? Infinity) <= 4,
        ppoIterationAtMost1500Programs: (nul.rl?.iteration.programs ?? Infinity) <= 1500,
        ppoIterationAtMost100ms: (nul.rl?.iteration.ms ?? Infinity) <= 100,
        mediumPresetWithin512MB: nul.medium
          ? nul.medium.peakPoolBytes <= 512 * 2 ** 20 && !nul.medium.errors.length
          : null,
        flatOverRlResets: nul.flat ? nul.flat.flat : null,
        dpoStepAtMost150Programs: (nul.rl?.dpoStep.programs ?? Infinity) <= 150,
        nextPairAtMost900Programs: (nul.interactions?.nextPair.programs ?? Infinity) <= 900,
        nullDeviceMsPerStepAtMost20: (nul.msPerStep ?? Infinity) <= 20,
        gpuReadsPerStepAtMost2: reports.every((r) => !r.ok || (r.readsPerStep ?? 99) <= 2),
        // On the null device nothing is computed, so only kernel counts matter there, and a cached
        // decode step issues a few more kernels than a full recompute (the cache writes): it is
        // reported, but the target is judged on the backends that do the arithmetic.
        kvCacheAtLeast3xFaster: reports
          .filter((r) => r.ok && !r.backend.startsWith('webgpu-null'))
          .every((r) => (r.samplingMsPerToken?.speedup ?? 0) >= 3),
        tensorsFlat: reports.every(
          (r) =>
            !r.ok ||
            (r.tensors!.step10 === r.tensors!.step200 &&
              r.tensors!.bytesStep10 === r.tensors!.bytesStep200 &&
              r.rl?.tensorsFlat !== false),
        ),
        checkpointsAtMost5MB: checkpoints <= 5 * 1024 * 1024,
        longestMainThreadTaskUnder50ms: browser?.ok ? (browser.longestTaskMs ?? Infinity) < 50 : null,
        // By wall clock, as a person feels it (on a shared machine this includes time the OS gave others).
        longestTaskAtLoadUnder50ms: browser?.ok ? (browser.longestTaskAtLoad?.wallMs ?? Infinity) < 50 : null,
        longestTaskWhileLabellingUnder50ms:
          browser?.ok && browser.longestTaskWhileLabelling ? browser.longestTaskWhileLabelling.wallMs < 50 : null,
      }
    : null;
  if (targets)
    for (const [k, v] of Object.entries(targets))
      console.log(`${v === null ? 'not measured' : v ? 'meets' : 'MISSES'} target: ${k}`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/bench.json',
    JSON.stringify(
      { date: new Date().toISOString(), quick, reports, browser, checkpointBytes: checkpoints, targets },
      null,
      2,
    ),
  );
  console.log('wrote bench-results/bench.json');
}

main();
