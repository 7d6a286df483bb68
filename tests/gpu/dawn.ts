// WebGPU in Node: Dawn (the `webgpu` npm package) on SwiftShader's Vulkan driver, which Debian's
// chromium package ships. vitest.config.ts points the Vulkan loader at it before the test
// processes start. Call useDawn() before TensorFlow.js's WebGPU backend is first used.
import { existsSync } from 'node:fs';

export async function useDawn(options: string[] = []): Promise<void> {
  if (!existsSync('/usr/lib/chromium/vk_swiftshader_icd.json')) {
    throw new Error(
      "WebGPU tests need SwiftShader from Debian's chromium package: apt-get update && apt-get install -y chromium",
    );
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create(options) }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}
