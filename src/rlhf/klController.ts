// The KL coefficient beta: fixed, or adapted so the measured KL tracks a target
// (Ziegler et al. 2019, section 2.2; TRL's FixedKLController and AdaptiveKLController).
// Plain numbers, no tensors: the caller reads the batch KL once per step.

export interface KlController {
  /** The current beta. */
  readonly value: number;
  /** Tell the controller the KL measured on the last batch and how many samples it covered. */
  update(currentKl: number, nSteps: number): void;
}

/** beta never changes. */
export class FixedKlController implements KlController {
  constructor(public readonly value: number) {}
  update(_currentKl: number, _nSteps: number): void {
    /* fixed */
  }
}

/**
 * A proportional controller on log beta:
 *   e = clip(KL / target - 1, -0.2, 0.2);   beta <- beta * (1 + e * nSteps / horizon)   (Ziegler et al. 2019)
 * Above the target beta grows (pulls the policy back), below it shrinks; the clip bounds each step.
 */
export class AdaptiveKlController implements KlController {
  private beta: number;
  constructor(
    initBeta: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    if (!(target > 0) || !(horizon > 0)) throw new Error('adaptive KL needs target > 0 and horizon > 0');
    this.beta = initBeta;
  }
  get value(): number {
    return this.beta;
  }
  update(currentKl: number, nSteps: number): void {
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.beta *= 1 + (error * nSteps) / this.horizon;
  }
}
