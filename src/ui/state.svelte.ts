// Everything the page shows, kept as Svelte runes and changed only by worker events (and by
// the few choices that live purely in the UI, like which stage is selected).

import type {
  BackendName,
  Command,
  Completion,
  MetricPoint,
  ModelInfo,
  AcquisitionPoint,
  FeedbackKindPoint,
  BeforeAfter,
  RlDetail,
  RlMetricPoint,
  RlState,
  LabelerSettings,
  PairSettings,
  PairToLabel,
  PanelVotes,
  RankingToLabel,
  RewardDiagnostics,
  RewardSettings,
  RewardMetricPoint,
  SampleSettings,
  StageId,
  StageState,
  TrainableStage,
  WorkerEvent,
  SessionSummary,
  SessionUi,
} from '../engine/protocol';
import { MODEL_DEFAULTS } from '../engine/protocol';
import type { Comparison } from '../data/preferences';
import { RatingDesk } from './ratingDesk.svelte';
import { WritingDesk } from './writingDesk.svelte';
import { LabelDesk } from './labelDesk.svelte';
import type { PresetName } from '../model/config';
import type { ScenarioId } from '../data/types';

export interface Notice {
  id: number;
  level: 'info' | 'error';
  message: string;
}

export interface SampleSet {
  step: number;
  completions: Completion[];
}

/** What one trainable stage shows: its state, its loss history and its latest samples. */
export class StageView {
  readonly id: TrainableStage;
  // Raw state: these are replaced whole, never mutated, so Svelte need not proxy every point.
  state = $state.raw<StageState | null>(null);
  metrics = $state.raw<MetricPoint[]>([]);
  samples = $state.raw<SampleSet | null>(null);

  constructor(id: TrainableStage) {
    this.id = id;
  }

  /** The most recent metric point, if any. */
  get last(): MetricPoint | null {
    const m = this.metrics;
    return m.length ? m[m.length - 1] : null;
  }

  /** The most recent held-out loss (it is measured only every few steps). */
  get lastHeldout(): number | null {
    const m = this.metrics;
    for (let i = m.length - 1; i >= 0; i--) {
      const h = m[i].heldoutLoss;
      if (h != null) return h;
    }
    return null;
  }

  addPoints(points: MetricPoint[]): void {
    if (points.length) this.metrics = this.metrics.concat(points);
  }
}

const MAX_NOTICES = 8;
const MAX_KEPT_RUNS = 4;

export interface CustomCorpus {
  text: string;
  separator: string;
}

export class PlaygroundState {
  backend = $state.raw<{ backend: BackendName; reason: string | null } | null>(null);
  model = $state.raw<ModelInfo | null>(null);
  sampleSettings = $state.raw<SampleSettings | null>(null);
  notices = $state.raw<Notice[]>([]);
  /** ms from worker start to the first completions, once the worker says it is ready. */
  readyMs = $state<number | null>(null);
  /** True between an init command and the worker's answer. */
  loading = $state(true);
  /** The scenario and preset last asked for (the selectors show these). */
  scenario = $state<ScenarioId>(MODEL_DEFAULTS.scenario);
  preset = $state<PresetName>(MODEL_DEFAULTS.preset);
  /** The pasted corpus the worker last accepted (kept to rebuild it at another size). */
  customCorpus: CustomCorpus | null = null;
  private pendingCorpus: CustomCorpus | null = null;
  /** The stage the user last picked in the pipeline bar. */
  selected = $state<StageId>('pretrain');

  // Preferences and the reward model (replaced whole, like the stage views).
  /** The pairs on hand and the labels (see labelDesk.svelte.ts). */
  readonly desk = new LabelDesk();
  rewardMetrics = $state.raw<RewardMetricPoint[]>([]);
  pairSettings = $state.raw<PairSettings | null>(null);
  /** How the person judges: a pair, a ranking of K, or one answer at a time (rated). */
  judgeMode = $state<'pair' | 'ranking' | 'rating' | 'writing'>('pair');
  /** Rating mode's answers and ratings (see ratingDesk.svelte.ts). */
  readonly rating = new RatingDesk();
  /** Writing mode's answer to correct, the draft and the demonstrations (see writingDesk.svelte.ts). */
  readonly writing = new WritingDesk();
  ranking = $state.raw<RankingToLabel | null>(null);
  rankingPending = $state(false);
  rewardSettings = $state.raw<RewardSettings | null>(null);
  rewardDiagnostics = $state.raw<RewardDiagnostics | null>(null);
  labelerSettings = $state.raw<LabelerSettings | null>(null);
  panelVotes = $state.raw<PanelVotes | null>(null);
  /** The latest answer of the reward probe box. */
  probe = $state.raw<{ requestId: number; reward: number; raw: number; unknownWords: string[] } | null>(null);
  /** Progress of a long job (auto-label, acquisition comparison); null when none runs. */
  job = $state.raw<{ job: 'autoLabel' | 'acquisition' | 'feedbackKinds'; done: number; total: number } | null>(null);
  acquisitionCurve = $state.raw<AcquisitionPoint[]>([]);
  feedbackCurve = $state.raw<FeedbackKindPoint[]>([]);

  // RL fine-tuning (PPO or one of the other six methods).
  rlState = $state.raw<RlState | null>(null);
  rlMetrics = $state.raw<RlMetricPoint[]>([]);
  rlDetail = $state.raw<RlDetail | null>(null);
  beforeAfter = $state.raw<BeforeAfter | null>(null);
  /** Sessions saved in this browser, newest first. */
  sessions = $state.raw<SessionSummary[]>([]);
  /** Finished runs kept on the RL charts for comparison (newest last). */
  rlRuns = $state.raw<{ label: string; points: RlMetricPoint[] }[]>([]);

  readonly stages: Record<TrainableStage, StageView> = {
    pretrain: new StageView('pretrain'),
    sft: new StageView('sft'),
  };

  private nextNoticeId = 1;

  /** The pair on screen to judge; null while the next one is on its way. */
  get pair(): PairToLabel | null {
    return this.desk.queue[0] ?? null;
  }

  get comparisons(): Comparison[] {
    return this.desk.comparisons;
  }

  /** The reward model's P(chosen > rejected), one per comparison, same order (NaN until scored). */
  get pChosen(): number[] {
    return this.desk.pChosen;
  }

  /** The stage that is training now, if any. */
  get running(): TrainableStage | null {
    for (const s of Object.values(this.stages)) if (s.state?.running) return s.id;
    return null;
  }

  /** Note what the UI asked for, so selectors reflect it before the worker answers. */
  noteSent(cmd: Command): void {
    if (cmd.type === 'init' || cmd.type === 'useCustomCorpus') {
      // A new model is coming: what was said about the old one no longer applies.
      this.notices = this.notices.filter((n) => n.level === 'error');
      this.readyMs = null;
      this.loading = true;
    }
    if (cmd.type === 'nextPair') this.desk.requests += 1;
    if (cmd.type === 'nextRanking') this.rankingPending = true;
    if (cmd.type === 'nextAnswers' && cmd.desk !== 'writing') this.rating.pending = true;
    this.writing.noteSent(cmd);
    if (cmd.type === 'autoLabel' || cmd.type === 'autoRate' || cmd.type === 'autoCorrect')
      this.job = { job: 'autoLabel', done: 0, total: cmd.count };
    if (cmd.type === 'compareAcquisition') this.job = { job: 'acquisition', done: 0, total: 2 * cmd.labels };
    if (cmd.type === 'compareFeedbackKinds') this.job = { job: 'feedbackKinds', done: 0, total: 4 * cmd.seconds };
    if (cmd.type === 'init') {
      this.scenario = cmd.scenario;
      this.preset = cmd.preset;
    } else if (cmd.type === 'useCustomCorpus') {
      this.pendingCorpus = { text: cmd.text, separator: cmd.separator };
    }
  }

  /** Take one event from the worker. */
  handle(e: WorkerEvent): void {
    this.writing.handle(e);
    switch (e.type) {
      case 'backend':
        this.backend = { backend: e.backend, reason: e.reason };
        break;
      case 'model':
        this.model = e.info;
        this.scenario = e.info.scenario;
        this.preset = e.info.preset;
        if (e.info.scenario === 'custom' && this.pendingCorpus) this.customCorpus = this.pendingCorpus;
        this.pendingCorpus = null;
        this.loading = false;
        // A new model comes with a new reward model and its own pairs.
        this.desk.clearPairs();
        this.desk.keepScenario(e.info.scenario);
        this.rating.keepScenario(e.info.scenario);
        this.ranking = null;
        this.rankingPending = false;
        this.rating.clear();
        this.rewardMetrics = [];
        this.rewardDiagnostics = null;
        this.acquisitionCurve = [];
        this.feedbackCurve = [];
        this.job = null;
        this.rlMetrics = [];
        this.rlDetail = null;
        this.beforeAfter = null;
        break;
      case 'stage':
        this.stages[e.state.stage].state = e.state;
        break;
      case 'metrics':
        this.stages[e.stage].addPoints(e.points);
        break;
      case 'clearMetrics':
        this.stages[e.stage].metrics = [];
        break;
      case 'samples':
        this.stages[e.stage].samples = { step: e.step, completions: e.completions };
        break;
      case 'sampleSettings':
        this.sampleSettings = e.settings;
        break;
      case 'notice':
        this.pushNotice(e.level, e.message);
        // An error answering a load (bad corpus, say) means no new model is coming.
        if (e.level === 'error') {
          this.loading = false;
          this.job = null; // a failed job ends
        }
        break;
      case 'pairRefused':
        if (e.mode === 'pair') this.desk.refused(e.message);
        else if (e.mode === 'rating') this.rating.refused(e.message);
        else if (e.mode === 'ranking') {
          this.rankingPending = false;
          this.desk.problem = e.message;
        }
        break;
      case 'restarted':
        this.pushNotice('error', e.reason);
        this.backend = null;
        this.loading = true;
        this.desk.clearPairs();
        this.ranking = null;
        this.rankingPending = false;
        this.rating.clear();
        this.job = null;
        if (this.rlState) this.rlState = { ...this.rlState, running: false };
        for (const s of Object.values(this.stages)) if (s.state) s.state = { ...s.state, running: false };
        break;
      case 'heartbeat':
      case 'fatal':
        break; // the client handles these
      case 'ready':
        this.readyMs = e.msToFirstCompletions;
        this.loading = false;
        break;
      case 'pair':
        this.desk.received(e.pair);
        break;
      case 'preferences':
        this.desk.dataset(e.comparisons, e.pChosen);
        break;
      case 'rewardMetrics':
        if (e.points.length) this.rewardMetrics = this.rewardMetrics.concat(e.points);
        break;
      case 'pairSettings':
        this.pairSettings = e.settings;
        this.desk.problem = null; // new settings may well make pairs again
        break;
      case 'ranking':
        this.ranking = e.ranking;
        this.rankingPending = false;
        break;
      case 'answers':
        if (e.desk === 'rating') this.rating.received(e.answers);
        break;
      case 'ratings':
        this.rating.fromStore(e.ratings);
        break;
      case 'rewardSettings':
        this.rewardSettings = e.settings;
        break;
      case 'rewardDiagnostics':
        this.rewardDiagnostics = e.diagnostics;
        break;
      case 'labelerSettings':
        this.labelerSettings = e.settings;
        break;
      case 'panelVotes':
        this.panelVotes = e.panel;
        break;
      case 'probeResult':
        this.probe = { requestId: e.requestId, reward: e.reward, raw: e.raw, unknownWords: e.unknownWords };
        break;
      case 'progress':
        this.job = e.done >= e.total ? null : { job: e.job, done: e.done, total: e.total };
        break;
      case 'rlState':
        this.rlState = e.state;
        break;
      case 'rlMetrics':
        if (e.points.length) this.rlMetrics = this.rlMetrics.concat(e.points);
        break;
      case 'rlClear':
        this.rlMetrics = [];
        this.rlDetail = null;
        this.beforeAfter = null;
        break;
      case 'rlDetail':
        this.rlDetail = e.detail;
        break;
      case 'beforeAfter':
        this.beforeAfter = e.comparison;
        break;
      case 'rlRun':
        this.keepRun(e.label, e.points);
        break;
      case 'sessions':
        this.sessions = e.list;
        break;
      case 'sessionRestored':
        this.restoreUi(e.ui, e.fork ? `fork of ${e.name}` : null);
        break;
      case 'sessionFile':
        break; // main.ts downloads it
      case 'acquisitionCurve':
        this.acquisitionCurve = e.reset ? e.points : this.acquisitionCurve.concat(e.points);
        break;
      case 'feedbackCurve':
        this.feedbackCurve = e.reset ? e.points : this.feedbackCurve.concat(e.points);
        break;
      case 'checkpointFile':
      case 'preferencesFile':
      case 'ratingsFile':
        // The download itself is a side effect; main.ts does it.
        break;
    }
  }

  /** The charts' histories, to save with a session. */
  sessionUi(): SessionUi {
    return {
      metrics: { pretrain: this.stages.pretrain.metrics, sft: this.stages.sft.metrics },
      rewardMetrics: this.rewardMetrics,
      rlMetrics: this.rlMetrics,
      rlRuns: this.rlRuns,
      acquisitionCurve: this.acquisitionCurve,
    };
  }

  /** Puts back the charts of a restored session; a fork also keeps its RL run as an overlay to compare against. */
  restoreUi(ui: SessionUi, forkLabel: string | null): void {
    this.stages.pretrain.metrics = ui.metrics?.pretrain ?? [];
    this.stages.sft.metrics = ui.metrics?.sft ?? [];
    this.rewardMetrics = ui.rewardMetrics ?? [];
    this.rlMetrics = ui.rlMetrics ?? [];
    this.rlRuns = ui.rlRuns ?? [];
    this.acquisitionCurve = ui.acquisitionCurve ?? [];
    if (forkLabel && this.rlMetrics.length) this.keepRun(forkLabel, this.rlMetrics);
  }

  /** Keeps a run's curves for comparison (the oldest kept run goes when there are too many). */
  keepRun(label: string, points: RlMetricPoint[]): void {
    this.rlRuns = [...this.rlRuns, { label, points }].slice(-MAX_KEPT_RUNS);
  }

  clearRuns(): void {
    this.rlRuns = [];
  }

  pushNotice(level: 'info' | 'error', message: string): void {
    const id = this.nextNoticeId++;
    // Notices stay until dismissed; only the newest few are kept.
    this.notices = [...this.notices, { id, level, message }].slice(-MAX_NOTICES);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}
