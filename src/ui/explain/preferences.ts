// Stage 3, preferences: what a judgement means, how pairs are sampled, and the comparison table.

import type { Explanation, LiveState } from './types';
import { num, plural } from './live';
import { ratingGroupKey } from '../../data/ratings';

/** Below this many comparisons the reward model has little to generalise from. */
export const FEW_LABELS = 20;

export const PREFERENCES: Explanation[] = [
  {
    id: 'preferences',
    stage: 'preferences',
    title: 'what a judgement means',
    text:
      'Each judgement says "for this prompt, answer A is better than answer B"; nobody has to write down a score. ' +
      'The usual assumption, the Bradley-Terry model, is that every answer has a hidden score r and that the better ' +
      'one wins with a probability that depends only on the difference of the two scores. The reward model in the ' +
      'next stage looks for scores that make your choices as likely as possible.',
    formula:
      String.raw`P\left(y_A \succ y_B \mid x\right) = \frac{e^{r(x, y_A)}}{e^{r(x, y_A)} + e^{r(x, y_B)}} = ` +
      String.raw`\sigma\big(r(x, y_A) - r(x, y_B)\big)`,
    lookFor(s: LiveState) {
      const all = s.comparisons ?? [];
      const n = all.length;
      if (n === 0) {
        return 'No comparisons yet: judge the pair below (keys 1 and 2), or let a simulated labeler judge a batch for you.';
      }
      const unclear = all.filter((c) => c.verdict !== 'preferred').length;
      if (n >= 10 && unclear > n / 2) {
        return (
          `${unclear} of your ${n} labels are ties or "both bad": those say less than a clear choice, ` +
          'so pick a side whenever one answer is even a little better.'
        );
      }
      if (n < FEW_LABELS) {
        return `${plural(n, 'comparison')} so far: around ${FEW_LABELS} or more give the reward model enough to generalise from.`;
      }
      return `${n} comparisons collected: look in the table for rows where the reward model disagrees with you.`;
    },
  },
  {
    id: 'preferences-pair',
    stage: 'preferences',
    title: 'how the two answers are sampled',
    text:
      "Both answers come from the fine-tuned model, drawn token by token at a temperature τ. The model's raw score z " +
      'for each possible next token is divided by τ before the softmax: a small τ sharpens the choice toward the most ' +
      'likely token, a large τ flattens it so rarer tokens get picked. Sampling the two sides at different temperatures ' +
      'makes pairs that differ in ways you can see.',
    formula: String.raw`p_i = \frac{e^{z_i / \tau}}{\sum_j e^{z_j / \tau}}`,
    lookFor(s: LiveState) {
      const ps = s.pairSettings;
      if (!ps)
        return 'Read both answers to the end before choosing, and judge what they say rather than how long they are.';
      const { temperatureLeft: l, temperatureRight: r } = ps;
      if (Math.abs(l - r) < 0.05) {
        return `Both sides are sampled at temperature ${num(l)}: they differ only by chance, so expect many close calls.`;
      }
      const hot = l > r ? 'left' : 'right';
      return (
        `The left side is sampled at temperature ${num(l)} and the right at ${num(r)}: the ${hot} side takes more risks, ` +
        'so expect it to be more varied and more often wrong.'
      );
    },
  },
  {
    id: 'preferences-rating',
    stage: 'preferences',
    title: 'learning from ratings',
    text:
      'A rating judges one answer on its own, and the reward model can learn from it in two ways (Reward settings, ' +
      '"Ratings"). As pairs: two answers to one prompt with different ratings train like a compared pair, and the larger ' +
      'the gap the further ahead the better one must score (the margin m, as in Llama 2). As targets: the rating, scaled ' +
      "to 0..1, becomes the goal for sigmoid(r), which uses every rating but asks the model to match your scale's drift.",
    formula:
      String.raw`	ext{pairs: } -\log\sigma\big(r(x,y_a) - r(x,y_b) - m\big),\; m = 	frac{s_a - s_b}{s_{\max} - s_{\min}}` +
      String.raw`\qquad 	ext{targets: } -t\log\sigma(r) - (1-t)\log\sigma(-r)`,
    lookFor(s: LiveState) {
      const ratings = s.rating?.ratings ?? [];
      if (ratings.length === 0)
        return 'Rate the answers one by one: each prompt comes with a few, so they can be compared.';
      const valuesOf = new Map<string, Set<number>>(); // scale, annotator and prompt -> the values given
      for (const r of ratings) {
        const key = ratingGroupKey(r);
        valuesOf.set(key, (valuesOf.get(key) ?? new Set()).add(r.value));
      }
      const useful = ratings.filter((r) => valuesOf.get(ratingGroupKey(r))!.size > 1).length;
      if (s.rewardSettings?.ratingLoss === 'pointwise')
        return `All ${plural(ratings.length, 'rating')} teach as targets. Switch to pairs to learn only from differences.`;
      return (
        `${useful} of your ${plural(ratings.length, 'rating')} share a prompt with a differently rated answer: in pairs ` +
        'mode only those teach. Give the answers of one prompt different ratings where they differ.'
      );
    },
  },
  {
    id: 'preferences-writing',
    stage: 'preferences',
    title: 'corrections and demonstrations',
    text:
      "A correction is the model's answer as you would have it. It teaches twice: the reward model learns that your " +
      'edit beats the original (a comparison like a judged pair, marked "correction"), and, kept as a demonstration, ' +
      'the fine-tuning stage can learn to write it. A demonstration is an answer you write from scratch: supervised ' +
      'data, what the fine-tuning stage was trained on before any preference. "Fine-tune on my demonstrations" adds ' +
      "yours to the scenario's own, repeated so that about a quarter of each batch is yours, and minimises the same " +
      'next-token loss on the answer tokens.',
    formula: String.raw`\mathcal{L}_{\text{SFT}} = -\frac{1}{|y|}\sum_{t} \log \pi_\theta(y_t \mid x, y_{<t})`,
    lookFor(s: LiveState) {
      const list = s.writing?.demonstrations ?? [];
      const fit = s.writing?.fit;
      if (fit)
        return (
          `Fine-tuning took the loss on your demonstrations from ${fit.before.toFixed(2)} to ${fit.after.toFixed(2)} ` +
          'per token. Look at the samples under Fine-tune: do they sound more like you?'
        );
      if (list.length === 0)
        return 'Edit the answer to what it should say and save a correction, or clear it and write your own.';
      const corrections = list.filter((d) => d.source === 'correction').length;
      return (
        `${plural(list.length, 'demonstration')} so far (${corrections} from corrections). Fine-tune on them and ` +
        "watch the model's loss on them fall."
      );
    },
  },
  {
    id: 'preferences-table',
    stage: 'preferences',
    title: 'the comparison table',
    text:
      'Every row is one comparison: a prompt, the answer you chose and the one you rejected. The P column is the reward ' +
      "model's current belief that the chosen answer is the better one. A row with P below 0.5 is one where the model " +
      'and you disagree: either it has not learned that case yet, or the label was a slip.',
    formula: String.raw`P = \sigma\big(r(x, y_c) - r(x, y_r)\big), \qquad \sigma(u) = \frac{1}{1 + e^{-u}}`,
    lookFor(s: LiveState) {
      const all = s.comparisons ?? [];
      if (all.length === 0) return 'Rows appear here as you judge pairs, newest first.';
      const p = s.pChosen ?? [];
      let known = 0;
      let disagree = 0;
      all.forEach((c, i) => {
        const v = p[i];
        if (c.verdict !== 'preferred' || v == null || !Number.isFinite(v)) return;
        known++;
        if (v < 0.5) disagree++;
      });
      if (known === 0) return 'The P column fills in once the reward model has trained on clear choices (not ties).';
      if (disagree === 0) {
        return (
          `The reward model agrees with all ${plural(known, 'clear choice')}; if its held-out accuracy is low, ` +
          'it may simply be memorising them.'
        );
      }
      return (
        `The reward model disagrees with ${disagree} of your ${plural(known, 'clear choice')} (P below 0.5): ` +
        'check those rows, a slip of the key is worth flipping or deleting.'
      );
    },
  },
];
