// The five stages of the pipeline as the page names and explains them.

import type { StageId } from '../engine/protocol';

export interface StageText {
  id: StageId;
  title: string;
  /** One or two sentences a newcomer can read before pressing Play. */
  blurb: string;
  trainable: boolean;
  /** Built and shown on the page (the pipeline bar links to it); the rest say "soon". */
  available: boolean;
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
    available: true,
  },
  {
    id: 'sft',
    title: 'Supervised fine-tune',
    blurb:
      'Starting from the pretrained weights, the model now studies demonstrations: a prompt and the response we want. ' +
      'The loss is the same next-token guess, but it is only counted on the response tokens, ' +
      'so the model learns to answer prompts instead of learning to write them.',
    trainable: true,
    available: true,
  },
  {
    id: 'preferences',
    title: 'Preferences',
    blurb:
      'Now you are the judge. The fine-tuned model writes two answers to the same prompt, and you say which is better ' +
      '(or that they are about the same, or both bad). Every judgement is saved as a comparison: a prompt with a chosen ' +
      'and a rejected answer. Those comparisons are all the reward model gets to learn from.',
    trainable: false,
    available: true,
  },
  {
    id: 'reward',
    title: 'Reward model',
    blurb:
      'The reward model is a copy of the fine-tuned transformer with one extra number on top: a scalar head, averaged over ' +
      "the answer's tokens into the score r of the whole answer (it starts at 0 for every answer, so it begins at chance). " +
      'For each comparison it learns to score the chosen answer above ' +
      'the rejected one, by lowering -log sigmoid(r_chosen - r_rejected). It trains a few steps after every label; ' +
      'the held-out comparisons show whether it learned your taste or just memorised your labels.',
    trainable: false,
    available: true,
  },
  {
    id: 'rl',
    title: 'RL fine-tune',
    blurb:
      'The policy starts as an exact copy of the fine-tuned model. Each iteration it writes answers to a batch of prompts, ' +
      'the reward model scores them, and PPO shifts the policy a small step towards the answers that scored well. ' +
      'A KL penalty charges it for every bit it moves away from the frozen fine-tuned model, so it cannot wander off ' +
      'into gibberish that happens to fool the reward model.',
    trainable: false,
    available: true,
  },
];

export function stageText(id: StageId): StageText {
  const s = PIPELINE.find((p) => p.id === id);
  if (!s) throw new Error(`unknown stage ${id}`);
  return s;
}

export function stageNumber(id: StageId): number {
  return PIPELINE.findIndex((p) => p.id === id) + 1;
}
