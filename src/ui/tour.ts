// The guided tour as data: one step per panel, in pipeline order, and the few rules around it
// (where the step is remembered, how it is clamped, how the page scrolls). Tour.svelte draws it.

export interface TourStep {
  /** The id of the element to scroll to and ring (it must exist in a panel's markup). */
  target: string;
  title: string;
  /** Two or three sentences about what this part of the page does. */
  text: string;
  /** One thing to do right now. */
  tryNow: string;
}

export const TOUR_STEPS: readonly TourStep[] = [
  {
    target: 'stage-pretrain',
    title: 'Pretraining',
    text:
      'This tiny GPT has already read the corpus and learned to continue text. The chart shows its loss: how surprised it ' +
      'is, on average, by the real next token.',
    tryNow: 'Press Step a few times and watch the curve, then read the samples at the bottom of the card.',
  },
  {
    target: 'stage-sft',
    title: 'Supervised fine-tuning',
    text:
      'Now the model studies demonstrations: a prompt followed by a good answer. The loss only counts the answer, so it ' +
      'learns to reply rather than to write prompts.',
    tryNow: 'Press Play for a few seconds, then Pause, and compare its samples with the pretrained ones.',
  },
  {
    target: 'stage-preferences',
    title: 'Your preferences',
    text:
      'Here you are the judge: two answers to the same prompt, and you pick the better one. Every judgement becomes a row ' +
      'in the table underneath, the only thing the reward model learns from.',
    tryNow: 'Judge five pairs with the keys 1 and 2, or let a simulated labeler judge a batch.',
  },
  {
    target: 'stage-reward',
    title: 'The reward model',
    text:
      'The reward model learns to give every answer a score, so that the answers you chose score higher. Held-out accuracy ' +
      'tells you whether it generalises to comparisons it has not seen.',
    tryNow: 'Press "Train on all labels" and watch the held-out accuracy and the margins.',
  },
  {
    target: 'reward-probe',
    title: 'Poke the reward model',
    text: 'Type any answer and see its score. Whatever fools the reward model here, the policy will find during RL.',
    tryNow: 'Write a poor answer that reuses words from answers you liked, and see whether it scores high.',
  },
  {
    target: 'stage-rl',
    title: 'RL fine-tuning',
    text:
      'The policy writes answers, the reward model scores them, and PPO moves the policy toward the higher scores. A KL ' +
      'penalty keeps it close to the fine-tuned model so it cannot wander off into nonsense.',
    tryNow: 'Press Play and let it run for 20 iterations or so.',
  },
  {
    target: 'rl-charts',
    title: 'Reading the RL curves',
    text:
      'KL drift shows how far the policy has moved; Rewards shows what it earns; Over-optimisation puts both against the ' +
      'distance travelled. The PPO chart tells you whether each update is a small, safe step.',
    tryNow:
      "Check whether the reward model's score keeps rising while the gold score flattens: that is reward hacking.",
  },
  {
    target: 'rl-inside',
    title: 'Inside one iteration',
    text:
      'Each token of a few sampled answers is coloured by its KL, its advantage, or how much the update changed its ' +
      'probability. The scatter below shows which tokens had their update clipped.',
    tryNow: 'Colour the tokens by advantage, then click one to see the probabilities before and after the update.',
  },
  {
    target: 'rl-compare',
    title: 'Before and after',
    text:
      'The same prompts, answered by the fine-tuned model and by the policy, each with its reward. A higher score is not ' +
      'always a better answer.',
    tryNow: 'Press "Compare with the reference" and read the answers: did RL make them better, or only better-scoring?',
  },
];

/** localStorage key of the step the tour was left at (0-based); absent when no tour was left unfinished. */
export const TOUR_STORAGE_KEY = 'rlhf-tour-step';

/** The class that draws the ring around the current step's target. */
export const TOUR_TARGET_CLASS = 'tour-target';

/** A whole step index inside [0, count - 1]; anything unreadable becomes 0. */
export function clampStep(step: number, count = TOUR_STEPS.length): number {
  if (!Number.isFinite(step) || count < 1) return 0;
  return Math.min(count - 1, Math.max(0, Math.trunc(step)));
}

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The step the tour was left at, clamped to the steps that exist; null when none was stored (or storage is off). */
export function readStep(storage: Pick<Storage, 'getItem'> | null, count = TOUR_STEPS.length): number | null {
  let raw: string | null;
  try {
    raw = storage?.getItem(TOUR_STORAGE_KEY) ?? null;
  } catch {
    return null; // storage can be switched off; the tour then simply starts at the beginning
  }
  if (raw == null || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? clampStep(n, count) : null;
}

/** Remember the current step, or forget it (null) once the tour is finished. */
export function writeStep(storage: Store | null, step: number | null): void {
  try {
    if (step == null) storage?.removeItem(TOUR_STORAGE_KEY);
    else storage?.setItem(TOUR_STORAGE_KEY, String(clampStep(step)));
  } catch {
    /* storage full or off: the tour still works, it just will not resume */
  }
}

export function tourButtonLabel(saved: number | null, count = TOUR_STEPS.length): string {
  return saved == null ? 'Take the tour' : `Resume the tour (step ${clampStep(saved, count) + 1} of ${count})`;
}

/** Smooth scrolling, unless the reader asked the system for less motion. */
export function scrollBehavior(reducedMotion: boolean): ScrollBehavior {
  return reducedMotion ? 'auto' : 'smooth';
}
