// Cutting the flat weight vector into its pieces, and laying gradients back end to end, as GPU
// buffer copies instead of shader programs. tf.split runs one slice program per piece (30 for the
// small model) and tf.concat one per few inputs (7 for the gradients); both only move contiguous
// bytes, which the WebGPU command encoder's copyBufferToBuffer does with no shader, no bind group
// and no uniform buffer (and clearBuffer writes a run of zeros, for a gradient piece a loss does not
// touch). The copies join TensorFlow.js's own command stream, in order with its
// programs, and the buffers they touch are kept until that stream is submitted, as tfjs does for
// the inputs and outputs of every program.

import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive } from './program';

const SPLIT = 'PlaygroundFlatSplit';
const CONCAT = 'PlaygroundFlatConcat';
const BYTES = 4; // float32

/** The parts of tfjs-backend-webgpu's backend these copies use (it exports no type for them). */
interface CopyingBackend {
  tensorMap: { get(dataId: object): { resource: GPUBuffer | null; values: Float32Array | null } };
  commandEncoder: GPUCommandEncoder;
  commandQueueOwnedIds: WeakSet<object>;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
}

/** Records copies of `source`, from each piece's offset (in floats), into fresh tensors of the pieces' shapes. */
function copyPieces(
  backend: CopyingBackend,
  source: tf.TensorInfo,
  pieces: { offset: number; shape: number[] }[],
): tf.TensorInfo[] {
  backend.uploadToGPU(source.dataId);
  const src = backend.tensorMap.get(source.dataId).resource!;
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder(); // copies go between compute passes
  backend.commandQueueOwnedIds.add(source.dataId);
  return pieces.map(({ offset, shape }) => {
    const out = backend.makeTensorInfo(shape, 'float32');
    const size = tf.util.sizeFromShape(shape);
    if (size === 0) {
      backend.tensorMap.get(out.dataId).values = new Float32Array(0); // as tfjs does for an empty output
      return out;
    }
    backend.uploadToGPU(out.dataId); // allocates its buffer
    backend.commandEncoder.copyBufferToBuffer(
      src,
      offset * BYTES,
      backend.tensorMap.get(out.dataId).resource!,
      0,
      size * BYTES,
    );
    backend.commandQueueOwnedIds.add(out.dataId);
    return out;
  });
}

tf.registerKernel({
  kernelName: SPLIT,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const sizes = (attrs as unknown as { sizes: number[] }).sizes;
    let offset = 0;
    const pieces = sizes.map((size) => ({ offset: (offset += size) - size, shape: [size] }));
    return copyPieces(backend as unknown as CopyingBackend, inputs.x as tf.TensorInfo, pieces);
  },
});

tf.registerKernel({
  kernelName: CONCAT,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CopyingBackend;
    const list = inputs as unknown as tf.TensorInfo[]; // a list, like tf.concat's (saveAllInputs needs one)
    const layout = (attrs as unknown as { layout: number[] }).layout; // -1: the next input; n >= 0: n zeros
    let next = 0;
    const runs = layout.map((n) => {
      const input = n < 0 ? list[next++] : null;
      return { input, size: input ? tf.util.sizeFromShape(input.shape) : n };
    });
    const out = b.makeTensorInfo([runs.reduce((a, r) => a + r.size, 0)], 'float32');
    b.uploadToGPU(out.dataId);
    b.ensureCommandEncoderReady();
    b.endComputePassEncoder();
    const dst = b.tensorMap.get(out.dataId).resource!;
    let offset = 0;
    for (const { input, size } of runs) {
      if (size > 0 && input) {
        b.uploadToGPU(input.dataId);
        b.commandEncoder.copyBufferToBuffer(
          b.tensorMap.get(input.dataId).resource!,
          0,
          dst,
          offset * BYTES,
          size * BYTES,
        );
        b.commandQueueOwnedIds.add(input.dataId);
      } else if (size > 0) {
        b.commandEncoder.clearBuffer(dst, offset * BYTES, size * BYTES); // a run of zeros
      }
      offset += size;
    }
    b.commandQueueOwnedIds.add(out.dataId);
    return out;
  },
});

// d(split)/dx: the pieces' gradients end to end (an unused piece contributes zeros).
tf.registerGradient({
  kernelName: SPLIT,
  gradFunc: (dys: tf.Tensor | tf.Tensor[]) => ({ x: () => flatConcat(dys as tf.Tensor[]) }),
});

// d(concat)/d(input i): the stretch of dy that input i was copied to, in its own shape.
tf.registerGradient({
  kernelName: CONCAT,
  saveAllInputs: true,
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs) => {
    const layout = (attrs as unknown as { layout: number[] }).layout;
    let next = 0;
    const sizes = layout.map((n) => (n < 0 ? saved[next++].size : n));
    // Cut once, here: each returned closure runs in a tidy of its own, which would free pieces made there.
    const pieces = flatSplit(dy as tf.Tensor1D, sizes).filter((_, i) => layout[i] < 0); // runs of zeros take none
    return Object.fromEntries(saved.map((t, i) => [String(i), () => pieces[i].reshape(t.shape)]));
  },
});

/** flat [N] -> pieces of the given sizes, in order: buffer copies on WebGPU, tf.split elsewhere. */
export function flatSplit(flat: tf.Tensor1D, sizes: number[]): tf.Tensor1D[] {
  if (!fusedKernelsActive() || flat.dtype !== 'float32') return tf.split(flat, sizes) as tf.Tensor1D[];
  return tf.engine().runKernel(SPLIT, { x: flat }, { sizes } as unknown as tf.NamedAttrMap) as tf.Tensor1D[];
}

/**
 * Tensors (any shapes) -> one vector of all their values, end to end; a number n in the list is a
 * run of n zeros. Buffer copies (and clears) on WebGPU, tf.concat elsewhere.
 */
export function flatConcat(list: (tf.Tensor | number)[]): tf.Tensor1D {
  return tf.tidy(() => concatInOrder(list)); // the reshaped views and zeros go with the tidy
}

function concatInOrder(list: (tf.Tensor | number)[]): tf.Tensor1D {
  const tensors = list.filter((t): t is tf.Tensor => typeof t !== 'number');
  if (!fusedKernelsActive() || tensors.some((t) => t.dtype !== 'float32')) {
    const parts = list.map((t) => (typeof t === 'number' ? tf.zeros([t]) : t.rank === 1 ? t : t.reshape([-1])));
    return tf.concat(parts) as tf.Tensor1D;
  }
  const flats = tensors.map((t) => (t.rank === 1 ? t : t.reshape([-1])));
  const layout = list.map((t) => (typeof t === 'number' ? t : -1));
  return tf.engine().runKernel(
    CONCAT,
    flats as unknown as tf.NamedTensorMap,
    {
      layout,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor1D;
}
