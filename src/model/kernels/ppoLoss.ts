// PPO's loss and its metrics (rlhf/ppoLoss.ts spells out the maths with tfjs ops) as one WebGPU
// dispatch forward and one backward, where the ops take about 60 forward and 90 backward for each
// policy or value minibatch. With r = exp(logp - oldLogp), masked means over the n valid tokens:
//   pgLoss = mean(max(-A r, -A clip(r, 1 - eps, 1 + eps))),  vfLoss = 0.5 mean(max((V - R)^2, (Vclip - R)^2))
//   loss = pgLoss + vfCoef vfLoss - entCoef mean(entropy),   and approxKl, clip fractions, mean and var of r.
// Forward: one workgroup sums every masked term (its threads stride over the tokens), then the
// ratio's variance about its mean. Backward, per token (maximum and clip pass their gradients as
// tfjs's do: to the first argument on a tie, inside the clip range inclusive):
//   dlogp = g_pg m/n (-A r, or 0 where the clipped branch is the larger and r is outside the range)
//   dV    = g_vf m/n ((V - R), or (Vclip - R) inside the value clip, 0 outside),  dentropy = g_ent m/n
// with g_pg = dy_loss + dy_pg, g_vf = vfCoef dy_loss + dy_vf, g_ent = dy_ent - entCoef dy_loss; the
// other metrics carry no gradient (they are read, never minimised).

import * as tf from '@tensorflow/tfjs';
import { elementwiseProgram, groupProgram, registerFused, THREADS, type CustomGradFunc } from './program';
import { flatConcat, flatSplit } from './flatCopies';

/** The forward's outputs, in order; `count` (n, the valid tokens) is for the backward. */
export const PPO_LOSS_OUTPUTS = [
  'loss',
  'pgLoss',
  'vfLoss',
  'entropy',
  'approxKl',
  'clipFrac',
  'vfClipFrac',
  'ratioMean',
  'ratioVar',
  'count',
] as const;

/**
 * WGSL for token i's terms. `constants` holds oldLogp, A, oldValues, R, mask (n each) then the
 * hyper-parameters (clipEps, clipEpsValue, vfCoef, entCoef, hasEntropy).
 */
const TERMS = `
struct Terms { m : f32, ratio : f32, negA : f32, unclipped : f32, clippedLoss : f32, lo : f32, hi : f32,
  vf1 : f32, vf2 : f32, vErr : f32, vClipErr : f32, dv : f32, epsV : f32, kl : f32 }
fn termsAt(i : i32, n : i32) -> Terms {
  var t : Terms;
  let eps = constants[5 * n];
  t.epsV = constants[5 * n + 1];
  t.m = constants[4 * n + i];
  let diff = logp[i] - constants[i];
  t.ratio = exp(diff);
  t.kl = diff * diff;
  t.negA = -constants[n + i];
  t.lo = 1.0 - eps;
  t.hi = 1.0 + eps;
  t.unclipped = t.negA * t.ratio;
  t.clippedLoss = t.negA * clamp(t.ratio, t.lo, t.hi);
  let oldV = constants[2 * n + i];
  let R = constants[3 * n + i];
  t.dv = values[i] - oldV;
  let vClipped = oldV + clamp(t.dv, -t.epsV, t.epsV);
  t.vErr = values[i] - R;
  t.vClipErr = vClipped - R;
  t.vf1 = t.vErr * t.vErr;
  t.vf2 = t.vClipErr * t.vClipErr;
  return t;
}`;

const forwardKernel = registerFused('PlaygroundPpoLoss', ['logp', 'values', 'entropy', 'constants'], ([[n]]) => ({
  uniforms: [1, n],
  program: groupProgram(
    'PlaygroundPpoLoss',
    ['logp', 'values', 'entropy', 'constants'],
    [PPO_LOSS_OUTPUTS.length],
    1,
    `
  let n = uniforms.cols;
  var sums : array<f32, 8>; // n, pg, clipped, vf, vfClipped, entropy, kl, ratio
  for (var i = i32(localIndex); i < n; i = i + ${THREADS}) {
    let t = termsAt(i, n);
    sums[0] = sums[0] + t.m;
    sums[1] = sums[1] + t.m * max(t.unclipped, t.clippedLoss);
    sums[2] = sums[2] + t.m * select(0.0, 1.0, t.clippedLoss > t.unclipped);
    sums[3] = sums[3] + t.m * max(t.vf1, t.vf2);
    sums[4] = sums[4] + t.m * select(0.0, 1.0, t.vf2 > t.vf1);
    sums[5] = sums[5] + t.m * entropy[i];
    sums[6] = sums[6] + t.m * t.kl;
    sums[7] = sums[7] + t.m * t.ratio;
  }
  var total : array<f32, 8>;
  for (var k = 0; k < 8; k = k + 1) { total[k] = workgroupSum(sums[k]); }
  let count = max(total[0], 1.0);
  let ratioMean = total[7] / count;
  var q = 0.0;
  for (var i = i32(localIndex); i < n; i = i + ${THREADS}) {
    let t = termsAt(i, n);
    let d = t.ratio - ratioMean;
    q = q + t.m * d * d;
  }
  let ratioSq = workgroupSum(q);
  if (localIndex == 0u) {
    let hasEntropy = constants[5 * n + 4] > 0.5;
    let pgLoss = total[1] / count;
    let vfLoss = total[3] / count * 0.5;
    let ent = select(0.0, total[5] / count, hasEntropy);
    let entCoef = constants[5 * n + 3];
    var loss = pgLoss + vfLoss * constants[5 * n + 2];
    if (entCoef != 0.0) { loss = loss - ent * entCoef; }
    result[0] = loss;
    result[1] = pgLoss;
    result[2] = vfLoss;
    result[3] = ent;
    result[4] = total[6] / count * 0.5;
    result[5] = total[2] / count;
    result[6] = total[4] / count;
    result[7] = ratioMean;
    result[8] = ratioSq / count;
    result[9] = count;
  }`,
    TERMS,
  ),
}));

const backwardKernel = registerFused(
  'PlaygroundPpoLossGrad',
  ['dy', 'logp', 'values', 'constants', 'forward'],
  ([, [n]]) => ({
    uniforms: [3, n],
    program: elementwiseProgram(
      'PlaygroundPpoLossGrad',
      ['dy', 'logp', 'values', 'constants', 'forward'],
      [3, n],
      `    let n = uniforms.cols;
    let which = i / n;
    let j = c;
    let t = termsAt(j, n);
    let share = t.m / forward[9];
    let vfCoef = constants[5 * n + 2];
    let entCoef = constants[5 * n + 3];
    if (which == 0) {
      let g = dy[0] + dy[1];
      let inRange = t.ratio >= t.lo && t.ratio <= t.hi;
      let dr = select(select(0.0, t.negA, inRange), t.negA, t.unclipped >= t.clippedLoss);
      result[i] = g * share * dr * t.ratio;
    } else if (which == 1) {
      let g = dy[0] * vfCoef + dy[2];
      let inRange = t.dv >= -t.epsV && t.dv <= t.epsV;
      let dv = select(select(0.0, t.vClipErr, inRange), t.vErr, t.vf1 >= t.vf2);
      result[i] = g * 0.5 * share * 2.0 * dv;
    } else {
      result[i] = (dy[3] - dy[0] * entCoef) * share;
    }`,
      TERMS,
    ),
  }),
);

/** What fusedPpoLoss reads: the tensors of rlhf/ppoLoss.ts's PpoLossInputs, each [B, T]. */
export interface FusedPpoInputs {
  logp: tf.Tensor;
  oldLogp: tf.Tensor;
  advantages: tf.Tensor;
  values: tf.Tensor;
  oldValues: tf.Tensor;
  returns: tf.Tensor;
  mask: tf.Tensor;
  entropy?: tf.Tensor;
}

/** The loss and metrics by name: PPO_LOSS_OUTPUTS, less `count`. */
type FusedPpoOutputs = Record<Exclude<(typeof PPO_LOSS_OUTPUTS)[number], 'count'>, tf.Scalar>;

/**
 * PPO's loss and metrics as scalars (named as PPO_LOSS_OUTPUTS, less `count`), through the fused
 * kernels; gradients reach logp, values and entropy.
 */
export function fusedPpoLoss(
  inp: FusedPpoInputs,
  opts: { clipEps: number; clipEpsValue: number; vfCoef: number; entCoef: number },
): FusedPpoOutputs {
  const hyper = tf.tensor1d([opts.clipEps, opts.clipEpsValue, opts.vfCoef, opts.entCoef, inp.entropy ? 1 : 0]);
  const constants = flatConcat([inp.oldLogp, inp.advantages, inp.oldValues, inp.returns, inp.mask, hyper]);
  const [logp, values] = [inp.logp.reshape([-1]), inp.values.reshape([-1])];
  const n = logp.size;
  // The entropy's buffer is bound either way; without one, logp stands in (the flag makes it unread).
  const entropy = inp.entropy ? inp.entropy.reshape([-1]) : null;
  const run = (l: tf.Tensor, v: tf.Tensor, e: tf.Tensor, save: tf.GradSaveFunc) => {
    const out = forwardKernel(l, v, e, constants);
    save([l, v, out, constants]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, [sl, sv, so, sc]: tf.Tensor[]) =>
        flatSplit(backwardKernel(dy, sl, sv, sc, so) as tf.Tensor1D, [n, n, n]), // flat, like the inputs
    };
  };
  const packed = entropy
    ? (tf.customGrad(run as unknown as CustomGradFunc)(logp, values, entropy) as tf.Tensor1D)
    : (tf.customGrad(((l: tf.Tensor, v: tf.Tensor, save: tf.GradSaveFunc) => {
        const r = run(l, v, l, save);
        return { value: r.value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => r.gradFunc(dy, saved).slice(0, 2) };
      }) as unknown as CustomGradFunc)(logp, values) as tf.Tensor1D);
  tf.dispose([hyper, constants]); // the backward holds its own reference to constants (save)
  const pieces = flatSplit(
    packed,
    PPO_LOSS_OUTPUTS.map(() => 1),
  );
  const named = Object.fromEntries(PPO_LOSS_OUTPUTS.slice(0, -1).map((name, i) => [name, pieces[i].reshape([])]));
  return named as FusedPpoOutputs;
}
