// Examples become fixed-length token rows for training:
//   <bos> prompt <sep> response <eos> <pad> <pad> ...      (T + 1 tokens, cut if longer)
// inputs are the first T tokens, targets the last T (each target is the next token). A weight per
// target says whether it counts in the loss: pretraining counts every real token; supervised
// fine-tuning counts only the response and its <eos>, so the model learns to answer, not to ask.

import { BOS, EOS, PAD, SEP, SPECIAL_TOKENS, type Example, type Tokenizer } from './types';
import { mulberry32, shuffle } from './random';

export type LossOn = 'all' | 'response';

export interface EncodedExample {
  tokens: number[]; // T + 1 tokens, PAD-filled
  counted: boolean[]; // T flags: does target t count?
}

export function encodeExample(tok: Tokenizer, ex: Example, T: number, lossOn: LossOn): EncodedExample {
  const prompt = [BOS, ...tok.encode(ex.prompt), SEP];
  const full = [...prompt, ...tok.encode(ex.response), EOS].slice(0, T + 1);
  const tokens = [...full, ...new Array(T + 1 - full.length).fill(PAD)];
  const counted = tokens.slice(1).map((t, i) => t !== PAD && (lossOn === 'all' || i + 1 >= prompt.length));
  return { tokens, counted };
}

/** The prompt as the model sees it before answering: <bos> prompt <sep>. */
export function encodePrompt(tok: Tokenizer, prompt: string): number[] {
  return [BOS, ...tok.encode(prompt), SEP];
}

/**
 * The text of a sampled response: up to <eos>, without special tokens (a stray <sep> or <unk> that
 * an undertrained model emits is dropped, so every completion is plain text in the vocabulary).
 */
export function completionText(tok: Tokenizer, tokens: number[]): string {
  const end = tokens.indexOf(EOS);
  return tok.decode((end < 0 ? tokens : tokens.slice(0, end)).filter((t) => t >= SPECIAL_TOKENS.length));
}

/** A batch as flat arrays: inputs [B*T], targets [B*T], weights [B*T] summing to 1 over counted targets. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  B: number;
  T: number;
  countedTokens: number;
}

export function makeBatch(rows: EncodedExample[], T: number): Batch {
  const B = rows.length;
  const inputs = new Int32Array(B * T),
    targets = new Int32Array(B * T),
    weights = new Float32Array(B * T);
  let counted = 0;
  rows.forEach((r, b) => {
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = r.tokens[t];
      targets[b * T + t] = r.tokens[t + 1];
      if (r.counted[t]) {
        weights[b * T + t] = 1;
        counted++;
      }
    }
  });
  if (counted > 0) for (let i = 0; i < weights.length; i++) weights[i] /= counted;
  return { inputs, targets, weights, B, T, countedTokens: counted };
}

/** Splits examples into train and held-out sets, deterministically (seeded shuffle). */
export function splitHeldOut<T>(items: T[], fraction: number, seed: number): { train: T[]; heldOut: T[] } {
  const shuffled = shuffle(mulberry32(seed), [...items]);
  const n = Math.max(1, Math.round(items.length * fraction));
  return { heldOut: shuffled.slice(0, n), train: shuffled.slice(n) };
}
