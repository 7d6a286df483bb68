// The quick mode of the phenomena harness (scripts/phenomena.ts): the core loop's PPO effect over
// five seeds, on the page's defaults. Every seed is deterministic (seeded sampling, labels and
// ids), and the bound is 4 of 5: a criterion that held by chance would fail it.
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { EFFECTS } from '../../src/presets';
import { checkEffect } from '../../scripts/phenomenaRun';

beforeAll(async () => {
  await tf.setBackend('wasm'); // the backend the harness itself measures on
});

const QUICK_SEEDS = [1, 2, 3, 4, 5];

describe('phenomena, quick mode', () => {
  it('PPO raises the gold score under the KL anchor in at least 4 of 5 seeds', { timeout: 900_000 }, async () => {
    const effect = EFFECTS.find((e) => e.id === 'ppo-raises-gold')!;
    const result = await checkEffect(effect, QUICK_SEEDS);
    expect(result.seeds.map((s) => `${s.seed}: ${s.measured}`)).toHaveLength(5);
    expect(
      result.met,
      result.seeds.map((s) => `seed ${s.seed}: ${s.met} (${s.measured})`).join('; '),
    ).toBeGreaterThanOrEqual(4);
  });

  it('every preset states its effect, with a criterion and a budget, and every effect id is unique', () => {
    const ids = EFFECTS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of EFFECTS) {
      expect(e.criterion.length).toBeGreaterThan(10);
      expect(e.budget.labels).toBeGreaterThan(0);
    }
  });
});
