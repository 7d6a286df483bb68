// "Fine-tune on my demonstrations": the supervised stage learns from the person's demonstrations
// added to the scenario's own (about a quarter of the rows drawn are theirs, see sftExamples), for
// a set number of steps, each shown on the fine-tuning chart as any step is. Before and after, the
// model's loss on their demonstrations is measured on one fixed batch, so the page can say how much
// closer the model came to writing what they wrote. Pause stops it between steps.

import { demonstrationExamples } from '../data/demonstrations';
import { sftExamples } from './lmTrainer';
import { checkRange, DEMONSTRATION_STEPS } from './protocol';
import type { PlaygroundState } from './playgroundState';
import type { TrainingLoops } from './trainingLoops';

export async function fineTuneOnDemonstrations(
  pg: PlaygroundState,
  loops: TrainingLoops,
  steps: number,
): Promise<void> {
  const problem = checkRange(steps, DEMONSTRATION_STEPS);
  if (problem) throw new Error(problem);
  const own = demonstrationExamples(pg.prefs().demonstrations.list);
  if (own.length === 0) throw new Error('Write a demonstration (or keep a correction as one) first.');
  const { trainer } = pg.stage('sft');
  trainer.useExamples(sftExamples(pg.data, own).train);
  const theirs = trainer.fixedBatch(own);
  const before = await trainer.meanLoss(theirs);
  pg.running = 'sft'; // Pause (which stops the running loop) ends it between steps
  pg.emitStage('sft');
  let done = 0;
  try {
    while (done < steps && pg.running === 'sft') {
      await loops.trainOnce('sft');
      done += 1;
    }
  } finally {
    pg.running = null;
    pg.emitStage('sft');
  }
  const after = await trainer.meanLoss(theirs);
  pg.deps.emit({ type: 'demonstrationFit', fit: { steps: done, demonstrations: own.length, before, after } });
  await pg.emitSamples('sft');
}
