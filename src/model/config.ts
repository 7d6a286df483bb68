// One object sets the whole model; it is saved with every checkpoint so a file always says
// what shape of network its numbers belong to.

export interface GPTConfig {
  vocabSize: number; // number of distinct tokens (set by the tokenizer)
  contextLength: number; // longest sequence the model sees (position embeddings)
  nLayer: number; // transformer blocks
  nHead: number; // attention heads per block
  nEmbd: number; // width of the residual stream; must divide by nHead
}

export type PresetName = 'tiny' | 'small' | 'medium';

/** Size presets: tiny for tests, small is the playground's default, medium for hobbyists. */
export const PRESETS: Record<PresetName, Omit<GPTConfig, 'vocabSize'>> = {
  tiny: { contextLength: 32, nLayer: 1, nHead: 2, nEmbd: 16 },
  small: { contextLength: 32, nLayer: 2, nHead: 4, nEmbd: 64 },
  medium: { contextLength: 64, nLayer: 4, nHead: 4, nEmbd: 128 },
};

export function configFor(preset: PresetName, vocabSize: number): GPTConfig {
  return { ...PRESETS[preset], vocabSize };
}

/** Returns a message saying what is wrong with a config, or null when it is usable. */
export function validateConfig(c: GPTConfig): string | null {
  const ints: (keyof GPTConfig)[] = ['vocabSize', 'contextLength', 'nLayer', 'nHead', 'nEmbd'];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1 || v > 100_000)
      return `config.${k} must be a whole number from 1 to 100000 (got ${v})`;
  }
  if (c.nEmbd % c.nHead !== 0) return `config.nEmbd (${c.nEmbd}) must be divisible by config.nHead (${c.nHead})`;
  if (c.vocabSize < 5) return `config.vocabSize must be at least 5 (the special tokens), got ${c.vocabSize}`;
  return null;
}
