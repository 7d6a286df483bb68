// The pure parts behind the charts: histogram binning and the calibration (reliability) bins,
// checked against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { histogramBins } from '../../src/ui/charts/histogram';
import { calibrationBins, symmetricPredictions } from '../../src/rlhf/calibration';

describe('histogramBins', () => {
  it('splits [0, 3] into two bins of width 1.5, the maximum going in the last bin', () => {
    expect(histogramBins([0, 1, 2, 3], 2, [0, 3])).toEqual([
      { x0: 0, x1: 1.5, count: 2 },
      { x0: 1.5, x1: 3, count: 2 },
    ]);
  });

  it('uses the range of the values when no domain is given', () => {
    // Range [1, 5] in 4 bins: [1,2) [2,3) [3,4) [4,5]; 5 joins 4 in the last bin.
    const bins = histogramBins([1, 1.5, 2, 3.9, 4, 5], 4);
    expect(bins.map((b) => b.x0)).toEqual([1, 2, 3, 4]);
    expect(bins[3].x1).toBe(5);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 1, 2]);
  });

  it('puts a value lying on an inner edge in the bin that starts there', () => {
    // Width 0.1: 0.3 / 0.1 is 2.9999999999999996 in floating point, yet 0.3 is the left edge of
    // the fourth bin, and the edges, not the division, decide.
    const bins = histogramBins([0.3, 0.7], 10, [0, 1]);
    const at = (v: number) => bins.findIndex((b) => b.count > 0 && b.x0 <= v && v < b.x1);
    expect(at(0.3)).toBe(3);
    expect(at(0.7)).toBe(7);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(2);
  });

  it('leaves out values outside the domain and values that are not finite', () => {
    const bins = histogramBins([-1, 0, 0.5, 1, 2, NaN, Infinity], 2, [0, 1]);
    expect(bins.map((b) => b.count)).toEqual([1, 2]);
  });

  it('gives one bin of width 1 centred on the value when all values are equal', () => {
    expect(histogramBins([2, 2, 2], 5)).toEqual([{ x0: 1.5, x1: 2.5, count: 3 }]);
  });

  it('gives no bins for no values', () => {
    expect(histogramBins([], 10)).toEqual([]);
    expect(histogramBins([NaN], 10, [0, 1])).toEqual([]);
  });

  it('gives two groups binned over the same domain the same edges', () => {
    const a = histogramBins([-2, 0.1], 4, [-2, 2]);
    const b = histogramBins([1.9, 2], 4, [-2, 2]);
    expect(a.map((x) => [x.x0, x.x1])).toEqual(b.map((x) => [x.x0, x.x1]));
    expect(a.map((x) => x.count)).toEqual([1, 0, 1, 0]);
    expect(b.map((x) => x.count)).toEqual([0, 0, 0, 2]);
  });
});

describe('calibrationBins', () => {
  it('averages prediction and outcome within each bin', () => {
    const bins = calibrationBins(
      [
        { p: 0.1, outcome: 0 },
        { p: 0.15, outcome: 1 },
        { p: 0.9, outcome: 1 },
      ],
      2,
    );
    expect(bins).toHaveLength(2);
    expect(bins[0].predicted).toBeCloseTo(0.125, 12);
    expect(bins[0].observed).toBe(0.5);
    expect(bins[0].count).toBe(2);
    expect(bins[1]).toEqual({ predicted: 0.9, observed: 1, count: 1 });
  });

  it('leaves out empty bins and puts p = 1 in the last bin', () => {
    const bins = calibrationBins(
      [
        { p: 0, outcome: 0 },
        { p: 1, outcome: 1 },
        { p: 0.95, outcome: 0 },
      ],
      10,
    );
    // Bins 0 and 9 only: [0, 0.1) holds 0; [0.9, 1] holds 0.95 and 1.
    expect(bins).toHaveLength(2);
    expect(bins[0]).toEqual({ predicted: 0, observed: 0, count: 1 });
    expect(bins[1].predicted).toBeCloseTo(0.975, 12);
    expect(bins[1].observed).toBe(0.5);
    expect(bins[1].count).toBe(2);
  });

  it('gives nothing for no predictions', () => {
    expect(calibrationBins([], 10)).toEqual([]);
  });
});

describe('symmetricPredictions', () => {
  it('scores each pair from both sides: (p, 1) and (1 - p, 0)', () => {
    expect(symmetricPredictions([0.8, 0.3])).toEqual([
      { p: 0.8, outcome: 1 },
      { p: 1 - 0.8, outcome: 0 },
      { p: 0.3, outcome: 1 },
      { p: 1 - 0.3, outcome: 0 },
    ]);
  });

  it('gives a reliability diagram symmetric about (0.5, 0.5)', () => {
    // Three pairs the model rates 0.85, 0.85 and 0.15 for the chosen side, over 10 bins:
    // bin [0.8, 0.9): (0.85,1), (0.85,1), (0.85,0 from the 0.15 pair's other side) -> observed 2/3;
    // bin [0.1, 0.2): (0.15,0), (0.15,0), (0.15,1)                                   -> observed 1/3.
    const bins = calibrationBins(symmetricPredictions([0.85, 0.85, 0.15]), 10);
    expect(bins).toHaveLength(2);
    const [low, high] = bins;
    expect(low.count).toBe(3);
    expect(high.count).toBe(3);
    expect(low.predicted + high.predicted).toBeCloseTo(1, 12);
    expect(low.observed + high.observed).toBeCloseTo(1, 12);
    expect(high.observed).toBeCloseTo(2 / 3, 12);
  });
});
