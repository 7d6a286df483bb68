// The link schema's defaults are the worker's own (the registries); this checks that each entry reads the right one.
import { describe, expect, test } from 'vitest';
import { SCHEMA } from '../../src/ui/urlState';
import { RL_DEFAULTS } from '../../src/engine/rlTrainer';
import { REWARD_DEFAULTS } from '../../src/engine/rewardTrainer';
import { TRAIN_DEFAULTS } from '../../src/engine/lmTrainer';

const defaultsOf = (group: string) =>
  Object.fromEntries(SCHEMA.filter((e) => e.group === group).map((e) => [e.field, e.default]));

describe('link defaults', () => {
  test('match the worker', () => {
    expect(defaultsOf('rl')).toEqual(RL_DEFAULTS);
    expect(defaultsOf('reward')).toEqual(REWARD_DEFAULTS);
    expect(defaultsOf('pretrain')).toEqual(TRAIN_DEFAULTS.pretrain);
    expect(defaultsOf('sft')).toEqual(TRAIN_DEFAULTS.sft);
  });
});
