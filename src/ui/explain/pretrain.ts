// Stage 1, pretraining: the next-token loss and how to read its curve.

import type { MetricPoint } from '../../engine/protocol';
import type { Explanation, LiveState } from './types';
import { lastTwoWindows, mean, newest, num, plural } from './live';

/** How far the held-out loss may sit above the training loss before we call it memorising. */
export const MEMORISING_GAP = 0.3;

export const LOADING = 'The model is still loading; the buttons wake up as soon as it is ready.';

/** The average training loss of the last few steps (one batch alone is noisy). */
export function recentLoss(points: readonly MetricPoint[], w = 10): number | null {
  return mean(points.slice(-w).map((p) => p.trainLoss));
}

/** One sentence about a loss curve: nothing yet, too short to tell, memorising, still falling, or flat. */
export function lossCurveHint(points: readonly MetricPoint[]): string {
  const n = points.length;
  if (n === 0)
    return 'No steps yet: press Step for a single update, or Play to keep training, and the curve starts here.';
  const train = recentLoss(points);
  const held = newest(points, (p) => p.heldoutLoss);
  if (train != null && held != null && held - train > MEMORISING_GAP) {
    return (
      `Held-out loss (${num(held)}) is ${num(held - train)} above the training loss (${num(train)}): ` +
      'the model is starting to memorise its training text, so more steps will not make it better at new text.'
    );
  }
  const w = Math.min(20, Math.floor(n / 2));
  const windows =
    w >= 3
      ? lastTwoWindows(
          points.map((p) => p.trainLoss),
          w,
        )
      : null;
  if (!windows) {
    return `Only ${plural(n, 'step')} so far (loss ${num(points[n - 1].trainLoss)}): run a few more to see which way the curve heads.`;
  }
  if (windows.before - windows.now > 0.02 * Math.abs(windows.before)) {
    return `The loss is still falling (from ${num(windows.before)} to ${num(windows.now)} over the last ${w} steps): let it keep training.`;
  }
  return (
    `The curve has flattened near ${num(windows.now)}: this model has learned most of what it can from this text, ` +
    'so extra steps buy little.'
  );
}

export const PRETRAIN: Explanation[] = [
  {
    id: 'pretrain',
    stage: 'pretrain',
    title: 'the next-token loss',
    text:
      'The model reads the corpus one token at a time and, at every position, gives a probability to each token that ' +
      'could come next. The loss is the average of minus the log of the probability it gave to the token that really ' +
      'came next: it would be 0 if the model were always certain and right, and it grows fast when the model is ' +
      'confidently wrong. Each training step moves every weight a little in the direction that lowers this average.',
    formula: String.raw`\mathcal{L}(\theta) = -\frac{1}{T}\sum_{t=1}^{T} \log p_\theta\left(x_t \mid x_{<t}\right)`,
    lookFor(s: LiveState) {
      if (s.model == null) return LOADING;
      const points = s.stages?.pretrain?.metrics ?? [];
      const loss = recentLoss(points);
      if (loss == null) {
        return (
          'These weights are already pretrained: read the samples at the bottom of this card, or press Step ' +
          'to watch a single update move the loss.'
        );
      }
      const ppl = Math.exp(loss);
      return (
        `A loss of ${num(loss)} nats is a perplexity of about ${ppl < 10 ? num(ppl, 1) : Math.round(ppl)}: on average the model ` +
        `hesitates as if it were choosing among that many equally likely next tokens.`
      );
    },
  },
  {
    id: 'pretrain-loss',
    stage: 'pretrain',
    title: 'the loss curve',
    text:
      'Each point is the average loss over one batch of training text; the held-out curve is measured now and then on ' +
      'text the model never trains on. Raising e to the power of the loss gives the perplexity, roughly how many tokens ' +
      'the model is torn between at each position. When the held-out curve stops falling while the training curve ' +
      'keeps going down, the model is memorising rather than learning.',
    formula: String.raw`\text{perplexity} = e^{\mathcal{L}}`,
    lookFor: (s) => lossCurveHint(s.stages?.pretrain?.metrics ?? []),
  },
];
