import { describe, expect, test } from 'vitest';
import { SCHEMA, parseHash, toHash, type UrlSettings } from '../../src/ui/urlState';

/** A value different from its default for every setting (TypeScript insists on every key). */
const CHANGED: UrlSettings = {
  scenario: 'assistant',
  size: 'tiny',
  seed: 424242,
  temp: 0.7,
  topk: 12,
  ptLr: 0.0012345,
  ptBatch: 8,
  ptWarmup: 5,
  ptSteps: 900,
  ptWd: 0.05,
  ptClip: 2.5,
  sftLr: 5e-4,
  sftBatch: 32,
  sftWarmup: 0,
  sftSteps: 1234,
  sftWd: 0,
  sftClip: 0.5,
  pairTempL: 0.3,
  pairTempR: 1.9,
  rankK: 6,
  acq: 'ensemble',
  rmLr: 2.5e-4,
  rmBatch: 16,
  rmEpochs: 7,
  rmMargin: 0.25,
  rmCenter: 0,
  ties: 'drop',
  ratingLoss: 'pointwise',
  learnOnLabel: false,
  gold: 'helpful-harmless',
  panel: ['harmless', 'helpful'],
  algo: 'grpo',
  group: 8,
  lr: 1e-5,
  beta: 0.123456789,
  klEst: 'k3',
  adaptiveKl: true,
  targetKl: 6,
  klHorizon: 10000,
  clip: 0.1,
  clipV: 0.4,
  vf: 0.5,
  gamma: 0.99,
  lambda: 0.9,
  epochs: 2,
  minibatches: 4,
  batch: 32,
  respLen: 24,
  rlTemp: 0.9,
  entropy: 0.01,
  eosPenalty: 1.5,
  whiten: true,
  valueInit: 'policy',
  ilqlTau: 0.9,
  ilqlCql: 0.5,
  ilqlAwac: 0.25,
  ilqlAlpha: 0.005,
  ilqlBeta: 2,
  ilqlSteps: 3,
  stages: ['preferences', 'rl'],
  hide: ['settings', 'advanced'],
  lecture: true,
  preset: 'ppo-vs-dpo',
};

const without = (key: string) => Object.fromEntries(Object.entries(CHANGED).filter(([k]) => k !== key));
/** CHANGED's hash with one value's text replaced. */
const withRaw = (key: string, text: string) =>
  toHash(CHANGED).replace(new RegExp(`([#&]${key}=)[^&]*`), (_, head: string) => head + text);

describe('link schema', () => {
  test('every key is unique and every entry has a default', () => {
    expect(new Set(SCHEMA.map((e) => e.key)).size).toBe(SCHEMA.length);
    expect(Object.keys(CHANGED).sort()).toEqual(SCHEMA.map((e) => e.key).sort());
  });

  test('defaults give an empty hash, and an empty hash gives nothing', () => {
    const defaults = Object.fromEntries(SCHEMA.map((e) => [e.key, e.default])) as unknown as Partial<UrlSettings>;
    expect(toHash(defaults)).toBe('');
    expect(toHash({})).toBe('');
    expect(parseHash('')).toEqual({ values: {}, problems: [] });
    expect(parseHash('#')).toEqual({ values: {}, problems: [] });
  });

  test('every setting survives a round trip exactly', () => {
    const hash = toHash(CHANGED);
    expect(hash.startsWith('#')).toBe(true);
    const { values, problems } = parseHash(hash);
    expect(problems).toEqual([]);
    expect(values).toEqual({ ...CHANGED, stages: ['preferences', 'rl'], hide: ['settings', 'advanced'] });
    // One setting at a time too: only that key is written.
    for (const [key, value] of Object.entries(CHANGED)) {
      const one = {
        [key]: value,
        ...(key === 'gold' || key === 'panel' ? { scenario: 'assistant' } : {}),
      } as Partial<UrlSettings>;
      expect(parseHash(toHash(one)).values, key).toEqual(one);
    }
  });

  test('writes readable links', () => {
    expect(toHash({ scenario: 'assistant', beta: 0.5, lecture: true })).toBe('#scenario=assistant&beta=0.5&lecture=1');
    expect(toHash({ panel: ['positive', 'long-fan'] })).toBe('#panel=positive,long-fan');
  });

  const BAD: [key: string, text: string, says: string][] = [
    ['size', 'huge', 'not one of tiny, small, medium'],
    ['seed', '0', 'Seed must be a whole number from 1 to 1000000 (got 0)'],
    ['seed', '1.5', 'whole number'],
    ['seed', '1000001', 'got 1000001'],
    ['temp', 'abc', '"abc" is not a number'],
    ['temp', '', '"" is not a number'],
    ['temp', 'Infinity', 'not a number'],
    ['temp', '0x10', 'not a number'],
    ['temp', '1e400', 'got Infinity'],
    ['temp', '0.05', 'Temperature must be a number from 0.1 to 2 (got 0.05)'],
    ['topk', '-1', 'got -1'],
    ['topk', '2.5', 'whole number'],
    ['beta', 'zzz', 'not a number'],
    ['beta', '11', 'KL coefficient β must be a number from 0 to 10 (got 11)'],
    ['lr', '0', 'above 0'],
    ['acq', 'smart', 'not one of random, uncertain, ensemble'],
    ['ties', 'maybe', 'not one of half, drop'],
    ['learnOnLabel', 'yes', 'not on or off'],
    ['gold', 'positive', "assistant scenario's labelers"],
    ['gold', 'custom', 'not one of helpful'],
    ['gold', 'helpful,harmless', 'exactly one'],
    ['panel', 'helpful,nobody', '"nobody" is not one of'],
    ['algo', 'sac', 'not one of ppo'],
    ['stages', '', 'at least 1'],
    ['stages', 'pretrain,judge', '"judge"'],
    ['hide', 'everything', '"everything" is not one of settings'],
    ['lecture', '2', 'not on or off'],
    ['preset', 'eval', 'not one of reward-hacking'],
  ];

  test.each(BAD)('rejects %s=%s alone and keeps every other setting', (key, text, says) => {
    const { values, problems } = parseHash(withRaw(key, encodeURIComponent(text)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`"${key}"`);
    expect(problems[0]).toContain(says);
    expect(problems[0]).toContain('the default was used');
    expect(values).toEqual(without(key));
  });

  test('a bad scenario is rejected, and labelers are then checked against the default scenario', () => {
    for (const raw of [encodeURIComponent('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>']) {
      const { values, problems } = parseHash(`#scenario=${raw}&gold=positive&beta=0.3`);
      expect(values).toEqual({ gold: 'positive', beta: 0.3 });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('"scenario"');
      expect(problems[0]).toContain('not one of reviews, assistant');
    }
  });

  test('unknown keys, repeated keys and broken percent-encoding are dropped with a sentence each', () => {
    const { values, problems } = parseHash('#beta=0.5&evil=%3Cscript%3E&temp=%E0%A4%A&%E0%A4%A=1&beta=2&lecture');
    expect(values).toEqual({ beta: 0.5, lecture: true });
    expect(problems).toEqual([
      '"evil" is not a setting the playground knows; it was ignored.',
      '"temp": the value is not valid percent-encoding.',
      'The setting name "%E0%A4%A" is not valid percent-encoding.',
      '"beta" is given more than once; the first value was kept.',
    ]);
  });

  test('never throws, whatever the hash holds', () => {
    const chars = [
      '%',
      '&',
      '=',
      '#',
      ',',
      'a',
      '1',
      '.',
      'e',
      '-',
      '+',
      '%E0',
      '%2',
      'beta',
      'stages',
      'gold',
      '\u0000',
      '\uD800',
    ];
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const hash = Array.from(
        { length: 1 + Math.floor(rand() * 12) },
        () => chars[Math.floor(rand() * chars.length)],
      ).join('');
      expect(() => parseHash(hash)).not.toThrow();
    }
  });
});
