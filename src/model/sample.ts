// Batched sampling with a KV cache, and log-probabilities of given responses under teacher forcing.
//
// Incremental decoding: the prompt goes through the model once ("prefill"), which leaves every
// block's keys and values in a cache of fixed size [B, H, prompt + new, D]. Each new token then
// runs through the model alone: its key and value are written into its column of the cache and
// its query attends over the cache. The whole loop stays on the GPU; tokens and log-probs are
// read back once, at the end.

import * as tf from '@tensorflow/tfjs';
import { EOS, PAD } from '../data/types';
import { mulberry32 } from '../data/random';
import type { GPT } from './model';
import type { Weights } from './params';
import { blocks, forward, lmLogits, maskedAttend, type Attend } from './gpt';
import { fusedKernelsActive } from './kernels/program';
import { fusedDecodeStep } from './kernels/decodeAttention';
import { embeddingLookup } from './kernels/embedding';
import { drawTokens } from './kernels/drawToken';
import { flatConcat } from './kernels/flatCopies';
import { pickLogProbs, samplingLogProbs } from './logprobs';
import { leftPad, paddedMask, paddedPositions } from './padding';

export interface SampleOptions {
  maxNewTokens: number;
  /** One temperature for every row, or one per row (pairs at two temperatures sample as one batch). */
  temperature: number | readonly number[];
  topK: number; // 0 = sample from the whole vocabulary
  seed: number;
  useCache?: boolean; // false recomputes the whole context for every token (for comparison)
}

export interface SampleResult {
  /** Generated tokens of each row, up to and including EOS (no padding). */
  tokens: number[][];
  /** log pi(token) of each generated token, under the temperature / top-k distribution it was drawn from. */
  logProbs: number[][];
}

/** Gumbel noise: argmax(log p + g) with g = -log(-log u) is a draw from p (the Gumbel-max trick). */
export function gumbelNoise(rand: () => number, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = -Math.log(-Math.log(rand() * (1 - 2e-7) + 1e-7));
  return g;
}

/** Draws one token per row from logits [B, V]; returns the token and its log-prob under the sampling distribution. */
function draw(logits: tf.Tensor2D, temperature: number | tf.Tensor, topK: number, noise: Float32Array) {
  const logp = samplingLogProbs(logits, temperature, topK);
  const token = tf.argMax(tf.add(logp, tf.tensor2d(noise, logp.shape)), -1) as tf.Tensor1D;
  return { token, logProb: pickLogProbs(logp, token) };
}

/** The new tokens a batch of prompts can take: `wanted`, or what the longest prompt leaves of the context if less. */
export function answerRoom(model: GPT, prompts: number[][], wanted: number): number {
  return Math.min(wanted, model.config.contextLength - Math.max(...prompts.map((p) => p.length)));
}

/** The hidden state [B, C] of the last column of a [B*T, C] block. */
function lastColumn(hidden: tf.Tensor2D, B: number, T: number, col = T - 1): tf.Tensor2D {
  return hidden.reshape([B, T, -1]).slice([0, col, 0], [B, 1, -1]).reshape([B, -1]);
}

export async function sample(model: GPT, prompts: number[][], opts: SampleOptions): Promise<SampleResult> {
  const c = model.config;
  const pad = leftPad(prompts);
  const B = pad.B,
    Tp = pad.T,
    N = opts.maxNewTokens,
    total = Tp + N;
  if (total > c.contextLength)
    throw new Error(`prompt (${Tp}) + new tokens (${N}) exceed the context of ${c.contextLength}`);
  const rand = mulberry32(opts.seed);
  const temperatures = opts.temperature;
  if (typeof temperatures !== 'number' && temperatures.length !== B)
    throw new Error(`${temperatures.length} temperatures for ${B} prompts: give one, or one per prompt`);
  const w = tf.tidy(() => model.weights());
  const step = opts.useCache === false ? recomputeSteps(w, model, pad, N) : cachedSteps(w, model, pad, N);
  // On WebGPU one fused dispatch draws each token (top-k keeps the unfused ops: it needs a sort).
  const fusedDraw = fusedKernelsActive() && opts.useCache !== false && !(opts.topK > 0 && opts.topK < c.vocabSize);
  let values: Drawn;
  try {
    values = fusedDraw
      ? await drawFused(step, B, c.vocabSize, N, temperatures, rand)
      : await drawUnfused(step, B, c.vocabSize, N, temperatures, opts.topK, rand);
  } finally {
    step.return(undefined);
    tf.dispose(Object.values(w));
  }

  return drawsOf(values.data, values.rows, B, N);
}

/**
 * The tokens and log-probs of B answers from N steps' rows read back at once, data [N, rows, B] with rows 0 and 1 the
 * token and its log-prob; each answer ends at its <eos>.
 */
export function drawsOf(data: ArrayLike<number>, rows: number, B: number, N: number): SampleResult {
  const tokens: number[][] = [],
    logProbs: number[][] = [];
  for (let b = 0; b < B; b++) {
    tokens.push([]);
    logProbs.push([]);
    for (let i = 0; i < N; i++) {
      const tok = data[i * rows * B + b];
      tokens[b].push(tok);
      logProbs[b].push(data[(i * rows + 1) * B + b]);
      if (tok === EOS) break;
    }
  }
  return { tokens, logProbs };
}

type Steps = Generator<tf.Tensor2D, void, tf.Tensor | null>;
/** Each step's (token, log-prob[, done]) rows, read back at once: data [N, rows, B]. */
type Drawn = { data: Float32Array; rows: number };

/** The draws with the unfused ops (any backend, top-k): tokens and log-probs stacked as [N, 2, B], one read. */
async function drawUnfused(
  step: Steps,
  B: number,
  V: number,
  N: number,
  temperatures: number | readonly number[],
  topK: number,
  rand: () => number,
): Promise<Drawn> {
  const temperature = typeof temperatures === 'number' ? temperatures : tf.tensor2d([...temperatures], [B, 1]);
  let done = tf.zeros([B], 'bool');
  const picked: tf.Tensor[] = [];
  let logits = step.next(null).value as tf.Tensor2D;
  for (let i = 0; i < N; i++) {
    const [token, logProb, nextDone] = tf.tidy(() => {
      const { token, logProb } = draw(logits, temperature, topK, gumbelNoise(rand, B * V));
      // Once a row has produced EOS it is finished: further tokens are PAD with log-prob 0.
      const kept = tf.where(done, tf.fill([B], PAD, 'int32'), token.toInt());
      return [kept, tf.where(done, tf.zerosLike(logProb), logProb), tf.logicalOr(done, tf.equal(kept, EOS))];
    });
    logits.dispose();
    done.dispose();
    done = nextDone;
    picked.push(token.toFloat(), logProb);
    token.dispose();
    if (i < N - 1) logits = step.next(picked[picked.length - 2]).value as tf.Tensor2D;
  }
  const both = tf.tidy(() => tf.stack(picked).reshape([N, 2, B]));
  const data = (await both.data()) as Float32Array;
  tf.dispose([both, done, ...picked]);
  if (typeof temperature !== 'number') temperature.dispose();
  return { data, rows: 2 };
}

/**
 * The draws on WebGPU: one fused dispatch per token (kernels/drawToken.ts), whose [3, B] state of
 * (token, log-prob, done) feeds the next step as it is; all N states laid end to end for one read.
 */
async function drawFused(
  step: Steps,
  B: number,
  V: number,
  N: number,
  temperatures: number | readonly number[],
  rand: () => number,
): Promise<Drawn> {
  const perRow = typeof temperatures === 'number' ? new Array<number>(B).fill(temperatures) : temperatures;
  const temperature = tf.tensor1d([...perRow]);
  const states: tf.Tensor2D[] = [];
  const first = tf.tensor2d(new Float32Array(3 * B), [3, B]); // no row is done yet
  let state = first;
  try {
    let logits = step.next(null).value as tf.Tensor2D;
    for (let i = 0; i < N; i++) {
      const noise = tf.tensor2d(gumbelNoise(rand, B * V), [B, V]);
      state = drawTokens(logits, temperature, noise, state);
      tf.dispose([logits, noise]);
      states.push(state);
      if (i < N - 1) logits = step.next(state).value as tf.Tensor2D;
    }
    const all = flatConcat(states);
    const data = (await all.data()) as Float32Array;
    all.dispose();
    return { data, rows: 3 };
  } finally {
    tf.dispose([temperature, first, ...states]);
  }
}

/**
 * KV-cache decoding as a generator: the first call returns the prompt's last logits [B, V];
 * each later call takes the token just drawn (float [B]) and returns the next logits.
 */
function* cachedSteps(
  w: Weights,
  model: GPT,
  pad: ReturnType<typeof leftPad>,
  N: number,
): Generator<tf.Tensor2D, void, tf.Tensor | null> {
  const c = model.config,
    B = pad.B,
    Tp = pad.T,
    total = Tp + N;
  let keys: tf.Tensor4D[] = [],
    values: tf.Tensor4D[] = [];
  try {
    // Prefill: the prompt in one pass; its keys and values go to the cache, zero-padded to `total` columns.
    let logits = tf.tidy(() => {
      const mask = paddedMask(pad.leftPad, 0, Tp, Tp);
      const attend = maskedAttend(c, mask, (_l, k, v) => {
        keys.push(
          tf.keep(
            tf.pad(k, [
              [0, 0],
              [0, 0],
              [0, N],
              [0, 0],
            ]),
          ),
        );
        values.push(
          tf.keep(
            tf.pad(v, [
              [0, 0],
              [0, 0],
              [0, N],
              [0, 0],
            ]),
          ),
        );
        return [k, v];
      });
      const ids = tf.tensor2d(pad.ids, [B, Tp], 'int32');
      const hidden = forward(w, c, ids, paddedPositions(pad.leftPad, 0, Tp), attend);
      return lmLogits(w, lastColumn(hidden, B, Tp));
    });
    for (let col = Tp; col < total; col++) {
      const token: tf.Tensor | null = yield logits;
      if (!token) return;
      const next = tf.tidy(() => {
        // One-hot column selector [1, 1, total, 1]: adds the new key/value into its (still zero) column.
        const slotValues = new Float32Array(total);
        slotValues[col] = 1;
        const slot = tf.tensor4d(slotValues, [1, 1, total, 1]);
        const mask = paddedMask(pad.leftPad, col, 1, total);
        const newKeys: tf.Tensor4D[] = [],
          newValues: tf.Tensor4D[] = [];
        const attend: Attend = fusedKernelsActive()
          ? (l, qkv) => {
              // On WebGPU: the cache writes and the attention in three fused dispatches (kernels/decodeAttention.ts).
              const step = fusedDecodeStep(qkv, keys[l], values[l], slot, mask);
              [newKeys[l], newValues[l]] = [step.newKeys, step.newValues];
              return step.y;
            }
          : maskedAttend(c, mask, (l, k, v) => {
              newKeys[l] = tf.add(keys[l], tf.mul(slot, k));
              newValues[l] = tf.add(values[l], tf.mul(slot, v));
              return [newKeys[l], newValues[l]];
            });
        const positions = paddedPositions(pad.leftPad, col, 1);
        // On WebGPU the token and position embeddings are looked up in one dispatch (kernels/embedding.ts).
        const hidden = fusedKernelsActive()
          ? blocks(w, c, embeddingLookup(token, positions, w.wte, w.wpe), B, 1, attend)
          : forward(w, c, token.toInt().reshape([B, 1]) as tf.Tensor2D, positions, attend);
        return { logits: lmLogits(w, hidden), newKeys, newValues };
      });
      tf.dispose([...keys, ...values]);
      keys = next.newKeys;
      values = next.newValues;
      logits = next.logits;
    }
  } finally {
    tf.dispose([...keys, ...values]);
  }
}

/** Decoding without a cache: every token reruns the model over the whole (fixed-size) context. */
function* recomputeSteps(
  w: Weights,
  model: GPT,
  pad: ReturnType<typeof leftPad>,
  N: number,
): Generator<tf.Tensor2D, void, tf.Tensor | null> {
  const c = model.config,
    B = pad.B,
    Tp = pad.T,
    total = Tp + N;
  const start = new Int32Array(B * total);
  for (let b = 0; b < B; b++) start.set(pad.ids.subarray(b * Tp, (b + 1) * Tp), b * total);
  let ids = tf.tensor2d(start, [B, total], 'int32');
  const positions = paddedPositions(pad.leftPad, 0, total);
  const mask = paddedMask(pad.leftPad, 0, total, total);
  const attend = maskedAttend(c, mask);
  try {
    for (let col = Tp; col < total; col++) {
      const logits = tf.tidy(() => lmLogits(w, lastColumn(forward(w, c, ids, positions, attend), B, total, col - 1)));
      const token: tf.Tensor | null = yield logits;
      if (!token) return;
      const nextIds = tf.tidy(() =>
        tf.add(ids, tf.mul(tf.oneHot([col], total, 1, 0, 'int32'), token.toInt().reshape([B, 1]))),
      );
      ids.dispose();
      ids = nextIds as tf.Tensor2D;
    }
  } finally {
    tf.dispose([ids, positions, mask]);
  }
}

/**
 * Teacher forcing: log pi(x_{t+1} | x_{<=t}) for every column of left-padded rows [B, T], under
 * the same temperature / top-k distribution that sampling uses. Returns a [B, T-1] tensor.
 */
export function teacherForcedLogProbs(
  w: Weights,
  model: GPT,
  ids: tf.Tensor2D,
  pads: number[],
  temperature: number,
  topK: number,
): tf.Tensor2D {
  const [B, T] = ids.shape;
  const mask = paddedMask(pads, 0, T, T);
  const hidden = forward(w, model.config, ids, paddedPositions(pads, 0, T), maskedAttend(model.config, mask));
  const inputs = hidden
    .reshape([B, T, -1])
    .slice([0, 0, 0], [B, T - 1, -1])
    .reshape([B * (T - 1), -1]) as tf.Tensor2D;
  const targets = ids.slice([0, 1], [B, T - 1]).reshape([-1]) as tf.Tensor1D;
  const logp = samplingLogProbs(lmLogits(w, inputs), temperature, topK);
  return pickLogProbs(logp, targets).reshape([B, T - 1]);
}
