// Between link values and the worker: the commands that apply a link, and the link values that
// describe what the worker last reported. Pure functions, so both directions are unit-tested.

import type {
  Command,
  LabelerSettings,
  PairSettings,
  RewardSettings,
  RlSettings,
  SampleSettings,
  TrainSettings,
} from '../engine/protocol';
import { SCHEMA, format, linkDefault, readValue, type Group, type UrlSettings } from './urlState';
import type { BuiltInScenarioId } from '../data/types';

/** What the page last heard from the worker (null: not reported yet), plus the page's own choices. */
export interface SettingsSnapshot {
  model: { scenario: string; preset: string; seed: number };
  sample: SampleSettings | null;
  pair: PairSettings | null;
  reward: RewardSettings | null;
  labelers: LabelerSettings | null;
  pretrain: TrainSettings | null;
  sft: TrainSettings | null;
  rl: RlSettings | null;
  page: { stages: readonly string[]; hide: readonly string[]; lecture: boolean; preset: string | null };
}

const isBuiltInScenarioId = (s: string): s is BuiltInScenarioId => s === 'reviews' || s === 'assistant';

/**
 * The commands that set the worker up as `values` say: `init` first (scenario, size, seed), then
 * one settings command per group. With `full`, settings the link leaves out are sent at their
 * defaults too (needed when the worker already runs with other values); without, only what the
 * link holds is sent (enough for a worker that has just started).
 */
export function commandsFor(values: Partial<UrlSettings>, full: boolean): Command[] {
  const groups: Partial<Record<Group, Record<string, unknown>>> = {};
  for (const e of SCHEMA) {
    const v = (values as Record<string, unknown>)[e.key] ?? (full ? e.default : undefined);
    if (v === undefined) continue;
    (groups[e.group] ??= {})[e.field] = Array.isArray(v) ? [...v] : v;
  }
  const g = groups as {
    sample?: Partial<SampleSettings>;
    pair?: Partial<PairSettings>;
    reward?: Partial<RewardSettings>;
    labelers?: Partial<LabelerSettings>;
    pretrain?: Partial<TrainSettings>;
    sft?: Partial<TrainSettings>;
    rl?: Partial<RlSettings>;
  };
  const cmds: Command[] = [
    {
      type: 'init',
      scenario: values.scenario ?? linkDefault('scenario'),
      preset: values.size ?? linkDefault('size'),
      seed: values.seed ?? linkDefault('seed'),
    },
  ];
  if (g.sample) cmds.push({ type: 'setSampleSettings', settings: g.sample });
  if (g.pretrain) cmds.push({ type: 'setTrainSettings', stage: 'pretrain', settings: g.pretrain });
  if (g.sft) cmds.push({ type: 'setTrainSettings', stage: 'sft', settings: g.sft });
  if (g.pair) cmds.push({ type: 'setPairSettings', settings: g.pair });
  if (g.reward) cmds.push({ type: 'setRewardSettings', settings: g.reward });
  if (g.labelers) cmds.push({ type: 'setLabelerSettings', settings: g.labelers });
  if (g.rl) cmds.push({ type: 'setRlSettings', settings: g.rl });
  return cmds;
}

/**
 * The link values of what the worker reports. Groups not reported yet are left out, and so is
 * whatever a link cannot carry (a pasted corpus, the user's custom labeler).
 */
export function valuesFromState(s: SettingsSnapshot): Partial<UrlSettings> {
  const builtIn = isBuiltInScenarioId(s.model.scenario);
  const scenario: BuiltInScenarioId = builtIn ? (s.model.scenario as BuiltInScenarioId) : 'reviews';
  const values: Record<string, unknown> = {};
  for (const e of SCHEMA) {
    if (e.group === 'labelers' && !builtIn) continue;
    const source = s[e.group] as Record<string, unknown> | null;
    let v = source?.[e.field];
    // The user's custom labeler cannot travel in a link: the panel keeps only built-in ones.
    if (e.kind === 'labelers' && Array.isArray(v)) v = v.filter((id) => 'value' in readValue(e, String(id), scenario));
    if (v === undefined || v === null) continue;
    const read = readValue(e, format(v), scenario);
    if ('value' in read) values[e.key] = read.value;
  }
  return values as Partial<UrlSettings>;
}
