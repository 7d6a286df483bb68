// Preference files built to make the page slow or its notices huge: long annotator names, many
// annotators on one pair, thousands of distinct extra fields or scenarios. Each is refused with its
// line, or read with a report and warnings of bounded size, quickly.
import { afterEach, describe, expect, it } from 'vitest';
import { importPreferences, MAX_ANNOTATOR_CHARS } from '../../src/data/preferenceIO';
import { annotatorAgreement, MAX_AGREEMENT_ANNOTATORS } from '../../src/data/preferenceMerge';
import type { Comparison } from '../../src/data/preferences';
import { disposePlaygrounds, start } from './harness';

afterEach(disposePlaygrounds);

const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b', ...over });

describe('annotator names', () => {
  it('an annotator name over the limit is refused, naming the line; one at the limit is read', () => {
    expect(MAX_ANNOTATOR_CHARS).toBe(40);
    const long = 'x'.repeat(MAX_ANNOTATOR_CHARS + 1);
    const result = importPreferences(`${line()}\n${line({ annotator: long })}\n`, { scenario: 'reviews' });
    expect(result).toEqual({ ok: false, message: 'line 2: "annotator" is 41 characters long; the limit is 40' });
    const huge = importPreferences(line({ annotator: 'y'.repeat(1024 * 1024) }), { scenario: 'reviews' });
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.message.length).toBeLessThan(200);
    const fine = importPreferences(line({ annotator: 'z'.repeat(MAX_ANNOTATOR_CHARS) }), { scenario: 'reviews' });
    expect(fine.ok && fine.comparisons[0].annotator).toBe('z'.repeat(40));
  });

  it('ids, ranking ids, sources and scenarios have length limits too', () => {
    const big = 'q'.repeat(100_000);
    for (const field of ['id', 'ranking_id', 'source', 'scenario', 'created_at']) {
      const r = importPreferences(line({ [field]: big }), { scenario: 'reviews' });
      expect(r.ok, field).toBe(false);
      if (!r.ok) expect(r.message).toMatch(new RegExp(`^line 1: "${field}" is 100000 characters long`));
    }
  });
});

describe('the agreement report', () => {
  /** n annotators who all labelled the same pair; half prefer each side. */
  const crowd = (n: number): Comparison[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `c${i}`,
      scenario: 'reviews',
      prompt: 'p',
      chosen: i % 2 ? 'a' : 'b',
      rejected: i % 2 ? 'b' : 'a',
      verdict: 'preferred',
      annotator: `annotator-${String(i).padStart(3, '0')}`,
      createdAt: i,
      source: 'import',
      weight: 1,
    }));

  it('600 annotators on one pair: only the few with most shared pairs are compared, quickly', () => {
    const started = performance.now();
    const report = annotatorAgreement(crowd(600));
    expect(performance.now() - started).toBeLessThan(1000);
    const k = MAX_AGREEMENT_ANNOTATORS;
    expect(report.length).toBe((k * (k - 1)) / 2);
    expect(new Set(report.flatMap((r) => [r.a, r.b])).size).toBe(k);
  });

  it('prefers the annotators with most shared pairs', () => {
    const list = crowd(20);
    // "zed" and "zoe" (last by name) share three pairs: they must be in the report.
    for (const prompt of ['q1', 'q2', 'q3']) {
      for (const annotator of ['zed', 'zoe']) list.push({ ...list[0], id: `${prompt}${annotator}`, prompt, annotator });
    }
    const report = annotatorAgreement(list);
    expect(report.find((r) => r.a === 'zed' && r.b === 'zoe')).toMatchObject({ shared: 3, agreement: 1 });
    expect(new Set(report.flatMap((r) => [r.a, r.b])).size).toBe(MAX_AGREEMENT_ANNOTATORS);
  });

  it('a long name already in the dataset is cut short in the report', () => {
    const list = crowd(2).map((c, i) => (i === 0 ? { ...c, annotator: 'n'.repeat(100_000) } : c));
    const [only] = annotatorAgreement(list);
    expect(only.a.length + only.b.length).toBeLessThan(2 * (MAX_ANNOTATOR_CHARS + 2));
  });
});

describe('warnings', () => {
  it('thousands of distinct extra fields or scenarios give warnings of bounded length', () => {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      line({ [`field_${i}_${'k'.repeat(200)}`]: i, scenario: `s${i}${'w'.repeat(50)}` }),
    );
    const result = importPreferences(lines.join('\n'), { scenario: 'reviews' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.warnings).toHaveLength(2);
      for (const w of result.warnings) expect(w.length).toBeLessThan(1000);
      expect(result.warnings[1]).toMatch(/and 4990 more/);
    }
  });
});

describe('through the playground', () => {
  // (The time the reward model takes to score the new labels is not this test's concern: the report's is above.)
  it('each import notice stays small: many annotators on one pair, then more imports', async () => {
    const { send, of } = start(false);
    await send({ type: 'init', scenario: 'reviews', preset: 'tiny', seed: 1 });
    const text = Array.from({ length: 600 }, (_, i) =>
      line({ prompt: 'the food was', chosen: 'great .', rejected: 'bad .', annotator: `a${i}` }),
    ).join('\n');
    await send({ type: 'setRewardSettings', settings: { learnOnLabel: false } });
    await send({ type: 'importPreferences', text, name: 'crowd.jsonl' });
    const notice = of('notice').at(-1)!;
    expect(notice.level).toBe('info');
    expect(notice.message).toMatch(/^Imported 600 comparisons from crowd\.jsonl/);
    expect(notice.message.length).toBeLessThan(8000);
    const late = line({ prompt: 'the food was', chosen: 'bad .', rejected: 'great .', annotator: 'late' });
    await send({ type: 'importPreferences', text: late, name: 'b.jsonl' });
    expect(of('notice').at(-1)!.message.length).toBeLessThan(8000);
    const big = line({
      prompt: 'the food was',
      chosen: 'great .',
      rejected: 'bad .',
      annotator: 'm'.repeat(1024 * 1024),
    });
    await send({ type: 'importPreferences', text: big, name: 'big.jsonl' });
    expect(of('notice').at(-1)).toMatchObject({
      level: 'error',
      message: 'big.jsonl was not imported: line 1: "annotator" is 1048576 characters long; the limit is 40',
    });
  });
});
