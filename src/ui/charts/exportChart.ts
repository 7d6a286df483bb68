// Turns a chart on the page into files: a standalone SVG document, a PNG rendered from it, and
// a CSV of the numbers behind it. The page's stylesheet does not go with a downloaded SVG, so the
// styles that change how the chart looks are copied from the browser's computed values onto
// each element of a copy. The string and naming helpers are pure and tested in Node; the rest
// needs a browser (getComputedStyle, XMLSerializer, Image, canvas).

import { saveBytes, saveText } from '../download';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/**
 * The presentation properties copied onto the exported elements. All but opacity are inherited
 * in SVG, so a child only needs them written where they differ from its parent's.
 */
export const EXPORTED_PROPERTIES = [
  // d3's axes draw with currentColor, so the colour it stands for has to travel too.
  'color',
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'font-size',
  'font-family',
  'font-weight',
  'opacity',
] as const;

const NOT_INHERITED = new Set<string>(['opacity']);
/** The initial value of each property that is not inherited: no need to write it out. */
const INITIAL: Record<string, string> = { opacity: '1' };

/** The part of CSSStyleDeclaration the style copying reads. */
export interface StyleSource {
  getPropertyValue(property: string): string;
}

/**
 * The `style` text for one element of the exported copy: each exported property's computed
 * value, left out where the standalone file would give the same value anyway (an inherited
 * property equal to the parent's, or a non-inherited one at its initial value). `parent` is null
 * for the root, which writes every inherited property it has.
 */
export function inlineStyle(own: StyleSource, parent: StyleSource | null): string {
  const parts: string[] = [];
  for (const prop of EXPORTED_PROPERTIES) {
    const value = own.getPropertyValue(prop).trim();
    if (!value) continue;
    if (NOT_INHERITED.has(prop)) {
      if (value === INITIAL[prop]) continue;
    } else if (parent && parent.getPropertyValue(prop).trim() === value) {
      continue;
    }
    parts.push(`${prop}: ${value}`);
  }
  return parts.join('; ');
}

/** Copies computed styles from `orig` and its descendants onto the same elements of `copy`. */
function copyStyles(orig: Element, copy: Element, parentStyle: StyleSource | null): void {
  const style = getComputedStyle(orig);
  const text = inlineStyle(style, parentStyle);
  if (text) {
    // Keep any inline style already there; the computed values go last and so win.
    const before = copy.getAttribute('style')?.trim().replace(/;$/, '');
    copy.setAttribute('style', before ? `${before}; ${text}` : text);
  }
  // cloneNode(true) gives the copy the same children in the same order.
  const n = Math.min(orig.children.length, copy.children.length);
  for (let i = 0; i < n; i++) copyStyles(orig.children[i], copy.children[i], style);
}

/** Rounds a size in CSS pixels to a whole number of at least 1. */
function px(v: number): number {
  return Math.max(1, Math.round(Number.isFinite(v) ? v : 0));
}

/** The drawn size of an <svg>: its layout box, or its width/height attributes when it has none. */
export function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const width = box.width || Number(svg.getAttribute('width')) || 300;
  const height = box.height || Number(svg.getAttribute('height')) || 150;
  return { width: px(width), height: px(height) };
}

/**
 * Makes sure serialized SVG text names the SVG namespace on its root (and xlink's when used), and
 * puts an XML declaration in front. XMLSerializer normally writes xmlns itself; this covers the
 * case where it does not.
 */
export function withNamespaces(markup: string): string {
  let out = markup.replace(/^\s*<\?xml[^>]*>\s*/, '');
  const rootTag = /^<svg\b[^>]*>/.exec(out);
  if (rootTag) {
    let tag = rootTag[0];
    if (!/\sxmlns\s*=/.test(tag)) tag = tag.replace(/^<svg\b/, `<svg xmlns="${SVG_NS}"`);
    if (out.includes('xlink:') && !/\sxmlns:xlink\s*=/.test(tag))
      tag = tag.replace(/^<svg\b/, `<svg xmlns:xlink="${XLINK_NS}"`);
    out = tag + out.slice(rootTag[0].length);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out}`;
}

/** True for a computed colour that paints nothing ('transparent', or any colour with alpha 0). */
export function isTransparent(color: string): boolean {
  const c = color.trim().toLowerCase();
  return !c || c === 'transparent' || /^rgba\(.*,\s*0(\.0*)?\s*\)$/.test(c) || /\/\s*0(\.0*)?%?\s*\)$/.test(c);
}

/**
 * The colour the chart is seen on: the background of the nearest ancestor that has one, white
 * when none does. On the light theme that is the white card; on a dark theme it keeps the light
 * text and axes of the copy readable.
 */
function backdrop(svg: SVGSVGElement): string {
  for (let el: Element | null = svg; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    if (!isTransparent(bg)) return bg;
  }
  return '#ffffff';
}

/**
 * A standalone SVG document of `svg` as drawn now: the namespace declared, width, height and
 * viewBox set from the element's size (an existing viewBox is kept, since the drawing is in its
 * units), a background under everything (white, or the page's own where it is not), and the
 * computed styles that matter written onto each element. `svg` must be in the document, as
 * getComputedStyle needs it there.
 */
export function svgMarkup(svg: SVGSVGElement): string {
  const { width, height } = svgSize(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copyStyles(svg, copy, null);

  const viewBox = svg.getAttribute('viewBox')?.trim() || `0 0 ${width} ${height}`;
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', viewBox);
  // The page's layout rules (width: 100%, display: block) mean nothing in a file of its own.
  copy.style.removeProperty('width');
  copy.style.removeProperty('display');
  copy.style.removeProperty('overflow');

  const [vx, vy, vw, vh] = viewBox.split(/[\s,]+/).map(Number);
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('x', String(Number.isFinite(vx) ? vx : 0));
  bg.setAttribute('y', String(Number.isFinite(vy) ? vy : 0));
  bg.setAttribute('width', String(Number.isFinite(vw) ? vw : width));
  bg.setAttribute('height', String(Number.isFinite(vh) ? vh : height));
  bg.setAttribute('fill', backdrop(svg));
  bg.setAttribute('stroke', 'none');
  copy.insertBefore(bg, copy.firstChild);

  return withNamespaces(new XMLSerializer().serializeToString(copy));
}

/**
 * Renders SVG text to a PNG at `scale` times its size (2 by default, sharp on high-density
 * screens), on white. Rejects if the image cannot be decoded or the canvas cannot encode.
 */
export function pngBlob(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  return new Promise<Blob>((resolve, reject) => {
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => {
      try {
        const canvas = document.createElement('canvas');
        canvas.width = px(width * scale);
        canvas.height = px(height * scale);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('no 2D canvas context');
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas gave no PNG'))), 'image/png');
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    img.onerror = () => reject(new Error('the SVG could not be drawn as an image'));
    // A data: URL rather than a blob: URL, so that no canvas is ever tainted by it.
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  });
}

export type CsvCell = string | number | null;

/** A table for CSV export: a header and rows of the same length. */
export interface CsvTable {
  columns: string[];
  rows: CsvCell[][];
}

/** Characters that make a spreadsheet read the start of a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: text defused against formulas, then quoted when it needs to be. */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') {
    // A number is written as JavaScript writes it (1e-7, -0.5); spreadsheets read both.
    // NaN and the infinities have no CSV spelling that tools agree on: left empty.
    return Number.isFinite(cell) ? String(cell) : '';
  }
  let text = String(cell);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV text per RFC 4180: a header row, then one record per row, each ended by CRLF. A field
 * with a comma, a double quote or a line break is quoted, its quotes doubled; null is an empty
 * field; numbers are written as JavaScript numbers. Text starting with =, +, -, @ (or a tab or
 * carriage return) gets a leading single quote so spreadsheets show it rather than run it.
 */
export function toCsv(columns: string[], rows: CsvCell[][]): string {
  const line = (cells: CsvCell[]) => cells.map(csvField).join(',') + '\r\n';
  return line(columns) + rows.map(line).join('');
}

/** The local date as yyyy-mm-dd. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A file name for an export: the base name made safe for file systems (lower case, runs of
 * anything but ASCII letters, digits and underscore turned into one hyphen), the date, and the
 * extension, e.g. exportFileName('KL drift', 'svg', date) = 'kl-drift-2024-05-01.svg'.
 */
export function exportFileName(base: string, ext: string, date = new Date()): string {
  const slug =
    base
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chart';
  return `${slug}-${isoDay(date)}.${ext}`;
}

export type ExportFormat = 'svg' | 'png' | 'csv';

/** Downloads `svg` as an SVG or PNG file, or `table` as CSV, named from `base` and today's date. */
export async function downloadChart(
  format: ExportFormat,
  svg: SVGSVGElement,
  base: string,
  table: () => CsvTable,
): Promise<void> {
  const filename = exportFileName(base, format);
  if (format === 'csv') {
    const { columns, rows } = table();
    saveText(toCsv(columns, rows), filename);
    return;
  }
  const markup = svgMarkup(svg);
  if (format === 'svg') {
    saveText(markup, filename);
    return;
  }
  const { width, height } = svgSize(svg);
  const blob = await pngBlob(markup, width, height);
  saveBytes(await blob.arrayBuffer(), filename);
}
