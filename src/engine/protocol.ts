// The one file the UI and the training worker share: commands flow in, events flow out.
// Nothing here imports TensorFlow.js or Svelte, so both sides can use it.

import type { PresetName, GPTConfig } from '../model/config';
import type { ScenarioId } from '../data/types';
import type { Comparison } from '../data/preferences';
import type { LabelerSpec } from '../data/labelers';
import type { SessionUi } from './sessionFile';
import type { SessionSummary } from './sessionStore';

/** The stages of the RLHF pipeline, in order. */
export type StageId = 'pretrain' | 'sft' | 'preferences' | 'reward' | 'rl';
export type TrainableStage = 'pretrain' | 'sft';
export const TRAINABLE_STAGES: TrainableStage[] = ['pretrain', 'sft'];

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Settings of a training stage that the user can change. */
export interface TrainSettings {
  learningRate: number; // peak learning rate after warmup
  batchSize: number; // sequences per step (fixed shape)
  warmupSteps: number;
  totalSteps: number; // length of the cosine schedule
  weightDecay: number;
  gradClip: number; // max global L2 norm of the gradient
}

/** Settings for the sample completions shown under each stage. */
export interface SampleSettings {
  temperature: number;
  topK: number; // 0 = no top-k filter
}

/** The range of a numeric setting; the UI's fields and the worker's checks both use these. */
export interface Range {
  min: number;
  max: number;
  integer?: boolean;
  minExclusive?: boolean;
  label: string;
}

export const TRAIN_LIMITS: Record<keyof TrainSettings, Range> = {
  learningRate: { min: 0, max: 0.1, minExclusive: true, label: 'Learning rate' },
  batchSize: { min: 1, max: 64, integer: true, label: 'Batch size' },
  warmupSteps: { min: 0, max: 100_000, integer: true, label: 'Warmup steps' },
  totalSteps: { min: 1, max: 1_000_000, integer: true, label: 'Schedule length' },
  weightDecay: { min: 0, max: 1, label: 'Weight decay' },
  gradClip: { min: 0, max: 100, label: 'Gradient clip' },
};

export const SAMPLE_LIMITS: Record<keyof SampleSettings, Range> = {
  temperature: { min: 0.1, max: 2, label: 'Temperature' },
  topK: { min: 0, max: 100, integer: true, label: 'Top-k' },
};

/** A message if `value` is outside `r`, else null. */
export function checkRange(value: unknown, r: Range): string | null {
  const low = r.minExclusive ? `above ${r.min}` : `from ${r.min}`;
  const wanted = `${r.label} must be ${r.integer ? 'a whole number ' : 'a number '}${low} to ${r.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${wanted} (got ${String(value)}).`;
  if (r.integer && !Number.isInteger(value)) return `${wanted} (got ${value}).`;
  if (value < r.min || (r.minExclusive && value === r.min) || value > r.max) return `${wanted} (got ${value}).`;
  return null;
}

/** Two completions of one prompt for the user to judge. */
export interface PairToLabel {
  id: string;
  prompt: string;
  left: string;
  right: string;
}

/** The user's judgement of a pair. */
export type PairChoice = 'left' | 'right' | 'tie' | 'bothBad';

/** How the next pair to judge is picked from freshly sampled candidates. */
export type Acquisition = 'random' | 'uncertain' | 'ensemble';
export const ACQUISITIONS: { id: Acquisition; label: string }[] = [
  { id: 'random', label: 'Random pairs' },
  { id: 'uncertain', label: 'Least sure (P closest to 0.5)' },
  { id: 'ensemble', label: 'Ensemble disagreement' },
];

/** How pairs are made: the sampling temperature of each side, the acquisition rule, the ranking size. */
export interface PairSettings {
  temperatureLeft: number;
  temperatureRight: number;
  acquisition: Acquisition;
  /** Completions per ranking in ranking mode (3 to 6). */
  rankK: number;
}

/** K completions of one prompt for the user to order, best first. */
export interface RankingToLabel {
  id: string;
  prompt: string;
  completions: string[];
}

/** Reward-model training settings the user can change. */
export interface RewardSettings {
  learningRate: number;
  batchSize: number; // pairs per step (a fixed shape)
  epochs: number; // passes over the training split for "Train on all labels"
  margin: number; // asks r_chosen - r_rejected to exceed this
  centering: number; // c in c * mean((r_c + r_r)^2)
  ties: 'half' | 'drop';
  /** Train a few steps after each new label (off: labels are only saved; live mode can pause the reward model). */
  learnOnLabel: boolean;
}

export const REWARD_LIMITS: Record<Exclude<keyof RewardSettings, 'ties' | 'learnOnLabel'>, Range> = {
  learningRate: { min: 0, max: 0.1, minExclusive: true, label: 'Reward learning rate' },
  batchSize: { min: 1, max: 64, integer: true, label: 'Reward batch size' },
  epochs: { min: 1, max: 50, integer: true, label: 'Epochs' },
  margin: { min: 0, max: 5, label: 'Margin' },
  centering: { min: 0, max: 1, label: 'Centring coefficient' },
};

/** How many simulated annotators the panel holds. */
export const MAX_PANEL = 4;

/** Simulated annotators: which one stands for the truth, which ones judge every comparison, and the user's own. */
export interface LabelerSettings {
  /** The labeler whose gold score measures the reward model (and later the policy); null for none. */
  goldLabeler: string | null;
  /** Simulated annotators that also judge every comparison, for the agreement columns. */
  panel: string[];
  /** The user-defined labeler (id 'custom'), usable wherever a built-in one is. */
  custom: LabelerSpec;
}

/** One bin of a calibration plot: mean predicted P against the observed frequency. */
export interface CalibrationBin {
  predicted: number;
  observed: number;
  count: number;
}

/** What the reward panel draws besides the loss curve; sent after each training run. */
export interface RewardDiagnostics {
  /** r(chosen) - r(rejected) of each comparison (raw rewards), and whether it is held out. */
  margins: { value: number; heldOut: boolean }[];
  calibration: CalibrationBin[];
  /** Which comparisons the calibration was measured on. */
  calibrationOn: 'heldOut' | 'all';
  /** Share of the gold probe's fresh pairs (not labels) that the reward model orders as the gold labeler's score does. */
  goldAccuracy: number | null;
  /** How many probe pairs that share is measured on (those whose answers differ in gold score). */
  goldPairs: number;
  goldLabeler: string | null;
  /** The gold labeler's own label noise on the same probe pairs (labelNoise in data/labelers.ts); null without a gold labeler. */
  goldLabelNoise: { withGold: number | null; betweenTwo: number | null } | null;
  /** r_normalised = (r - mean) / std makes the fine-tuned model's completions score mean 0, std 1. */
  normalization: { mean: number; std: number } | null;
}

/** Agreement of the annotators (the human and the simulated panel) on the same comparisons. */
export interface PanelVotes {
  annotators: string[];
  /** votes[a][i]: does annotator a prefer comparison i's chosen text? null where it has no say (ties). */
  votes: (boolean | null)[][];
  /** Pairwise agreement over the comparisons both judged; 'label' stands for whoever gave the label. */
  agreement: { a: string; b: string; agreement: number; shared: number }[];
}

/** One point of the acquisition comparison: held-out accuracy against the gold labeler after `labels` labels. */
export interface AcquisitionPoint {
  strategy: Acquisition;
  labels: number;
  accuracy: number;
}

/** Held-out numbers are shown from this many held-out pairs on; fewer swing from 0% to 100% by chance. */
export const HELD_OUT_SHOWN_FROM = 5;

export interface RewardMetricPoint {
  step: number;
  labels: number; // comparisons collected when measured
  trainLoss: number;
  heldoutLoss: number | null;
  heldoutAccuracy: number | null;
  /** How many held-out pairs the two numbers above rest on (0 or absent when not measured). */
  heldoutCount?: number;
}

export const PAIR_LIMITS: Record<Exclude<keyof PairSettings, 'acquisition'>, Range> = {
  temperatureLeft: { min: 0.1, max: 2, label: 'Left temperature' },
  temperatureRight: { min: 0.1, max: 2, label: 'Right temperature' },
  rankK: { min: 3, max: 6, integer: true, label: 'Completions per ranking' },
};

/** How many labels one acquisition comparison collects per strategy. */
export const ACQUISITION_LABELS: Range = { min: 10, max: 200, integer: true, label: 'Labels per strategy' };

/** How many steps one "train the reward model" request may ask for. */
export const REWARD_STEPS: Range = { min: 1, max: 5000, integer: true, label: 'Reward training steps' };

/** How many pairs one auto-label request may ask a simulated annotator for. */
export const AUTO_LABEL_PAIRS: Range = { min: 1, max: 1000, integer: true, label: 'Pairs to label' };

/** The ways to tune the policy: PPO and its alternatives on the same rollouts, and DPO/IPO on the same clicks. */
export type RlAlgorithm = 'ppo' | 'reinforce' | 'rloo' | 'grpo' | 'bestOfN' | 'dpo' | 'ipo';
export const RL_ALGORITHMS: { id: RlAlgorithm; label: string }[] = [
  { id: 'ppo', label: 'PPO (clipped, value head, GAE)' },
  { id: 'reinforce', label: 'REINFORCE with a baseline' },
  { id: 'rloo', label: 'RLOO (leave-one-out baseline)' },
  { id: 'grpo', label: 'GRPO (group-normalised advantages)' },
  { id: 'bestOfN', label: 'Best-of-n sampling (no training)' },
  { id: 'dpo', label: 'DPO (straight from the preferences)' },
  { id: 'ipo', label: 'IPO (straight from the preferences)' },
];

/** RL fine-tuning settings; defaults near TRL's, tuned so effects show in minutes on the default model. */
export interface RlSettings {
  algorithm: RlAlgorithm;
  /** Samples per prompt for RLOO and GRPO, and n for best-of-n. */
  groupSize: number;
  learningRate: number;
  /** KL coefficient beta (the starting value when adaptive). */
  beta: number;
  klEstimator: 'k1' | 'k3';
  adaptiveKl: boolean;
  /** Target KL per response (nats) and horizon of the adaptive controller. */
  targetKl: number;
  klHorizon: number;
  clipRange: number;
  clipRangeValue: number;
  vfCoef: number;
  gamma: number;
  lambda: number;
  /** PPO epochs over each batch of rollouts, and minibatches per epoch. */
  epochs: number;
  minibatches: number;
  /** Rollouts per iteration (a fixed shape; a multiple of minibatches). */
  batchSize: number;
  responseLength: number;
  temperature: number;
  entropyCoef: number;
  /** Subtracted from the score of a response that never emitted EOS (0 = no penalty). */
  missingEosPenalty: number;
  whitenRewards: boolean;
  /** The value head: a copy of the reward model, or a zero-initialised head on the policy. */
  valueInit: 'reward' | 'policy';
}

export const RL_LIMITS: Record<
  Exclude<keyof RlSettings, 'algorithm' | 'klEstimator' | 'adaptiveKl' | 'whitenRewards' | 'valueInit'>,
  Range
> = {
  groupSize: { min: 2, max: 16, integer: true, label: 'Samples per prompt (k, or n)' },
  learningRate: { min: 0, max: 0.01, minExclusive: true, label: 'RL learning rate' },
  beta: { min: 0, max: 10, label: 'KL coefficient β' },
  targetKl: { min: 0.01, max: 100, label: 'Target KL' },
  klHorizon: { min: 1, max: 1_000_000, integer: true, label: 'KL horizon' },
  clipRange: { min: 0.01, max: 1, label: 'Clip range ε' },
  clipRangeValue: { min: 0.01, max: 10, label: 'Value clip range' },
  vfCoef: { min: 0, max: 10, label: 'Value coefficient' },
  gamma: { min: 0, max: 1, label: 'γ (discount)' },
  lambda: { min: 0, max: 1, label: 'λ (GAE)' },
  epochs: { min: 1, max: 16, integer: true, label: 'PPO epochs' },
  minibatches: { min: 1, max: 16, integer: true, label: 'Minibatches' },
  batchSize: { min: 2, max: 64, integer: true, label: 'Rollouts per iteration' },
  responseLength: { min: 2, max: 48, integer: true, label: 'Response length' },
  temperature: { min: 0.1, max: 2, label: 'Rollout temperature' },
  entropyCoef: { min: 0, max: 1, label: 'Entropy bonus' },
  missingEosPenalty: { min: 0, max: 10, label: 'Missing-EOS penalty' },
};

/** One PPO iteration's metrics, named as TRL names them. */
export interface RlMetricPoint {
  iteration: number;
  'objective/kl': number;
  'objective/entropy': number;
  'objective/non_score_reward': number;
  'objective/rlhf_reward': number;
  'objective/scores': number;
  'policy/approxkl_avg': number;
  'policy/clipfrac_avg': number;
  'loss/policy_avg': number;
  'loss/value_avg': number;
  'val/clipfrac_avg': number;
  'val/ratio': number;
  'val/ratio_var': number;
  'val/explained_variance': number;
  beta: number;
  response_length: number;
  /** Mean gold score of the rollouts under the gold labeler, when one is chosen. */
  gold: number | null;
  msPerIteration: number;
  algorithm: RlAlgorithm;
  /** DPO / IPO only (TRL's names); the policy's KL and scores above are then measured on fresh samples. */
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  'rewards/accuracies'?: number;
  'logps/chosen'?: number;
  'logps/rejected'?: number;
  'loss/dpo'?: number;
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

/** A session's name: what the list shows and the key it is stored under. */
export const SESSION_NAME_MAX = 80;

/** How many iterations one beta of a sweep may run, and how many betas. */
export const SWEEP_ITERATIONS: Range = { min: 1, max: 500, integer: true, label: 'Iterations per run' };
export const MAX_SWEEP_RUNS = 4;

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
  | { type: 'setRewardSettings'; settings: Partial<RewardSettings> }
  /** Reward model: `epochs` passes over all training labels, with the user's settings. */
  | { type: 'trainRewardEpochs' }
  | { type: 'setLabelerSettings'; settings: Partial<LabelerSettings> }
  /** The reward of any text: answered by a 'probeResult' event with the same requestId. */
  | { type: 'probeReward'; requestId: number; prompt: string; response: string }
  /** Run random and uncertainty-based pair selection side by side with a simulated labeler. */
  | { type: 'compareAcquisition'; labelerId: string; labels: number }
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

export interface MetricPoint {
  step: number;
  trainLoss: number;
  heldoutLoss: number | null; // measured every few steps
  tokensPerSecond: number;
  learningRate: number;
  msPerStep: number;
}

export interface Completion {
  prompt: string;
  completion: string;
  /** Mean log-probability per generated token under the sampling distribution. */
  meanLogProb: number;
}

export interface ModelInfo {
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
  /** A 'nextPair' (or 'nextRanking') that could not be answered; the page asks again only when told to. */
  | { type: 'pairRefused'; mode: 'pair' | 'ranking'; message: string }
  /** The whole preference dataset, with the reward model's P(chosen > rejected) for each comparison. */
  | { type: 'preferences'; comparisons: Comparison[]; pChosen: number[] }
  | { type: 'rewardMetrics'; points: RewardMetricPoint[] }
  | { type: 'pairSettings'; settings: PairSettings }
  | { type: 'preferencesFile'; text: string; filename: string }
  | { type: 'ranking'; ranking: RankingToLabel }
  | { type: 'rewardSettings'; settings: RewardSettings }
  | { type: 'rewardDiagnostics'; diagnostics: RewardDiagnostics }
  | { type: 'labelerSettings'; settings: LabelerSettings }
  /** Simulated annotators' votes on every comparison and their agreement with the label. */
  | { type: 'panelVotes'; panel: PanelVotes }
  | { type: 'probeResult'; requestId: number; reward: number; raw: number; unknownWords: string[] }
  /** Progress of a long job; done === total when it has finished (or was cancelled). */
  | { type: 'progress'; job: 'autoLabel' | 'acquisition'; done: number; total: number }
  /** Points of the acquisition comparison; `reset` starts a fresh chart. */
  | { type: 'acquisitionCurve'; points: AcquisitionPoint[]; reset: boolean }
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
