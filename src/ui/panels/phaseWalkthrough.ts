// What the slow-motion walkthrough draws and writes: the token cells' colour scales, how numbers and
// tokens are written, the sentence of facts and the list of metrics each phase shows, and the legend.
// Pure functions of one iteration's data (no Svelte, no DOM), so the components stay short.
import { cellColours, diverging, maxAbs, sequential } from '../colors';
import { num, showToken } from '../format';
import type { RlAlgorithm, RlDetail, RlMetricPoint, TokenDetail } from '../../engine/protocol';
import type { Reveal, TokenColour } from '../phases';

// ------------------------------------------------------------ colour

/** What each colour scale divides by, over the tokens shown. */
export interface CellScales {
  kl: number;
  advantage: number;
  ratio: number;
}

// The scales for the tokens shown; the ratio's spans at least the clip range.
export function cellScales(tokens: TokenDetail[], clipRange: number): CellScales {
  return {
    kl: maxAbs(tokens.map((t) => Math.max(t.kl, 0))),
    advantage: maxAbs(tokens.map((t) => t.advantage)),
    ratio: maxAbs(
      tokens.map((t) => t.ratio - 1),
      clipRange,
    ),
  };
}

// A token cell's inline style: its background by the phase's colour, and a text colour that reads on it.
export function cellStyle(t: TokenDetail, c: TokenColour, s: CellScales): string {
  if (c === 'none') return '';
  const bg =
    c === 'kl'
      ? sequential(t.kl / s.kl)
      : c === 'advantage'
        ? diverging(t.advantage / s.advantage)
        : diverging((t.ratio - 1) / s.ratio);
  return cellColours(bg);
}

// ------------------------------------------------------------ words and numbers

// The mean, NaN for no values.
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

// The number written under a token cell in this phase (`reward` is the token's r_t).
export function valueOf(rv: Reveal, reward: number | undefined, t: TokenDetail): string {
  if (rv.value === 'reward') return num(reward, 3);
  if (rv.value === 'advantage') return num(t.advantage);
  if (rv.value === 'ratio') return num(t.ratio, 3);
  return '';
}

// A token cell's title: the token and what this phase has revealed of it.
export function describe(rv: Reveal, reward: number | undefined, t: TokenDetail): string {
  const parts = [`token “${showToken(t.token)}”`];
  if (rv.kl) parts.push(`KL ${num(t.kl, 3)}`, `r = ${num(reward, 3)}`);
  if (rv.advantage) parts.push(`advantage ${num(t.advantage)}`);
  if (rv.ratio) parts.push(`ratio ${num(t.ratio, 3)}${t.clipped ? ', clipped' : ''}`);
  return parts.join(', ');
}

/** What `phaseFacts` reads: the iteration on screen, its phase and its numbers. */
export interface FactsInput {
  detail: RlDetail;
  phase: number;
  /** The most token positions of any answer shown. */
  positions: number;
  metric: RlMetricPoint | null;
  beta: number;
  algorithm: RlAlgorithm;
}

// One sentence of this iteration's own numbers for the phase on screen.
export function phaseFacts({ detail, phase, positions, metric, beta, algorithm }: FactsInput): string {
  const tokens = detail.responses.flatMap((r) => r.tokens);
  const shown = detail.responses.length;
  if (phase === 0) return `${shown} of the iteration's answers are shown, ${positions} token positions at most.`;
  if (phase === 1) {
    const batch = metric ? ` Over the whole batch: ${num(metric['objective/scores'])}.` : '';
    return `Mean score of the answers shown: ${num(mean(detail.responses.map((r) => r.score)))}.${batch}`;
  }
  if (phase === 2) {
    const kl = metric
      ? ` The batch's answers average a KL of ${num(metric['objective/kl'], 3)} nats, ` +
        `a fine of ${num(metric['objective/non_score_reward'], 3)}.`
      : '';
    return `β = ${num(beta, 3)} in this iteration.${kl}`;
  }
  if (phase === 3) {
    const adv = tokens.map((t) => t.advantage).filter(Number.isFinite);
    const range = adv.length ? `from ${num(Math.min(...adv))} to ${num(Math.max(...adv))}` : 'none';
    const ppo = algorithm === 'ppo' ? '; PPO rescales them over the batch to mean 0 and spread 1' : '';
    return `Advantages shown range ${range}${ppo}.`;
  }
  const clipped = tokens.filter((t) => t.clipped).length;
  const sc = detail.scatter;
  const scClipped = sc.filter((p) => p.clipped).length;
  const pct = sc.length ? ` (${((100 * scClipped) / sc.length).toFixed(1)}%)` : '';
  return (
    `${clipped} of the ${tokens.length} tokens shown were clipped; ` +
    `in the last minibatch ${scClipped} of ${sc.length}${pct}, with ε = ${detail.clipRange}.`
  );
}

/** One of the iteration's metrics, written out, and the phase from which it is shown. */
export interface PhaseNumber {
  label: string;
  value: string;
  from: number;
}

// This iteration's metrics: each becomes visible in the phase that produces it.
export function phaseNumbers(metric: RlMetricPoint | null, beta: number): PhaseNumber[] {
  return [
    { label: 'Mean score', value: num(metric?.['objective/scores']), from: 1 },
    { label: 'KL to reference', value: num(metric?.['objective/kl'], 3), from: 2 },
    { label: 'β', value: num(beta, 3), from: 2 },
    { label: 'KL fine −β·KL', value: num(metric?.['objective/non_score_reward'], 3), from: 2 },
    { label: 'Score − β·KL', value: num(metric?.['objective/rlhf_reward']), from: 2 },
    { label: 'Clip fraction', value: num(metric?.['policy/clipfrac_avg'], 3), from: 4 },
    { label: 'Approx. KL old → new', value: num(metric?.['policy/approxkl_avg'], 4), from: 4 },
  ];
}

// The line above the tokens: what their colour and number mean in this phase.
export function tokenLegend(rv: Reveal): string {
  return rv.colour === 'kl'
    ? `Colour: KL_t (darker purple = drifted further from the reference). Number: r_t = −β·KL_t; the last token's includes the score.`
    : rv.colour === 'advantage'
      ? 'Colour and number: the advantage A_t (orange better than expected, blue worse).'
      : rv.colour === 'ratio'
        ? 'Colour and number: the ratio π_new/π_old after the update (orange more likely now, blue less). Hatched: clipped.'
        : rv.score
          ? 'The score of each answer is at its end.'
          : 'The answers appear position by position, as they were sampled.';
}
