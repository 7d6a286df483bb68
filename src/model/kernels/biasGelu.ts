// A linear layer's bias and the GELU after it as one WebGPU dispatch each way (the unfused ops take
// 6 forward and 8 backward). Over pre-activations u = h + b, with h = x W from the matrix product:
//   forward:  y = gelu(u) = u * Phi(u),  Phi(u) = (1 + erf(u / sqrt 2)) / 2
//   backward: du = dy * (Phi(u) + u * phi(u)),  phi(u) = exp(-u^2 / 2) / sqrt(2 pi)
// erf is Abramowitz and Stegun's 7.1.26 approximation (error below 1.5e-7), as tfjs's own kernels use.

import { registerElementwiseKernel } from './program';

const PHI = `
fn phiCdf(u : f32) -> f32 {
  let a = u * ${Math.SQRT1_2};
  let t = 1.0 / (1.0 + 0.3275911 * abs(a));
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  let erfAbs = 1.0 - poly * exp(-a * a);
  return 0.5 * (1.0 + sign(a) * erfAbs);
}`;

/** y = gelu(h + b), h [R, C], b [C]. */
export const biasGeluKernel = registerElementwiseKernel(
  'PlaygroundBiasGelu',
  ['h', 'b'],
  `    let u = h[i] + b[c];
    result[i] = u * phiCdf(u);`,
  PHI,
);

/** du = dy * gelu'(h + b): the gradient at the pre-activation. */
export const biasGeluGradKernel = registerElementwiseKernel(
  'PlaygroundBiasGeluGrad',
  ['h', 'b', 'dy'],
  `    let u = h[i] + b[c];
    result[i] = dy[i] * (phiCdf(u) + u * exp(-0.5 * u * u) * ${1 / Math.sqrt(2 * Math.PI)});`,
  PHI,
);
