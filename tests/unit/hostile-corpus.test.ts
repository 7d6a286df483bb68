// Hostile pasted corpora: prompts too long for the model's context, answers that run past it,
// markup and control characters, and the size limit. parseCustomCorpus must answer each with a
// message or a warning naming the lines, never an exception, and never hand the engine a prompt
// that leaves no room for an answer (the pair sampler then had nothing to sample and looped).

import { describe, expect, test } from 'vitest';
import {
  DEFAULT_CONTEXT_LENGTH,
  MAX_CHARACTERS,
  answerRoom,
  maxPromptCharacters,
  parseCustomCorpus,
} from '../../src/data/customCorpus';
import { encodeExample, encodePrompt } from '../../src/data/sequences';
import { PRESETS } from '../../src/model/config';

const good = (n: number) => Array.from({ length: n }, (_, i) => `ask ${i} | reply ${i}`);
const long = (chars: number, tag = 'q') => tag + 'x'.repeat(chars - tag.length);

function accepted(text: string, sep = '|', context?: number) {
  const r = parseCustomCorpus(text, sep, context);
  if (!r.ok) throw new Error(`expected the corpus to be accepted, got: ${r.message}`);
  return r;
}

function refused(text: string, sep = '|', context?: number): string {
  const r = parseCustomCorpus(text, sep, context);
  if (r.ok) throw new Error('expected a refusal');
  return r.message;
}

describe('prompts and the model context', () => {
  test("the default context is the smaller presets' and every preset leaves a prompt some room", () => {
    expect(DEFAULT_CONTEXT_LENGTH).toBe(PRESETS.small.contextLength);
    expect(DEFAULT_CONTEXT_LENGTH).toBe(PRESETS.tiny.contextLength);
    expect(maxPromptCharacters(32)).toBe(22); // 32 - <bos> - <sep> - 8 for the answer
    expect(maxPromptCharacters(64)).toBe(46);
    for (const p of Object.values(PRESETS)) {
      const T = p.contextLength;
      expect(maxPromptCharacters(T)).toBeGreaterThan(10);
      expect(2 + maxPromptCharacters(T) + answerRoom(T)).toBe(T);
    }
  });

  test('a line whose prompt is 32 characters or more is skipped and named by its line number', () => {
    const lines = [...good(12), `${long(32)} | an answer`, `${long(40, 'w')} | another`];
    const r = accepted(lines.join('\n'));
    expect(r.data.pretrain).toHaveLength(12);
    expect(r.data.prompts.every((p) => !p.startsWith('qx') && !p.startsWith('wx'))).toBe(true);
    expect(r.warnings).toEqual([
      "skipped: lines 13 and 14 have a prompt over 22 characters, leaving no room for an answer in the model's 32-token context",
    ]);
  });

  test('every prompt handed on leaves room for an answer, on every preset', () => {
    for (const p of Object.values(PRESETS)) {
      const T = p.contextLength;
      const max = maxPromptCharacters(T);
      const lines = [...good(10), `${long(max)} | fits`, `${long(max + 1)} | does not`];
      const r = accepted(lines.join('\n'), '|', T);
      expect(r.data.prompts).toContain(long(max));
      expect(r.data.prompts).not.toContain(long(max + 1));
      expect(r.warnings.join(' ')).toContain('line 12 has a prompt over');
      for (const prompt of r.data.prompts) {
        const room = T - encodePrompt(r.data.tokenizer, prompt).length;
        expect(room, `${prompt} at context ${T}`).toBeGreaterThanOrEqual(answerRoom(T));
      }
    }
  });

  test('characters are counted as the tokenizer counts them (an emoji is one token)', () => {
    const emoji = '👋'.repeat(22); // 44 UTF-16 units, 22 code points: exactly the limit
    const r = accepted([...good(10), `${emoji} | hi`].join('\n'));
    expect(r.data.prompts).toContain(emoji);
    expect(r.data.tokenizer.encode(emoji)).toHaveLength(22);
    expect(r.warnings).toEqual([]);
  });

  test('when the long prompts leave too few lines, the refusal says so, with the line numbers', () => {
    const lines = [...good(5), ...Array.from({ length: 8 }, (_, i) => `${long(50)}${i} | answer`)];
    const message = refused(lines.join('\n'));
    expect(message).toMatch(/^only 5 usable lines, at least 10 are needed/);
    expect(message).toContain('lines 6, 7, 8, 9, 10 and 3 more have a prompt over 22 characters');
  });

  test('an answer that runs past the context is kept, cut as the engine cuts it, and named', () => {
    const answer = 'y'.repeat(40);
    const r = accepted([...good(10), `short | ${answer}`, `just | ${'z'.repeat(25)}`].join('\n'));
    expect(r.data.pretrain).toHaveLength(12);
    // 'just' (4) + 25 + <bos> <sep> <eos> = 32 tokens: fits a row of 33; 'short' + 40 does not.
    expect(r.warnings).toEqual([
      "cut: line 11 has an answer that runs past the model's 32-token context: it is cut short",
    ]);
    const row = encodeExample(
      r.data.tokenizer,
      { prompt: 'short', response: answer },
      DEFAULT_CONTEXT_LENGTH,
      'response',
    );
    expect(row.tokens).toHaveLength(DEFAULT_CONTEXT_LENGTH + 1);
    expect(row.counted.filter(Boolean).length).toBe(DEFAULT_CONTEXT_LENGTH - 6); // the answer's tokens that fit
  });

  test('a context with no room for any prompt is refused, not thrown', () => {
    expect(refused(good(12).join('\n'), '|', 6)).toBe('a model context of 6 tokens leaves no room for prompts');
    expect(refused(good(12).join('\n'), '|', Number.NaN)).toMatch(/leaves no room for prompts/);
    expect(refused(good(12).join('\n'), '|', 32.5)).toMatch(/leaves no room for prompts/);
  });
});

describe('hostile text', () => {
  test('markup and script in a line are kept as plain characters, not interpreted', () => {
    const payloads = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=1</script>',
      '"><svg onload=1>',
    ];
    const lines = [...good(10), ...payloads.map((p, i) => `x${i} | ${p}`)];
    const r = accepted(lines.join('\n'));
    const responses = r.data.pretrain.map((e) => e.response);
    for (const p of payloads) expect(responses).toContain(p);
    for (const p of payloads) expect(r.data.tokenizer.decode(r.data.tokenizer.encode(p))).toBe(p);
  });

  test('NUL, bidi overrides and other control characters neither throw nor break the line split', () => {
    const lines = [...good(10), 'a\u0000b | c\u202ed', 'tab\there | \u0007bell', '\u2028sep | x'];
    const r = accepted(lines.join('\n'));
    expect(r.data.pretrain.length).toBeGreaterThanOrEqual(12);
    expect(r.data.pretrain.some((e) => e.prompt === 'a\u0000b')).toBe(true);
  });

  test('a separator that never occurs and one that is everywhere', () => {
    expect(refused(good(12).join('\n'), '~~')).toMatch(/^no usable lines.*have no '~~'/);
    const r = accepted(
      good(12)
        .map((l) => `${l} | more | and more`)
        .join('\n'),
    );
    expect(r.data.pretrain[0]).toEqual({ prompt: 'ask 0', response: 'reply 0 | more | and more' }); // split at the first
  });

  test('text past the size limit is refused at once, whatever it holds', () => {
    const huge = 'p | r\n'.repeat(Math.ceil((MAX_CHARACTERS + 1) / 6));
    const started = performance.now();
    expect(refused(huge)).toMatch(/^too large: 200,\d{3} characters, the limit is 200,000$/);
    expect(refused('x'.repeat(10_000_000))).toBe('too large: 10,000,000 characters, the limit is 200,000');
    expect(performance.now() - started).toBeLessThan(500);
  });

  test('one enormous line within the limit is skipped with its line number, quickly', () => {
    const started = performance.now();
    const r = accepted([...good(10), `${'q'.repeat(150_000)} | a`].join('\n'));
    expect(performance.now() - started).toBeLessThan(500);
    expect(r.warnings).toEqual([expect.stringMatching(/^skipped: line 11 has a prompt over 22 characters/)]);
  });
});
