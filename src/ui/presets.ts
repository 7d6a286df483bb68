// One-click setups that show a known phenomenon. A preset is nothing but link values (so every
// preset is also a link, `#...&preset=<id>`), commands to run once they are applied, the stage
// to look at, and one sentence on what to watch there.

import type { Command, StageId } from '../engine/protocol';
import type { PresetId, UrlSettings } from './urlState';

export interface Preset {
  id: PresetId;
  title: string;
  /** One sentence: what to look at once the setup has run. */
  watch: string;
  values: Partial<UrlSettings>;
  /** Run in order after the settings are applied. */
  commands: Command[];
  /** The stage the page scrolls to. */
  stage: StageId;
}

/** PPO settings that move the tiny model within a minute or two (as the end-to-end RL tests run it). */
const BRISK_PPO: Partial<UrlSettings> = { lr: 3e-3, rmLr: 5e-3, batch: 16, respLen: 12, epochs: 2, minibatches: 2 };

const LIST: Preset[] = [
  {
    id: 'reward-hacking',
    title: 'Reward hacking with a weak KL anchor',
    watch:
      'Press Play on RL fine-tune: with β = 0 nothing ties the policy to the fine-tuned model, so the reward model\'s ' +
      'score keeps climbing on the long-review bias it learned while the gold score of the "Positive" labeler stalls or falls.',
    // The configuration tests/unit/rl-end-to-end.test.ts runs: the tiny model, a weak reward model
    // from 24 biased labels, and a brisk PPO (the gold score peaks within ~20 iterations, then falls).
    values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 0, algo: 'ppo', ...BRISK_PPO },
    commands: [{ type: 'autoLabel', labelerId: 'long-fan', count: 24 }, { type: 'trainReward', steps: 100 }],
    stage: 'rl',
  },
  {
    id: 'strong-anchor',
    title: 'An anchor so strong nothing moves',
    watch:
      'Press Play on RL fine-tune: with β = 1 every bit of drift costs more than the reward can pay back, so the KL ' +
      'stays near zero, the score hardly rises and the answers stay the fine-tuned model\'s.',
    values: { scenario: 'reviews', size: 'tiny', gold: 'positive', beta: 1, algo: 'ppo', ...BRISK_PPO },
    commands: [{ type: 'autoLabel', labelerId: 'positive', count: 24 }, { type: 'trainReward', steps: 100 }],
    stage: 'rl',
  },
  {
    id: 'helpful-harmless',
    title: 'Helpful against harmless labelers',
    watch:
      'The labels come from "Helpful", who also plays along with dangerous requests: the panel columns show it and ' +
      '"Harmless" disagreeing on exactly those prompts, and the reward model agrees less with the gold "Helpful and harmless" labeler than with its own labels.',
    values: { scenario: 'assistant', size: 'small', gold: 'helpful-harmless', panel: ['helpful', 'harmless'] },
    commands: [{ type: 'autoLabel', labelerId: 'helpful', count: 40 }, { type: 'trainReward', steps: 100 }],
    stage: 'preferences',
  },
  {
    id: 'labeler-bias',
    title: 'Labeler noise and bias leaking into the reward model',
    watch:
      'The "Fan of long reviews" labels like "Positive" plus a taste for length: the reward model fits those labels well ' +
      'but agrees less with the gold "Positive" labeler, and the probe scores a long dull review above a short warm one.',
    values: { scenario: 'reviews', size: 'small', gold: 'positive', panel: ['positive', 'long-fan'] },
    commands: [{ type: 'autoLabel', labelerId: 'long-fan', count: 40 }, { type: 'trainReward', steps: 100 }],
    stage: 'reward',
  },
  {
    id: 'acquisition',
    title: 'Random against uncertainty-based pair selection',
    watch:
      'Both curves label with the same annotator; asking about the pairs the reward model is least sure of should ' +
      'reach a given gold accuracy with fewer labels than random pairs, though a few labels make a noisy race.',
    values: { scenario: 'reviews', size: 'small', gold: 'positive', acq: 'uncertain' },
    commands: [{ type: 'compareAcquisition', labelerId: 'positive', labels: 40 }],
    stage: 'preferences',
  },
  {
    id: 'ppo-vs-dpo',
    title: 'PPO against DPO on the same labels',
    watch:
      'DPO learns straight from the 60 labels with no reward model and no rollouts: press Play on RL fine-tune, then ' +
      'switch the algorithm to PPO, Reset, and compare the gold score and the KL the two reach.',
    values: { scenario: 'reviews', size: 'small', gold: 'positive', algo: 'dpo' },
    commands: [{ type: 'autoLabel', labelerId: 'positive', count: 60 }],
    stage: 'rl',
  },
];

export const PRESETS: Record<PresetId, Preset> = Object.fromEntries(LIST.map((p) => [p.id, p])) as Record<PresetId, Preset>;
export const PRESET_LIST: readonly Preset[] = LIST;
