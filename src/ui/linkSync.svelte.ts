// The page's link: on start-up the hash is read and applied (it sends the first `init`), and
// from then on the hash follows what the worker reports, so the address bar is always a link to
// the current setup. It also holds the link's page-only choices: visible stages, hidden
// controls, lecture mode, and the preset whose "what to watch" note is showing.

import type { Command, StageId } from '../engine/protocol';
import type { PlaygroundState } from './state.svelte';
import {
  ALL_STAGES,
  SCHEMA,
  format,
  linkDefault,
  parseHash,
  toHash,
  type Hideable,
  type PresetId,
  type UrlSettings,
} from './urlState';
import { commandsFor, valuesFromState } from './linkValues';
import { PRESETS, type Preset } from '../presets';

/** Quiet time before the hash is rewritten (a slider drag reports many values). */
const WRITE_DELAY_MS = 300;
/** How long after the model is ready a value the link asked for may wait for the worker to report it back. */
const PENDING_MS = 5000;
/** Link problems listed in its notice; a link of 1,000 junk keys is summed up after these. */
const MAX_LINK_PROBLEMS = 40;

export class LinkSync {
  seed = $state(1);
  stages = $state.raw<StageId[]>([...ALL_STAGES]);
  hide = $state.raw<Hideable[]>([]);
  lecture = $state(false);
  preset = $state<PresetId | null>(null);

  /**
   * Values sent to the worker that it has not reported back yet. Right after `init` the worker
   * reports its defaults; until it has taken the link's values the hash keeps them, so a link
   * copied in that moment is still the link that was opened. A value it refuses stops being
   * kept PENDING_MS after the worker's 'ready'.
   */
  private pending: Record<string, unknown> = {};
  private pendingUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `appOf` and `send` are functions so that App can hand over its props without copying them. */
  constructor(
    private appOf: () => PlaygroundState,
    private send: (c: Command) => void,
    private select: (s: StageId) => void,
  ) {}

  private get app(): PlaygroundState {
    return this.appOf();
  }

  /** The value of the root's data-hide: the hidden controls, plus settings and advanced ones in lecture mode. */
  get hidden(): string {
    const names = new Set<string>(this.hide);
    if (this.lecture) ['settings', 'advanced'].forEach((n) => names.add(n));
    return [...names].join(' ');
  }

  get presetInfo(): Preset | null {
    return this.preset ? PRESETS[this.preset] : null;
  }

  shows(stage: StageId): boolean {
    return this.stages.includes(stage);
  }

  /** Applies the page's hash and starts keeping it in step; returns the clean-up. */
  start(): () => void {
    this.applyHash(location.hash, false);
    // Only a person changes the hash (replaceState fires no event): treat it as a new link.
    const onHash = () => this.applyHash(location.hash, true);
    window.addEventListener('hashchange', onHash);
    const stop = $effect.root(() => {
      $effect(() => {
        const hash = this.hashNow();
        if (hash === null) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.write(hash), WRITE_DELAY_MS);
      });
    });
    return () => {
      stop();
      clearTimeout(this.timer);
      window.removeEventListener('hashchange', onHash);
    };
  }

  /** Writes the current link now and returns it (for "Copy link"). */
  flush(): string {
    clearTimeout(this.timer);
    const hash = this.hashNow();
    if (hash !== null) this.write(hash);
    return location.href;
  }

  choosePreset(id: PresetId): void {
    const values: Partial<UrlSettings> = {
      ...PRESETS[id].values,
      preset: id,
      stages: this.stages,
      hide: this.hide,
      lecture: this.lecture,
    };
    this.write(toHash(values));
    this.applyValues(values, true);
  }

  closePreset(): void {
    this.preset = null;
  }

  private applyHash(hash: string, full: boolean): void {
    const { values, problems } = parseHash(hash);
    // One notice for the lot, so a link with many bad values shows every problem (up to a bound).
    if (problems.length) {
      const shown = problems.slice(0, MAX_LINK_PROBLEMS).join(' ');
      const more =
        problems.length > MAX_LINK_PROBLEMS ? ` (and ${problems.length - MAX_LINK_PROBLEMS} more problems)` : '';
      this.app.pushNotice(
        'error',
        `The link could not be used in full (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}): ${shown}${more}`,
      );
    }
    this.applyValues(values, full);
  }

  /** Sends `init` and the settings of `values` (a preset's values under them), then the preset's commands. */
  private applyValues(values: Partial<UrlSettings>, full: boolean): void {
    const preset = values.preset ? PRESETS[values.preset] : null;
    const all: Partial<UrlSettings> = { ...preset?.values, ...values };
    this.seed = all.seed ?? linkDefault('seed');
    this.stages = all.stages ?? [...linkDefault('stages')];
    this.hide = all.hide ?? [...linkDefault('hide')];
    this.lecture = all.lecture ?? linkDefault('lecture');
    this.preset = all.preset ?? linkDefault('preset');
    // Page-only values (visible stages, hidden controls, lecture, preset) take effect at once. With
    // `full`, what the page shows now is stale until the worker reports, so defaults are kept too.
    const sent = SCHEMA.filter((e) => e.group !== 'page' && (full || e.key in all));
    this.pending = Object.fromEntries(sent.map((e) => [e.key, (all as Record<string, unknown>)[e.key] ?? e.default]));
    this.pendingUntil = 0;
    for (const cmd of commandsFor(all, full)) this.send(cmd);
    if (!preset) return;
    for (const cmd of preset.commands) this.send(cmd);
    if (this.shows(preset.stage)) this.select(preset.stage);
  }

  /** The hash of what the page shows now, or null while a model is loading. */
  private hashNow(): string | null {
    const app = this.app;
    if (app.loading || !app.model) return null;
    const current = valuesFromState({
      model: { scenario: app.scenario, preset: app.preset, seed: this.seed },
      sample: app.sampleSettings,
      pair: app.pairSettings,
      reward: app.rewardSettings,
      labelers: app.labelerSettings,
      pretrain: app.stages.pretrain.state?.settings ?? null,
      sft: app.stages.sft.state?.settings ?? null,
      rl: app.rlState?.settings ?? null,
      page: { stages: this.stages, hide: this.hide, lecture: this.lecture, preset: this.preset },
    }) as Record<string, unknown>;
    // The clock starts when the worker says the new model is ready: the link's settings come right after.
    if (this.pendingUntil === 0 && app.readyMs !== null) this.pendingUntil = Date.now() + PENDING_MS;
    if (this.pendingUntil !== 0 && Date.now() > this.pendingUntil) this.pending = {};
    for (const key of Object.keys(this.pending)) {
      if (key in current && format(current[key]) === format(this.pending[key])) delete this.pending[key];
    }
    return toHash({ ...current, ...this.pending } as Partial<UrlSettings>);
  }

  private write(hash: string): void {
    if (hash === location.hash) return;
    history.replaceState(history.state, '', hash || location.pathname + location.search);
  }
}
