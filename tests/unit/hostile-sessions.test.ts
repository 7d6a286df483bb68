// Session files crafted to pass the checksum (an unkeyed FNV-1a anyone can recompute) with contents
// of the wrong type or size. Each is refused with a clear message before anything is stored or
// applied; comparisons are held to the preference import's own rules, chart histories point by point.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { disposePlaygrounds, memorySessions, memoryComparisons, start } from './harness';
import { emptyUi } from '../../src/engine/sessions';
import { decodeSession, encodeSession, type SessionUi } from '../../src/engine/sessionFile';
import { encodeCheckpoint } from '../../src/model/checkpoint';
import { importPreferences, MAX_TEXT_CHARS } from '../../src/data/preferenceIO';
import { scenarioTokenizer } from '../../src/data/scenarios';

afterEach(disposePlaygrounds);

const init = { type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 } as const;
const metric = { step: 1, trainLoss: 2.5, heldoutLoss: null, tokensPerSecond: 900, learningRate: 0.001, msPerStep: 12 };
const ui: SessionUi = {
  ...emptyUi(),
  metrics: { pretrain: [metric, { ...metric, step: 2, heldoutLoss: 2.4 }], sft: [] },
  rewardMetrics: [{ step: 4, labels: 3, trainLoss: 0.6, heldoutLoss: null, heldoutAccuracy: null, heldoutCount: 0 }],
  acquisitionCurve: [{ strategy: 'random', labels: 10, accuracy: 0.5 }],
};

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let good: ArrayBuffer;
/** The good session with its description edited as raw JSON, then re-signed (so only the contents are wrong). */
function edited(edit: (d: Raw) => void, source: ArrayBuffer = good): ArrayBuffer {
  const s = decodeSession(source);
  const d = JSON.parse(JSON.stringify(s.data)) as Raw;
  edit(d);
  const ckpt = s.checkpoints as Record<string, Parameters<typeof encodeCheckpoint>[0] | undefined>;
  // Every listed name gets bytes (an unknown name gets a checkpoint too, so that only the name is wrong).
  const file = (k: string) => encodeCheckpoint(Object.hasOwn(ckpt, k) ? ckpt[k]! : s.checkpoints.sft!);
  const files = Object.fromEntries((d.models as string[]).map((k) => [k, file(k)]));
  return encodeSession(d as never, files).buffer as ArrayBuffer;
}

beforeAll(async () => {
  const first = start(false);
  await first.send(init);
  await first.send({ type: 'autoLabel', labelerId: 'positive', count: 3 });
  await first.send({ type: 'exportSession', name: 'good', ui });
  good = first.of('sessionFile').at(-1)!.bytes;
  expect(good).toBeDefined();
  disposePlaygrounds();
}, 60_000);

describe('crafted session files through the playground', () => {
  it('"savedAt": 12345 and unusable names are refused and nothing is stored; a good file still imports', async () => {
    const sessions = memorySessions();
    const { send, of } = start(false, memoryComparisons(), sessions);
    await send(init);
    const cases: [ArrayBuffer, RegExp][] = [
      [
        edited((d) => {
          d.savedAt = 12345;
        }),
        /its time of saving \(savedAt\) is the number 12345, not a date/,
      ],
      [
        edited((d) => {
          d.name = '';
        }),
        /its name is unusable \(A session needs a name/,
      ],
      [
        edited((d) => {
          d.name = 'n'.repeat(81);
        }),
        /its name is unusable \(A session name has at most 80 characters/,
      ],
      [
        edited((d) => {
          d.name = { evil: true };
        }),
        /its name is unusable \(A session needs a name/,
      ],
      [
        edited((d) => {
          d.ui.metrics.pretrain = 'abc';
        }),
        /ui\.metrics\.pretrain is the text "abc", not a list/,
      ],
      [
        edited((d) => {
          d.comparisons[0].chosen = 'great '.repeat(400);
        }),
        /comparisons\[0\]: "chosen" is 2400 characters long; the limit is 2000/,
      ],
    ];
    for (const [bytes, why] of cases) {
      await send({ type: 'importSession', bytes, name: 'crafted.rlhfsession', ui });
      const notice = of('notice').at(-1)!;
      expect(notice.level).toBe('error');
      expect(notice.message).toMatch(/^crafted\.rlhfsession was not imported: Not a usable session file: /);
      expect(notice.message).toMatch(why);
    }
    expect(sessions.kept.size).toBe(0);
    expect(of('sessions')).toHaveLength(0);

    await send({
      type: 'importSession',
      bytes: edited((d) => {
        d.name = '  padded  ';
      }),
      name: 'ok.rlhfsession',
      ui: emptyUi(),
    });
    expect([...sessions.kept.keys()].some((k) => k === 'padded')).toBe(true);
    const restored = of('sessionRestored').at(-1)!;
    expect(restored.name).toBe('padded');
    expect(restored.ui).toEqual(ui);
    expect(of('preferences').at(-1)!.comparisons).toHaveLength(3);
  });

  it('a page history of the wrong type is refused when saving, so that no unrestorable session is stored', async () => {
    const sessions = memorySessions();
    const { send, of } = start(false, memoryComparisons(), sessions);
    await send(init);
    const bad = { ...ui, metrics: { pretrain: [{ ...metric, step: 'one' }], sft: [] } } as unknown as SessionUi;
    await send({ type: 'saveSession', name: 'bad charts', ui: bad });
    expect(of('notice').at(-1)!.message).toMatch(
      /^The session "bad charts" was not saved: its chart history ui\.metrics\.pretrain\[0\]\.step/,
    );
    expect(sessions.kept.size).toBe(0);
    await send({ type: 'saveSession', name: { not: 'a string' } as unknown as string, ui });
    expect(of('notice').at(-1)!.message).toBe('A session needs a name.');
    // An automatic name longer than the limit (before a restore) is cut in its middle, not refused.
    await send({ type: 'saveSession', name: 'x'.repeat(80), ui });
    await send({ type: 'restoreSession', name: 'x'.repeat(80), ui, fork: false });
    expect(of('notice').at(-1)!.message).toMatch(/^Restored the session/);
    for (const name of sessions.kept.keys()) expect(name.length).toBeLessThanOrEqual(80);
    expect(sessions.kept.size).toBe(2);
  });
});

describe('every field of the description is typed and length-limited', () => {
  const refused = (edit: (d: Raw) => void, why: RegExp) => expect(() => decodeSession(edited(edit))).toThrow(why);

  it('the page histories, point by point', () => {
    refused((d) => {
      d.ui = 'x';
    }, /chart histories are missing/);
    refused((d) => {
      d.ui.metrics = [1];
    }, /ui\.metrics is a list, not an object/);
    refused((d) => {
      d.ui.metrics.sft = [{ ...metric, trainLoss: 'low' }];
    }, /ui\.metrics\.sft\[0\]\.trainLoss is the text "low", not a finite number/);
    refused((d) => {
      d.ui.metrics.pretrain = [{ ...metric, msPerStep: null }];
    }, /ui\.metrics\.pretrain\[0\]\.msPerStep is null/);
    refused((d) => {
      d.ui.metrics.pretrain = [7];
    }, /ui\.metrics\.pretrain\[0\] is the number 7, not a point/);
    refused((d) => {
      d.ui.rewardMetrics = [{ ...d.ui.rewardMetrics[0], heldoutAccuracy: 'x' }];
    }, /ui\.rewardMetrics\[0\]\.heldoutAccuracy/);
    refused((d) => {
      d.ui.rlMetrics = {};
    }, /ui\.rlMetrics is an object, not a list/);
    refused((d) => {
      d.ui.rlRuns = 'runs';
    }, /ui\.rlRuns is the text "runs", not a list/);
    refused((d) => {
      d.ui.rlRuns = [{ label: 'L'.repeat(1_000_000), points: [] }];
    }, /ui\.rlRuns\[0\]\.label is a text of 1000000 characters/);
    refused((d) => {
      d.ui.rlRuns = [{ label: 'run', points: [{ iteration: 1 }] }];
    }, /ui\.rlRuns\[0\]\.points\[0\]\.objective\/kl is undefined/);
    refused((d) => {
      d.ui.rlRuns = Array.from({ length: 17 }, () => ({ label: 'r', points: [] }));
    }, /keeps 17 RL runs; the limit is 16/);
    refused((d) => {
      d.ui.acquisitionCurve = [{ strategy: 'oracle', labels: 1, accuracy: 1 }];
    }, /acquisitionCurve\[0\]\.strategy .*one of random/);
    refused((d) => {
      d.ui.acquisitionCurve = Array.from({ length: 100_001 }, () => 0);
    }, /100001 points; the limit is 100000/);
  });

  it('a good RL point and its optional DPO fields pass; unknown fields are dropped', () => {
    const point = {
      iteration: 1,
      'objective/kl': 0.1,
      'objective/entropy': 2,
      'objective/non_score_reward': -0.01,
      'objective/rlhf_reward': 0.5,
      'objective/scores': 0.5,
      'policy/approxkl_avg': 0,
      'policy/clipfrac_avg': 0,
      'loss/policy_avg': 0,
      'loss/value_avg': 0,
      'val/clipfrac_avg': 0,
      'val/ratio': 1,
      'val/ratio_var': 0,
      'val/explained_variance': 0,
      beta: 0.1,
      response_length: 5,
      gold: null,
      msPerIteration: 30,
      algorithm: 'dpo',
      'rewards/chosen': 0.2,
    };
    const s = decodeSession(
      edited((d) => {
        d.ui.rlMetrics = [{ ...point, junk: 'x'.repeat(100) }];
        d.ui.rlRuns = [{ label: 'β 0.1', points: [point] }];
      }),
    );
    expect(s.data.ui.rlMetrics).toEqual([point]);
    expect(s.data.ui.rlRuns).toEqual([{ label: 'β 0.1', points: [point] }]);
    expect(() =>
      decodeSession(
        edited((d) => {
          d.ui.rlMetrics = [{ ...point, algorithm: 'magic' }];
        }),
      ),
    ).toThrow(/algorithm .*one of ppo/);
  });

  it("the comparisons, by the preference import's own rules and words", () => {
    // The same message as a preference file with the same comparison.
    const tooLong = 'great '.repeat(MAX_TEXT_CHARS / 6 + 1).trim();
    const file = importPreferences(JSON.stringify({ prompt: 'review:', chosen: tooLong, rejected: 'bad' }), {
      scenario: 'reviews',
    });
    expect(file.ok).toBe(false);
    const why = !file.ok ? file.message.replace(/^line 1: /, '') : '';
    refused(
      (d) => {
        d.comparisons[1].chosen = tooLong;
      },
      new RegExp(`comparisons\\[1\\]: ${why.replace(/[".;]/g, '.')}`),
    );
    refused((d) => {
      d.comparisons[0].rejected = 'zebras ate the food';
    }, /comparisons\[0\]: "rejected" has the word "zebras", which is not in this scenario's vocabulary/);
    refused((d) => {
      d.comparisons[0].annotator = 'a'.repeat(41);
    }, /comparisons\[0\]: "annotator" is 41 characters long; the limit is 40/);
    refused((d) => {
      d.comparisons[0].id = 'i'.repeat(1_000_000);
    }, /comparisons\[0\]: "id" is 1000000 characters long/);
    refused((d) => {
      d.comparisons[1].id = d.comparisons[0].id;
    }, /comparisons\[1\]: the id .* is used twice/);
    refused((d) => {
      d.comparisons[0].source = 'oracle';
    }, /comparisons\[0\]: "source" is "oracle"/);
    refused((d) => {
      d.comparisons[0].createdAt = '2025-01-01';
    }, /comparisons\[0\]: "createdAt" should be a time in milliseconds/);
    refused((d) => {
      d.comparisons[0].scenario = 'assistant';
    }, /comparisons\[0\]: "scenario" is "assistant", not the session's "reviews"/);
    refused((d) => {
      d.comparisons[0].weight = 5;
    }, /comparisons\[0\]: "weight" is 5/);
    refused((d) => {
      d.comparisons[0].extra = 1;
    }, /comparisons\[0\]: it has an unknown field "extra"/);
    refused((d) => {
      d.comparisons = 'many';
    }, /its comparisons are not a list/);
  });

  it('the name, counts, seed, models and settings', () => {
    refused((d) => {
      d.preset = 'toString';
    }, /its model size is unknown/);
    refused((d) => {
      d.seed = '1';
    }, /its seed is the text "1", not a whole number/);
    refused((d) => {
      d.stageSteps.sft = -1;
    }, /its fine-tuning step count is the number -1/);
    refused((d) => {
      d.rewardStep = 'x';
    }, /its reward-model step count/);
    refused((d) => {
      d.rlIteration = 1e20;
    }, /its RL iteration count/);
    refused((d) => {
      d.models = ['pretrain', 'sft', 'reward', 'sft'];
    }, /list of models is not a list of distinct model names/);
    refused((d) => {
      d.models = ['pretrain', 'sft', '__proto__'];
    }, /list of models/);
    refused((d) => {
      d.settings.rl.algorithm = { x: 1 };
    }, /its setting rl\.algorithm is an object/);
    refused((d) => {
      d.settings.sample = 3;
    }, /its settings sample are the number 3, not an object/);
    refused((d) => {
      d.settings.labelers.custom.name = 'N'.repeat(100_000);
    }, /labelers\.custom\.name is a text of 100000 characters/);
    refused((d) => {
      d.settings.labelers.panel = Array(1000).fill('custom');
    }, /annotator panel is not a short list/);
    // Unknown keys are dropped, so nothing unchecked reaches the settings that get applied.
    const s = decodeSession(
      edited((d) => {
        d.settings.rl.payload = 'p';
        d.settings.labelers.custom.weights.toString = 1;
        d.junk = 'j';
      }),
    );
    expect('payload' in s.data.settings.rl).toBe(false);
    expect(Object.hasOwn(s.data.settings.labelers.custom.weights, 'toString')).toBe(false);
    expect('junk' in s.data).toBe(false);
  });

  it('a session saved before a setting or the demonstrations existed still imports, with the defaults', async () => {
    const { RL_DEFAULTS } = await import('../../src/engine/rlSettingsRegistry');
    const older = edited((d) => {
      delete d.settings.rl.ilqlTau;
      delete d.settings.reward.ratingLoss;
      delete d.demonstrations;
      delete d.ratings;
    });
    const s = decodeSession(older).data;
    expect(s.settings.rl.ilqlTau).toBe(RL_DEFAULTS.ilqlTau);
    expect(s.settings.reward.ratingLoss).toBe('pairs');
    expect([s.demonstrations, s.ratings]).toEqual([[], []]);
    const { send, of } = start(false, memoryComparisons(), memorySessions());
    await send(init);
    await send({ type: 'importSession', bytes: older, name: 'older.rlhf', ui: emptyUi() });
    expect(of('notice').filter((n) => n.level === 'error')).toEqual([]);
    expect(of('sessionRestored')).toHaveLength(1);
  });

  it('the settings checks refuse a switch that is not on or off and a panel over its size', async () => {
    const { checkSessionLabelers, checkSessionSettings } = await import('../../src/engine/sessions');
    const s = decodeSession(good).data.settings;
    expect(() => checkSessionSettings({ ...s, rl: { ...s.rl, adaptiveKl: 'yes' as never } }, 200)).toThrow(
      /RL switch "adaptiveKl" is not on or off/,
    );
    expect(() =>
      checkSessionLabelers(
        { ...s.labelers, panel: ['positive', 'concise', 'custom', 'positive', 'concise'] },
        'reviews',
      ),
    ).toThrow(/panel has 5 members; the panel holds up to 4/);
  });

  it("every model must use its scenario's vocabulary", () => {
    const s = decodeSession(good);
    const spec = s.checkpoints.sft!.tokenizer;
    const vocab = [...spec.vocab];
    vocab[vocab.length - 1] = 'zebra';
    expect(scenarioTokenizer('reviews').spec.vocab).not.toContain('zebra');
    const swapped = (k: string, c: NonNullable<typeof s.checkpoints.sft>) =>
      k === 'sft' ? { ...c, tokenizer: { ...spec, vocab } } : c;
    const files = Object.fromEntries(
      Object.entries(s.checkpoints).map(([k, c]) => [k, encodeCheckpoint(swapped(k, c!))]),
    );
    expect(() => decodeSession(encodeSession(s.data, files))).toThrow(
      /the sft model has a vocabulary other than its scenario's/,
    );
  });
});
