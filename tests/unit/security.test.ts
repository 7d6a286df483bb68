// No user text may reach an HTML or code sink. Every file under src/ is searched for the sinks
// ({@html}, innerHTML, outerHTML, insertAdjacentHTML, document.write, eval, new Function, ...);
// the one allowed use, the "How this works" formulas, is checked to take only our own constants.
// index.html must carry a Content-Security-Policy that forbids inline script.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import katex from 'katex';
import { EXPLANATIONS } from '../../src/ui/explain';
import viteConfig from '../../vite.config';

const ROOT = join(__dirname, '../..');
const SRC = join(ROOT, 'src');

/** Sinks that turn a string into markup or code. */
const SINKS: { name: string; pattern: RegExp }[] = [
  { name: '{@html}', pattern: /\{@html\b/g },
  { name: 'innerHTML', pattern: /\binnerHTML\b/g },
  { name: 'outerHTML', pattern: /\bouterHTML\b/g },
  { name: 'insertAdjacentHTML', pattern: /\binsertAdjacentHTML\b/g },
  { name: 'document.write', pattern: /\bdocument\s*\.\s*write(ln)?\b/g },
  { name: 'eval', pattern: /(?<![\w$.])eval\s*\(/g },
  { name: 'new Function', pattern: /\bnew\s+Function\b/g },
  { name: 'Function(...)', pattern: /(?<![\w$.])(?<!new\s+)Function\s*\(/g },
  { name: 'createContextualFragment', pattern: /\bcreateContextualFragment\b/g },
  { name: 'srcdoc', pattern: /\bsrcdoc\b/g },
  { name: 'setTimeout/setInterval with a string', pattern: /\bset(Timeout|Interval)\s*\(\s*['"`]/g },
];

/** The allowed uses: file (relative to the root), sink, how many times, and why it is safe. */
const ALLOWED: { file: string; sink: string; count: number; reason: string }[] = [
  {
    file: 'src/ui/panels/Explain.svelte',
    sink: '{@html}',
    count: 1,
    reason:
      "KaTeX's rendering of entry.formula, a constant of src/ui/explain/ (checked below), never user or file text",
  },
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The text with its comments blanked: block and HTML comments, and line comments that start a line
 * or follow whitespace (so "http://" in a string stays). A comment may mention a sink; code may not.
 */
export function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Every sink found in the source files, as "file: sink xN". */
function sinksIn(files: string[]): { file: string; sink: string; count: number }[] {
  return files.flatMap((path) => {
    const code = withoutComments(readFileSync(path, 'utf8'));
    const file = relative(ROOT, path).split('\\').join('/');
    return SINKS.map(({ name, pattern }) => ({ file, sink: name, count: code.match(pattern)?.length ?? 0 })).filter(
      (f) => f.count > 0,
    );
  });
}

describe('no user text reaches an HTML or code sink', () => {
  const files = filesUnder(SRC).filter((p) => /\.(ts|js|svelte|html)$/.test(p));

  test('the search sees the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith('Explain.svelte'))).toBe(true);
  });

  test('the sink patterns catch what they should, and not look-alikes or comments', () => {
    const hits = (code: string) =>
      SINKS.filter(({ pattern }) => (withoutComments(code).match(pattern) ?? []).length > 0).map((s) => s.name);
    expect(hits('<p>{@html x}</p>')).toEqual(['{@html}']);
    expect(hits('el.innerHTML = s;')).toEqual(['innerHTML']);
    expect(hits('el.insertAdjacentHTML("beforeend", s)')).toEqual(['insertAdjacentHTML']);
    expect(hits('document.write(s)')).toEqual(['document.write']);
    expect(hits('const f = eval (s)')).toEqual(['eval']);
    expect(hits('const f = new Function("a", s)')).toEqual(['new Function']);
    expect(hits('const g = Function("return this")()')).toEqual(['Function(...)']);
    expect(hits('setTimeout("go()", 10)')).toEqual(['setTimeout/setInterval with a string']);
    expect(
      hits('page.evaluate(() => 1); makeTrainFunction(); setTimeout(() => go(), 10); el.textContent = s;'),
    ).toEqual([]);
    expect(
      hits('// innerHTML is never used here\n/* nor eval( */\n<!-- nor {@html} -->\nconst url = "http://x"; // eval('),
    ).toEqual([]);
  });

  test('no file under src/ uses a sink beyond the allow-list', () => {
    const found = sinksIn(files);
    const unexpected = found.filter(
      (f) => !ALLOWED.some((a) => a.file === f.file && a.sink === f.sink && a.count === f.count),
    );
    expect(unexpected, 'sinks outside the allow-list (or an allowed one used more often)').toEqual([]);
    // Every allow-list entry is still needed: a stale entry would silently allow a future use.
    for (const a of ALLOWED) {
      const stale = `${a.file} no longer uses ${a.sink} ${a.count}x: update ALLOWED`;
      expect(found, stale).toContainEqual({ file: a.file, sink: a.sink, count: a.count });
    }
  });
});

describe('the one {@html}: formulas are our own constants', () => {
  const explain = readFileSync(join(SRC, 'ui/panels/Explain.svelte'), 'utf8');

  test('Explain.svelte renders only KaTeX output of explanation(id).formula', () => {
    expect(explain).toMatch(/\{@html formulaHtml\}/);
    // formulaHtml is written once, from KaTeX, of `source`, which is entry.formula, which is explanation(id).
    expect(explain.match(/formulaHtml\s*=/g)).toHaveLength(2);
    expect(explain).toMatch(/let formulaHtml = \$state\(''\);/);
    expect(explain).toMatch(/formulaHtml = katex\.renderToString\(source, \{[^}]*\}\)/);
    expect(explain).toMatch(/const source = entry\.formula;/);
    expect(explain).toMatch(/const entry = \$derived\(explanation\(id\)\);/);
    expect(explain).toMatch(/import \{ explanation[^}]*\} from '\.\.\/explain';/);
    expect(explain, 'KaTeX must not be told to trust its input (\\href, \\htmlClass ...)').not.toMatch(/trust\s*:/);
  });

  test('every formula in src/ui/explain/ is a literal with no interpolation', () => {
    const dir = join(SRC, 'ui/explain');
    let literals = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const code = readFileSync(join(dir, name), 'utf8');
      // The value runs to the end of its line, or over several lines as literals joined by `+`.
      for (const m of code.matchAll(/\bformula\s*:\s*((?:[^\n]*\+\s*\n)*[^\n]*)$/gm)) {
        if (name === 'types.ts') continue; // the interface's declaration, `formula: string;`
        const value = m[1];
        const one = '(String\\.raw`[^`]*`|\'[^\']*\'|"[^"]*")';
        const literal = new RegExp(`^${one}(\\s*\\+\\s*${one})*,?\\s*$`);
        expect(value, `${name}: formula must be String.raw\`...\` or a quoted string`).toMatch(literal);
        expect(value, `${name}: formula must not interpolate`).not.toMatch(/\$\{/);
        literals++;
      }
    }
    expect(literals).toBe(EXPLANATIONS.length);
  });

  test('nothing outside src/ui/explain/ sets a formula', () => {
    const setters = filesUnder(SRC)
      .filter((p) => !p.includes(join('ui', 'explain')) && /\.(ts|svelte)$/.test(p))
      .filter((p) => /\bformula\s*[:=](?!=)|\[['"]formula['"]\]/.test(scriptOf(p)))
      .map((p) => relative(ROOT, p));
    expect(setters).toEqual([]);
  });

  test("KaTeX's rendering of every formula holds no script, handler or javascript: URL", () => {
    expect(EXPLANATIONS.length).toBeGreaterThan(10);
    for (const e of EXPLANATIONS) {
      const html = katex.renderToString(e.formula, { throwOnError: false, displayMode: true });
      expect(html, e.id).toMatch(/class="katex/);
      expect(unsafeTags(html), e.id).toEqual([]);
    }
    // And a formula that tried would come out inert: KaTeX escapes text and refuses \href without trust.
    const attack = String.raw`\text{<img src=x onerror=alert(1)>} \href{javascript:alert(1)}{x}`;
    const hostile = katex.renderToString(attack, { throwOnError: false });
    expect(hostile).toContain('&lt;img src=x onerror=alert(1)&gt;'); // shown as text
    expect(unsafeTags(hostile)).toEqual([]);
    expect(unsafeTags('<span>ok</span><img src=x onerror="y"><a href="javascript:z">')).toHaveLength(2); // the check bites
  });
});

/** The tags of `html` that run script: script, iframe, object, embed, an on* handler, a javascript: URL. */
function unsafeTags(html: string): string[] {
  return (html.match(/<[a-z][^>]*>/gi) ?? []).filter(
    (tag) =>
      /^<(script|iframe|object|embed)\b/i.test(tag) || /\son\w+\s*=/i.test(tag) || /=\s*["']?\s*javascript:/i.test(tag),
  );
}

/** The code of a .ts file, or of a .svelte file's <script> blocks (its <style> is CSS), comments blanked. */
function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  const code = path.endsWith('.svelte')
    ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
    : text;
  return withoutComments(code);
}

/** index.html's Content-Security-Policy, as directive -> sources. */
function metaPolicy(html: string): Map<string, string[]> {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  if (!m) throw new Error('index.html has no Content-Security-Policy <meta>');
  return parsePolicy(m[1]);
}

function parsePolicy(policy: string): Map<string, string[]> {
  const directives = policy
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .filter((d) => d[0] !== '');
  return new Map(directives.map(([name, ...sources]) => [name.toLowerCase(), sources]));
}

describe('index.html', () => {
  const html = readFileSync(join(ROOT, 'index.html'), 'utf8');

  test('has a Content-Security-Policy that forbids inline and injected script', () => {
    const csp = metaPolicy(html);
    const script = csp.get('script-src');
    expect(script, 'script-src').toBeDefined();
    expect(script).toContain("'self'");
    expect(script).not.toContain("'unsafe-inline'");
    expect(script).not.toContain("'unsafe-eval'");
    expect(script).not.toContain('data:');
    expect(script).not.toContain('blob:');
    expect(script).not.toContain('*');
    expect(
      script!.every((s) => s === "'self'" || s === "'wasm-unsafe-eval'"),
      `script-src ${script!.join(' ')}`,
    ).toBe(true);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    // Style sheets only from here; only style attributes (KaTeX, Svelte's style=) may be inline.
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    // Directives a <meta> cannot carry (Chromium logs an error for them) belong in a header only.
    for (const headerOnly of ['frame-ancestors', 'report-uri', 'sandbox'])
      expect(csp.has(headerOnly), headerOnly).toBe(false);
  });

  test('has no inline script, event handler attribute or javascript: URL', () => {
    const code = withoutComments(html);
    const scripts = [...code.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs, 'every <script> has a src').toMatch(/\ssrc="[^"]+"/);
      expect(body.trim(), 'and no body').toBe('');
    }
    expect(unsafeTags(code).filter((t) => !/^<script type="module" src="[^"]+">$/.test(t))).toEqual([]);
  });

  test('vite preview sends the same policy as a header, plus frame-ancestors', () => {
    const header = viteConfig.preview?.headers?.['Content-Security-Policy'];
    expect(typeof header).toBe('string');
    const sent = parsePolicy(header as string);
    const meta = metaPolicy(html);
    for (const [name, sources] of meta) expect(sent.get(name), name).toEqual(sources);
    expect(sent.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header).not.toMatch(/[\r\n]/);
  });
});
