// Shapes shared by the tokenizers and the scenarios.

/** Ids of the special tokens; every tokenizer puts them first, in this order. */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const SEP = 3;
export const UNK = 4;
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<sep>', '<unk>'] as const;

/** A serialisable description of a tokenizer, saved inside every checkpoint. */
export interface TokenizerSpec {
  kind: 'word' | 'char';
  vocab: string[]; // index = token id; the first five are SPECIAL_TOKENS
}

export interface Tokenizer {
  readonly spec: TokenizerSpec;
  readonly vocabSize: number;
  /** Text to ids, with no special tokens added; unknown words/characters become UNK. */
  encode(text: string): number[];
  /** Ids to text; special tokens are dropped (PAD, BOS, EOS) or shown as ' | ' (SEP) / '?' (UNK). */
  decode(ids: number[]): string;
}

/** One training example: the prompt opens, the response completes. */
export interface Example {
  prompt: string;
  response: string;
}

export type ScenarioId = 'reviews' | 'assistant' | 'custom';
/** The scenarios that ship with the playground (and have gold scores; a pasted corpus has no known "right answer"). */
export type BuiltInScenarioId = Exclude<ScenarioId, 'custom'>;

export interface ScenarioData {
  id: ScenarioId;
  title: string;
  description: string;
  tokenizer: Tokenizer;
  /** Text for pretraining (next-token prediction on every token). */
  pretrain: Example[];
  /** Demonstrations for supervised fine-tuning (loss on response tokens only). */
  demonstrations: Example[];
  /** Prompts the playground asks the model to complete. */
  prompts: string[];
}
