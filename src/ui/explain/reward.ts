// Stage 4, the reward model: its loss, margins, calibration, and the probe box.

import { HELD_OUT_SHOWN_FROM, type CalibrationBin } from '../../engine/protocol';
import type { Explanation, LiveState } from './types';
import { newest, num, pct, plural } from './live';
import { FEW_LABELS } from './preferences';

/** Below this held-out accuracy the reward model is close to guessing. */
export const WEAK_ACCURACY = 0.6;

/** Weighted mean distance of the calibration dots from the diagonal, and whether they overshoot it. */
export function calibrationError(
  bins: readonly CalibrationBin[],
): { ece: number; overconfident: number; total: number } | null {
  let total = 0;
  let gap = 0;
  let over = 0;
  for (const b of bins) {
    if (!(b.count > 0) || !Number.isFinite(b.predicted) || !Number.isFinite(b.observed)) continue;
    total += b.count;
    gap += b.count * Math.abs(b.observed - b.predicted);
    // Positive when the prediction is further from 0.5 than what happened: over-confidence.
    over += b.count * (Math.abs(b.predicted - 0.5) - Math.abs(b.observed - 0.5));
  }
  return total ? { ece: gap / total, overconfident: over / total, total } : null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const REWARD: Explanation[] = [
  {
    id: 'reward',
    stage: 'reward',
    title: 'the Bradley-Terry loss',
    text:
      'The reward model reads a prompt and an answer and returns one number, r. For each comparison the loss looks only ' +
      'at the difference between the chosen and the rejected score: it is about 0.69 when the two are equal, falls toward ' +
      '0 as the chosen one pulls ahead, and grows when the order is wrong. A few comparisons are kept out of training so ' +
      'we can check that it learned your taste and not just your list.',
    formula: String.raw`\mathcal{L}_{\text{RM}}(\phi) = -\log \sigma\big(r_\phi(x, y_c) - r_\phi(x, y_r)\big)`,
    lookFor(s: LiveState) {
      const n = s.comparisons?.length ?? 0;
      if (n === 0) return 'No labels yet: judge a few pairs in Preferences first, then come back here.';
      // Held-out accuracy on fewer than HELD_OUT_SHOWN_FROM pairs says little (older sessions do not give the count).
      const enough = (m: { heldoutCount?: number }) => (m.heldoutCount ?? HELD_OUT_SHOWN_FROM) >= HELD_OUT_SHOWN_FROM;
      const acc = newest(s.rewardMetrics, (m) => (enough(m) ? m.heldoutAccuracy : null));
      if (acc == null) {
        return (
          `${plural(n, 'label')} but no held-out accuracy yet: it is shown once ${HELD_OUT_SHOWN_FROM} labels are held out ` +
          '(about one in five is), after the next training run.'
        );
      }
      if (acc < WEAK_ACCURACY && n < FEW_LABELS) {
        return `Label more pairs: with only ${plural(n, 'label')} the held-out accuracy is ${pct(acc)}, close to a coin flip.`;
      }
      if (acc < WEAK_ACCURACY) {
        return (
          `Held-out accuracy is only ${pct(acc)} even with ${n} labels: your labels may contradict each other, ` +
          'so look for rows where the model disagrees with you in the table.'
        );
      }
      if (acc < 0.75) {
        return `Held-out accuracy is ${pct(acc)}: better than chance but shaky; more labels or a few more epochs should help before RL.`;
      }
      return `Held-out accuracy is ${pct(acc)} on comparisons it never trained on: good enough to steer RL, so go on to the RL stage.`;
    },
  },
  {
    id: 'reward-loss',
    stage: 'reward',
    title: 'the loss and accuracy',
    text:
      'The curve averages the pair loss over batches of comparisons. A model that gives every answer the same score gets ' +
      'exactly log 2 ≈ 0.693, so anything below that line is learning. Held-out accuracy is the share of unseen ' +
      'comparisons in which the chosen answer gets the higher score; 50% is guessing.',
    formula:
      String.raw`\text{accuracy} = \frac{1}{N}\sum_{i=1}^{N} \mathbb{1}\left[r_c^{(i)} > r_r^{(i)}\right], ` +
      String.raw`\qquad \mathcal{L}\big|_{r_c = r_r} = \log 2 \approx 0.693`,
    lookFor(s: LiveState) {
      const m = s.rewardMetrics ?? [];
      if (m.length === 0)
        return 'No training steps yet: each label you give trains the reward model a little, and the curve starts here.';
      const train = m[m.length - 1].trainLoss;
      const held = newest(m, (p) => p.heldoutLoss);
      if (train > 0.65) {
        return (
          `Training loss ${num(train)} is still close to log 2 ≈ 0.693, a coin flip: the model cannot yet tell your chosen ` +
          'answers apart; train longer or add labels.'
        );
      }
      if (held != null && held - train > 0.25) {
        return (
          `Training loss ${num(train)} but held-out loss ${num(held)}: the model is memorising your labels more than ` +
          'learning what you like; more labels help most.'
        );
      }
      if (train < 0.1) {
        return (
          'Training loss near 0: every training pair is scored with great confidence, so watch the held-out ' +
          'loss, where over-fitting shows.'
        );
      }
      return (
        `Training loss ${num(train)}${held != null ? ` and held-out loss ${num(held)}` : ''} are below log 2: ` +
        'it is learning something that carries over to pairs it has not seen.'
      );
    },
  },
  {
    id: 'reward-margins',
    stage: 'reward',
    title: 'the margins',
    text:
      'The margin of a comparison is how much higher the chosen answer scores than the rejected one. The loss of a pair ' +
      'depends on nothing else: a large positive margin costs almost nothing, a negative one costs about its own size. ' +
      'Bars left of zero are pairs in the wrong order.',
    formula: String.raw`m = r_c - r_r, \qquad -\log\sigma(m) = \log\left(1 + e^{-m}\right)`,
    lookFor(s: LiveState) {
      const all = s.rewardDiagnostics?.margins ?? [];
      if (all.length === 0) return 'Train the reward model to see one bar per comparison here.';
      const held = all.filter((m) => m.heldOut);
      const set = held.length ? held : all;
      const which = held.length ? 'held-out' : 'training';
      const wrong = set.filter((m) => m.value < 0).length;
      if (wrong > 0.3 * set.length) {
        return `${wrong} of ${set.length} ${which} margins are below 0: the model ranks those pairs the wrong way round.`;
      }
      const train = all.filter((m) => !m.heldOut).map((m) => m.value);
      if (train.length && median(train) > 4) {
        return (
          `Training margins are large (median ${num(median(train), 1)}): the model is very sure about pairs it has seen; ` +
          'check whether the held-out bars are as far from 0.'
        );
      }
      return (
        `${set.length - wrong} of ${set.length} ${which} margins are above 0: the further right the bars, the ` +
        `more confident and correct the model.`
      );
    },
  },
  {
    id: 'reward-calibration',
    stage: 'reward',
    title: 'the calibration plot',
    text:
      'Passing a margin through the sigmoid turns it into a predicted chance that the chosen answer wins. The predictions ' +
      'are grouped into bins, and each dot compares the average prediction in a bin with how often the chosen answer ' +
      'really won there. The expected calibration error (ECE) is the average distance from the diagonal, weighted by how ' +
      'many pairs each bin holds.',
    formula: String.raw`\text{ECE} = \sum_{b} \frac{n_b}{N}\,\Big|\,\text{observed}_b - \text{predicted}_b\,\Big|`,
    lookFor(s: LiveState) {
      const c = calibrationError(s.rewardDiagnostics?.calibration ?? []);
      if (!c) return 'Calibration needs predictions: train the reward model first.';
      if (c.total < 10)
        return `Only ${plural(c.total, 'comparison')} in these bins: each dot is noisy, so do not read much into the pattern yet.`;
      if (c.ece < 0.05)
        return `The average gap is ${num(c.ece)}: when the model says 80%, the chosen answer wins about 80% of the time.`;
      if (c.overconfident > 0) {
        return (
          `The average gap is ${num(c.ece)} and the predictions are more extreme than the outcomes: the model is ` +
          'over-confident, which is typical of many epochs on few labels.'
        );
      }
      return `The average gap is ${num(c.ece)} and the predictions are more cautious than the outcomes: the model is under-confident.`;
    },
  },
  {
    id: 'reward-probe',
    stage: 'reward',
    title: 'the probe',
    text:
      'Type any prompt and answer to see the score the reward model gives it. Once trained, scores are shifted and scaled ' +
      "using the fine-tuned model's own answers, so 0 is a typical answer before RL and +1 is one standard deviation " +
      'better. This is the number the RL stage will push up, so any loophole you find here, the policy can find too.',
    formula: String.raw`r' = \frac{r - \mu_{\text{SFT}}}{\sigma_{\text{SFT}}}`,
    lookFor(s: LiveState) {
      const p = s.probe;
      if (!p) {
        return 'Try an answer you think is bad but that uses words the model liked in your labels: a high score reveals a loophole.';
      }
      if (p.unknownWords.length) {
        const words = p.unknownWords
          .slice(0, 3)
          .map((w) => `"${w}"`)
          .join(', ');
        return (
          `${plural(p.unknownWords.length, 'word')} (${words}) ${p.unknownWords.length === 1 ? 'is' : 'are'} unknown to the ` +
          'tokenizer: the model sees only a placeholder there, so their meaning cannot count.'
        );
      }
      return `This text scores ${num(p.reward)}. Change one word at a time to find out what the model rewards.`;
    },
  },
];
