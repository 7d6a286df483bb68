// The demonstrations of one scenario inside the worker: answers a person wrote, or kept from a
// correction (the page saves them in the store itself and then tells the worker, as with pairs).
// Simulated annotators correct the model's answers here: each correction is a comparison (the edit
// preferred) and a demonstration, saved chunk by chunk and undone together. The fine-tuning stage
// learns from the list (demonstrationTuning.ts).

import type { BuiltInScenarioId, ScenarioData } from '../data/types';
import type { LabelerSpec } from '../data/labelers';
import type { Comparison } from '../data/preferences';
import type { DemonstrationStore } from '../data/preferenceStore';
import { correction, correctionSentences, simulatedCorrection, type Demonstration } from '../data/demonstrations';
import { demonstrationsFile, importDemonstrations } from '../data/demonstrationIO';
import type { WorkerEvent } from './protocol';
import { labelInChunks, nextUndoOrder, type ChunkedLabelling, type LabelDataset } from './labelDataset';
import { LabelKindSession, type LabelKind } from './labelKindSession';

/** Demonstrations as a kind of label: what one says, its events and its file (TRL prompt-completion JSONL). */
const DEMONSTRATIONS: LabelKind<Demonstration> = {
  noun: 'demonstration',
  contents: (d) => d.completion,
  judgedKey: (d) => `${d.prompt}\u0000${d.completion}`,
  sameKey: (d) => [d.prompt, d.completion, d.annotator].join('\u0000'),
  listEvent: (demonstrations) => ({ type: 'demonstrations', demonstrations }),
  fileEvent: (list, scenario) => ({ type: 'demonstrationsFile', ...demonstrationsFile(list, scenario) }),
  read(text, data) {
    const result = importDemonstrations(text, { scenario: data.id, tokenizer: data.tokenizer });
    return result.ok ? { ok: true, labels: result.demonstrations, warnings: result.warnings } : result;
  },
};

/** A simulated annotator correcting answers: who, in which scenario, and where the answers come from. */
export interface SimulatedCorrector {
  spec: LabelerSpec;
  scenario: BuiltInScenarioId;
  /** `n` fresh answers of the model, each to its own prompt. */
  answers(n: number): Promise<{ prompt: string; completion: string }[]>;
}

/** Where the corrections' comparisons go: the comparison store and dataset of the preference session. */
export interface CorrectionPairs {
  store: { add(list: readonly Comparison[]): Promise<void> };
  dataset: LabelDataset<Comparison>;
  /** Called after each chunk is saved (the page is sent the comparisons). */
  saved(): void;
}

export class DemonstrationSession extends LabelKindSession<Demonstration> {
  /** The sentences simulated annotators edit with, per labeler and prompt (see correctionSentences). */
  private sentences = new Map<string, string[]>();

  constructor(data: ScenarioData, store: DemonstrationStore, emit: (e: WorkerEvent) => void) {
    super(data, store, emit, DEMONSTRATIONS);
  }

  /**
   * A simulated annotator corrects `count` fresh answers (simulatedCorrection: the sentence edits that raise its gold
   * value most). An answer it cannot improve is left alone. Each correction is saved as a comparison and a demonstration,
   * chunk by chunk; the whole job is one undo. Returns the new comparisons' ids.
   */
  async autoCorrect(
    corrector: SimulatedCorrector,
    job: Omit<ChunkedLabelling<Demonstration>, 'chunk' | 'save'>,
    pairs: CorrectionPairs,
  ): Promise<string[]> {
    const { spec, scenario } = corrector;
    const candidates = (prompt: string) => {
      const key = `${JSON.stringify(spec)}\u0000${prompt}`;
      if (!this.sentences.has(key))
        this.sentences.set(key, correctionSentences(spec, scenario, prompt, this.data.demonstrations));
      return this.sentences.get(key)!;
    };
    const createdAt = Date.now(); // one time stamp for the batch: undo after a reload takes it back whole
    const comparisonIds: string[] = [];
    const ids = await labelInChunks<Demonstration>({
      ...job,
      chunk: async (n) => {
        const made = (await corrector.answers(n)).flatMap(({ prompt, completion }) => {
          const edited = simulatedCorrection(spec, scenario, prompt, completion, candidates(prompt));
          if (edited === completion) return [];
          return [correction({ prompt, original: completion, edited }, this.data.id, true, spec.id, createdAt)];
        });
        const comparisons = made.map((m) => m.comparison);
        await pairs.store.add(comparisons);
        pairs.dataset.append(comparisons);
        comparisonIds.push(...comparisons.map((c) => c.id));
        pairs.saved();
        return made.map((m) => m.demonstration!);
      },
      save: (made) => this.saveMade(made),
    });
    const order = nextUndoOrder();
    pairs.dataset.pushUndo(comparisonIds, order);
    this.dataset.pushUndo(ids, order);
    return comparisonIds;
  }
}
