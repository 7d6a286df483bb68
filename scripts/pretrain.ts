// npm run pretrain — regenerates the shipped checkpoints in public/checkpoints/ from a fixed seed,
// with the same model and training code the browser uses, on the fastest backend Node has here
// (wasm; cpu as a fallback). For each built-in scenario and preset it pretrains on the corpus,
// then fine-tunes a copy on the demonstrations, and writes both.
//
//   npm run pretrain                     all scenarios, presets tiny and small
//   npm run pretrain -- reviews small    one scenario / preset

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { configFor, type PresetName } from '../src/model/config';
import { GPT } from '../src/model/model';
import { encodeCheckpoint } from '../src/model/checkpoint';
import { stageTrainer, TRAIN_DEFAULTS } from '../src/engine/lmTrainer';
import { DATA_SEED, shippedName, spreadPrompts } from '../src/engine/playground';
import { loadScenario } from '../src/data/scenarios';
import type { BuiltInScenarioId } from '../src/data/scenarios/list';
import { encodePrompt } from '../src/data/sequences';
import { sample } from '../src/model/sample';
import { EOS } from '../src/data/types';

const MODEL_SEED = 1;
const STEPS: Record<PresetName, { pretrain: number; sft: number }> = {
  tiny: { pretrain: 600, sft: 150 },
  small: { pretrain: 1500, sft: 300 },
  medium: { pretrain: 3000, sft: 500 },
};

async function trainStage(model: GPT, stage: 'pretrain' | 'sft', scenario: BuiltInScenarioId, steps: number) {
  const data = loadScenario(scenario, DATA_SEED);
  const trainer = stageTrainer(model, data, stage, { ...TRAIN_DEFAULTS[stage], totalSteps: steps }, MODEL_SEED);
  const started = performance.now();
  for (let i = 1; i <= steps; i++) {
    const r = await trainer.trainStep();
    if (i % 100 === 0 || i === steps) {
      const held = await trainer.heldOutLoss();
      console.log(
        `  ${stage} step ${i}/${steps}: train loss ${r.loss.toFixed(3)}, held-out ${held.toFixed(3)}, ` +
          `${((performance.now() - started) / i).toFixed(0)} ms/step`,
      );
    }
  }
  trainer.dispose();
  const bytes = encodeCheckpoint({
    config: model.config,
    tokenizer: data.tokenizer.spec,
    weights: await model.read(),
    meta: { scenario, stage, step: steps, createdAt: 'npm run pretrain' },
  });
  // Show what the model now says, as a sanity check.
  const prompts = spreadPrompts(data.prompts, 4);
  const encoded = prompts.map((p) => encodePrompt(data.tokenizer, p));
  const room = model.config.contextLength - Math.max(...encoded.map((e) => e.length));
  const out = await sample(model, encoded, { maxNewTokens: Math.min(16, room), temperature: 1, topK: 0, seed: 5 });
  prompts.forEach((p, i) =>
    console.log(`    ${p} -> ${data.tokenizer.decode(out.tokens[i].filter((t) => t !== EOS))}`),
  );
  return bytes;
}

async function main() {
  const [onlyScenario, onlyPreset] = process.argv.slice(2);
  const backend = (await tf.setBackend('wasm')) ? 'wasm' : (await tf.setBackend('cpu'), 'cpu');
  await tf.ready();
  console.log(`backend: ${backend}`);
  mkdirSync('public/checkpoints', { recursive: true });
  const scenarios: BuiltInScenarioId[] = onlyScenario ? [onlyScenario as BuiltInScenarioId] : ['reviews', 'assistant'];
  const presets: PresetName[] = onlyPreset ? [onlyPreset as PresetName] : ['tiny', 'small'];
  for (const scenario of scenarios) {
    for (const preset of presets) {
      const data = loadScenario(scenario, DATA_SEED);
      const model = GPT.random(configFor(preset, data.tokenizer.vocabSize), MODEL_SEED);
      console.log(`${scenario} / ${preset}: ${model.paramCount} parameters, vocabulary ${data.tokenizer.vocabSize}`);
      const pre = await trainStage(model, 'pretrain', scenario, STEPS[preset].pretrain);
      writeFileSync(`public/checkpoints/${shippedName(scenario, preset, 'pretrain')}`, pre);
      const sft = await trainStage(model, 'sft', scenario, STEPS[preset].sft);
      writeFileSync(`public/checkpoints/${shippedName(scenario, preset, 'sft')}`, sft);
      model.dispose();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
