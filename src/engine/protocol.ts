// The one file the UI and the training worker share: commands flow in, events flow out.
// Nothing here imports TensorFlow.js or Svelte, so both sides can use it. The settings' shapes
// (settingRanges.ts), their records (settingRecord.ts, settingsRegistry.ts, rlSettingsRegistry.ts)
// and the chart points (chartPoints.ts) are re-exported from here.

import type { PresetName, GPTConfig } from '../model/config';
import type { ScenarioId, TokenizerSpec } from '../data/types';
import type { Demonstration } from '../data/demonstrations';
import type { Comparison } from '../data/preferences';
import type { Rating, RatingScale } from '../data/ratings';
import type { SessionSummary } from './sessionStore';
import type { AcquisitionPoint, FeedbackKindPoint, MetricPoint, RewardMetricPoint, RlMetricPoint } from './chartPoints';
import type { SessionUi } from './chartPoints';
import type {
  FeedbackCosts,
  LabelerSettings,
  PairSettings,
  RewardSettings,
  RlSettings,
  SampleSettings,
  TrainableStage,
  TrainSettings,
} from './settingRanges';
import type { RewardDiagnostics } from '../rlhf/rewardDiagnostics';
import type { PanelVotes } from '../data/annotatorPanel';

export * from './settingRanges';
export * from './settingRecord';
export * from './settingsRegistry';
export * from './rlSettingsRegistry';
export * from './chartPoints';
export { RESCORE_BUDGET } from './comparisonScores';
export type { CalibrationBin, RewardDiagnostics } from '../rlhf/rewardDiagnostics';
export type { PanelVotes } from '../data/annotatorPanel';
export type { SessionSummary } from './sessionStore';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Two completions of one prompt for the user to judge. */
export interface PairToLabel {
  id: string;
  prompt: string;
  left: string;
  right: string;
}

/** The user's judgement of a pair. */
export type PairChoice = 'left' | 'right' | 'tie' | 'bothBad';

/** K completions of one prompt for the user to order, best first. */
export interface RankingToLabel {
  id: string;
  prompt: string;
  completions: string[];
}

/** One sampled response token by token, for the KL-drift and policy-gradient panels. */
export interface TokenDetail {
  token: string;
  /** Per-token KL estimate log pi - log pi_ref (or k3) at this token. */
  kl: number;
  advantage: number;
  /** pi_new / pi_old after this iteration's update. */
  ratio: number;
  clipped: boolean;
  /** Top next-token probabilities at this position: policy before and after the update, and the reference. */
  top: { before: TopToken[]; after: TopToken[]; reference: TopToken[] };
}

export interface TopToken {
  token: string;
  p: number;
}

/** What the RL panels draw of the latest iteration besides the metric curves. */
export interface RlDetail {
  iteration: number;
  /** A few responses of this iteration, each token with its KL, advantage, ratio and clip state. */
  responses: { prompt: string; score: number; tokens: TokenDetail[] }[];
  /** (advantage, ratio, clipped) for the tokens of the last minibatch. */
  scatter: { advantage: number; ratio: number; clipped: boolean }[];
  clipRange: number;
}

/** The same prompts completed by the reference (fine-tuned) model and the current policy. */
export interface BeforeAfter {
  iteration: number;
  rows: { prompt: string; reference: string; referenceReward: number; policy: string; policyReward: number }[];
}

export interface RlState {
  running: boolean;
  iteration: number;
  settings: RlSettings;
  /** Set when training stopped on a non-finite or exploding metric: which one, and whether a rollback is possible. */
  diverged: { metric: string; value: number; canRollBack: boolean } | null;
}

// ---------------------------------------------------------------- commands (UI -> worker)

export type Command =
  /** Start (or restart) on a scenario: loads the shipped checkpoints when they fit. */
  | { type: 'init'; scenario: ScenarioId; preset: PresetName; seed: number }
  /** Train a stage continuously; only one stage trains at a time. */
  | { type: 'play'; stage: TrainableStage }
  | { type: 'pause' }
  /** One training step of a stage (pauses first). */
  | { type: 'step'; stage: TrainableStage }
  /** Pretrain: back to the shipped pretrained weights. SFT: back to the current pretrained weights. */
  | { type: 'reset'; stage: TrainableStage }
  /** Fresh random weights for the pretrain stage (Reset on SFT then copies them). */
  | { type: 'pretrainFromScratch' }
  | { type: 'setTrainSettings'; stage: TrainableStage; settings: Partial<TrainSettings> }
  | { type: 'setSampleSettings'; settings: Partial<SampleSettings> }
  /** Sample fresh completions of the stage's prompts now. */
  | { type: 'sample'; stage: TrainableStage }
  /** Use a pasted corpus: one example a line, `separator` between prompt and response; a model of size `preset`. */
  | { type: 'useCustomCorpus'; text: string; separator: string; preset: PresetName }
  /** Ask for the stage's weights as a checkpoint file (answered by a 'checkpointFile' event). */
  | { type: 'exportCheckpoint'; stage: TrainableStage }
  /** Load a checkpoint file into a stage; refused with a notice if bad or mismatched. */
  | { type: 'importCheckpoint'; stage: TrainableStage; bytes: ArrayBuffer; name: string }
  /** Save / load the stage's weights in the browser's IndexedDB. */
  | { type: 'saveToBrowser'; stage: TrainableStage }
  | { type: 'loadFromBrowser'; stage: TrainableStage }
  /** Preferences: one more pair for the page's queue (answered by a 'pair' event, or 'pairRefused'). */
  | { type: 'nextPair' }
  /**
   * Preferences: labels the page has already saved in the store (a judged pair, or a ranking's
   * pairs). The worker sends the dataset back at once; the reward model learns from them after.
   */
  | { type: 'labelsSaved'; comparisons: Comparison[] }
  /** Preferences: the store changed elsewhere (another tab); re-read it. */
  | { type: 'syncLabels' }
  /** Preferences: take back the last label (or auto-label batch). */
  | { type: 'undoLabel' }
  /** Preferences: let a simulated annotator judge `count` fresh pairs. */
  | { type: 'autoLabel'; labelerId: string; count: number }
  /** Reward model: train on all labels for `steps` more steps. */
  | { type: 'trainReward'; steps: number }
  | { type: 'setPairSettings'; settings: Partial<PairSettings> }
  /** Preferences table: remove a comparison, or swap its chosen and rejected texts. */
  | { type: 'deleteComparison'; id: string }
  | { type: 'flipComparison'; id: string }
  /** Ask for the dataset as a file (answered by a 'preferencesFile' event). */
  | { type: 'exportPreferences'; format: 'jsonl' | 'json' }
  /** Add the comparisons of a JSONL or playground-JSON file; refused whole, with the line and reason, if bad. */
  | { type: 'importPreferences'; text: string; name: string }
  /** Ranking mode: K completions of one prompt (answered by a 'ranking' event). */
  | { type: 'nextRanking' }
  /** Rating or writing mode: a few answers to one prompt, to rate one by one or correct (answered by an 'answers' event). */
  | { type: 'nextAnswers'; desk?: AnswerDesk }
  /** Rating mode: ratings the page has already saved in the store (sent back at once, learnt from after). */
  | { type: 'ratingsSaved'; ratings: Rating[] }
  /** Let a simulated annotator rate `count` answers (a few to each prompt) on `scale`. */
  | { type: 'autoRate'; labelerId: string; count: number; scale: RatingScale }
  | { type: 'deleteRating'; id: string }
  /** Ask for the ratings as TRL unpaired JSONL (answered by a 'ratingsFile' event). */
  | { type: 'exportRatings' }
  /**
   * Writing mode: what the page has already saved in the store, a demonstration, or a correction (its comparison, and
   * its demonstration when kept). One undo takes back the lot; the reward model learns from the comparisons.
   */
  | { type: 'demonstrationsSaved'; demonstrations: Demonstration[]; corrections: Comparison[] }
  /** Let a simulated annotator correct `count` fresh answers (each a comparison and a demonstration). */
  | { type: 'autoCorrect'; labelerId: string; count: number }
  | { type: 'deleteDemonstration'; id: string }
  /** Ask for the demonstrations as TRL prompt-completion JSONL (answered by a 'demonstrationsFile' event). */
  | { type: 'exportDemonstrations' }
  /** The fine-tuning stage learns from the person's demonstrations added to the scenario's, `steps` steps. */
  | { type: 'fineTuneOnDemonstrations'; steps: number }
  | { type: 'setRewardSettings'; settings: Partial<RewardSettings> }
  /** Reward model: `epochs` passes over all training labels, with the user's settings. */
  | { type: 'trainRewardEpochs' }
  | { type: 'setLabelerSettings'; settings: Partial<LabelerSettings> }
  /** The reward of any text: answered by a 'probeResult' event with the same requestId. */
  | { type: 'probeReward'; requestId: number; prompt: string; response: string }
  /** Run random and uncertainty-based pair selection side by side with a simulated labeler. */
  | { type: 'compareAcquisition'; labelerId: string; labels: number }
  /** Pairs, rankings, ratings and the adaptive mix side by side: gold agreement per second of simulated effort. */
  | { type: 'compareFeedbackKinds'; labelerId: string; seconds: number; costs: FeedbackCosts }
  /** Stop a long job (auto-label, acquisition comparison) after its current step. */
  | { type: 'cancelJob' }
  /** RL: run PPO iterations until paused ('pause' stops it), one iteration, or back to the fine-tuned model. */
  | { type: 'rlPlay' }
  | { type: 'rlStep' }
  | { type: 'rlReset' }
  | { type: 'setRlSettings'; settings: Partial<RlSettings> }
  /** RL: restore the policy of the last good iteration after a divergence. */
  | { type: 'rlRollback' }
  /** RL: complete a few prompts with the reference and the policy (answered by 'beforeAfter'). */
  | { type: 'rlCompare' }
  /** RL: the same number of iterations from the fine-tuned model for each beta; each run is sent as an 'rlRun' to overlay. */
  | { type: 'rlSweep'; betas: number[]; iterations: number }
  /** Sessions: save everything (models, labels, settings, and the page's charts in `ui`) under a name in the browser. */
  | { type: 'saveSession'; name: string; ui: SessionUi }
  | { type: 'listSessions' }
  /** Restore a saved session; the current state is first saved as an automatic session, so nothing is lost. */
  | { type: 'restoreSession'; name: string; ui: SessionUi; fork: boolean }
  | { type: 'deleteSession'; name: string }
  /** The current session as one file (answered by 'sessionFile'). */
  | { type: 'exportSession'; name: string; ui: SessionUi }
  /** A session file from another machine: checked whole, stored, then restored. */
  | { type: 'importSession'; bytes: ArrayBuffer; name: string; ui: SessionUi };

// ---------------------------------------------------------------- events (worker -> UI)

/**
 * How often a live worker says so; a worker silent for WORKER_SILENCE_MS (no heartbeat, no event) is
 * taken for stopped and restarted. On WebGPU the worker's event loop is free every few ms; on the CPU
 * fallback one PPO update at the default size blocks it for about 6 s, and every iteration sends events.
 */
export const HEARTBEAT_MS = 2000;
export const WORKER_SILENCE_MS = 60_000;

export interface Completion {
  prompt: string;
  completion: string;
  /** Mean log-probability per generated token under the sampling distribution. */
  meanLogProb: number;
}

/** Which desk asked for answers to judge: the rating desk or the writing desk (corrections). */
export type AnswerDesk = 'rating' | 'writing';

/** What fine-tuning on the person's demonstrations did: mean loss per answer token on them, before and after. */
export interface DemonstrationFit {
  steps: number;
  demonstrations: number;
  before: number;
  after: number;
}

export interface ModelInfo {
  /** The vocabulary, so the page can name unknown words in what a person writes before it is saved. */
  tokenizer: TokenizerSpec;
  scenario: ScenarioId;
  scenarioTitle: string;
  preset: PresetName;
  config: GPTConfig;
  paramCount: number;
  tokenizerKind: 'word' | 'char';
}

export interface StageState {
  stage: TrainableStage;
  running: boolean;
  step: number;
  /** Where the weights came from: the shipped file, random init, an import, ... */
  source: string;
  settings: TrainSettings;
}

export type WorkerEvent =
  /** Which compute backend runs the model and, if not WebGPU, why. */
  | { type: 'backend'; backend: BackendName; reason: string | null }
  | { type: 'model'; info: ModelInfo }
  | { type: 'stage'; state: StageState }
  | { type: 'metrics'; stage: TrainableStage; points: MetricPoint[] }
  /** Replaces the metric history of a stage (after reset / import / new model). */
  | { type: 'clearMetrics'; stage: TrainableStage }
  | { type: 'samples'; stage: TrainableStage; step: number; completions: Completion[] }
  | { type: 'sampleSettings'; settings: SampleSettings }
  | { type: 'checkpointFile'; stage: TrainableStage; bytes: ArrayBuffer; filename: string }
  /** Informational or error message for the user. Errors change nothing. */
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'pair'; pair: PairToLabel }
  /** A 'nextPair' (or 'nextRanking', 'nextAnswers') that could not be answered; the page asks again only when told to. */
  | { type: 'pairRefused'; mode: 'pair' | 'ranking' | 'rating' | 'writing'; message: string }
  /** The whole preference dataset, with the reward model's P(chosen > rejected) for each comparison. */
  | { type: 'preferences'; comparisons: Comparison[]; pChosen: number[] }
  | { type: 'rewardMetrics'; points: RewardMetricPoint[] }
  | { type: 'pairSettings'; settings: PairSettings }
  | { type: 'preferencesFile'; text: string; filename: string }
  | { type: 'ranking'; ranking: RankingToLabel }
  /** Answers to one prompt for the rating or the writing desk (the same shape as a ranking's). */
  | { type: 'answers'; answers: RankingToLabel; desk: AnswerDesk }
  /** Every demonstration of the scenario, oldest first. */
  | { type: 'demonstrations'; demonstrations: Demonstration[] }
  | { type: 'demonstrationsFile'; text: string; filename: string }
  /** "Fine-tune on my demonstrations" finished: the fine-tuned model's loss on the person's demonstrations before and after. */
  | { type: 'demonstrationFit'; fit: DemonstrationFit }
  /** Every rating of the scenario, oldest first. */
  | { type: 'ratings'; ratings: Rating[] }
  | { type: 'ratingsFile'; text: string; filename: string }
  | { type: 'rewardSettings'; settings: RewardSettings }
  | { type: 'rewardDiagnostics'; diagnostics: RewardDiagnostics }
  | { type: 'labelerSettings'; settings: LabelerSettings }
  /** Simulated annotators' votes on every comparison and their agreement with the label. */
  | { type: 'panelVotes'; panel: PanelVotes }
  | { type: 'probeResult'; requestId: number; reward: number; raw: number; unknownWords: string[] }
  /** Progress of a long job; done === total when it has finished (or was cancelled). */
  | { type: 'progress'; job: 'autoLabel' | 'acquisition' | 'feedbackKinds'; done: number; total: number }
  /** Points of the acquisition comparison; `reset` starts a fresh chart. */
  | { type: 'acquisitionCurve'; points: AcquisitionPoint[]; reset: boolean }
  /** Points of the feedback-kind comparison; `reset` starts a fresh chart. */
  | { type: 'feedbackCurve'; points: FeedbackKindPoint[]; reset: boolean }
  | { type: 'rlState'; state: RlState }
  | { type: 'rlMetrics'; points: RlMetricPoint[] }
  /** Clears the RL charts (after a reset or a new model). */
  | { type: 'rlClear' }
  | { type: 'rlDetail'; detail: RlDetail }
  | { type: 'beforeAfter'; comparison: BeforeAfter }
  /** A finished run (of a sweep) to keep on the charts beside the live one. */
  | { type: 'rlRun'; label: string; points: RlMetricPoint[] }
  | { type: 'sessions'; list: SessionSummary[] }
  | { type: 'sessionFile'; bytes: ArrayBuffer; filename: string }
  /** A session was restored: the page takes back its charts; with `fork`, the saved RL run is also kept as an overlay. */
  | { type: 'sessionRestored'; name: string; ui: SessionUi; fork: boolean }
  /** Startup finished: ms from worker start to first completions. */
  | { type: 'ready'; msToFirstCompletions: number }
  /** Sent every HEARTBEAT_MS while the worker's event loop runs, so the page notices a stopped worker. */
  | { type: 'heartbeat' }
  /** Not from the worker: the page's client replaced a worker that had stopped, crashed or lost its GPU. */
  | { type: 'restarted'; reason: string }
  /** The worker cannot go on (the GPU device was lost): the page restarts it, on another backend if `avoid` says so. */
  | { type: 'fatal'; message: string; avoid: BackendName | null };
