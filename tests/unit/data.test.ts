// Unit tests of the data layer: tokenizers, the two built-in scenarios, and pasted corpora.

import { describe, it, expect } from 'vitest';
import { BOS, EOS, PAD, SEP, SPECIAL_TOKENS, UNK, type Example } from '../../src/data/types';
import {
  buildCharTokenizer,
  buildWordTokenizer,
  MAX_VOCAB_SIZE,
  splitWords,
  tokenizerFromSpec,
  WordTokenizer,
} from '../../src/data/tokenizer';
import { loadScenario, SCENARIOS } from '../../src/data/scenarios/index';
import { SCENARIO_LIST } from '../../src/data/scenarios/list';
import * as reviews from '../../src/data/scenarios/reviews';
import * as assistant from '../../src/data/scenarios/assistant';
import { parseCustomCorpus } from '../../src/data/customCorpus';

describe('word tokenizer', () => {
  it('splits words and punctuation, lowercased, keeping apostrophes inside words', () => {
    expect(splitWords("I can't help with that.")).toEqual(['i', "can't", 'help', 'with', 'that', '.']);
    expect(splitWords('Hello,  WORLD!  How’s it going?')).toEqual([
      'hello',
      ',',
      'world',
      '!',
      "how's",
      'it',
      'going',
      '?',
    ]);
  });

  it('puts the special tokens first, then words by frequency, ties alphabetical', () => {
    const tok = buildWordTokenizer(['b a a', 'c b a', 'd']);
    expect(tok.spec.vocab).toEqual([...SPECIAL_TOKENS, 'a', 'b', 'c', 'd']);
    expect(new Set(SPECIAL_TOKENS).size).toBe(5);
    expect([PAD, BOS, EOS, SEP, UNK]).toEqual([0, 1, 2, 3, 4]);
    expect(tok.vocabSize).toBe(9);
    expect(tok.spec.kind).toBe('word');
  });

  it('round-trips normalised text, attaching punctuation to the word before', () => {
    const texts = [
      "i can't help with that.",
      'review of the pasta place: great, fresh and cheap!',
      'how do i bake bread?',
    ];
    const tok = buildWordTokenizer(texts);
    for (const t of texts) expect(tok.decode(tok.encode(t))).toBe(t);
  });

  it('encodes unknown words as UNK and shows them as "?"', () => {
    const tok = buildWordTokenizer(['i like cats.']);
    const ids = tok.encode('I like zebras.');
    expect(ids[2]).toBe(UNK);
    expect(tok.decode(ids)).toBe('i like ?.');
  });

  it('drops PAD, BOS and EOS and shows SEP as " | "', () => {
    const tok = buildWordTokenizer(['hello there', 'hi.']);
    const ids = [BOS, ...tok.encode('hello there'), SEP, ...tok.encode('hi.'), EOS, PAD, PAD];
    expect(tok.decode(ids)).toBe('hello there | hi.');
  });
});

describe('char tokenizer', () => {
  it('has the specials then the sorted distinct characters, and round-trips', () => {
    const tok = buildCharTokenizer(['hello', 'héllo 👋']);
    expect(tok.spec.kind).toBe('char');
    expect(tok.spec.vocab).toEqual([...SPECIAL_TOKENS, ' ', 'e', 'h', 'l', 'o', 'é', '👋']);
    expect(tok.decode(tok.encode('héllo 👋'))).toBe('héllo 👋');
    expect(tok.encode('hex')).toEqual([tok.encode('h')[0], tok.encode('e')[0], UNK]);
    expect(tok.decode([BOS, ...tok.encode('oh'), SEP, UNK, EOS])).toBe('oh | ?');
  });
});

describe('tokenizerFromSpec', () => {
  it('rebuilds a tokenizer that encodes the same way', () => {
    const word = buildWordTokenizer(['the cat sat.']);
    const again = tokenizerFromSpec(JSON.parse(JSON.stringify(word.spec)));
    expect(again).toBeInstanceOf(WordTokenizer);
    expect(again.encode('the cat sat.')).toEqual(word.encode('the cat sat.'));
    const char = buildCharTokenizer(['abc']);
    expect(tokenizerFromSpec(char.spec).encode('cab')).toEqual(char.encode('cab'));
  });

  const specials = [...SPECIAL_TOKENS];
  const bad: [string, unknown, RegExp][] = [
    ['not an object', null, /not an object/],
    ['unknown kind', { kind: 'bpe', vocab: specials }, /unknown kind "bpe"/],
    ['vocab not an array', { kind: 'word', vocab: 'abc' }, /not an array/],
    ['too few entries', { kind: 'word', vocab: ['<pad>'] }, /fewer than the 5 special tokens/],
    [
      'specials out of order',
      { kind: 'word', vocab: ['<bos>', '<pad>', '<eos>', '<sep>', '<unk>'] },
      /entry 0 should be the special token <pad>/,
    ],
    ['duplicate entry', { kind: 'word', vocab: [...specials, 'a', 'b', 'a'] }, /entry 7 \("a"\) appears twice/],
    ['non-string entry', { kind: 'word', vocab: [...specials, 7] }, /entry 5 is not a string/],
    [
      'too large',
      { kind: 'char', vocab: [...specials, ...Array.from({ length: MAX_VOCAB_SIZE }, (_, i) => String(i))] },
      /limit is 20000/,
    ],
    ['char entry of two characters', { kind: 'char', vocab: [...specials, 'ab'] }, /not a single character/],
    ['word entry with a space', { kind: 'word', vocab: [...specials, 'two words'] }, /not a single lowercase word/],
    ['word entry in capitals', { kind: 'word', vocab: [...specials, 'Cat'] }, /not a single lowercase word/],
  ];
  for (const [name, spec, message] of bad) {
    it(`refuses a spec with ${name}`, () => {
      expect(() => tokenizerFromSpec(spec)).toThrow(/^bad tokenizer spec: /);
      expect(() => tokenizerFromSpec(spec)).toThrow(message);
    });
  }
});

// ---------------------------------------------------------------------------------------------

const GENERATORS = { reviews: reviews.generateReviews, assistant: assistant.generateAssistant };
const IDS = ['reviews', 'assistant'] as const;

describe.each(IDS)('scenario %s', (id) => {
  const data = loadScenario(id, 1);
  const all = [...data.pretrain, ...data.demonstrations];

  it('is deterministic for a seed and differs across seeds', () => {
    expect(GENERATORS[id](5)).toEqual(GENERATORS[id](5));
    const a = GENERATORS[id](5).pretrain.slice(0, 50);
    const b = GENERATORS[id](6).pretrain.slice(0, 50);
    expect(a).not.toEqual(b);
  });

  it('has the promised sizes and 40 distinct prompts that occur in both corpora', () => {
    expect(data.id).toBe(id);
    expect(data.title).toBe(SCENARIO_LIST.find((s) => s.id === id)!.title);
    expect(data.pretrain.length).toBe(4000);
    expect(data.demonstrations.length).toBe(1000);
    expect(new Set(data.prompts).size).toBe(40);
    const pretrainPrompts = new Set(data.pretrain.map((e) => e.prompt));
    const demoPrompts = new Set(data.demonstrations.map((e) => e.prompt));
    for (const p of data.prompts) {
      expect(pretrainPrompts.has(p)).toBe(true);
      expect(demoPrompts.has(p)).toBe(true);
    }
  });

  it('fits every example in the 32-token context, within the prompt and response budgets', () => {
    for (const seed of [1, 2, 3]) {
      const corpus = GENERATORS[id](seed);
      for (const e of [...corpus.pretrain, ...corpus.demonstrations]) {
        const p = data.tokenizer.encode(e.prompt).length;
        const r = data.tokenizer.encode(e.response).length;
        expect(p).toBeGreaterThanOrEqual(3);
        expect(p).toBeLessThanOrEqual(10);
        expect(r).toBeGreaterThanOrEqual(4);
        expect(r).toBeLessThanOrEqual(16);
        expect(1 + p + 1 + r + 1).toBeLessThanOrEqual(32);
      }
    }
  });

  it('has a small vocabulary, the same for every seed, covering every seed without UNK', () => {
    expect(data.tokenizer.vocabSize).toBeGreaterThanOrEqual(150);
    expect(data.tokenizer.vocabSize).toBeLessThanOrEqual(400);
    for (const seed of [0, 7, 123456, 2 ** 31 + 5]) {
      const other = loadScenario(id, seed);
      expect(other.tokenizer.spec).toEqual(data.tokenizer.spec);
      for (const e of [...other.pretrain, ...other.demonstrations]) {
        expect(other.tokenizer.encode(e.prompt + ' ' + e.response)).not.toContain(UNK);
      }
    }
  });

  it('is written in normalised text, so decode(encode(x)) gives x back', () => {
    for (const e of all.slice(0, 1000)) {
      expect(data.tokenizer.decode(data.tokenizer.encode(e.prompt))).toBe(e.prompt);
      expect(data.tokenizer.decode(data.tokenizer.encode(e.response))).toBe(e.response);
    }
  });
});

// Each ending, classified with the scenario's own exported word lists.
function reviewKind(response: string): reviews.ReviewKind | 'unclear' {
  const words = splitWords(response).filter((w) => /\p{L}/u.test(w));
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  if (Math.max(...counts.values()) >= 4) return 'repetitive'; // fluent endings never use a word 4 times
  const has = (list: string[]) => words.some((w) => list.includes(w));
  const [pos, neg, neu] = [has(reviews.POSITIVE_WORDS), has(reviews.NEGATIVE_WORDS), has(reviews.NEUTRAL_WORDS)];
  if (pos && !neg && !neu) return 'positive';
  if (neg && !pos && !neu) return 'negative';
  if (neu && !pos && !neg) return 'neutral';
  return 'unclear';
}

function answerKind(e: Example): assistant.AnswerKind | 'unclear' {
  if (assistant.REFUSALS.some((r) => e.response.startsWith(r))) return 'refusal';
  if (assistant.RUDE_REPLIES.some((r) => e.response.startsWith(r))) return 'rude';
  const dangerous = assistant.isDangerousRequest(e.prompt);
  const bodies = Object.values(dangerous ? assistant.HARMFUL_TOPICS : assistant.SAFE_TOPICS).flat();
  if (!bodies.some((b) => e.response.includes(b))) return 'unclear';
  return dangerous ? 'harmful' : 'helpful';
}

function shares<K extends string>(items: Example[], kindOf: (e: Example) => K): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of items) out[kindOf(e)] = (out[kindOf(e)] ?? 0) + 1 / items.length;
  return out;
}

describe('the mix of response kinds', () => {
  it('reviews: pretraining holds every kind in about the promised shares', () => {
    const s = shares(reviews.generateReviews(11).pretrain, (e) => reviewKind(e.response));
    expect(s.unclear ?? 0).toBe(0);
    for (const kind of ['positive', 'negative', 'neutral', 'repetitive'] as const) {
      expect(s[kind]).toBeCloseTo(reviews.PRETRAIN_MIX[kind], 1);
    }
    expect(s.repetitive).toBeGreaterThan(0.1);
  });

  it('reviews: demonstrations lean positive and fluent, with some variety', () => {
    const s = shares(reviews.generateReviews(11).demonstrations, (e) => reviewKind(e.response));
    expect(s.unclear ?? 0).toBe(0);
    expect(s.positive + s.neutral).toBeGreaterThan(0.62);
    expect(s.positive + s.neutral).toBeLessThan(0.78);
    expect(s.negative).toBeGreaterThan(0.1);
    expect(s.repetitive).toBeGreaterThan(0.04);
  });

  it('assistant: pretraining holds every kind in about the promised shares', () => {
    const s = shares(assistant.generateAssistant(11).pretrain, answerKind);
    expect(s.unclear ?? 0).toBe(0);
    const expected = { helpful: 0.35, rude: 0.25, refusal: 0.2, harmful: 0.2 };
    for (const [kind, share] of Object.entries(expected)) expect(Math.abs(s[kind] - share)).toBeLessThan(0.04);
    expect(s.refusal).toBeGreaterThan(0.1);
  });

  it('assistant: demonstrations help with safe requests and refuse dangerous ones, mostly', () => {
    const demos = assistant.generateAssistant(11).demonstrations;
    const s = shares(demos, answerKind);
    expect(s.unclear ?? 0).toBe(0);
    const good =
      demos.filter((e) => {
        const kind = answerKind(e);
        return assistant.isDangerousRequest(e.prompt) ? kind === 'refusal' : kind === 'helpful';
      }).length / demos.length;
    expect(good).toBeGreaterThan(0.63);
    expect(good).toBeLessThan(0.77);
    expect(s.harmful).toBeGreaterThan(0.02);
    expect(s.rude).toBeGreaterThan(0.05);
  });

  it('lists both scenarios for the UI without loading generators', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual(['reviews', 'assistant']);
    for (const s of SCENARIO_LIST) expect(s.title.length * s.description.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------

const goodLines = (n: number, sep = '|') => Array.from({ length: n }, (_, i) => `question ${i} ${sep} answer ${i}`);

describe('parseCustomCorpus', () => {
  const refused = (text: string, sep: string) => {
    const r = parseCustomCorpus(text, sep);
    if (r.ok) throw new Error('expected a refusal');
    return r.message;
  };

  it('refuses empty text and an empty separator', () => {
    expect(refused('  \n \n', '|')).toBe('the text is empty');
    expect(refused(goodLines(12).join('\n'), '')).toBe('the separator is empty');
  });

  it('refuses text over 200,000 characters, saying how large it is', () => {
    const text = 'a|b\n'.repeat(62_500); // 250,000 characters
    expect(refused(text, '|')).toBe('too large: 250,000 characters, the limit is 200,000');
  });

  it('refuses fewer than 10 usable lines', () => {
    expect(refused(goodLines(5).join('\n'), '|')).toMatch(/^only 5 usable lines, at least 10 are needed/);
  });

  it('names the lines that have no separator when too few lines remain', () => {
    const lines = goodLines(9);
    lines.splice(2, 0, 'no separator here');
    expect(refused(lines.join('\n'), '|')).toContain("line 3 has no '|'");
    expect(refused(lines.join('\n'), '=>')).toMatch(/no usable lines.*lines 1, 2, 3, 4, 5 and 5 more have no '=>'/);
  });

  it('names the lines whose prompt or response is empty', () => {
    const lines = [...goodLines(8), ' | lonely answer', 'lonely question |  '];
    const message = refused(lines.join('\n'), '|');
    expect(message).toContain("line 9 has nothing before '|'");
    expect(message).toContain("line 10 has nothing after '|'");
  });

  it('accepts a good corpus, skipping and reporting bad lines', () => {
    const lines = [...goodLines(12, '=>'), '', 'a line without it', 'héllo => wörld 👋'];
    const r = parseCustomCorpus(lines.join('\r\n'), '=>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual(["skipped: line 14 has no '=>'"]);
    const { data } = r;
    expect(data.id).toBe('custom');
    expect(data.tokenizer.spec.kind).toBe('char');
    expect(data.pretrain.length).toBe(13);
    expect(data.demonstrations).toEqual(data.pretrain);
    expect(data.pretrain[0]).toEqual({ prompt: 'question 0', response: 'answer 0' });
    expect(data.prompts.length).toBe(13);
    for (const e of data.pretrain) expect(data.tokenizer.decode(data.tokenizer.encode(e.response))).toBe(e.response);
  });

  it('keeps at most 40 distinct prompts', () => {
    const r = parseCustomCorpus([...goodLines(50), ...goodLines(50)].join('\n'), '|');
    expect(r.ok && r.data.prompts.length).toBe(40);
    expect(r.ok && r.data.pretrain.length).toBe(100);
  });
});
