// PPO settings that move the tiny model within a minute or two (as tests/unit/rl-reward-hacking.test.ts runs it).
import type { UrlSettings } from '../ui/urlState';

export const BRISK_PPO: Partial<UrlSettings> = {
  lr: 3e-3,
  rmLr: 5e-3,
  batch: 16,
  respLen: 12,
  epochs: 2,
  minibatches: 2,
};
