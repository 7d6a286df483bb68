// Draws PPO's clipping at work: one circle per token of a minibatch, its advantage A on x and its
// probability ratio r = pi_new / pi_old on y. The clipped objective min(r A, clip(r, 1-eps, 1+eps) A)
// stops changing with r (so gives no gradient) where r > 1 + eps for A > 0 and where r < 1 - eps
// for A < 0; those two regions are shaded. Dashed lines mark 1 - eps, 1 and 1 + eps.
// Called at most once per animation frame by RatioScatter.svelte.

import { axisBottom, axisLeft, format, max, min, scaleLinear, select } from 'd3';
import { OKABE_ITO } from '../colors';

export interface RatioPoint {
  advantage: number;
  ratio: number;
  clipped: boolean;
}

// Okabe-Ito blue for tokens that still pass gradient, vermillion for clipped ones. They also
// differ in shape (filled against hollow), so the colours are never the only cue.
export const UNCLIPPED_COLOR = OKABE_ITO.blue;
export const CLIPPED_COLOR = OKABE_ITO.vermillion;
const SHADE_COLOR = '#9aa4b2';
const REF_COLOR = '#6b7280';

const MARGIN = { top: 30, right: 18, bottom: 42, left: 54 };
/** Beyond this many tokens the points are thinned evenly. */
export const MAX_SCATTER_POINTS = 2000;

export interface RatioScatterOptions {
  width: number;
  height: number;
  clipEpsilon: number;
  emptyNote?: string;
}

function thin<T>(pts: T[], cap: number): T[] {
  if (pts.length <= cap) return pts;
  const stride = pts.length / cap;
  return Array.from({ length: cap }, (_, i) => pts[Math.floor(i * stride)]);
}

/** Builds the parts of the chart that never change, the first time it is drawn. */
function skeleton(svgEl: SVGSVGElement) {
  const svg = select(svgEl);
  if (!svg.select('g.plot').empty()) return;
  const plot = svg.append('g').attr('class', 'plot');
  plot.append('rect').attr('class', 'shade-pos').attr('fill', SHADE_COLOR).attr('fill-opacity', 0.22);
  plot.append('rect').attr('class', 'shade-neg').attr('fill', SHADE_COLOR).attr('fill-opacity', 0.22);
  plot.append('g').attr('class', 'x-axis');
  plot.append('g').attr('class', 'y-axis');
  plot.append('text').attr('class', 'axis-label x-label').attr('text-anchor', 'middle').text('advantage A');
  plot
    .append('text')
    .attr('class', 'axis-label y-label')
    .attr('text-anchor', 'middle')
    .attr('transform', 'rotate(-90)')
    .text('probability ratio r');
  plot.append('line').attr('class', 'zero-x').attr('stroke', '#c3c9d3').attr('stroke-width', 1);
  plot.append('g').attr('class', 'refs');
  plot.append('g').attr('class', 'points');
  plot.append('text').attr('class', 'empty-note').attr('text-anchor', 'middle');

  const legend = svg.append('g').attr('class', 'legend');
  const unclipped = legend.append('g');
  unclipped.append('circle').attr('cx', 6).attr('r', 4).attr('fill', UNCLIPPED_COLOR);
  unclipped.append('text').attr('x', 16).attr('dy', '0.35em').text('token (gradient flows)');
  const clipped = legend.append('g').attr('transform', 'translate(170,0)');
  clipped
    .append('circle')
    .attr('cx', 6)
    .attr('r', 4)
    .attr('fill', 'none')
    .attr('stroke', CLIPPED_COLOR)
    .attr('stroke-width', 1.5);
  clipped.append('text').attr('x', 16).attr('dy', '0.35em').text('clipped token');
  const flat = legend.append('g').attr('transform', 'translate(280,0)');
  flat
    .append('rect')
    .attr('y', -6)
    .attr('width', 12)
    .attr('height', 12)
    .attr('fill', SHADE_COLOR)
    .attr('fill-opacity', 0.45);
  flat.append('text').attr('x', 18).attr('dy', '0.35em').text('objective flat (no gradient)');
}

export function drawRatioScatter(svgEl: SVGSVGElement, points: RatioPoint[], opts: RatioScatterOptions): void {
  skeleton(svgEl);
  const { width, height } = opts;
  const eps = Number.isFinite(opts.clipEpsilon) ? Math.max(0, opts.clipEpsilon) : 0.2;
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const svg = select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  const shown = thin(
    points.filter((p) => Number.isFinite(p.advantage) && Number.isFinite(p.ratio)),
    MAX_SCATTER_POINTS,
  );
  svg.attr('data-points', shown.length);

  // x is symmetric about A = 0 so the two halves compare; y always shows the clip band and a
  // little room past it on both sides.
  const aMax = (max(shown, (p) => Math.abs(p.advantage)) || 1) * 1.05;
  const band = Math.max(eps * 2, 0.05);
  const yLo = Math.max(0, Math.min(1 - band, min(shown, (p) => p.ratio) ?? 1));
  const yHi = Math.max(1 + band, max(shown, (p) => p.ratio) ?? 1);
  const pad = (yHi - yLo) * 0.04;
  const x = scaleLinear().domain([-aMax, aMax]).range([0, innerW]).nice();
  const y = scaleLinear()
    .domain([Math.max(0, yLo - pad), yHi + pad])
    .range([innerH, 0]);

  const plot = svg.select<SVGGElement>('g.plot').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  svg.select('g.legend').attr('transform', `translate(${MARGIN.left + 4},${MARGIN.top / 2 - 2})`);
  plot
    .select<SVGGElement>('g.x-axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(
      axisBottom(x)
        .ticks(Math.max(2, Math.floor(innerW / 80)))
        .tickFormat(format('~g')),
    );
  plot.select<SVGGElement>('g.y-axis').call(
    axisLeft(y)
      .ticks(Math.max(2, Math.floor(innerH / 40)))
      .tickFormat(format('~g')),
  );
  plot
    .select('text.x-label')
    .attr('x', innerW / 2)
    .attr('y', innerH + 36);
  plot
    .select('text.y-label')
    .attr('x', -innerH / 2)
    .attr('y', -40);

  // The flat regions: right of A = 0 above 1 + eps, left of A = 0 below 1 - eps.
  const clampY = (v: number) => Math.min(innerH, Math.max(0, y(v)));
  const x0 = x(0);
  const hiEdge = clampY(1 + eps);
  const loEdge = clampY(1 - eps);
  plot
    .select('rect.shade-pos')
    .attr('x', x0)
    .attr('y', 0)
    .attr('width', innerW - x0)
    .attr('height', hiEdge);
  plot
    .select('rect.shade-neg')
    .attr('x', 0)
    .attr('y', loEdge)
    .attr('width', x0)
    .attr('height', innerH - loEdge);
  plot.select('line.zero-x').attr('x1', x0).attr('x2', x0).attr('y1', 0).attr('y2', innerH);

  const f = format('~g');
  const refs = [
    { v: 1 - eps, text: `1 − ε = ${f(+(1 - eps).toFixed(4))}` },
    { v: 1, text: '' }, // the y axis already labels 1
    { v: 1 + eps, text: `1 + ε = ${f(+(1 + eps).toFixed(4))}` },
  ];
  const ref = plot
    .select('g.refs')
    .selectAll<SVGGElement, (typeof refs)[number]>('g.ref')
    .data(refs)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'ref');
      g.append('line').attr('stroke', REF_COLOR).attr('stroke-width', 1).attr('stroke-dasharray', '4 4');
      g.append('text').attr('class', 'axis-label').attr('text-anchor', 'end');
      return g;
    });
  ref
    .select('line')
    .attr('x1', 0)
    .attr('x2', innerW)
    .attr('y1', (d) => y(d.v))
    .attr('y2', (d) => y(d.v));
  // Labels go above the upper line and below the lower one, outside the band between them.
  ref
    .select('text')
    .attr('x', innerW - 2)
    .attr('y', (d) => y(d.v))
    .attr('dy', (d) => (d.v < 1 ? '1.1em' : '-0.3em'))
    .text((d) => d.text);

  plot
    .select('g.points')
    .selectAll('circle')
    .data(shown)
    .join('circle')
    .attr('cx', (p) => x(p.advantage))
    .attr('cy', (p) => y(p.ratio))
    .attr('r', (p) => (p.clipped ? 3 : 2.5))
    .attr('fill', (p) => (p.clipped ? 'none' : UNCLIPPED_COLOR))
    .attr('fill-opacity', 0.6)
    .attr('stroke', (p) => (p.clipped ? CLIPPED_COLOR : 'none'))
    .attr('stroke-width', 1.5);

  plot
    .select('text.empty-note')
    .attr('x', innerW / 2)
    .attr('y', innerH / 2)
    .text(shown.length ? '' : (opts.emptyNote ?? 'No PPO minibatch yet'));
}
