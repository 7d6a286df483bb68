// AdamW over the whole flat weight vector in four WebGPU dispatches (the unfused ops take about 25):
// the gradient's global norm, then the two moments and the weights, each one pass over the vector.
// The maths is adamw.ts's:
//   c = min(1, clip / (||g|| + 1e-6))   (1 when clipping is off)
//   m <- b1 m + (1 - b1) c g,   v <- b2 v + (1 - b2) (c g)^2
//   p <- p - lr * scale * ( (m / bias1) / (sqrt(v / bias2) + eps) + wd * mask * p )
// The step's numbers come in as a small tensor `hyper`: [lr, b1, b2, bias1, bias2, eps, wd, clip].

import * as tf from '@tensorflow/tfjs';
import { registerElementwiseKernel, registerGroupKernel, THREADS } from './program';

/** ||g||, [1]: one workgroup, its threads striding over the whole vector. */
const normKernel = registerGroupKernel('PlaygroundGlobalNorm', ['g'], () => ({
  outputShape: [1],
  groups: 1,
  body: `
  var s = 0.0;
  for (var i = i32(localIndex); i < uniforms.cols; i = i + ${THREADS}) { s = s + g[i] * g[i]; }
  let total = workgroupSum(s);
  if (localIndex == 0u) { result[0] = sqrt(total); }`,
}));

const CLIP = `
fn clipFactor() -> f32 {
  let clip = hyper[7];
  if (clip <= 0.0) { return 1.0; }
  return min(1.0, clip / (norm[0] + 1e-6));
}`;

/** The first moment, m <- b1 m + (1 - b1) c g. */
const firstMomentKernel = registerElementwiseKernel(
  'PlaygroundAdamFirstMoment',
  ['m', 'g', 'norm', 'hyper'],
  `    result[i] = hyper[1] * m[i] + (1.0 - hyper[1]) * clipFactor() * g[i];`,
  CLIP,
);

/** The second moment, v <- b2 v + (1 - b2) (c g)^2. */
const secondMomentKernel = registerElementwiseKernel(
  'PlaygroundAdamSecondMoment',
  ['v', 'g', 'norm', 'hyper'],
  `    let cg = clipFactor() * g[i];
    result[i] = hyper[2] * v[i] + (1.0 - hyper[2]) * cg * cg;`,
  CLIP,
);

/** The weights, from the new moments. */
const weightsKernel = registerElementwiseKernel(
  'PlaygroundAdamWeights',
  ['p', 'm', 'v', 'mask', 'scale', 'hyper'],
  `    let adam = (m[i] / hyper[3]) / (sqrt(v[i] / hyper[4]) + hyper[5]);
    result[i] = p[i] - hyper[0] * scale[i] * (adam + hyper[6] * mask[i] * p[i]);`,
);

export interface AdamWTensors {
  params: tf.Tensor1D;
  grad: tf.Tensor;
  m: tf.Tensor1D;
  v: tf.Tensor1D;
  mask: tf.Tensor1D;
  rateScale: tf.Tensor1D;
}

/** One AdamW step through the fused kernels: the new weights and moments, and the gradient's norm before clipping. */
export function fusedAdamW(t: AdamWTensors, hyper: tf.Tensor1D) {
  const norm = normKernel(t.grad);
  const m = firstMomentKernel(t.m, t.grad, norm, hyper);
  const v = secondMomentKernel(t.v, t.grad, norm, hyper);
  const params = weightsKernel(t.params, m, v, t.mask, t.rateScale, hyper);
  return { params, m, v, norm: norm.reshape([]) as tf.Scalar };
}
