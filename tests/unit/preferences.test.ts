// Unit tests of the preference dataset and its files: rankings, training targets, the held-out
// split, export/import, merging and annotator agreement. (The IndexedDB store needs a browser.)

import { describe, it, expect } from 'vitest';
import {
  countByVerdict,
  expandRanking,
  flip,
  newId,
  pairCount,
  splitHeldOut,
  trainingPairs,
  type Comparison,
  type Verdict,
} from '../../src/data/preferences';
import {
  exportJson,
  exportJsonl,
  importPreferences,
  MAX_COMPARISONS,
  MAX_TEXT_CHARS,
} from '../../src/data/preferenceIO';
import { annotatorAgreement, mergeDatasets } from '../../src/data/preferenceMerge';
import { buildWordTokenizer } from '../../src/data/tokenizer';

let clock = Date.UTC(2025, 0, 1);
/** A hand-made comparison; every field can be overridden. */
function make(over: Partial<Comparison> = {}): Comparison {
  clock += 1000;
  return {
    id: newId(),
    scenario: 'reviews',
    prompt: 'review:',
    chosen: 'great food',
    rejected: 'bad food',
    verdict: 'preferred',
    annotator: 'human',
    createdAt: clock,
    source: 'pair',
    weight: 1,
    ...over,
  };
}
const base = { scenario: 'reviews' as const, prompt: 'review:', annotator: 'human', createdAt: 42 };

describe('rankings', () => {
  it('expands a ranking of 3 into its 3 pairs, better text chosen', () => {
    const pairs = expandRanking(base, ['a', 'b', 'c']);
    expect(pairs.map((p) => [p.chosen, p.rejected])).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
    for (const p of pairs) {
      expect(p).toMatchObject({
        scenario: 'reviews',
        prompt: 'review:',
        annotator: 'human',
        createdAt: 42,
        verdict: 'preferred',
        source: 'ranking',
      });
      expect(p.weight).toBeCloseTo(1 / 3);
      expect(p.rankingId).toBe(pairs[0].rankingId);
    }
    expect(new Set(pairs.map((p) => p.id)).size).toBe(3);
  });

  it('gives K = 3..6 completions C(K,2) pairs of weight 1/C(K,2), one ranking id, total weight 1', () => {
    for (let k = 3; k <= 6; k++) {
      const texts = Array.from({ length: k }, (_, i) => `text ${i}`);
      const pairs = expandRanking(base, texts);
      expect(pairs.length).toBe((k * (k - 1)) / 2);
      expect(pairCount(k)).toBe(pairs.length);
      expect(new Set(pairs.map((p) => p.rankingId)).size).toBe(1);
      for (const p of pairs) {
        expect(p.weight).toBeCloseTo(1 / pairs.length);
        expect(texts.indexOf(p.chosen)).toBeLessThan(texts.indexOf(p.rejected));
      }
      expect(pairs.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1);
    }
  });

  it('refuses too few, too many or repeated completions', () => {
    expect(() => expandRanking(base, ['a', 'b'])).toThrow(/3 to 6 completions, got 2/);
    expect(() => expandRanking(base, ['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toThrow(/got 7/);
    expect(() => expandRanking(base, ['a', 'b', 'a'])).toThrow(/same completion twice: "a"/);
  });

  it('flips a label and counts verdicts', () => {
    const c = make();
    expect(flip(c)).toEqual({ ...c, chosen: 'bad food', rejected: 'great food' });
    expect(flip(flip(c))).toEqual(c);
    expect(countByVerdict([c, make({ verdict: 'tie' }), make({ verdict: 'tie' })])).toEqual({
      preferred: 1,
      tie: 2,
      bothBad: 0,
    });
    expect(newId()).not.toBe(newId());
  });
});

describe('training pairs and the held-out split', () => {
  const data = [
    make(),
    make({ verdict: 'tie', chosen: 'ok', rejected: 'fine' }),
    make({ verdict: 'bothBad' }),
    make({ weight: 0.25 }),
  ];

  it('turns preferences into target 1, ties into 0.5 or nothing, and drops "both bad"', () => {
    const half = trainingPairs(data, { ties: 'half' });
    expect(half.map((p) => [p.target, p.weight])).toEqual([
      [1, 1],
      [0.5, 1],
      [1, 0.25],
    ]);
    expect(half[1]).toEqual({ prompt: 'review:', chosen: 'ok', rejected: 'fine', target: 0.5, weight: 1 });
    expect(trainingPairs(data, { ties: 'drop' }).map((p) => p.target)).toEqual([1, 1]);
  });

  it('keeps the pairs of a ranking together, and splits the same way every time', () => {
    const list: Comparison[] = [];
    for (let r = 0; r < 30; r++) list.push(...expandRanking(base, [`a${r}`, `b${r}`, `c${r}`, `d${r}`]));
    for (let i = 0; i < 100; i++) list.push(make());
    const { train, heldOut } = splitHeldOut(list, 0.3, 7);
    expect(train.length + heldOut.length).toBe(list.length);
    expect(heldOut.length).toBeGreaterThan(0.15 * list.length);
    expect(heldOut.length).toBeLessThan(0.45 * list.length);
    const heldRankings = new Set(heldOut.map((c) => c.rankingId).filter(Boolean));
    expect(heldRankings.size).toBeGreaterThan(0);
    expect(train.some((c) => c.rankingId !== undefined && heldRankings.has(c.rankingId))).toBe(false);
    // Same seed, shuffled order: the same comparisons are held out.
    const again = splitHeldOut([...list].reverse(), 0.3, 7);
    expect(new Set(again.heldOut.map((c) => c.id))).toEqual(new Set(heldOut.map((c) => c.id)));
    expect(splitHeldOut(list, 0, 7).heldOut).toEqual([]);
    expect(splitHeldOut(list, 1, 7).train).toEqual([]);
    expect(() => splitHeldOut(list, 1.5, 7)).toThrow(/between 0 and 1/);
  });
});

/** The fields an import keeps (ids are fresh, the source becomes 'import', rankings get new ids). */
const kept = (c: Comparison) => ({
  scenario: c.scenario,
  prompt: c.prompt,
  chosen: c.chosen,
  rejected: c.rejected,
  verdict: c.verdict,
  annotator: c.annotator,
  createdAt: c.createdAt,
  weight: c.weight,
});
const sample = (): Comparison[] => [
  make({ prompt: 'say "hi"\nplease', chosen: 'hi! \u00e9\u{1F600}', rejected: 'no' }),
  make({ verdict: 'tie', annotator: 'labeler-2' }),
  make({ verdict: 'bothBad' }),
  ...expandRanking({ ...base, annotator: 'labeler-1' }, ['x', 'y', 'z']),
];

describe('export and import', () => {
  it('writes trainer-style JSONL and reads it back', () => {
    const list = sample();
    const text = exportJsonl(list);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(list.length);
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first).slice(0, 3)).toEqual(['prompt', 'chosen', 'rejected']);
    expect(first).toMatchObject({
      annotator: 'human',
      source: 'pair',
      verdict: 'preferred',
      weight: 1,
      scenario: 'reviews',
    });
    expect(first.created_at).toBe(new Date(list[0].createdAt).toISOString());
    expect('ranking_id' in first).toBe(false);
    expect(JSON.parse(lines[3]).ranking_id).toBe(list[3].rankingId);

    const result = importPreferences(text, { scenario: 'reviews' });
    if (!result.ok) throw new Error(result.message);
    expect(result.warnings).toEqual([]);
    expect(result.comparisons.map(kept)).toEqual(list.map(kept));
    for (const c of result.comparisons) expect(c.source).toBe('import');
    expect(result.comparisons.some((c, i) => c.id === list[i].id)).toBe(false);
    // The three pairs of the ranking still share one (new) ranking id.
    const rankingIds = new Set(result.comparisons.slice(3).map((c) => c.rankingId));
    expect(rankingIds.size).toBe(1);
    expect(rankingIds.has(list[3].rankingId)).toBe(false);
  });

  it('round-trips the playground JSON', () => {
    const list = sample();
    const text = exportJson(list);
    expect(JSON.parse(text)).toEqual({ format: 'rlhf-playground-preferences', version: 1, comparisons: list });
    const result = importPreferences(text, { scenario: 'reviews' });
    if (!result.ok) throw new Error(result.message);
    expect(result.comparisons.map(kept)).toEqual(list.map(kept));
    expect(importPreferences(exportJson([]), { scenario: 'reviews' })).toEqual({
      ok: false,
      message: 'the file holds no comparisons',
    });
  });

  it('fills defaults for minimal JSONL and warns about other scenarios and extra fields', () => {
    const text =
      '{"prompt":"p","chosen":"a","rejected":"b","score":3,"note":null}\r\n\n' +
      '{"prompt":"p","chosen":"c","rejected":"d","scenario":"assistant"}\n';
    const result = importPreferences(text, { scenario: 'reviews' });
    if (!result.ok) throw new Error(result.message);
    expect(result.comparisons[0]).toMatchObject({
      annotator: 'imported',
      verdict: 'preferred',
      weight: 1,
      source: 'import',
      scenario: 'reviews',
    });
    expect(result.comparisons[1].scenario).toBe('reviews');
    expect(result.warnings).toEqual([
      '1 comparison(s) were labelled in scenario "assistant"; they are imported into "reviews"',
      'extra fields were ignored: score, note',
    ]);
  });

  it('refuses each kind of bad file, naming the line or the item, without throwing', () => {
    const good = '{"prompt":"p","chosen":"a","rejected":"b"}';
    const jsonl = (bad: string) => `${good}\n${good}\n${bad}\n`; // the bad one is line 3
    const doc = (bad: unknown) =>
      JSON.stringify({ format: 'rlhf-playground-preferences', version: 1, comparisons: [JSON.parse(good), bad] });
    const cases: [string, RegExp][] = [
      [jsonl('{"prompt": "p",'), /^line 3: not valid JSON/],
      [jsonl('"just a string"'), /^line 3: expected a JSON object, found a string/],
      [jsonl('[1, 2]'), /^line 3: expected a JSON object, found an array/],
      [jsonl('{"prompt":"p","chosen":"a"}'), /^line 3: missing "rejected"/],
      [jsonl('{"prompt":"p","chosen":7,"rejected":"b"}'), /^line 3: "chosen" should be a string but is a number \(7\)/],
      [jsonl('{"prompt":null,"chosen":"a","rejected":"b"}'), /^line 3: "prompt" should be a string but is null/],
      [jsonl(`${good.slice(0, -1)},"meta":{"x":1}}`), /^line 3: extra field "meta" holds an object/],
      [jsonl(`${good.slice(0, -1)},"tags":["a"]}`), /^line 3: extra field "tags" holds an array/],
      [
        jsonl(`${good.slice(0, -1)},"verdict":"better"}`),
        /^line 3: "verdict" is "better"; it must be "preferred", "tie" or "bothBad"/,
      ],
      [jsonl(`${good.slice(0, -1)},"weight":0}`), /^line 3: "weight" is 0; it must be more than 0 and at most 1/],
      [jsonl(`${good.slice(0, -1)},"weight":1.5}`), /^line 3: "weight" is 1.5/],
      [jsonl(`${good.slice(0, -1)},"weight":"1"}`), /^line 3: "weight" should be a number but is a string/],
      [jsonl(`${good.slice(0, -1)},"annotator":true}`), /^line 3: "annotator" should be a string but is true\/false/],
      [jsonl(`${good.slice(0, -1)},"created_at":"yesterday"}`), /^line 3: "created_at" is not a date: "yesterday"/],
      [
        jsonl(JSON.stringify({ prompt: 'p', chosen: 'x'.repeat(MAX_TEXT_CHARS + 1), rejected: 'b' })),
        /^line 3: "chosen" is 2001 characters long; the limit is 2000/,
      ],
      [doc('nope'), /^comparisons\[1\]: expected a JSON object, found a string/],
      [doc({ prompt: 'p', chosen: 'a' }), /^comparisons\[1\]: missing "rejected"/],
      [
        doc({ prompt: 'p', chosen: 'a', rejected: 'b', createdAt: 'x' }),
        /^comparisons\[1\]: "createdAt" is not a date/,
      ],
      [doc({ prompt: 'p', chosen: 'a', rejected: 'b', weight: -1 }), /^comparisons\[1\]: "weight" is -1/],
      [JSON.stringify({ format: 'something-else', comparisons: [] }), /^unknown format "something-else"/],
      [
        JSON.stringify({ format: 'rlhf-playground-preferences', version: 2, comparisons: [] }),
        /^unsupported version 2/,
      ],
      [
        JSON.stringify({ format: 'rlhf-playground-preferences', version: 1, comparisons: {} }),
        /"comparisons" should be an array/,
      ],
      ['[1, 2, 3]', /^the file holds an array, but should be JSONL/],
      ['  \n\n', /^the file is empty/],
      [`${good}\n`.repeat(MAX_COMPARISONS + 1), /^the file holds 20001 comparisons; the limit is 20000/],
      [' '.repeat(10 * 1024 * 1024 + 1), /larger than the limit of 10 MB/],
    ];
    for (const [text, expected] of cases) {
      let result: ReturnType<typeof importPreferences> | undefined;
      expect(() => (result = importPreferences(text, { scenario: 'reviews' }))).not.toThrow();
      expect(result!.ok, text.slice(0, 80)).toBe(false);
      if (!result!.ok) expect(result!.message).toMatch(expected);
    }
  });

  it('refuses text with words the tokenizer does not know, naming the word', () => {
    const tokenizer = buildWordTokenizer(['review : great food , bad food .', 'p a b']);
    const ok = importPreferences('{"prompt":"Review:","chosen":"Great food.","rejected":"bad food"}', {
      scenario: 'reviews',
      tokenizer,
    });
    expect(ok.ok).toBe(true);
    const bad = importPreferences(
      `{"prompt":"p","chosen":"a","rejected":"b"}\n{"prompt":"review:","chosen":"great food","rejected":"Zebras ate food"}`,
      { scenario: 'reviews', tokenizer },
    );
    expect(bad).toEqual({
      ok: false,
      message: `line 2: "rejected" has the word "zebras", which is not in this scenario's vocabulary`,
    });
  });
});

describe('merging and agreement', () => {
  it('drops exact duplicates when merging, also within the incoming list', () => {
    const a = make({ chosen: 'one' });
    const b = make({ chosen: 'two' });
    const sameAsA = { ...a, id: 'other-id', createdAt: 0 };
    const otherAnnotator = { ...a, id: 'x', annotator: 'labeler-1' };
    const { merged, added, duplicates } = mergeDatasets([a], [sameAsA, b, { ...b, id: 'again' }, otherAnnotator]);
    expect(duplicates).toBe(2);
    expect(added).toEqual([b, otherAnnotator]);
    expect(merged).toEqual([a, b, otherAnnotator]);
  });

  it('measures agreement between two annotators on shared items (2 of 3 agree -> 2/3)', () => {
    const label = (
      annotator: string,
      prompt: string,
      chosen: string,
      rejected: string,
      verdict: Verdict = 'preferred',
    ) => make({ annotator, prompt, chosen, rejected, verdict });
    const list = [
      label('ann', 'p1', 'a', 'b'),
      label('bob', 'p1', 'a', 'b'), // agree
      label('ann', 'p2', 'c', 'd'),
      label('bob', 'p2', 'd', 'c'), // disagree (shown in the other order)
      label('ann', 'p3', 'e', 'f', 'tie'),
      label('bob', 'p3', 'f', 'e', 'tie'), // agree: both tie
      label('ann', 'p4', 'g', 'h'), // only ann: not shared
      label('cat', 'p1', 'b', 'a'), // cat disagrees with both on p1
    ];
    expect(annotatorAgreement(list)).toEqual([
      { a: 'ann', b: 'bob', shared: 3, agreement: 2 / 3 },
      { a: 'ann', b: 'cat', shared: 1, agreement: 0 },
      { a: 'bob', b: 'cat', shared: 1, agreement: 0 },
    ]);
    // A later label by the same annotator replaces the earlier one.
    expect(annotatorAgreement([...list, label('bob', 'p2', 'c', 'd')])[0]).toEqual({
      a: 'ann',
      b: 'bob',
      shared: 3,
      agreement: 1,
    });
  });
});
