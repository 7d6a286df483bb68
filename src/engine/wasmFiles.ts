// Where the browser finds TensorFlow.js's WebAssembly binaries: Vite copies each one into the
// build and hands back its URL (the wasm backend would otherwise look beside the worker script,
// under a name the build does not keep). The backend picks the SIMD build where the browser has
// SIMD; the threaded one needs a cross-origin-isolated page, which this static site is not.

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Points the wasm backend at the built binaries; call before the backend is first started. */
export function useBuiltWasmFiles(): void {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
  });
}
