// The settings of the human-feedback stage, checked and applied: how pairs are picked, how the
// reward model trains, and the simulated annotators. A refused change changes nothing and is
// answered with the settings still in force, so the page's form shows what holds.

import { checkLabelerSettings } from './labelerSettings';
import { checkPairSettings } from './settings';
import type { LabelerSettings, PairSettings, RewardSettings, WorkerEvent } from './protocol';
import type { Comparison } from '../data/preferences';
import type { LabelerSpec } from '../data/labelers';

/** What the settings change in the preference session (preferenceSession.ts is one). */
export interface SettingsHost {
  settings: PairSettings;
  labelers: LabelerSettings;
  readonly pairs: { discard(): void };
  readonly reward: {
    settings: RewardSettings;
    setSettings(patch: Partial<RewardSettings>): RewardSettings;
    setEnsemble(on: boolean, comparisons: readonly Comparison[]): Promise<void>;
  };
  readonly comparisons: readonly Comparison[];
  readonly emit: (e: WorkerEvent) => void;
  publish(): Promise<void>;
  labeler(id: string): LabelerSpec;
}

/** Checks and applies pair settings; pairs sampled at old temperatures are dropped, the ensemble follows the rule. */
export async function applyPairSettings(session: SettingsHost, patch: Partial<PairSettings>): Promise<void> {
  const next = { ...session.settings, ...patch };
  const problem = checkPairSettings(next);
  if (problem) {
    session.emit({ type: 'pairSettings', settings: session.settings });
    throw new Error(problem);
  }
  const temperaturesChanged =
    next.temperatureLeft !== session.settings.temperatureLeft ||
    next.temperatureRight !== session.settings.temperatureRight;
  session.settings = next;
  if (temperaturesChanged) session.pairs.discard();
  await session.reward.setEnsemble(next.acquisition === 'ensemble', session.comparisons);
  session.emit({ type: 'pairSettings', settings: next });
}

/** Checks and applies the reward model's settings. */
export function applyRewardSettings(session: SettingsHost, patch: Partial<RewardSettings>): void {
  try {
    session.emit({ type: 'rewardSettings', settings: session.reward.setSettings(patch) });
  } catch (e) {
    session.emit({ type: 'rewardSettings', settings: session.reward.settings });
    throw e;
  }
}

/** Checks and applies the gold labeler, the panel and the custom labeler; republishes the scores when asked. */
export function applyLabelers(
  session: SettingsHost,
  patch: Partial<LabelerSettings>,
  republish: boolean,
): Promise<void> | void {
  try {
    session.labelers = checkLabelerSettings(session.labelers, patch, (id) => session.labeler(id));
  } finally {
    session.emit({ type: 'labelerSettings', settings: session.labelers });
  }
  if (republish) return session.publish();
}
