import { describe, expect, test } from 'vitest';
import {
  announce,
  comparisonsMessage,
  live,
  rlIterationMessage,
  stageMessage,
  trainingMessage,
} from '../../src/ui/announce.svelte';

describe('screen-reader messages', () => {
  test('labels saved and removed', () => {
    expect(comparisonsMessage(11, 12)).toBe('Label saved: 12 comparisons');
    expect(comparisonsMessage(0, 1)).toBe('Label saved: 1 comparison');
    expect(comparisonsMessage(12, 11)).toBe('Comparison removed: 11 comparisons left');
    expect(comparisonsMessage(2, 52)).toBe('50 comparisons added: 52 comparisons');
    expect(comparisonsMessage(12, 0)).toBe('12 comparisons removed: 0 comparisons left');
    expect(comparisonsMessage(5, 5)).toBeNull();
  });

  test('stages, training and RL iterations', () => {
    expect(stageMessage('preferences')).toBe('Stage 3 of 5: Preferences');
    expect(trainingMessage('pretrain', true)).toBe('Pretrain: training started');
    expect(trainingMessage('sft', false, 'at step 120')).toBe('Supervised fine-tune: training paused at step 120');
    expect(rlIterationMessage({ iteration: 7, 'objective/kl': 0.8412, 'objective/scores': 0.3061 })).toBe(
      'RL iteration 7: KL 0.84, score 0.31',
    );
  });

  test('a repeated message still changes the live region', () => {
    announce('Stage 1 of 5: Pretrain');
    const first = live.text;
    announce('Stage 1 of 5: Pretrain');
    expect(live.text).not.toBe(first);
    expect(live.text.replace('\u200b', '')).toBe('Stage 1 of 5: Pretrain');
  });
});
