// The playground's command router inside the worker: each command from the page goes to the
// module that serves it (stageModels, stageCheckpoints, trainingLoops, playgroundSessions, the
// preference session, the RL trainer), one at a time and in order. It knows nothing about
// postMessage, so tests and scripts drive it directly in Node.

import type { Command, Completion, RlSettings, TrainableStage } from './protocol';
import type { Comparison } from '../data/preferences';
import type { Rating } from '../data/ratings';
import type { Demonstration } from '../data/demonstrations';
import { autoCorrect, autoLabel, autoRate } from './simulatedAnnotators';
import { fineTuneOnDemonstrations } from './demonstrationTuning';
import type { GPT } from '../model/model';
import { CommandQueue } from './commandQueue';
import { runAcquisitionComparison } from './acquisitionExperiment';
import { runFeedbackKindComparison } from './feedbackKindExperiment';
import { experimentSetup } from './experimentSetup';
import { COMMAND_RULES } from './commandRules';
import { checkSessionName } from './sessions';
import { PlaygroundState, type PlaygroundDeps } from './playgroundState';
import { TrainingLoops } from './trainingLoops';
import {
  initScenario,
  pretrainFromScratch,
  resetStage,
  setSampleSettings,
  setTrainSettings,
  useCustomCorpus,
} from './stageModels';
import { exportCheckpoint, importCheckpoint, loadFromBrowser, saveToBrowser } from './stageCheckpoints';
import {
  emitSessions,
  exportSession,
  importSession,
  restoreSession,
  saveSession,
  sessionStore,
} from './playgroundSessions';

export type { PlaygroundDeps } from './playgroundState';
export { spreadPrompts } from './playgroundState';
export { shippedName } from './stageCheckpoints';

/** The scenario seed that `npm run pretrain` uses, so shipped checkpoints match the scenario vocabularies. */
export const DATA_SEED = 1;

export class Playground {
  private commands = new CommandQueue();
  /** Re-reading the store after another tab wrote: it only reads, so it does not wait behind training. */
  private storeReads = new CommandQueue();
  /** The scenario, the models and trainers, and the events about them (playgroundState.ts). */
  private pg: PlaygroundState;
  private loops: TrainingLoops;

  constructor(deps: PlaygroundDeps) {
    this.pg = new PlaygroundState(deps);
    this.loops = new TrainingLoops(this.pg, this.commands);
  }

  /** Runs commands one at a time, in order (see commandQueue.ts); a failing command becomes an error notice. */
  handle(cmd: Command): Promise<unknown> {
    // Labels are already saved by the page: they join the dataset now, not behind a training step.
    if (cmd.type === 'labelsSaved') return this.acceptLabels(cmd.comparisons);
    if (cmd.type === 'ratingsSaved') return this.acceptRatings(cmd.ratings);
    if (cmd.type === 'demonstrationsSaved') return this.acceptWritten(cmd.demonstrations, cmd.corrections);
    if (cmd.type === 'syncLabels') {
      return this.storeReads.coalesce(
        'sync',
        () => this.syncLabels(),
        (e) => this.pg.notice('error', `Reading the labels of another tab failed: ${e.message}`),
      );
    }
    const rule = COMMAND_RULES[cmd.type];
    if (rule.stopsLoop) this.loops.stopLoop();
    if (cmd.type === 'pause') this.commands.pause(); // also drops a storm of Step clicks still waiting
    // A long job checks this flag between its steps, so it cannot wait in the queue behind the job.
    if (rule.cancelsJob) this.preferences?.cancel();
    return this.commands.push(() => this.dispatch(cmd).catch((e: Error) => this.refused(cmd, e)), {
      asked: rule.asked ?? false,
      cancelledByPause: rule.cancelledByPause ?? false,
    });
  }

  /** A command that failed: an error notice, and for a pair request the answer that none is coming. */
  private refused(cmd: Command, e: Error): void {
    const writing = cmd.type === 'nextAnswers' && cmd.desk === 'writing';
    const modes = { nextPair: 'pair', nextRanking: 'ranking', nextAnswers: writing ? 'writing' : 'rating' } as const;
    const mode = modes[cmd.type as keyof typeof modes];
    if (mode) this.pg.deps.emit({ type: 'pairRefused', mode, message: e.message });
    this.pg.notice('error', e.message);
  }

  /** Saved labels join the dataset at once; the reward model learns from them in one queued run. */
  private async acceptLabels(list: Comparison[]): Promise<void> {
    if (!this.preferences || !Array.isArray(list)) return; // still starting: load() reads them from the store
    if (this.preferences.acceptSaved(list) > 0) this.scheduleLearning();
  }

  /** Saved ratings join at once, as labels do. */
  private async acceptRatings(list: Rating[]): Promise<void> {
    if (!this.preferences || !Array.isArray(list)) return;
    if (this.preferences.acceptRatings(list) > 0) this.scheduleLearning();
  }

  /** Saved demonstrations and corrections join at once; the reward model learns from the corrections' comparisons. */
  private async acceptWritten(demonstrations: Demonstration[], corrections: Comparison[]): Promise<void> {
    if (!this.preferences || !Array.isArray(demonstrations) || !Array.isArray(corrections)) return;
    if (this.preferences.acceptCorrections(corrections, demonstrations) > 0) this.scheduleLearning();
  }

  /** One reward-training run for every label since the last one; the page's requests go first. */
  private scheduleLearning(): void {
    void this.commands.coalesce(
      'learn',
      async () => this.preferences?.learnPending(),
      (e) => this.pg.notice('error', `The reward model did not learn the new labels: ${e.message}`),
    );
  }

  /** The store changed in another tab (or a restore there): take its labels as they are now. */
  private async syncLabels(): Promise<void> {
    if (await this.preferences?.sync()) this.scheduleLearning(); // new labels to learn, or stale scores
  }

  private async dispatch(cmd: Command): Promise<void> {
    const pg = this.pg;
    switch (cmd.type) {
      case 'init':
        return initScenario(pg, cmd.scenario, cmd.preset, cmd.seed);
      case 'play':
        return this.loops.play(cmd.stage);
      case 'pause':
        return;
      case 'step':
        await this.loops.trainOnce(cmd.stage);
        await pg.emitSamples(cmd.stage);
        return;
      case 'reset':
        return resetStage(pg, cmd.stage);
      case 'pretrainFromScratch':
        return pretrainFromScratch(pg);
      case 'setTrainSettings':
        return setTrainSettings(pg, cmd.stage, cmd.settings);
      case 'setSampleSettings':
        return setSampleSettings(pg, cmd.settings);
      case 'sample':
        await pg.emitSamples(cmd.stage);
        return;
      case 'useCustomCorpus':
        return useCustomCorpus(pg, cmd.text, cmd.separator, cmd.preset);
      case 'exportCheckpoint':
        return exportCheckpoint(pg, cmd.stage);
      case 'importCheckpoint':
        return importCheckpoint(pg, cmd.stage, new Uint8Array(cmd.bytes), cmd.name);
      case 'saveToBrowser':
        return saveToBrowser(pg, cmd.stage);
      case 'loadFromBrowser':
        return loadFromBrowser(pg, cmd.stage);
      case 'nextPair':
        await pg.prefs().nextPair();
        return;
      case 'labelsSaved':
        return this.acceptLabels(cmd.comparisons);
      case 'syncLabels':
        return this.syncLabels();
      case 'undoLabel':
        return pg.prefs().undo();
      case 'autoLabel':
        return autoLabel(pg.prefs(), cmd.labelerId, cmd.count);
      case 'trainReward':
        return pg.prefs().trainReward(cmd.steps);
      case 'setPairSettings':
        return pg.prefs().setSettings(cmd.settings);
      case 'deleteComparison':
        return pg.prefs().remove(cmd.id);
      case 'flipComparison':
        return pg.prefs().flip(cmd.id);
      case 'exportPreferences':
        return pg.prefs().exportFile(cmd.format);
      case 'importPreferences':
        return pg.notice('info', await pg.prefs().importFile(cmd.text, cmd.name));
      case 'nextAnswers':
        await pg.prefs().ratings.nextAnswers(cmd.desk);
        return;
      case 'ratingsSaved':
        return this.acceptRatings(cmd.ratings);
      case 'autoRate':
        return autoRate(pg.prefs(), cmd.labelerId, cmd.count, cmd.scale);
      case 'deleteRating':
        return pg.prefs().ratings.remove(cmd.id);
      case 'exportRatings':
        return pg.prefs().ratings.exportFile();
      case 'demonstrationsSaved':
        return this.acceptWritten(cmd.demonstrations, cmd.corrections);
      case 'autoCorrect':
        return autoCorrect(pg.prefs(), cmd.labelerId, cmd.count);
      case 'deleteDemonstration':
        return pg.prefs().demonstrations.remove(cmd.id);
      case 'exportDemonstrations':
        return pg.prefs().demonstrations.exportFile();
      case 'fineTuneOnDemonstrations':
        return fineTuneOnDemonstrations(pg, this.loops, cmd.steps);
      case 'nextRanking':
        await pg.prefs().nextRanking();
        return;
      case 'setRewardSettings':
        return pg.prefs().setRewardSettings(cmd.settings);
      case 'trainRewardEpochs':
        return pg.prefs().trainRewardEpochs();
      case 'setLabelerSettings':
        return pg.prefs().setLabelers(cmd.settings);
      case 'probeReward':
        return pg.prefs().probe(cmd.requestId, cmd.prompt, cmd.response);
      case 'compareAcquisition':
        return runAcquisitionComparison({ ...experimentSetup(pg.prefs(), cmd.labelerId), labels: cmd.labels });
      case 'compareFeedbackKinds': {
        const setup = experimentSetup(pg.prefs(), cmd.labelerId);
        const kinds = { ...setup, neutral: await setup.neutral(), seconds: cmd.seconds, costs: cmd.costs };
        await runFeedbackKindComparison(kinds);
        return;
      }
      case 'cancelJob':
        return;
      case 'rlPlay':
        return this.loops.rlPlay();
      case 'rlStep':
        await this.loops.rlStep();
        return;
      case 'rlReset':
        pg.rlTrainer().reset();
        pg.deps.emit({ type: 'rlClear' });
        return pg.emitRl();
      case 'setRlSettings':
        return this.setRlSettings(cmd.settings);
      case 'rlRollback':
        pg.rlTrainer().rollback();
        pg.notice('info', 'Rolled back to the last good iteration.');
        return pg.emitRl();
      case 'rlSweep':
        return this.loops.rlSweep(cmd.betas, cmd.iterations);
      case 'saveSession':
        return saveSession(pg, cmd.name, cmd.ui);
      case 'listSessions':
        return emitSessions(pg);
      case 'restoreSession':
        return restoreSession(pg, cmd.name, cmd.ui, cmd.fork);
      case 'deleteSession':
        await sessionStore(pg).remove(checkSessionName(cmd.name));
        return emitSessions(pg);
      case 'exportSession':
        return exportSession(pg, cmd.name, cmd.ui);
      case 'importSession':
        return importSession(pg, new Uint8Array(cmd.bytes), cmd.name, cmd.ui);
      case 'rlCompare':
        pg.deps.emit({ type: 'beforeAfter', comparison: await pg.rlTrainer().compare() });
        return;
    }
  }

  /** New RL settings, checked by the trainer. */
  private setRlSettings(settings: Partial<RlSettings>): void {
    try {
      this.pg.rlTrainer().setSettings(settings);
    } finally {
      this.pg.emitRl(); // a refused change is answered with the settings still in force
    }
  }

  /** The live preference session (it lives in the state; tests look inside it here). */
  private get preferences() {
    return this.pg.preferences;
  }

  /** The live RL trainer, for tests that look inside it. */
  private get rl() {
    return this.pg.rl;
  }

  /** Completes the scenario's first prompts with the stage's model and sends them to the UI. */
  emitSamples(stage: TrainableStage): Promise<Completion[]> {
    return this.pg.emitSamples(stage);
  }

  /** For tests and scripts: resolves once every queued command and training run has finished. */
  async idle(): Promise<void> {
    await this.storeReads.idle();
    await this.commands.idle();
  }

  /** For tests and scripts: the live models. */
  model(stage: TrainableStage): GPT {
    return this.pg.stage(stage).model;
  }

  /** Stops any loop and disposes every model. */
  dispose(): void {
    this.loops.stopLoop();
    this.pg.disposeStages();
  }
}
