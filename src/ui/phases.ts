// The phases of one PPO iteration, as the slow-motion walkthrough replays them. The worker has
// already run the whole iteration; these functions only decide what of its real numbers is shown
// when, and for how long. Pure: no Svelte, no DOM, so the unit tests can pin it down.

export type PhaseId = 'sample' | 'score' | 'rewards' | 'advantages' | 'update';

/** The parts of the walkthrough a phase is about; each gets a highlight ring during it. */
export type PhaseArea = 'tokens' | 'charts' | 'scatter';

/** What the token cells are coloured by. */
export type TokenColour = 'none' | 'kl' | 'advantage' | 'ratio';

export interface Phase {
  id: PhaseId;
  title: string;
  /** What happened in this phase of the iteration, for a newcomer. */
  explain: string;
  areas: PhaseArea[];
}

export const PHASES: readonly Phase[] = [
  {
    id: 'sample',
    title: 'Sample',
    explain:
      'The policy wrote an answer to each prompt one token at a time, drawing every token from its next-token ' +
      'probabilities. The whole batch grows together, one position per step.',
    areas: ['tokens'],
  },
  {
    id: 'score',
    title: 'Score',
    explain:
      'The reward model read each finished answer and gave it a single number, shown at its end. ' +
      'Only whole answers get a score; no single token has been credited yet.',
    areas: ['tokens', 'charts'],
  },
  {
    id: 'rewards',
    title: 'KL and rewards',
    explain:
      'For every token, the KL estimate compares how likely the policy and the frozen reference model found it. ' +
      'Each token earns r_t = −β·KL_t, a fine for drifting, and the last token also receives the score.',
    areas: ['tokens', 'charts'],
  },
  {
    id: 'advantages',
    title: 'Advantages',
    explain:
      'Looking at the rewards still to come and at the value head’s guess of them, generalised advantage estimation ' +
      'gives each token an advantage: how much better (orange) or worse (blue) things went than expected from there.',
    areas: ['tokens'],
  },
  {
    id: 'update',
    title: 'Update',
    explain:
      'PPO took a few gradient steps on these rollouts, making tokens with a positive advantage more likely and the ' +
      'others less. The ratio π_new/π_old says how far each token’s probability moved; where it moved past 1 ± ε in ' +
      'the direction the advantage wanted, clipping stopped the gradient (hatched tokens, hollow dots).',
    areas: ['scatter', 'charts'],
  },
];

export const PHASE_COUNT = PHASES.length;
export const LAST_PHASE = PHASE_COUNT - 1;

/** A valid phase index (0-based) nearest to `i`. */
export function clampPhase(i: number): number {
  if (!Number.isFinite(i)) return 0;
  return Math.min(LAST_PHASE, Math.max(0, Math.trunc(i)));
}

export function nextPhase(i: number): number {
  return clampPhase(clampPhase(i) + 1);
}

export function previousPhase(i: number): number {
  return clampPhase(clampPhase(i) - 1);
}

export function isLastPhase(i: number): boolean {
  return clampPhase(i) === LAST_PHASE;
}

/** "Phase 3 of 5: KL and rewards". */
export function phaseHeading(i: number): string {
  const k = clampPhase(i);
  return `Phase ${k + 1} of ${PHASE_COUNT}: ${PHASES[k].title}`;
}

/** What of the iteration's data is on screen during a phase: each phase adds to the ones before. */
export interface Reveal {
  /** The answers are being typed out position by position (otherwise shown whole). */
  typing: boolean;
  score: boolean;
  kl: boolean;
  /** Per-token rewards r_t = −β·KL_t (+ score at the last token). */
  rewards: boolean;
  advantage: boolean;
  ratio: boolean;
  clipped: boolean;
  scatter: boolean;
  colour: TokenColour;
  /** The number written under each token, if any. */
  value: 'none' | 'reward' | 'advantage' | 'ratio';
}

export function reveals(i: number): Reveal {
  const k = clampPhase(i);
  return {
    typing: k === 0,
    score: k >= 1,
    kl: k >= 2,
    rewards: k >= 2,
    advantage: k >= 3,
    ratio: k >= 4,
    clipped: k >= 4,
    scatter: k >= 4,
    colour: k === 2 ? 'kl' : k === 3 ? 'advantage' : k === 4 ? 'ratio' : 'none',
    value: k === 2 ? 'reward' : k === 3 ? 'advantage' : k === 4 ? 'ratio' : 'none',
  };
}

// ---------------------------------------------------------------- timing

/** The pause between phases, in seconds. */
export const PAUSE = { min: 0.5, max: 5, step: 0.5, default: 1.5 } as const;

/** A pause in range; anything that is not a number falls back to the default. */
export function clampPause(seconds: number): number {
  if (!Number.isFinite(seconds)) return PAUSE.default;
  return Math.min(PAUSE.max, Math.max(PAUSE.min, seconds));
}

export function pauseMs(seconds: number): number {
  return Math.round(clampPause(seconds) * 1000);
}

/** Typing one position takes at least this long (readable) and at most this long (not tedious). */
export const TYPING_TICK = { min: 20, max: 150 } as const;

/**
 * Milliseconds between two token positions appearing in the sample phase: the typing takes about
 * as long as one pause, so a longer pause also slows the typing.
 */
export function typingTickMs(pauseSeconds: number, positions: number): number {
  if (positions <= 0) return 0;
  const tick = Math.round(pauseMs(pauseSeconds) / positions);
  return Math.min(TYPING_TICK.max, Math.max(TYPING_TICK.min, tick));
}

/**
 * How long phase `i` stays on screen in automatic slow motion: the pause, and for the sample
 * phase the typing before it (no typing when the user asks for reduced motion).
 */
export function phaseDurationMs(i: number, pauseSeconds: number, positions: number, reducedMotion: boolean): number {
  const typing = clampPhase(i) === 0 && !reducedMotion ? positions * typingTickMs(pauseSeconds, positions) : 0;
  return typing + pauseMs(pauseSeconds);
}

/** When each phase starts, in ms after the walkthrough starts, and (last entry) when it ends. */
export function phaseSchedule(pauseSeconds: number, positions: number, reducedMotion: boolean): number[] {
  const starts = [0];
  for (let i = 0; i < PHASE_COUNT; i++)
    starts.push(starts[i] + phaseDurationMs(i, pauseSeconds, positions, reducedMotion));
  return starts;
}

// ---------------------------------------------------------------- the numbers a phase derives

/**
 * The per-token rewards PPO's advantages are built from: r_t = −β·KL_t at every token, and the
 * reward model's score added at the last one.
 */
export function tokenRewards(kl: readonly number[], beta: number, score: number): number[] {
  const r = kl.map((k) => -beta * k);
  if (r.length) r[r.length - 1] += score;
  return r;
}

/** The most token positions of any response: how many typing steps the sample phase takes. */
export function positionsOf(responses: readonly { tokens: readonly unknown[] }[]): number {
  return responses.reduce((m, r) => Math.max(m, r.tokens.length), 0);
}
