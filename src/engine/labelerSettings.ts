// Checking a change to the labeler settings: the gold labeler, the panel of simulated annotators
// and the user's custom labeler. A refused change throws with a sentence for the page.

import { validateLabeler, type LabelerSpec } from '../data/labelers';
import { MAX_PANEL, type LabelerSettings } from './protocol';

/** The settings after `patch`, checked; `find` throws for a labeler id the scenario does not have. */
export function checkLabelerSettings(
  current: LabelerSettings,
  patch: Partial<LabelerSettings>,
  find: (id: string) => LabelerSpec,
): LabelerSettings {
  const next: LabelerSettings = { ...current, ...patch };
  if (patch.custom) {
    next.custom = { ...patch.custom, id: 'custom' };
    const problem = validateLabeler(next.custom);
    if (problem) throw new Error(`Custom labeler: ${problem}`);
  }
  if (next.goldLabeler !== null) find(next.goldLabeler);
  if (!Array.isArray(next.panel) || next.panel.length > MAX_PANEL) {
    throw new Error(`The panel holds up to ${MAX_PANEL} simulated annotators.`);
  }
  next.panel = [...new Set(next.panel)];
  next.panel.forEach((id) => find(id));
  return next;
}
