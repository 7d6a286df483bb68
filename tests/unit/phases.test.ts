import { describe, expect, test } from 'vitest';
import {
  PHASES,
  PHASE_COUNT,
  LAST_PHASE,
  PAUSE,
  TYPING_TICK,
  clampPause,
  clampPhase,
  isLastPhase,
  nextPhase,
  pauseMs,
  phaseDurationMs,
  phaseHeading,
  phaseSchedule,
  positionsOf,
  previousPhase,
  reveals,
  tokenRewards,
  typingTickMs,
} from '../../src/ui/phases';

describe('phase order', () => {
  test('five phases in the order PPO runs them', () => {
    expect(PHASES.map((p) => p.id)).toEqual(['sample', 'score', 'rewards', 'advantages', 'update']);
    expect(PHASE_COUNT).toBe(5);
    expect(LAST_PHASE).toBe(4);
  });

  test('headings count from one', () => {
    expect(phaseHeading(0)).toBe('Phase 1 of 5: Sample');
    expect(phaseHeading(2)).toBe('Phase 3 of 5: KL and rewards');
    expect(phaseHeading(4)).toBe('Phase 5 of 5: Update');
  });

  test('every phase rings at least one area, and the update rings the scatter', () => {
    for (const p of PHASES) expect(p.areas.length).toBeGreaterThan(0);
    expect(PHASES[0].areas).toEqual(['tokens']);
    expect(PHASES[4].areas).toContain('scatter');
    expect(PHASES.filter((p) => p.areas.includes('scatter')).map((p) => p.id)).toEqual(['update']);
  });
});

describe('next and previous', () => {
  test('step by one inside the range', () => {
    expect(nextPhase(0)).toBe(1);
    expect(nextPhase(3)).toBe(4);
    expect(previousPhase(4)).toBe(3);
    expect(previousPhase(1)).toBe(0);
  });

  test('clamp at both ends', () => {
    expect(nextPhase(4)).toBe(4);
    expect(previousPhase(0)).toBe(0);
    expect(nextPhase(99)).toBe(4);
    expect(previousPhase(-3)).toBe(0);
  });

  test('odd input becomes a valid index', () => {
    expect(clampPhase(NaN)).toBe(0);
    expect(clampPhase(2.7)).toBe(2);
    expect(clampPhase(Infinity)).toBe(0);
    expect(isLastPhase(4)).toBe(true);
    expect(isLastPhase(3)).toBe(false);
    expect(isLastPhase(10)).toBe(true);
  });
});

describe('what each phase reveals', () => {
  test('sample: tokens only, typed out, uncoloured', () => {
    const r = reveals(0);
    expect(r.typing).toBe(true);
    expect([r.score, r.kl, r.rewards, r.advantage, r.ratio, r.clipped, r.scatter]).toEqual(Array(7).fill(false));
    expect(r.colour).toBe('none');
    expect(r.value).toBe('none');
  });

  test('score: the scores appear, nothing per token yet', () => {
    const r = reveals(1);
    expect(r.typing).toBe(false);
    expect(r.score).toBe(true);
    expect(r.kl || r.rewards || r.advantage || r.ratio).toBe(false);
  });

  test('KL and rewards: coloured by KL, rewards written under the tokens', () => {
    const r = reveals(2);
    expect(r.kl && r.rewards && r.score).toBe(true);
    expect(r.colour).toBe('kl');
    expect(r.value).toBe('reward');
    expect(r.advantage || r.ratio || r.scatter).toBe(false);
  });

  test('advantages: coloured by advantage', () => {
    const r = reveals(3);
    expect(r.advantage).toBe(true);
    expect(r.colour).toBe('advantage');
    expect(r.value).toBe('advantage');
    expect(r.ratio || r.clipped || r.scatter).toBe(false);
  });

  test('update: ratio, clipping and the scatter', () => {
    const r = reveals(4);
    expect(r.ratio && r.clipped && r.scatter).toBe(true);
    expect(r.colour).toBe('ratio');
    expect(r.value).toBe('ratio');
  });

  test('a later phase never hides what an earlier one showed', () => {
    const keys = ['score', 'kl', 'rewards', 'advantage', 'ratio', 'clipped', 'scatter'] as const;
    for (let i = 1; i < PHASE_COUNT; i++) {
      for (const k of keys) if (reveals(i - 1)[k]) expect(reveals(i)[k]).toBe(true);
    }
  });
});

describe('timing', () => {
  test('the pause is clamped to 0.5-5 s and defaults to 1.5 s', () => {
    expect(PAUSE.default).toBe(1.5);
    expect(clampPause(0.1)).toBe(0.5);
    expect(clampPause(9)).toBe(5);
    expect(clampPause(2)).toBe(2);
    expect(clampPause(NaN)).toBe(1.5);
    expect(pauseMs(1.5)).toBe(1500);
    expect(pauseMs(0)).toBe(500);
  });

  test('typing takes about one pause, within readable bounds', () => {
    expect(typingTickMs(1.5, 15)).toBe(100);
    expect(typingTickMs(0.5, 48)).toBe(TYPING_TICK.min);
    expect(typingTickMs(5, 4)).toBe(TYPING_TICK.max);
    expect(typingTickMs(1.5, 0)).toBe(0);
  });

  test('each phase lasts one pause; the sample phase adds its typing unless motion is reduced', () => {
    expect(phaseDurationMs(0, 1.5, 15, false)).toBe(15 * 100 + 1500);
    expect(phaseDurationMs(0, 1.5, 15, true)).toBe(1500);
    for (let i = 1; i < PHASE_COUNT; i++) expect(phaseDurationMs(i, 2, 15, false)).toBe(2000);
  });

  test('the schedule follows the chosen pause', () => {
    expect(phaseSchedule(1, 10, true)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    const slow = phaseSchedule(3, 10, false);
    expect(slow[1]).toBe(10 * 150 + 3000);
    expect(slow[5] - slow[1]).toBe(4 * 3000);
  });
});

describe('per-token rewards', () => {
  test('r_t = −β·KL_t, and the score at the last token', () => {
    const r = tokenRewards([0.2, -0.1, 0.4], 0.5, 1);
    expect(r[0]).toBeCloseTo(-0.1);
    expect(r[1]).toBeCloseTo(0.05);
    expect(r[2]).toBeCloseTo(-0.2 + 1);
  });

  test('with β = 0 only the score remains', () => {
    expect(tokenRewards([3, 3], 0, -0.7).map((v) => v + 0)).toEqual([0, -0.7]);
    expect(tokenRewards([], 0.1, 2)).toEqual([]);
  });

  test('typing steps: the longest response', () => {
    expect(positionsOf([{ tokens: [1, 2] }, { tokens: [1, 2, 3, 4] }, { tokens: [] }])).toBe(4);
    expect(positionsOf([])).toBe(0);
  });
});
