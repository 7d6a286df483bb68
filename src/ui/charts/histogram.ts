// A histogram of values from two groups (training and held-out), stacked bar on bar with the
// same bin edges, and a vertical line at x = 0. Made for reward margins r(chosen) - r(rejected):
// a margin left of the line is a pair on which the reward model disagrees with its label.
// Called at most once per animation frame by HistogramChart.svelte.

import { axisBottom, axisLeft, format, max, scaleLinear, select } from 'd3';
import { plotSkeleton } from './plotSkeleton';
import { OKABE_ITO } from '../colors';

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

export type HistogramGroup = 'train' | 'heldOut';
export interface GroupedValue {
  value: number;
  group: HistogramGroup;
}

// bin i = [lo + i w, lo + (i+1) w), w = (hi - lo) / K; the last bin also holds hi.
/**
 * Counts values into `binCount` equal-width bins over `domain` (default: the values' own range).
 * Non-finite values and values outside the domain are left out. When the range has no width
 * (all values equal) the answer is one bin of width 1 centred on that value; no values, no bins.
 */
export function histogramBins(values: number[], binCount: number, domain?: [number, number]): HistogramBin[] {
  const xs = values.filter(Number.isFinite);
  if (!xs.length) return [];
  let lo = domain ? domain[0] : Infinity;
  let hi = domain ? domain[1] : -Infinity;
  if (!domain) for (const v of xs) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!(hi > lo)) {
    const count = xs.filter((v) => v === lo).length;
    return [{ x0: lo - 0.5, x1: lo + 0.5, count }];
  }
  const k = Math.max(1, Math.floor(binCount));
  const w = (hi - lo) / k;
  const edge = (i: number) => (i === k ? hi : lo + ((hi - lo) * i) / k);
  const bins: HistogramBin[] = Array.from({ length: k }, (_, i) => ({ x0: edge(i), x1: edge(i + 1), count: 0 }));
  for (const v of xs) {
    if (v < lo || v > hi) continue;
    let i = Math.min(k - 1, Math.floor((v - lo) / w));
    // Rounding in the division can land a value just across an edge; the edges decide.
    if (i > 0 && v < bins[i].x0) i -= 1;
    else if (i < k - 1 && v >= bins[i].x1) i += 1;
    bins[i].count += 1;
  }
  return bins;
}

// Okabe-Ito blue and orange, as for train and held-out in the loss chart.
export const GROUP_COLORS: Record<HistogramGroup, string> = { train: OKABE_ITO.blue, heldOut: OKABE_ITO.orange };
const GROUP_NAMES: Record<HistogramGroup, string> = { train: 'training', heldOut: 'held-out' };

const MARGIN = { top: 30, right: 18, bottom: 42, left: 54 };

export interface HistogramOptions {
  width: number;
  height: number;
  xLabel: string;
  bins: number;
  emptyNote?: string;
}

/** Builds the parts of the chart that never change, the first time it is drawn. */
function skeleton(svgEl: SVGSVGElement) {
  const plot = plotSkeleton(svgEl, '', 'count');
  if (!plot) return;
  const svg = select(svgEl);
  plot.append('g').attr('class', 'bars-train');
  plot.append('g').attr('class', 'bars-heldout');
  plot.append('line').attr('class', 'zero-line').attr('stroke', '#374151').attr('stroke-width', 1.5);
  plot.append('text').attr('class', 'empty-note').attr('text-anchor', 'middle');
  svg.append('g').attr('class', 'legend');
}

/** One bin of the two-group histogram: its edges and how many values of each group fall in it. */
export interface StackedBin {
  x0: number;
  x1: number;
  train: number;
  held: number;
}

/**
 * The bins the histogram draws: one set of edges for both groups over the range of all finite
 * values widened to reach 0 (so the zero line shows), with each group's count per bin.
 * Also what the chart's CSV export writes.
 */
export function stackedBins(values: GroupedValue[], binCount: number): StackedBin[] {
  const ok = values.filter((v) => Number.isFinite(v.value));
  const trainVals = ok.filter((v) => v.group === 'train').map((v) => v.value);
  const heldVals = ok.filter((v) => v.group === 'heldOut').map((v) => v.value);
  let lo = 0;
  let hi = 0;
  for (const v of ok) [lo, hi] = [Math.min(lo, v.value), Math.max(hi, v.value)];
  const domain: [number, number] = [lo, hi];
  const train = histogramBins(trainVals, binCount, domain);
  const held = histogramBins(heldVals, binCount, domain);
  return (train.length ? train : held).map((b, i) => ({
    x0: b.x0,
    x1: b.x1,
    train: train[i]?.count ?? 0,
    held: held[i]?.count ?? 0,
  }));
}

export function drawHistogram(svgEl: SVGSVGElement, values: GroupedValue[], opts: HistogramOptions): void {
  skeleton(svgEl);
  const { width, height } = opts;
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const svg = select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  const ok = values.filter((v) => Number.isFinite(v.value));
  const trainVals = ok.filter((v) => v.group === 'train').map((v) => v.value);
  const heldVals = ok.filter((v) => v.group === 'heldOut').map((v) => v.value);
  svg.attr('data-count', values.length);
  const stacked = stackedBins(values, opts.bins);

  const x0 = stacked.length ? stacked[0].x0 : -1;
  const x1 = stacked.length ? stacked[stacked.length - 1].x1 : 1;
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]);
  const y = scaleLinear()
    .domain([0, Math.max(1, max(stacked, (b) => b.train + b.held) ?? 0)])
    .range([innerH, 0])
    .nice();

  const plot = svg.select<SVGGElement>('g.plot').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const yTicks = Math.min(Math.max(2, Math.floor(innerH / 40)), y.domain()[1]);
  plot
    .select<SVGGElement>('g.x-axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(
      axisBottom(x)
        .ticks(Math.max(2, Math.floor(innerW / 80)))
        .tickFormat(format('~g')),
    );
  plot.select<SVGGElement>('g.y-axis').call(axisLeft(y).ticks(yTicks).tickFormat(format('d')));
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
    .attr('y', -40);

  // Training bars sit on the axis; held-out bars are stacked on top of them.
  const barX = (b: { x0: number }) => x(b.x0) + 0.5;
  const barW = (b: { x0: number; x1: number }) => Math.max(0.5, x(b.x1) - x(b.x0) - 1);
  plot
    .select('g.bars-train')
    .selectAll('rect')
    .data(stacked)
    .join('rect')
    .attr('fill', GROUP_COLORS.train)
    .attr('x', barX)
    .attr('width', barW)
    .attr('y', (b) => y(b.train))
    .attr('height', (b) => innerH - y(b.train));
  plot
    .select('g.bars-heldout')
    .selectAll('rect')
    .data(stacked)
    .join('rect')
    .attr('fill', GROUP_COLORS.heldOut)
    .attr('x', barX)
    .attr('width', barW)
    .attr('y', (b) => y(b.train + b.held))
    .attr('height', (b) => y(b.train) - y(b.train + b.held));

  plot
    .select('line.zero-line')
    .attr('display', stacked.length ? null : 'none')
    .attr('x1', x(0))
    .attr('x2', x(0))
    .attr('y1', 0)
    .attr('y2', innerH);

  // Legend: a swatch per group with its size and the share of it below zero.
  const below = (vs: number[]) => (vs.length ? Math.round((100 * vs.filter((v) => v < 0).length) / vs.length) : 0);
  const items = (['train', 'heldOut'] as const).map((key) => {
    const vs = key === 'train' ? trainVals : heldVals;
    return { key, text: `${GROUP_NAMES[key]} (n = ${vs.length}, ${below(vs)}% below 0)`, at: 0 };
  });
  items[1].at = 18 + 7 * items[0].text.length + 16;
  svg
    .select('g.legend')
    .attr('transform', `translate(${MARGIN.left + 4},${MARGIN.top / 2 - 2})`)
    .selectAll<SVGGElement, (typeof items)[number]>('g.item')
    .data(items)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'item');
      g.append('rect').attr('width', 12).attr('height', 12).attr('y', -6);
      g.append('text').attr('x', 18).attr('dy', '0.35em');
      return g;
    })
    .attr('transform', (d) => `translate(${d.at},0)`)
    .call((g) => g.select('rect').attr('fill', (d) => GROUP_COLORS[d.key]))
    .call((g) => g.select('text').text((d) => d.text));

  plot
    .select('text.empty-note')
    .attr('x', innerW / 2)
    .attr('y', innerH / 2)
    .text(ok.length ? '' : (opts.emptyNote ?? 'No values yet'));
}
