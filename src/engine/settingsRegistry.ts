// One record per setting of the training stages, the samples, the pairs and the reward model (the
// RL stage's are in rlSettingsRegistry.ts): default, range or choices, label, help, link key and
// TRL name, in one place (settingRecord.ts says what a record holds). Everything else reads them:
// the worker starts from the defaults and checks against the records, a link leaves out what equals
// a default, and the forms draw one field per record. No TensorFlow.js is imported here.

import type { PresetName } from '../model/config';
import type { BuiltInScenarioId } from '../data/types';
import { defaultsOf, type Registry } from './settingRecord';
import type { Acquisition, PairSettings, RewardSettings, SampleSettings, TrainSettings } from './settingRanges';

/** The model a fresh page builds: the built-in scenario, the model size and the seed of everything random. */
export const MODEL_DEFAULTS: { scenario: BuiltInScenarioId; preset: PresetName; seed: number } = {
  scenario: 'reviews',
  preset: 'small',
  seed: 1,
};

/** The records of a training stage (pretraining or fine-tuning), with that stage's defaults and link prefix. */
function trainRecords<const P extends string>(link: P, d: TrainSettings) {
  return {
    learningRate: {
      kind: 'number',
      default: d.learningRate,
      min: 0,
      max: 0.1,
      minExclusive: true,
      exponent: true,
      label: 'Learning rate',
      help: 'The peak step size, reached after the warmup; a cosine schedule then lowers it.',
      link: `${link}Lr`,
      trl: 'learning_rate',
      section: 'main',
    },
    batchSize: {
      kind: 'number',
      default: d.batchSize,
      min: 1,
      max: 64,
      integer: true,
      label: 'Batch size',
      help: 'Sequences per step: more gives a steadier gradient and a slower step.',
      link: `${link}Batch`,
      trl: 'per_device_train_batch_size',
      section: 'main',
    },
    warmupSteps: {
      kind: 'number',
      default: d.warmupSteps,
      min: 0,
      max: 100_000,
      integer: true,
      unit: 'steps',
      label: 'Warmup steps',
      help: 'Steps over which the learning rate climbs from 0 to its peak.',
      link: `${link}Warmup`,
      trl: 'warmup_steps',
      section: 'more',
    },
    totalSteps: {
      kind: 'number',
      default: d.totalSteps,
      min: 1,
      max: 1_000_000,
      integer: true,
      unit: 'steps',
      label: 'Schedule length',
      help: 'Steps after which the cosine schedule has brought the learning rate down to its floor.',
      link: `${link}Steps`,
      trl: 'max_steps',
      section: 'more',
    },
    weightDecay: {
      kind: 'number',
      default: d.weightDecay,
      min: 0,
      max: 1,
      label: 'Weight decay',
      help: 'How strongly AdamW shrinks the weights towards 0 each step (decoupled from the gradient).',
      link: `${link}Wd`,
      trl: 'weight_decay',
      section: 'more',
    },
    gradClip: {
      kind: 'number',
      default: d.gradClip,
      min: 0,
      max: 100,
      label: 'Gradient clip',
      help: 'The largest length (global L2 norm) a gradient may have; a longer one is scaled down.',
      link: `${link}Clip`,
      trl: 'max_grad_norm',
      section: 'more',
    },
  } as const satisfies Registry<TrainSettings>;
}

/** Pretraining and fine-tuning: a cosine schedule after a short warmup, decoupled weight decay. */
export const TRAIN_SETTINGS = {
  pretrain: trainRecords('pt', {
    learningRate: 3e-3,
    batchSize: 16,
    warmupSteps: 20,
    totalSteps: 2000,
    weightDecay: 0.1,
    gradClip: 1,
  }),
  sft: trainRecords('sft', {
    learningRate: 1e-3,
    batchSize: 16,
    warmupSteps: 10,
    totalSteps: 500,
    weightDecay: 0.1,
    gradClip: 1,
  }),
} as const;

/** The sample completions under each stage: plain sampling, no top-k filter. */
export const SAMPLE_SETTINGS = {
  temperature: {
    kind: 'number',
    default: 1,
    min: 0.1,
    max: 2,
    label: 'Temperature',
    help: 'Low: safe and repetitive; high: varied and odd.',
    link: 'temp',
    trl: 'temperature',
    section: 'sampling',
  },
  topK: {
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    integer: true,
    label: 'Top-k',
    help: 'Keep only the k likeliest tokens (0 keeps them all).',
    link: 'topk',
    trl: 'top_k',
    section: 'sampling',
  },
} as const satisfies Registry<SampleSettings>;

/** How the next pair to judge is picked from freshly sampled candidates. */
const ACQUISITION_CHOICES = [
  { id: 'random', label: 'Random pairs' },
  { id: 'uncertain', label: 'Least sure (P closest to 0.5)' },
  { id: 'ensemble', label: 'Ensemble disagreement' },
] as const satisfies readonly { id: Acquisition; label: string }[];

/** How pairs are made: a careful side and an adventurous side, picked at random. */
export const PAIR_SETTINGS = {
  temperatureLeft: {
    kind: 'number',
    default: 0.8,
    min: 0.1,
    max: 2,
    label: 'Left temperature',
    help: 'The sampling temperature of the left answer of each pair.',
    link: 'pairTempL',
    section: 'sampling',
  },
  temperatureRight: {
    kind: 'number',
    default: 1.2,
    min: 0.1,
    max: 2,
    label: 'Right temperature',
    help: 'The sampling temperature of the right answer of each pair.',
    link: 'pairTempR',
    section: 'sampling',
  },
  rankK: {
    kind: 'number',
    default: 4,
    min: 3,
    max: 6,
    integer: true,
    label: 'Completions per ranking',
    help: 'How many answers ranking mode asks you to put in order (each ranking gives k(k-1)/2 pairs).',
    link: 'rankK',
    section: 'sampling',
  },
  acquisition: {
    kind: 'choice',
    default: 'random',
    choices: ACQUISITION_CHOICES,
    label: 'Which pair to ask about',
    noun: 'way to pick pairs',
    help: 'Random pairs, or the pairs the reward model is least sure of, or those its ensemble disagrees on.',
    link: 'acq',
    section: 'acquisition',
  },
} as const satisfies Registry<PairSettings>;

/**
 * The reward stage. Labels given one at a time train 4 steps each, so by 100 clicks the first ones have been seen over
 * a hundred times: at a learning rate of 1e-3 the model fitted the labeler's noise and gold agreement fell from 0.96
 * after 30 clicks to 0.84 after 100 (seed 1); at 3e-4 it reached 0.70-1.00 after 30 and 0.83-1.00 after 100 (seeds
 * 1-10, "Positive", the README's table).
 */
export const REWARD_SETTINGS = {
  learningRate: {
    kind: 'number',
    default: 3e-4,
    min: 0,
    max: 0.1,
    minExclusive: true,
    exponent: true,
    label: 'Reward learning rate',
    help: "The reward model's step size.",
    link: 'rmLr',
    trl: 'learning_rate',
    section: 'optimiser',
  },
  batchSize: {
    kind: 'number',
    default: 8,
    min: 1,
    max: 64,
    integer: true,
    unit: 'pairs',
    label: 'Reward batch size',
    help: 'Labelled pairs per step.',
    link: 'rmBatch',
    trl: 'per_device_train_batch_size',
    section: 'optimiser',
  },
  epochs: {
    kind: 'number',
    default: 3,
    min: 1,
    max: 50,
    integer: true,
    label: 'Epochs',
    help: 'Passes over every training label that "Train on all labels" runs.',
    link: 'rmEpochs',
    trl: 'num_train_epochs',
    section: 'optimiser',
  },
  margin: {
    kind: 'number',
    default: 0,
    min: 0,
    max: 5,
    label: 'Margin',
    help: 'How far ahead the chosen answer must score before a pair stops pushing the model.',
    link: 'rmMargin',
    section: 'loss',
  },
  centering: {
    kind: 'number',
    default: 0.01,
    min: 0,
    max: 1,
    label: 'Centring coefficient',
    help: 'c in c · mean((r_chosen + r_rejected)²): keeps the scores near 0.',
    link: 'rmCenter',
    trl: 'center_rewards_coefficient',
    section: 'loss',
  },
  ties: {
    kind: 'choice',
    default: 'half',
    choices: [
      { id: 'half', label: 'Ties count as half a win' },
      { id: 'drop', label: 'Leave ties out' },
    ],
    label: 'Ties',
    noun: 'way to count ties',
    help: 'Whether a "both equally good" label trains as half a win each way or is left out.',
    link: 'ties',
    section: 'loss',
  },
  ratingLoss: {
    kind: 'choice',
    default: 'pairs',
    choices: [
      { id: 'pairs', label: 'Ratings make pairs (the gap sets a margin)' },
      { id: 'pointwise', label: 'Each rating is a target for its answer' },
    ],
    label: 'Ratings',
    noun: 'way to learn from ratings',
    help:
      'Pairs: two answers to one prompt with different ratings train like a compared pair, the bigger the gap the ' +
      'bigger the margin (as Llama 2 does). Target: sigmoid(reward) is pulled toward the rating itself.',
    link: 'ratingLoss',
    section: 'loss',
  },
  learnOnLabel: {
    kind: 'flag',
    default: true,
    label: 'Learn as labels arrive (a few steps after each label)',
    help: 'Off: labels are only saved, and the model learns when you press a train button.',
    link: 'learnOnLabel',
    section: 'loss',
  },
} as const satisfies Registry<RewardSettings>;

/** Every stage's starting settings, read from the records. */
export const TRAIN_DEFAULTS: Record<'pretrain' | 'sft', TrainSettings> = {
  pretrain: defaultsOf<TrainSettings>(TRAIN_SETTINGS.pretrain),
  sft: defaultsOf<TrainSettings>(TRAIN_SETTINGS.sft),
};
export const SAMPLE_DEFAULTS: SampleSettings = defaultsOf<SampleSettings>(SAMPLE_SETTINGS);
export const PAIR_DEFAULTS: PairSettings = defaultsOf<PairSettings>(PAIR_SETTINGS);
export const REWARD_DEFAULTS: RewardSettings = defaultsOf<RewardSettings>(REWARD_SETTINGS);
/** The ways to pick a pair, as the pair form lists them. */
export const ACQUISITIONS = PAIR_SETTINGS.acquisition.choices;
