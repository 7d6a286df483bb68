// Draws any number of named line series into an <svg> with d3: shared x and y axes, optional
// dashed horizontal reference lines (such as 0.5 for chance), and a legend that wraps onto more
// rows when the names do not fit on one. A point with a non-finite y leaves a gap in its line.
// Called at most once per animation frame by LineChart.svelte.

import { axisBottom, axisLeft, extent, format, line, scaleLinear, select } from 'd3';
import { plotSkeleton } from './plotSkeleton';
import { OKABE_ITO } from '../colors';

export interface SeriesPoint {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  color: string;
  points: SeriesPoint[];
  dashed?: boolean;
  /** Mark every point with a hollow dot (for sparse measurements). */
  dots?: boolean;
}

/**
 * The Okabe-Ito palette, ordered for use on a white background: blue and orange first (the pair
 * the loss chart uses), yellow last because it is faint against white.
 */
/** Series take the palette in this order. */
export const SERIES_COLORS: string[] = Object.values(OKABE_ITO);

const MARGIN = { top: 30, right: 18, bottom: 42, left: 54 };
const LEGEND_ROW = 18;
/** Beyond this many points a series is thinned evenly (its last point always kept). */
const MAX_DRAWN = 4000;
/** Dots are drawn only while a series has few enough points to tell them apart. */
const MAX_DOTS = 200;
const DASH = '6 4';

export interface LineChartOptions {
  width: number;
  height: number;
  xLabel: string;
  yLabel: string;
  emptyNote?: string;
  /** Fixed y range; without it the range follows the data and the reference lines. */
  yDomain?: [number, number];
  referenceY?: number[];
}

function thin<T>(pts: T[], max: number): T[] {
  if (pts.length <= max) return pts;
  const stride = pts.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(pts[Math.floor(i * stride)]);
  out.push(pts[pts.length - 1]);
  return out;
}

const finite = (p: SeriesPoint) => Number.isFinite(p.x) && Number.isFinite(p.y);
const fmtSmall = format('~g');
const fmtLarge = format('~s');
/** Tick labels: plain numbers below 1000 (so 0.5 stays 0.5, not 500m), SI suffixes above. */
const tickFmt = (v: number) => (Math.abs(v) >= 1000 ? fmtLarge(v) : fmtSmall(+v.toPrecision(6)));

/** Builds the parts of the chart that never change, the first time it is drawn. */
function skeleton(svgEl: SVGSVGElement) {
  const plot = plotSkeleton(svgEl);
  if (!plot) return;
  const svg = select(svgEl);
  plot.append('g').attr('class', 'references');
  plot.append('g').attr('class', 'series');
  plot.append('text').attr('class', 'empty-note').attr('text-anchor', 'middle');
  svg.append('g').attr('class', 'legend');
}

export function drawLineChart(svgEl: SVGSVGElement, series: Series[], opts: LineChartOptions): void {
  skeleton(svgEl);
  const { width, height } = opts;
  const svg = select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  // Legend first: its number of rows decides how far down the plot starts.
  let lx = 0;
  let row = 0;
  const slots = series.map((s) => {
    const w = 36 + 7 * s.name.length;
    if (lx > 0 && lx + w > width - MARGIN.left - MARGIN.right) {
      lx = 0;
      row += 1;
    }
    const slot = { s, x: lx, y: row * LEGEND_ROW };
    lx += w + 12;
    return slot;
  });
  const top = MARGIN.top + row * LEGEND_ROW;
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - top - MARGIN.bottom);

  const drawn = series.map((s) => thin(s.points, MAX_DRAWN));
  const all = drawn.flat().filter(finite);
  svg.attr('data-points', all.length);

  // Scales: x spans every series; y follows the data and reference lines unless it is fixed.
  const refs = (opts.referenceY ?? []).filter(Number.isFinite);
  const [x0 = 0, xEnd = 1] = extent(all, (p) => p.x);
  const x1 = xEnd <= x0 ? x0 + 1 : xEnd;
  let yDom: [number, number];
  if (opts.yDomain) yDom = opts.yDomain;
  else {
    let [y0 = 0, y1 = 1] = extent(all.map((p) => p.y).concat(refs));
    if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    const pad = (y1 - y0) * 0.05;
    yDom = [y0 - pad, y1 + pad];
  }
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]);
  const y = scaleLinear().domain(yDom).range([innerH, 0]);
  if (!opts.yDomain) y.nice();

  const plot = svg.select<SVGGElement>('g.plot').attr('transform', `translate(${MARGIN.left},${top})`);
  const yTicks = Math.max(2, Math.floor(innerH / 40));
  plot
    .select<SVGGElement>('g.x-axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(
      axisBottom(x)
        .ticks(Math.max(2, Math.floor(innerW / 90)))
        .tickFormat((v) => tickFmt(+v)),
    );
  plot.select<SVGGElement>('g.y-axis').call(
    axisLeft(y)
      .ticks(yTicks)
      .tickFormat((v) => tickFmt(+v)),
  );
  plot
    .select<SVGGElement>('g.grid')
    .call(
      axisLeft(y)
        .ticks(yTicks)
        .tickSize(-innerW)
        .tickFormat(() => ''),
    )
    .call((g) => g.select('.domain').remove());
  plot
    .select('text.x-label')
    .attr('x', innerW / 2)
    .attr('y', innerH + 36)
    .text(opts.xLabel);
  plot
    .select('text.y-label')
    .attr('x', -innerH / 2)
    .attr('y', -40)
    .text(opts.yLabel);

  // Reference lines, each labelled with its value at the right end.
  const [yLo, yHi] = y.domain();
  const shownRefs = refs.filter((r) => r >= Math.min(yLo, yHi) && r <= Math.max(yLo, yHi));
  const ref = plot
    .select('g.references')
    .selectAll<SVGGElement, number>('g.ref')
    .data(shownRefs)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'ref');
      g.append('line').attr('stroke', '#6b7280').attr('stroke-width', 1).attr('stroke-dasharray', '4 4');
      g.append('text').attr('class', 'axis-label').attr('text-anchor', 'end').attr('dy', '-0.3em');
      return g;
    });
  ref
    .select('line')
    .attr('x1', 0)
    .attr('x2', innerW)
    .attr('y1', (r) => y(r))
    .attr('y2', (r) => y(r));
  ref
    .select('text')
    .attr('x', innerW - 2)
    .attr('y', (r) => y(r))
    .text((r) => tickFmt(r));

  // One group per series: its line (gaps where y is not finite) and its dots.
  const path = line<SeriesPoint>()
    .defined(finite)
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  const groups = plot
    .select('g.series')
    .selectAll<SVGGElement, Series>('g.s')
    .data(series)
    .join((enter) => {
      const g = enter.append('g').attr('class', 's');
      g.append('path').attr('fill', 'none').attr('stroke-width', 2);
      g.append('g').attr('class', 'dots');
      return g;
    });
  groups
    .select('path')
    .attr('stroke', (s) => s.color)
    .attr('stroke-dasharray', (s) => (s.dashed ? DASH : null))
    .attr('d', (_s, i) => (drawn[i].filter(finite).length > 1 ? path(drawn[i]) : null));
  groups.each(function (s, i) {
    const pts = drawn[i].filter(finite);
    // A series with a single point has no line, so it gets a dot to stay visible.
    const dots = (s.dots && pts.length <= MAX_DOTS) || pts.length === 1 ? pts : [];
    select(this)
      .select('g.dots')
      .selectAll('circle')
      .data(dots)
      .join('circle')
      .attr('r', 3)
      .attr('fill', '#fff')
      .attr('stroke', s.color)
      .attr('stroke-width', 2)
      .attr('cx', (p) => x(p.x))
      .attr('cy', (p) => y(p.y));
  });

  const legend = svg.select('g.legend').attr('transform', `translate(${MARGIN.left + 4},${MARGIN.top / 2 - 2})`);
  const items = legend
    .selectAll<SVGGElement, (typeof slots)[number]>('g.item')
    .data(slots)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'item');
      g.append('line').attr('x1', 0).attr('x2', 22).attr('stroke-width', 2.5);
      g.append('text').attr('x', 28).attr('dy', '0.35em');
      return g;
    })
    .attr('transform', (d) => `translate(${d.x},${d.y})`);
  items
    .select('line')
    .attr('stroke', (d) => d.s.color)
    .attr('stroke-dasharray', (d) => (d.s.dashed ? DASH : null));
  items.select('text').text((d) => d.s.name);

  plot
    .select('text.empty-note')
    .attr('x', innerW / 2)
    .attr('y', innerH / 2)
    .text(all.length ? '' : (opts.emptyNote ?? 'No data yet'));
}
