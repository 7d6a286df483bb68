// The names and blurbs of the built-in scenarios, on their own so that the UI can list them
// without loading the generators. This file must stay free of imports beyond types.

import type { BuiltInScenarioId } from '../types';

export type { BuiltInScenarioId };

export interface ScenarioInfo {
  id: BuiltInScenarioId;
  title: string;
  description: string;
}

export const SCENARIO_LIST: readonly ScenarioInfo[] = [
  {
    id: 'reviews',
    title: 'Reviews',
    description:
      'Short reviews of restaurants, gadgets and films. The model finishes each review in a positive, ' +
      'negative or neutral voice, or gets stuck repeating itself; feedback can steer its tone.',
  },
  {
    id: 'assistant',
    title: 'Tiny assistant',
    description:
      'A pocket assistant answering everyday questions, and a few dangerous ones. Its answers can be ' +
      'helpful, rude, evasive or harmful; feedback can teach it to help with safe requests and refuse the rest.',
  },
];

/** The entry for one built-in scenario. */
export function scenarioInfo(id: BuiltInScenarioId): ScenarioInfo {
  const info = SCENARIO_LIST.find((s) => s.id === id);
  if (!info) throw new Error(`unknown scenario "${id}"`);
  return info;
}
