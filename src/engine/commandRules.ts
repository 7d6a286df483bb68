// How the worker schedules each command, declared once per command (playground.ts reads it):
//   stopsLoop        it stops a running training loop first (the others run between the loop's steps);
//   cancelledByPause a later Pause drops it while it still waits in the queue;
//   asked            the page waits on its answer, so it runs ahead of queued reward training;
//   cancelsJob       it cancels a long job (an auto-label, an acquisition run) at once, without queueing.
// Every command of protocol.ts has its line: one added there without a line here does not compile.

import type { Command } from './protocol';

export interface CommandRule {
  stopsLoop: boolean;
  cancelledByPause?: boolean;
  asked?: boolean;
  cancelsJob?: boolean;
}

/** Runs between a loop's steps. */
const BETWEEN: CommandRule = { stopsLoop: false };
/** Stops a running loop first. */
const STOPS: CommandRule = { stopsLoop: true };
/** A training command: stops a running loop, and a Pause drops it while it waits. */
const TRAINS: CommandRule = { stopsLoop: true, cancelledByPause: true };
/** A question the page waits on. */
const ASKED: CommandRule = { stopsLoop: false, asked: true };

export const COMMAND_RULES: Record<Command['type'], CommandRule> = {
  // the model and the language-model stages
  init: { stopsLoop: true, cancelsJob: true },
  useCustomCorpus: { stopsLoop: true, cancelsJob: true },
  play: TRAINS,
  step: TRAINS,
  pause: STOPS,
  reset: STOPS,
  pretrainFromScratch: STOPS,
  setTrainSettings: BETWEEN,
  setSampleSettings: BETWEEN,
  sample: BETWEEN,
  exportCheckpoint: BETWEEN,
  importCheckpoint: STOPS,
  saveToBrowser: BETWEEN,
  loadFromBrowser: STOPS,
  // preferences and the reward model
  nextPair: ASKED,
  nextRanking: ASKED,
  nextAnswers: ASKED,
  ratingsSaved: BETWEEN,
  autoRate: BETWEEN,
  deleteRating: BETWEEN,
  exportRatings: BETWEEN,
  demonstrationsSaved: BETWEEN,
  autoCorrect: BETWEEN,
  deleteDemonstration: BETWEEN,
  exportDemonstrations: BETWEEN,
  fineTuneOnDemonstrations: TRAINS,
  probeReward: ASKED,
  labelsSaved: BETWEEN,
  syncLabels: BETWEEN,
  undoLabel: BETWEEN,
  autoLabel: BETWEEN,
  trainReward: BETWEEN,
  trainRewardEpochs: BETWEEN,
  setPairSettings: BETWEEN,
  setRewardSettings: BETWEEN,
  setLabelerSettings: BETWEEN,
  deleteComparison: BETWEEN,
  flipComparison: BETWEEN,
  exportPreferences: BETWEEN,
  importPreferences: BETWEEN,
  compareAcquisition: BETWEEN,
  compareFeedbackKinds: BETWEEN,
  cancelJob: { stopsLoop: false, cancelsJob: true },
  // RL
  rlPlay: TRAINS,
  rlStep: TRAINS,
  rlSweep: TRAINS,
  rlReset: STOPS,
  rlRollback: STOPS,
  setRlSettings: BETWEEN,
  rlCompare: BETWEEN,
  // sessions
  saveSession: BETWEEN,
  listSessions: BETWEEN,
  restoreSession: STOPS,
  importSession: STOPS,
  deleteSession: BETWEEN,
  exportSession: BETWEEN,
};
