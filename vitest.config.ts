import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

// WebGPU in Node (tests/gpu) runs through Dawn on SwiftShader, whose Vulkan loader ships with
// Debian's chromium package. The loader path must be in the environment before the test
// processes start, so it is set here, in the parent process, and inherited by the forks.
const swiftshaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (existsSync(swiftshaderIcd)) {
  process.env.VK_ICD_FILENAMES ??= swiftshaderIcd;
  let systemVulkan = false;
  try {
    systemVulkan = execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1 ');
  } catch {
    /* no ldconfig */
  }
  if (!systemVulkan && !(process.env.LD_LIBRARY_PATH ?? '').includes('/usr/lib/chromium')) {
    process.env.LD_LIBRARY_PATH = ['/usr/lib/chromium', process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
}

export default defineConfig({
  plugins: [svelte()],
  test: {
    pool: 'forks',
    // Both cores for the unit files (Vitest would keep one free); gpu and e2e run one file at a time anyway.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          setupFiles: ['tests/unit/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
