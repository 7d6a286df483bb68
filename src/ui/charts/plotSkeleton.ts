// The parts every chart starts with: a plot group holding a grid, two axes and their labels.

import { select, type Selection } from 'd3';

/**
 * Builds the common parts the first time a chart is drawn and returns the new plot group, for
 * the chart to add its own parts on top; returns null when the chart was built already.
 */
export function plotSkeleton(
  svgEl: SVGSVGElement,
  xLabel = '',
  yLabel = '',
): Selection<SVGGElement, unknown, null, undefined> | null {
  const svg = select(svgEl);
  if (!svg.select('g.plot').empty()) return null;
  const plot = svg.append('g').attr('class', 'plot');
  plot.append('g').attr('class', 'grid');
  plot.append('g').attr('class', 'x-axis');
  plot.append('g').attr('class', 'y-axis');
  plot.append('text').attr('class', 'axis-label x-label').attr('text-anchor', 'middle').text(xLabel);
  plot
    .append('text')
    .attr('class', 'axis-label y-label')
    .attr('text-anchor', 'middle')
    .attr('transform', 'rotate(-90)')
    .text(yLabel);
  return plot;
}
