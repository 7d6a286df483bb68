// The five stages of the pipeline as the page names and explains them.

import type { StageId, TrainableStage } from '../engine/protocol';

export interface StageText {
  id: StageId;
  title: string;
  /** One or two sentences a newcomer can read before pressing Play. */
  blurb: string;
  trainable: boolean;
}

export const PIPELINE: StageText[] = [
  {
    id: 'pretrain',
    title: 'Pretrain',
    blurb:
      'The model reads the whole corpus and learns one thing: guess the next token from the ones before it. ' +
      'Nobody says which answers are good yet; it just picks up how the text tends to go. ' +
      'The loss is its average surprise at the real next token, so lower means better guesses.',
    trainable: true,
  },
  {
    id: 'sft',
    title: 'Supervised fine-tune',
    blurb:
      'Starting from the pretrained weights, the model now studies demonstrations: a prompt and the response we want. ' +
      'The loss is the same next-token guess, but it is only counted on the response tokens, ' +
      'so the model learns to answer prompts instead of learning to write them.',
    trainable: true,
  },
  {
    id: 'preferences',
    title: 'Preferences',
    blurb: 'People compare two completions and pick the better one.',
    trainable: false,
  },
  {
    id: 'reward',
    title: 'Reward model',
    blurb: 'A model learns to score completions the way the people did.',
    trainable: false,
  },
  {
    id: 'rl',
    title: 'RL fine-tune',
    blurb: 'The policy is tuned to earn more reward without drifting far from the SFT model.',
    trainable: false,
  },
];

export function stageText(id: TrainableStage): StageText {
  const s = PIPELINE.find((p) => p.id === id);
  if (!s) throw new Error(`unknown stage ${id}`);
  return s;
}

export function stageNumber(id: StageId): number {
  return PIPELINE.findIndex((p) => p.id === id) + 1;
}
