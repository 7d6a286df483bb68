// What the person is asked to judge: pairs (or rankings) of completions of the scenario's prompts,
// sampled ahead in batches so the next one is ready before the person has finished reading. A pair
// already judged, or already on offer, is never offered again.

import type { GPT } from '../model/model';
import { answerRoom, sample } from '../model/sample';
import { completionText, encodePrompt } from '../data/sequences';
import type { ScenarioData } from '../data/types';
import { newId, pairKey } from '../data/preferences';
import { mulberry32, pickMany } from '../data/random';
import { mostDisagreed, mostUncertain } from '../rlhf/acquisition';
import type { RewardSession } from './rewardSession';
import type { PairSettings, PairToLabel, RankingToLabel } from './protocol';

/** Pairs kept sampled ahead; with an acquisition rule they are the candidates it chooses from. */
const PAIRS_AHEAD = 4;
const CANDIDATES = 8;
/** The longest completion asked for, and the room always left for one (a long prompt loses its start). */
export const MAX_ANSWER_TOKENS = 24;
const MIN_ANSWER_TOKENS = 8;
/** Pairs on offer at once: the one on screen and the page's queue behind it. */
const MAX_OFFERED = 8;
const ATTEMPTS = 4;

/** Re-exported from settingsRegistry.ts, the one home of every default. */
export { PAIR_DEFAULTS } from './settingsRegistry';

export class PairSampler {
  private ahead: PairToLabel[] = [];
  private offered = new Map<string, PairToLabel>();

  constructor(
    private data: ScenarioData,
    private reward: RewardSession,
    private settings: () => PairSettings,
    /** True when a pair with this key (see pairKey) has been judged already. */
    private judged: (key: string) => boolean,
    /** Where pairs come from: the fine-tuned model, then the RL policy once RL has started (live mode). */
    public source: () => GPT,
    private seed: number,
  ) {}

  /** A sampler of the same pairs' kind from its own seed and `model`, for which nothing counts as judged. */
  withOwnSeed(seed: number, model: GPT): PairSampler {
    return new PairSampler(
      this.data,
      this.reward,
      this.settings,
      () => false,
      () => model,
      seed,
    );
  }

  /** The model's completions of `n` prompts drawn with their own seed, at temperature 1 (the reward's yardstick). */
  async referenceCompletions(n: number, seed: number, model: GPT): Promise<{ prompt: string; response: string }[]> {
    const rand = mulberry32(seed);
    const prompts = pickMany(rand, this.data.prompts, n);
    const [texts] = await this.complete(prompts, [1], model);
    return prompts.map((prompt, i) => ({ prompt, response: texts[i] }));
  }

  /** Completes each prompt once per temperature, every row in one batched sampling call (a row's own temperature). */
  async complete(prompts: string[], temperatures: number[], model = this.source()): Promise<string[][]> {
    const keep = model.config.contextLength - MIN_ANSWER_TOKENS;
    const encoded = prompts.map((p) => encodePrompt(this.data.tokenizer, p).slice(-keep));
    const rows = temperatures.flatMap(() => encoded);
    const seed = this.seed;
    this.seed += temperatures.length; // the stream moves on as it did when each temperature was its own call
    const r = await sample(model, rows, {
      maxNewTokens: answerRoom(model, rows, MAX_ANSWER_TOKENS),
      temperature: temperatures.flatMap((t) => encoded.map(() => t)),
      topK: 0,
      seed,
    });
    const texts = r.tokens.map((t) => completionText(this.data.tokenizer, t));
    return temperatures.map((_, i) => texts.slice(i * encoded.length, (i + 1) * encoded.length));
  }

  /** A seed from the sampler's stream, for work that goes with sampling (a simulated labeler's draws). */
  nextSeed(): number {
    return this.seed++;
  }

  randomPrompts(count: number): string[] {
    const rand = mulberry32(this.seed++);
    return pickMany(rand, this.data.prompts, count);
  }

  /** `count` pairs: each prompt completed once at the left temperature and once at the right. */
  async samplePairs(count: number): Promise<PairToLabel[]> {
    const prompts = this.randomPrompts(count);
    const { temperatureLeft, temperatureRight } = this.settings();
    const [left, right] = await this.complete(prompts, [temperatureLeft, temperatureRight]);
    return prompts.map((prompt, i) => ({ id: newId(), prompt, left: left[i], right: right[i] }));
  }

  /** Tops the queue up to `wanted` pairs nobody has judged or been offered (a few batches at most). */
  private async fill(wanted: number): Promise<void> {
    const seen = new Set([...this.ahead, ...this.offered.values()].map((p) => pairKey(p.prompt, p.left, p.right)));
    for (let attempt = 0; attempt < ATTEMPTS && this.ahead.length < wanted; attempt++) {
      for (const pair of await this.samplePairs(wanted - this.ahead.length)) {
        const key = pairKey(pair.prompt, pair.left, pair.right);
        if (this.judged(key) || seen.has(key)) continue;
        seen.add(key);
        this.ahead.push(pair);
      }
    }
  }

  /** Which waiting candidate to offer: the first, or the one the acquisition rule picks. */
  private async pick(): Promise<number> {
    const rule = this.settings().acquisition;
    if (rule === 'random' || this.reward.step === 0) return 0;
    const p = await this.reward.ensembleProbabilities(this.ahead);
    return rule === 'uncertain' ? mostUncertain(p[0]) : mostDisagreed(p);
  }

  /** The next pair to offer; the queue is refilled so the one after is already waiting. */
  async next(): Promise<PairToLabel> {
    const wanted = this.settings().acquisition === 'random' ? PAIRS_AHEAD : CANDIDATES;
    if (this.ahead.length < wanted) await this.fill(wanted);
    if (this.ahead.length === 0) {
      throw new Error(
        'the model keeps writing pairs that were judged already; raise the temperatures for more varied answers',
      );
    }
    const [pair] = this.ahead.splice(await this.pick(), 1);
    this.offered.set(pair.id, pair);
    while (this.offered.size > MAX_OFFERED) this.offered.delete(this.offered.keys().next().value!);
    if (this.ahead.length < wanted / 2) await this.fill(wanted);
    return pair;
  }

  /** A pair is judged (or the person moved on): it leaves the offer. */
  settle(key: string): void {
    for (const [id, p] of this.offered) if (pairKey(p.prompt, p.left, p.right) === key) this.offered.delete(id);
    this.ahead = this.ahead.filter((p) => pairKey(p.prompt, p.left, p.right) !== key);
  }

  /** Drops the pairs sampled ahead (new temperatures, new dataset). */
  discard(): void {
    this.ahead = [];
  }

  /** `k` temperatures spread evenly from the left setting to the right one. */
  private spreadTemperatures(k: number): number[] {
    const { temperatureLeft: lo, temperatureRight: hi } = this.settings();
    return Array.from({ length: k }, (_, i) => (k === 1 ? lo : lo + ((hi - lo) * i) / (k - 1)));
  }

  /** `count` random prompts, each completed `k` times at the spread temperatures (in one batched call): answers to rate. */
  async answerGroups(count: number, k: number): Promise<RankingToLabel[]> {
    const prompts = this.randomPrompts(count);
    const texts = await this.complete(prompts, this.spreadTemperatures(k));
    return prompts.map((prompt, i) => ({ id: newId(), prompt, completions: texts.map((column) => column[i]) }));
  }

  /** K completions of one prompt, at temperatures spread from the left to the right setting, all different. */
  async nextRanking(): Promise<RankingToLabel> {
    const k = this.settings().rankK;
    const temperatures = this.spreadTemperatures(k);
    const prompt = this.randomPrompts(1)[0];
    const distinct = new Set<string>();
    for (let attempt = 0; attempt < 3 && distinct.size < k; attempt++) {
      for (const [text] of await this.complete([prompt], temperatures)) distinct.add(text);
    }
    if (distinct.size < k)
      throw new Error(
        `the model gave only ${distinct.size} different completions of "${prompt}"; raise the temperatures or rank fewer`,
      );
    return { id: newId(), prompt, completions: [...distinct].slice(0, k) };
  }
}
