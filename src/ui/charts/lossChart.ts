// Draws a loss curve into an <svg> with d3: train loss as a line, held-out loss as a dashed
// line with dots (it is measured only every few steps), axes, labels and a legend.
// Called at most once per animation frame by LossChart.svelte; it never reads from the worker.

import { axisBottom, axisLeft, format, line, scaleLinear, select } from 'd3';
import { plotSkeleton } from './plotSkeleton';
import { OKABE_ITO } from '../colors';

/** What a loss curve needs of a point: MetricPoint (LM stages) and RewardMetricPoint both fit. */
export interface LossPoint {
  step: number;
  trainLoss: number;
  heldoutLoss: number | null;
}

// Okabe-Ito blue and orange: distinguishable with the common kinds of colour blindness.
export const TRAIN_COLOR = OKABE_ITO.blue;
export const HELDOUT_COLOR = OKABE_ITO.orange;

const MARGIN = { top: 30, right: 18, bottom: 42, left: 54 };
/** Beyond this many train points the line is thinned evenly (the last point always kept). */
const MAX_DRAWN = 4000;
/** Held-out dots are drawn only while there are few enough to tell apart. */
const MAX_DOTS = 80;

export interface ChartSize {
  width: number;
  height: number;
  /** Shown in the middle while there are no points. */
  emptyNote?: string;
}

function thin<T>(pts: T[], max: number): T[] {
  if (pts.length <= max) return pts;
  const stride = pts.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(pts[Math.floor(i * stride)]);
  out.push(pts[pts.length - 1]);
  return out;
}

/** Builds the fixed parts of the chart the first time it is drawn. */
function skeleton(svgEl: SVGSVGElement) {
  const plot = plotSkeleton(svgEl, 'step', 'loss');
  if (!plot) return;
  const svg = select(svgEl);
  plot
    .append('path')
    .attr('class', 'line-train')
    .attr('fill', 'none')
    .attr('stroke', TRAIN_COLOR)
    .attr('stroke-width', 2);
  plot
    .append('path')
    .attr('class', 'line-heldout')
    .attr('fill', 'none')
    .attr('stroke', HELDOUT_COLOR)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', '6 4');
  plot.append('g').attr('class', 'dots-heldout');
  plot.append('circle').attr('class', 'dot-last').attr('r', 3.5).attr('fill', TRAIN_COLOR);
  plot.append('text').attr('class', 'empty-note').attr('text-anchor', 'middle');

  const legend = svg.append('g').attr('class', 'legend');
  const items = [
    { label: 'train loss', color: TRAIN_COLOR, dash: null },
    { label: 'held-out loss', color: HELDOUT_COLOR, dash: '6 4' },
  ];
  items.forEach((it, i) => {
    const g = legend.append('g').attr('transform', `translate(${i * 130},0)`);
    g.append('line')
      .attr('x1', 0)
      .attr('x2', 22)
      .attr('y1', 0)
      .attr('y2', 0)
      .attr('stroke', it.color)
      .attr('stroke-width', 2.5)
      .attr('stroke-dasharray', it.dash);
    g.append('text').attr('x', 28).attr('dy', '0.35em').text(it.label);
  });
}

export function drawLossChart(svgEl: SVGSVGElement, points: LossPoint[], size: ChartSize): void {
  skeleton(svgEl);
  const { width, height } = size;
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const svg = select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  const train = thin(
    points.filter((p) => Number.isFinite(p.trainLoss)),
    MAX_DRAWN,
  );
  const held = points.filter(
    (p): p is LossPoint & { heldoutLoss: number } => p.heldoutLoss != null && Number.isFinite(p.heldoutLoss),
  );
  svg.attr('data-points', train.length);

  // Scales: steps on x, both losses share y.
  const x0 = points.length ? points[0].step : 0;
  const xEnd = points.length ? points[points.length - 1].step : 1;
  const x1 = xEnd <= x0 ? x0 + 1 : xEnd;
  let y0 = Infinity;
  let y1 = -Infinity;
  const widen = (v: number) => {
    if (v < y0) y0 = v;
    if (v > y1) y1 = v;
  };
  train.forEach((p) => widen(p.trainLoss));
  held.forEach((p) => widen(p.heldoutLoss));
  if (!Number.isFinite(y0)) {
    y0 = 0;
    y1 = 1;
  }
  if (y1 - y0 < 1e-6) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]);
  const y = scaleLinear()
    .domain([Math.max(0, y0 - pad), y1 + pad])
    .range([innerH, 0])
    .nice();

  const plot = svg.select<SVGGElement>('g.plot').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  svg.select('g.legend').attr('transform', `translate(${MARGIN.left + 4},${MARGIN.top / 2 - 2})`);

  const xTicks = x.ticks(Math.max(2, Math.floor(innerW / 90))).filter(Number.isInteger);
  plot
    .select<SVGGElement>('g.x-axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(axisBottom(x).tickValues(xTicks).tickFormat(format('~s')));
  plot.select<SVGGElement>('g.y-axis').call(axisLeft(y).ticks(Math.max(2, Math.floor(innerH / 40))));
  plot
    .select<SVGGElement>('g.grid')
    .call(
      axisLeft(y)
        .ticks(Math.max(2, Math.floor(innerH / 40)))
        .tickSize(-innerW)
        .tickFormat(() => ''),
    )
    .call((g) => g.select('.domain').remove());
  plot
    .select('text.x-label')
    .attr('x', innerW / 2)
    .attr('y', innerH + 36);
  plot
    .select('text.y-label')
    .attr('x', -innerH / 2)
    .attr('y', -40);

  const trainLine = line<LossPoint>()
    .x((p) => x(p.step))
    .y((p) => y(p.trainLoss));
  const heldLine = line<LossPoint & { heldoutLoss: number }>()
    .x((p) => x(p.step))
    .y((p) => y(p.heldoutLoss));
  plot.select('path.line-train').attr('d', train.length > 1 ? trainLine(train) : null);
  plot.select('path.line-heldout').attr('d', held.length > 1 ? heldLine(held) : null);

  const dots = held.length <= MAX_DOTS ? held : [];
  plot
    .select('g.dots-heldout')
    .selectAll('circle')
    .data(dots)
    .join('circle')
    .attr('r', 3)
    .attr('fill', '#fff')
    .attr('stroke', HELDOUT_COLOR)
    .attr('stroke-width', 2)
    .attr('cx', (p) => x(p.step))
    .attr('cy', (p) => y(p.heldoutLoss));

  // A dot on the newest train point shows where training is now (and makes one step visible).
  const last = train[train.length - 1];
  plot
    .select('circle.dot-last')
    .attr('display', last ? null : 'none')
    .attr('cx', last ? x(last.step) : 0)
    .attr('cy', last ? y(last.trainLoss) : 0);

  plot
    .select('text.empty-note')
    .attr('x', innerW / 2)
    .attr('y', innerH / 2)
    .text(points.length ? '' : (size.emptyNote ?? 'No steps yet: press Play or Step'));
}
