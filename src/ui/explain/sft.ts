// Stage 2, supervised fine-tuning: the same loss, counted on the answers only.

import type { Explanation, LiveState } from './types';
import { num } from './live';
import { LOADING, lossCurveHint, recentLoss } from './pretrain';

export const SFT: Explanation[] = [
  {
    id: 'sft',
    stage: 'sft',
    title: 'the masked loss',
    text:
      'Fine-tuning uses the same next-token loss as pretraining, but on examples made of a prompt followed by the answer ' +
      'we would like. Only the answer tokens (the set R below) count in the average, so the model is graded on replying, ' +
      'not on writing prompts. It starts from the pretrained weights, so it already knows the language and only has to ' +
      'pick up the question-and-answer format.',
    formula: String.raw`\mathcal{L}_{\text{SFT}}(\theta) = -\frac{1}{|R|}\sum_{t \in R} \log p_\theta\left(x_t \mid x_{<t}\right)`,
    lookFor(s: LiveState) {
      if (s.model == null) return LOADING;
      const loss = recentLoss(s.stages?.sft?.metrics ?? []);
      if (loss == null) {
        return 'Press Play for a few seconds: the samples below should start to answer their prompts instead of just continuing them.';
      }
      return (
        `The answer loss is ${num(loss)}: once the samples below answer their prompts sensibly, move on to ` +
        `Preferences and start judging.`
      );
    },
  },
  {
    id: 'sft-loss',
    stage: 'sft',
    title: 'the loss curve',
    text:
      'The curve is the masked loss on the demonstrations; the held-out curve uses demonstrations kept out of training. ' +
      'There are far fewer demonstrations than pretraining text, so the gap between the two curves matters more here: ' +
      'a widening gap means the model is learning these exact answers by heart.',
    formula: String.raw`\text{gap} = \mathcal{L}_{\text{held-out}} - \mathcal{L}_{\text{train}}`,
    lookFor: (s) => lossCurveHint(s.stages?.sft?.metrics ?? []),
  },
];
