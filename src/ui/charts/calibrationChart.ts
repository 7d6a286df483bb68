// Draws a reliability diagram into an <svg> with d3: predicted probability on x, observed
// frequency on y, both 0..1 on a square plot. The dashed diagonal is perfect calibration; each
// bin is a dot (bigger for more predictions) and the dots are joined in order of prediction.
// Called at most once per animation frame by CalibrationChart.svelte.

import { axisBottom, axisLeft, line, max, scaleLinear, scaleSqrt, select } from 'd3';
import { plotSkeleton } from './plotSkeleton';
import type { CalibrationBin } from '../../rlhf/calibration';
import { OKABE_ITO } from '../colors';

// Okabe-Ito blue for the model; the reference diagonal is neutral grey.
export const CALIBRATION_COLOR = OKABE_ITO.blue;
const DIAGONAL_COLOR = '#6b7280';
const DASH = '6 4';

const MARGIN = { top: 30, right: 18, bottom: 42, left: 54 };
const MIN_RADIUS = 2.5;
const MAX_RADIUS = 9;

export interface CalibrationOptions {
  width: number;
  height: number;
  emptyNote?: string;
}

const f2 = (v: number) => v.toFixed(2);

/** Builds the parts of the chart that never change, the first time it is drawn. */
function skeleton(svgEl: SVGSVGElement) {
  const plot = plotSkeleton(svgEl, 'predicted probability', 'observed frequency');
  if (!plot) return;
  const svg = select(svgEl);
  plot
    .append('line')
    .attr('class', 'diagonal')
    .attr('stroke', DIAGONAL_COLOR)
    .attr('stroke-width', 1.5)
    .attr('stroke-dasharray', DASH);
  plot
    .append('path')
    .attr('class', 'curve')
    .attr('fill', 'none')
    .attr('stroke', CALIBRATION_COLOR)
    .attr('stroke-width', 2);
  plot.append('g').attr('class', 'dots');
  plot.append('text').attr('class', 'empty-note').attr('text-anchor', 'middle');

  const legend = svg.append('g').attr('class', 'legend');
  const model = legend.append('g');
  model.append('line').attr('x1', 0).attr('x2', 22).attr('stroke', CALIBRATION_COLOR).attr('stroke-width', 2.5);
  model.append('circle').attr('cx', 11).attr('r', 4).attr('fill', CALIBRATION_COLOR);
  model.append('text').attr('x', 28).attr('dy', '0.35em').text('reward model (dot size = pairs)');
  const ideal = legend.append('g').attr('transform', 'translate(250,0)');
  ideal
    .append('line')
    .attr('x1', 0)
    .attr('x2', 22)
    .attr('stroke', DIAGONAL_COLOR)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', DASH);
  ideal.append('text').attr('x', 28).attr('dy', '0.35em').text('perfectly calibrated');
}

export function drawCalibrationChart(svgEl: SVGSVGElement, bins: CalibrationBin[], opts: CalibrationOptions): void {
  skeleton(svgEl);
  const { width, height } = opts;
  // A square plot, as wide as the height allows, so the diagonal runs at 45 degrees.
  const side = Math.max(10, Math.min(width - MARGIN.left - MARGIN.right, height - MARGIN.top - MARGIN.bottom));
  const svg = select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  const shown = bins
    .filter((b) => Number.isFinite(b.predicted) && Number.isFinite(b.observed) && b.count > 0)
    .sort((a, b) => a.predicted - b.predicted);
  svg.attr('data-bins', shown.length);

  const x = scaleLinear().domain([0, 1]).range([0, side]);
  const y = scaleLinear().domain([0, 1]).range([side, 0]);
  const r = scaleSqrt()
    .domain([0, max(shown, (b) => b.count) ?? 1])
    .range([0, MAX_RADIUS]);

  const plot = svg.select<SVGGElement>('g.plot').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  svg.select('g.legend').attr('transform', `translate(${MARGIN.left + 4},${MARGIN.top / 2 - 2})`);
  const ticks = side >= 200 ? 10 : 5;
  plot.select<SVGGElement>('g.x-axis').attr('transform', `translate(0,${side})`).call(axisBottom(x).ticks(ticks));
  plot.select<SVGGElement>('g.y-axis').call(axisLeft(y).ticks(ticks));
  plot
    .select<SVGGElement>('g.grid')
    .call(
      axisLeft(y)
        .ticks(ticks)
        .tickSize(-side)
        .tickFormat(() => ''),
    )
    .call((g) => g.select('.domain').remove());
  plot
    .select('text.x-label')
    .attr('x', side / 2)
    .attr('y', side + 36);
  plot
    .select('text.y-label')
    .attr('x', -side / 2)
    .attr('y', -40);
  plot.select('line.diagonal').attr('x1', x(0)).attr('y1', y(0)).attr('x2', x(1)).attr('y2', y(1));

  const curve = line<CalibrationBin>()
    .x((b) => x(b.predicted))
    .y((b) => y(b.observed));
  plot.select('path.curve').attr('d', shown.length > 1 ? curve(shown) : null);

  plot
    .select('g.dots')
    .selectAll<SVGCircleElement, CalibrationBin>('circle')
    .data(shown)
    .join((enter) => {
      const c = enter.append('circle').attr('fill', CALIBRATION_COLOR).attr('stroke', '#fff').attr('stroke-width', 1);
      c.append('title');
      return c;
    })
    .attr('cx', (b) => x(b.predicted))
    .attr('cy', (b) => y(b.observed))
    .attr('r', (b) => Math.max(MIN_RADIUS, r(b.count)))
    .select('title')
    .text(
      (b) => `predicted ${f2(b.predicted)}, observed ${f2(b.observed)}, ${b.count} ${b.count === 1 ? 'pair' : 'pairs'}`,
    );

  plot
    .select('text.empty-note')
    .attr('x', side / 2)
    .attr('y', side / 2)
    .text(shown.length ? '' : (opts.emptyNote ?? 'No predictions yet'));
}
