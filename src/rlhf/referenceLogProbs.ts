// The frozen reference's sequence log-prob of each labelled response, kept once computed: the
// reference never changes during a DPO or IPO run, so its forward pass over a pair is needed only
// the first time the pair is drawn (TRL's DPOConfig calls this precompute_ref_log_probs). A new run
// (an RL reset, a new reference) starts a new cache.

/** log ref(response | prompt) by (prompt, response), as float32 values read back from the device. */
export class ReferenceLogProbs {
  private readonly values = new Map<string, number>();

  private static key(prompt: string, response: string): string {
    return JSON.stringify([prompt, response]);
  }

  /** The saved log-prob of every (prompt, response), in order, or null unless all are saved. */
  lookup(items: { prompt: string; response: string }[]): Float32Array | null {
    const out = new Float32Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const v = this.values.get(ReferenceLogProbs.key(items[i].prompt, items[i].response));
      if (v === undefined) return null;
      out[i] = v;
    }
    return out;
  }

  save(items: { prompt: string; response: string }[], logps: ArrayLike<number>): void {
    items.forEach((it, i) => this.values.set(ReferenceLogProbs.key(it.prompt, it.response), logps[i]));
  }

  get size(): number {
    return this.values.size;
  }
}
