// The training loops: one Pretrain or SFT step and its metrics, one RL iteration, a beta sweep,
// and Play, which queues one step after another behind the waiting commands so that labels,
// settings and samples are served between steps. One loop trains at a time.

import { checkRange, MAX_SWEEP_RUNS, SWEEP_ITERATIONS, type RlMetricPoint, type TrainableStage } from './protocol';
import type { CommandQueue } from './commandQueue';
import type { PlaygroundState } from './playgroundState';

const HELD_OUT_EVERY = 20;
/** While training, fresh samples every few seconds, but never more than a quarter of the time. */
const SAMPLES_EVERY_MS = 4000;

export class TrainingLoops {
  private rlGeneration = 0;
  private nextSamplesAt = 0;

  constructor(
    private pg: PlaygroundState,
    private commands: CommandQueue,
  ) {}

  // ------------------------------------------------------------------ Pretrain and SFT

  /** Trains a stage until paused, with fresh samples every few seconds. */
  play(stage: TrainableStage): void {
    this.stopLoop(); // one loop trains at a time (an RL Play queued before this one has started by now)
    this.pg.running = stage;
    this.pg.emitStage(stage);
    this.nextSamplesAt = performance.now() + SAMPLES_EVERY_MS;
    void this.loopWhile(
      () => this.pg.running === stage,
      async () => {
        await this.enqueueStep(() => this.trainOnce(stage), 'Training');
        if (this.pg.running === stage && performance.now() > this.nextSamplesAt) {
          const started = performance.now();
          await this.enqueueStep(() => this.pg.emitSamples(stage), 'Training');
          this.nextSamplesAt = performance.now() + Math.max(SAMPLES_EVERY_MS, 3 * (performance.now() - started));
        }
      },
    );
  }

  /** Stops whichever loop is running (the step under way finishes) and tells the page. */
  stopLoop(): void {
    if (this.pg.rlRunning) {
      this.pg.rlRunning = false;
      this.pg.emitRl();
    }
    const was = this.pg.running;
    this.pg.running = null;
    if (was && this.pg.stages[was]) this.pg.emitStage(was);
  }

  /** One training step of a stage and its metrics; a loss that is not finite stops the loop. */
  async trainOnce(stage: TrainableStage): Promise<void> {
    const { trainer } = this.pg.stage(stage);
    const r = await trainer.trainStep();
    if (!Number.isFinite(r.loss)) {
      this.stopLoop();
      throw new Error(`the ${stage} loss became ${r.loss}; lower the learning rate and press Reset`);
    }
    const heldOut = r.step === 1 || r.step % HELD_OUT_EVERY === 0 ? await trainer.heldOutLoss() : null;
    const c = trainer.model.config;
    this.pg.deps.emit({
      type: 'metrics',
      stage,
      points: [
        {
          step: r.step,
          trainLoss: r.loss,
          heldoutLoss: heldOut,
          learningRate: r.learningRate,
          msPerStep: r.ms,
          tokensPerSecond: (trainer.settings.batchSize * c.contextLength * 1000) / Math.max(r.ms, 1e-3),
        },
      ],
    });
    if (!this.pg.running) this.pg.emitStage(stage);
  }

  // ------------------------------------------------------------------ RL fine-tuning

  /** One RL iteration and its events; a broken metric stops the loop (the trainer keeps the last good weights). */
  async rlStep(): Promise<RlMetricPoint> {
    const rl = this.pg.rlTrainer();
    try {
      const { point, detail } = await rl.step();
      this.pg.deps.emit({ type: 'rlMetrics', points: [point] });
      if (detail) this.pg.deps.emit({ type: 'rlDetail', detail });
      return point;
    } catch (e) {
      this.pg.rlRunning = false;
      throw e;
    } finally {
      this.pg.emitRl();
    }
  }

  /**
   * A beta sweep: from the fine-tuned model, `iterations` iterations at each beta (fixed, not
   * adaptive), each finished run sent for the charts to overlay. Pause stops it between iterations.
   */
  async rlSweep(betas: number[], iterations: number): Promise<void> {
    const problem = checkRange(iterations, SWEEP_ITERATIONS);
    if (problem) throw new Error(problem);
    if (betas.length === 0 || betas.length > MAX_SWEEP_RUNS)
      throw new Error(`A sweep runs 1 to ${MAX_SWEEP_RUNS} values of beta.`);
    const rl = this.pg.rlTrainer();
    const kept = rl.settings;
    for (const beta of betas) rl.setSettings({ ...kept, beta, adaptiveKl: false }); // checks every value before anything runs
    this.pg.rlRunning = true;
    try {
      for (const beta of betas) {
        rl.setSettings({ ...kept, beta, adaptiveKl: false });
        rl.reset();
        this.pg.deps.emit({ type: 'rlClear' });
        const points: RlMetricPoint[] = [];
        for (let i = 0; i < iterations && this.pg.rlRunning; i++) points.push(await this.rlStep());
        if (points.length)
          this.pg.deps.emit({ type: 'rlRun', label: `${kept.algorithm.toUpperCase()} β = ${beta}`, points });
        if (!this.pg.rlRunning) break;
      }
    } finally {
      this.pg.rlRunning = false;
      rl.setSettings({ ...kept });
      this.pg.emitRl();
    }
  }

  /** Runs PPO iterations until paused; other commands (labels, settings) are served between iterations. */
  rlPlay(): void {
    this.stopLoop(); // one loop trains at a time: a Pretrain Play queued before this one has started by now
    this.pg.rlRunning = true;
    this.pg.emitRl();
    const generation = ++this.rlGeneration; // a second Play replaces this loop rather than running beside it
    void this.loopWhile(
      () => this.pg.rlRunning && generation === this.rlGeneration,
      async () => {
        await this.enqueueStep(() => (this.pg.rlRunning ? this.rlStep() : Promise.resolve()), 'RL');
      },
    );
  }

  // ------------------------------------------------------------------ scheduling

  /**
   * Queues one step of a training loop behind the waiting commands (which so run between steps);
   * an error stops the loop with a notice.
   */
  private enqueueStep(work: () => Promise<unknown>, what: string): Promise<unknown> {
    return this.commands.push(() =>
      work().catch((e: Error) => {
        this.stopLoop();
        this.pg.notice('error', `${what} stopped: ${e.message}`);
      }),
    );
  }

  /** Runs `step` while `active()` holds, yielding to the event loop between steps. */
  private async loopWhile(active: () => boolean, step: () => Promise<void>): Promise<void> {
    while (active()) {
      await step();
      await new Promise((r) => setTimeout(r, 0));
    }
  }
}
