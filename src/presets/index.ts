// Every preset, and every effect the playground promises (the presets' and the core loop's).

import type { Effect, Preset } from './preset';
import type { PresetId } from '../ui/urlState';
import { rewardHacking } from './rewardHacking';
import { strongAnchor } from './strongAnchor';
import { helpfulHarmless } from './helpfulHarmless';
import { labelerBias } from './labelerBias';
import { acquisition } from './acquisition';
import { ppoVsDpo } from './ppoVsDpo';
import { modeCollapse } from './modeCollapse';
import { CORE_EFFECTS } from './coreLoop';

export type { Effect, Preset } from './preset';

export const PRESET_LIST: readonly Preset[] = [
  rewardHacking,
  strongAnchor,
  helpfulHarmless,
  labelerBias,
  acquisition,
  ppoVsDpo,
  modeCollapse,
];
export const PRESETS: Record<PresetId, Preset> = Object.fromEntries(PRESET_LIST.map((p) => [p.id, p])) as Record<
  PresetId,
  Preset
>;
export const EFFECTS: readonly Effect[] = [...CORE_EFFECTS, ...PRESET_LIST.map((p) => p.effect)];
