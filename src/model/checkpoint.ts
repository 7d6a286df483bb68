// Checkpoint files: weights + config + tokenizer in one binary file.
//
//   bytes 0-7   "RLHFCKPT"            (magic)
//   bytes 8-11  header length, uint32 little-endian
//   then        header, UTF-8 JSON: format version, config, tokenizer, parameter count, checksum, notes
//   then        zero padding to a multiple of 4 bytes
//   then        the flat weight vector, float32 little-endian
//
// Reading checks every part and throws an Error that says what is wrong; nothing is loaded
// into a running model until the whole file has passed.

import { validateConfig, type GPTConfig } from './config';
import { makeLayout } from './params';
import type { TokenizerSpec } from '../data/types';
import { tokenizerFromSpec } from '../data/tokenizer';

const MAGIC = 'RLHFCKPT';
const VERSION = 1;
const MAX_BYTES = 256 * 1024 * 1024;

export interface CheckpointMeta {
  scenario: string;
  stage: string;
  step: number;
  createdAt: string;
}

export interface Checkpoint {
  config: GPTConfig;
  tokenizer: TokenizerSpec;
  weights: Float32Array;
  meta: CheckpointMeta;
}

interface Header {
  version: number;
  config: GPTConfig;
  tokenizer: TokenizerSpec;
  paramCount: number;
  checksum: number;
  meta: CheckpointMeta;
}

/** FNV-1a over the bytes of the weights: catches truncated or altered files. */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const weightBytes = new Uint8Array(ckpt.weights.buffer, ckpt.weights.byteOffset, ckpt.weights.byteLength);
  const header: Header = {
    version: VERSION,
    config: ckpt.config,
    tokenizer: ckpt.tokenizer,
    paramCount: ckpt.weights.length,
    checksum: checksum(weightBytes),
    meta: ckpt.meta,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const out = new Uint8Array(start + weightBytes.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(weightBytes, start);
  return out;
}

export function decodeCheckpoint(data: ArrayBuffer | Uint8Array): Checkpoint {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const fail = (why: string): never => {
    throw new Error(`Not a usable checkpoint: ${why}.`);
  };
  if (bytes.length > MAX_BYTES) fail(`the file is ${bytes.length} bytes, more than the ${MAX_BYTES} allowed`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    fail('it does not start with the RLHF Playground checkpoint signature');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.length) fail('the file is truncated (the header runs past its end)');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    return fail('its header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null) fail('its header is not an object');
  if (header.version !== VERSION)
    fail(`it has format version ${shown(header.version)}; this playground reads version ${VERSION}`);
  const configProblem =
    typeof header.config === 'object' && header.config ? validateConfig(header.config) : 'the config is missing';
  if (configProblem) fail(configProblem);
  let vocabSize = 0;
  try {
    vocabSize = tokenizerFromSpec(header.tokenizer).vocabSize;
  } catch (e) {
    fail(`its tokenizer is invalid (${(e as Error).message})`);
  }
  if (vocabSize !== header.config.vocabSize)
    fail(`its tokenizer has ${vocabSize} tokens but its config says ${header.config.vocabSize}`);
  const expected = makeLayout(header.config).size;
  if (header.paramCount !== expected)
    fail(`it declares ${shown(header.paramCount)} weights but its config needs ${expected}`);
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  if (bytes.length !== start + expected * 4)
    fail(`it should hold ${expected * 4} bytes of weights but holds ${bytes.length - start}`);
  const weights = copyWeights(bytes.subarray(start), expected);
  if (checksum(new Uint8Array(weights.buffer)) !== header.checksum)
    fail('its weights do not match their checksum (the file is corrupt)');
  for (let i = 0; i < weights.length; i++) if (!Number.isFinite(weights[i])) fail(`weight ${i} is not a finite number`);
  const noMeta = header.meta === undefined || header.meta === null;
  const meta = noMeta ? { scenario: 'unknown', stage: 'unknown', step: 0, createdAt: '' } : checkMeta(header.meta);
  if (typeof meta === 'string') return fail(meta);
  return { config: header.config, tokenizer: header.tokenizer, weights, meta };
}

/** A value from a header, cut short for a message. */
function shown(v: unknown): string {
  return String(JSON.stringify(v) ?? v).slice(0, 40);
}

/**
 * The weights as a Float32Array of their own: a fresh, 4-byte aligned copy. The input may be a view
 * (a Node Buffer, a slice of a session file) at any byteOffset, so its .buffer is never read whole.
 */
function copyWeights(view: Uint8Array, count: number): Float32Array {
  const weights = new Float32Array(count);
  new Uint8Array(weights.buffer).set(view.subarray(0, count * 4));
  return weights;
}

const META_TEXT_MAX = 200;

/** The notes of a header: short texts and a step count, or the reason they are unusable. */
function checkMeta(meta: unknown): CheckpointMeta | string {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return 'its notes (meta) are not an object';
  const m = meta as Record<string, unknown>;
  for (const key of ['scenario', 'stage', 'createdAt'] as const) {
    const v = m[key];
    if (typeof v !== 'string' || v.length > META_TEXT_MAX)
      return `its meta.${key} is not a text of at most ${META_TEXT_MAX} characters`;
  }
  if (typeof m.step !== 'number' || !Number.isSafeInteger(m.step) || m.step < 0)
    return 'its meta.step is not a whole number of steps';
  return { scenario: m.scenario as string, stage: m.stage as string, step: m.step, createdAt: m.createdAt as string };
}
