// The WebGPU buffer pool. TensorFlow.js keeps every buffer a disposed tensor released, keyed by its
// exact size, to reuse it, and never frees one: a session that built models of several sizes, or
// scored batches of many shapes, holds their peak forever (a small PPO session held 217 MB for 12 MB
// of live tensors). releaseIdleBuffers() destroys the idle ones; it is called where the set of live
// tensors changes wholesale (models rebuilt, an RL run reset), so reuse within a loop is untouched.

import * as tf from '@tensorflow/tfjs';

interface PooledBuffer {
  size: number;
  destroy(): void;
}

/** The fields of tfjs-backend-webgpu's BufferManager this touches. */
interface BufferPool {
  freeBuffers: Map<string, PooledBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
}

interface WebGPUBackendLike {
  bufferManager?: BufferPool;
  /** The work recorded and not yet submitted, if any. */
  commandEncoder?: object | null;
  endComputePassEncoder?: () => void;
  /** Submits the recorded work and hands back the buffers of tensors disposed while it was recorded. */
  submitQueue?: () => void;
}

function webgpu(): WebGPUBackendLike | null {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as WebGPUBackendLike) : null;
}

function pool(): BufferPool | null {
  const manager = webgpu()?.bufferManager;
  return manager?.freeBuffers instanceof Map ? manager : null;
}

/** Bytes the pool holds, in live tensors' buffers and in all (null off WebGPU). */
export function poolBytes(): { used: number; allocated: number } | null {
  const p = pool();
  return p ? { used: p.numBytesUsed, allocated: p.numBytesAllocated } : null;
}

/** Destroys the pool's idle buffers; returns the bytes freed (0 off WebGPU). */
export function releaseIdleBuffers(): number {
  const p = pool();
  if (!p) return 0;
  const backend = webgpu();
  if (backend?.commandEncoder) {
    backend.endComputePassEncoder?.();
    backend.submitQueue?.();
  }
  let freed = 0;
  // Each size's list is emptied, not removed: the pool takes an empty map to mean "disposed" and
  // would stop taking buffers back.
  for (const list of p.freeBuffers.values()) {
    for (const buffer of list.splice(0)) {
      freed += buffer.size;
      buffer.destroy();
    }
  }
  p.numFreeBuffers = 0;
  p.numBytesAllocated -= freed;
  return freed;
}
