// The pure parts of chart export: CSV text, file names, the style text written onto each
// exported element, the transparent-colour test behind the background, and the namespace fix-up
// of serialized SVG. svgMarkup and pngBlob need a real browser (getComputedStyle, XMLSerializer,
// Image, canvas) and no DOM library is installed here, so tests/e2e/export.test.ts covers them.
import { describe, expect, it } from 'vitest';
import {
  csvField,
  exportFileName,
  inlineStyle,
  isoDay,
  isTransparent,
  toCsv,
  withNamespaces,
  type StyleSource,
} from '../../src/ui/charts/exportChart';
import { stackedBins } from '../../src/ui/charts/histogram';

describe('toCsv', () => {
  it('writes a header and rows, each ended by CRLF', () => {
    expect(
      toCsv(
        ['step', 'loss'],
        [
          [1, 2.5],
          [2, 2.25],
        ],
      ),
    ).toBe('step,loss\r\n1,2.5\r\n2,2.25\r\n');
  });

  it('writes only the header when there are no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\r\n');
  });

  it('quotes fields with a comma, a quote or a line break, doubling the quotes', () => {
    expect(toCsv(['name'], [['a,b'], ['say "hi"'], ['two\nlines'], ['cr\rhere'], ['plain']])).toBe(
      'name\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\rhere"\r\nplain\r\n',
    );
  });

  it('leaves null empty, and NaN and infinities empty too', () => {
    expect(
      toCsv(
        ['a', 'b', 'c'],
        [
          [null, 1, null],
          [Number.NaN, Infinity, -Infinity],
        ],
      ),
    ).toBe('a,b,c\r\n,1,\r\n,,\r\n');
  });

  it('writes numbers as JavaScript writes them, a leading minus included', () => {
    expect(toCsv(['x'], [[1e-7], [-0.5], [0], [123456789], [1e21], [-2e-10]])).toBe(
      'x\r\n1e-7\r\n-0.5\r\n0\r\n123456789\r\n1e+21\r\n-2e-10\r\n',
    );
  });

  it('defuses text that a spreadsheet would run as a formula', () => {
    expect(csvField('=SUM(A1:A3)')).toBe("'=SUM(A1:A3)");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-0.5')).toBe("'-0.5"); // text, not a number: defused
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('a=b')).toBe('a=b'); // only a leading sign counts
    expect(csvField('')).toBe('');
  });

  it('defuses first, then quotes: the single quote sits inside the quotes', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(toCsv(['=a,b'], [['-c']])).toBe('"\'=a,b"\r\n\'-c\r\n');
  });

  it('builds a LineChart-style long table', () => {
    const series = [
      {
        name: 'KL, mean',
        points: [
          { x: 1, y: 0.25 },
          { x: 2, y: -0.5 },
        ],
      },
      { name: 'β', points: [{ x: 1, y: 0.1 }] },
    ];
    const rows = series.flatMap((s) => s.points.map((p) => [s.name, p.x, p.y]));
    expect(toCsv(['series', 'x', 'y'], rows)).toBe(
      'series,x,y\r\n"KL, mean",1,0.25\r\n"KL, mean",2,-0.5\r\nβ,1,0.1\r\n',
    );
  });
});

describe('export file names', () => {
  const day = new Date(2024, 4, 7, 23, 59); // local time, 7 May 2024

  it('formats the local date as yyyy-mm-dd', () => {
    expect(isoDay(day)).toBe('2024-05-07');
    expect(isoDay(new Date(2025, 11, 31))).toBe('2025-12-31');
  });

  it('turns the base into a safe slug and adds the date and extension', () => {
    expect(exportFileName('rl-kl', 'svg', day)).toBe('rl-kl-2024-05-07.svg');
    expect(exportFileName('KL drift', 'png', day)).toBe('kl-drift-2024-05-07.png');
    expect(exportFileName('  Über/../etc: passwd ', 'csv', day)).toBe('uber-etc-passwd-2024-05-07.csv');
    expect(exportFileName('√KL → reward', 'csv', day)).toBe('kl-reward-2024-05-07.csv');
    expect(exportFileName('***', 'csv', day)).toBe('chart-2024-05-07.csv');
  });
});

describe('inlineStyle', () => {
  const style = (values: Record<string, string>): StyleSource => ({ getPropertyValue: (p) => values[p] ?? '' });
  const root = style({
    fill: 'rgb(0, 0, 0)',
    stroke: 'none',
    'stroke-width': '1px',
    'stroke-dasharray': 'none',
    'font-size': '12px',
    'font-family': 'system-ui, "Segoe UI", sans-serif',
    'font-weight': '400',
    opacity: '1',
  });

  it('writes every inherited property on the root, and opacity only when it is not 1', () => {
    expect(inlineStyle(root, null)).toBe(
      'fill: rgb(0, 0, 0); stroke: none; stroke-width: 1px; stroke-dasharray: none; font-size: 12px; ' +
        'font-family: system-ui, "Segoe UI", sans-serif; font-weight: 400',
    );
  });

  it('writes on a child only what differs from its parent', () => {
    const child = style({
      fill: 'none',
      stroke: 'rgb(0, 114, 178)',
      'stroke-width': '2px',
      'stroke-dasharray': '6px, 4px',
      'font-size': '12px',
      'font-family': 'system-ui, "Segoe UI", sans-serif',
      'font-weight': '400',
      opacity: '0.5',
    });
    expect(inlineStyle(child, root)).toBe(
      'fill: none; stroke: rgb(0, 114, 178); stroke-width: 2px; stroke-dasharray: 6px, 4px; opacity: 0.5',
    );
  });

  it('writes nothing for a child that looks just like its parent', () => {
    expect(inlineStyle(root, root)).toBe('');
  });

  it('writes opacity on a child even when the parent has the same opacity (it is not inherited)', () => {
    const faded = style({ opacity: '0.3' });
    expect(inlineStyle(faded, faded)).toBe('opacity: 0.3');
  });
});

describe('isTransparent', () => {
  it('knows the computed spellings of no background', () => {
    for (const c of [
      '',
      'transparent',
      'rgba(0, 0, 0, 0)',
      'rgba(255,255,255,0.0)',
      'rgb(0 0 0 / 0)',
      'rgb(0 0 0 / 0%)',
    ]) {
      expect(isTransparent(c), c).toBe(true);
    }
  });

  it('counts any colour with some alpha as a background', () => {
    for (const c of [
      'rgb(255, 255, 255)',
      'rgba(0, 0, 0, 0.05)',
      'rgba(0, 0, 0, 0.5)',
      '#ffffff',
      'rgb(24 29 36 / 0.5)',
    ]) {
      expect(isTransparent(c), c).toBe(false);
    }
  });
});

describe('withNamespaces', () => {
  it('adds an XML declaration and keeps an xmlns that is there', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10"><path d="M0 0"/></svg>';
    expect(withNamespaces(svg)).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`);
  });

  it('adds the SVG namespace, and xlink when the markup uses it', () => {
    expect(withNamespaces('<svg width="10"><use xlink:href="#a"/></svg>')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg" width="10"><use xlink:href="#a"/></svg>',
    );
  });

  it('does not stack a second XML declaration', () => {
    const out = withNamespaces('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(out.match(/<\?xml/g)).toHaveLength(1);
  });
});

describe('stackedBins (the histogram CSV)', () => {
  it('bins both groups over one range that reaches 0', () => {
    // Values in [-1, 3] (0 already inside), 2 bins of width 2: [-1, 1) and [1, 3].
    const bins = stackedBins(
      [
        { value: -1, group: 'train' },
        { value: 0.5, group: 'train' },
        { value: 2, group: 'heldOut' },
        { value: 3, group: 'train' },
        { value: Number.NaN, group: 'heldOut' },
      ],
      2,
    );
    expect(bins).toEqual([
      { x0: -1, x1: 1, train: 2, held: 0 },
      { x0: 1, x1: 3, train: 1, held: 1 },
    ]);
  });

  it('widens a range of positive values down to 0', () => {
    const bins = stackedBins([{ value: 4, group: 'heldOut' }], 2);
    expect(bins).toEqual([
      { x0: 0, x1: 2, train: 0, held: 0 },
      { x0: 2, x1: 4, train: 0, held: 1 },
    ]);
  });
});
