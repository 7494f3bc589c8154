import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceTicks, smooth } from '../src/plot.js';

describe('loss-curve plot', () => {
  it('picks 1-2-5 ticks covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 938)).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks(0.25, 0.31)).toEqual([0.26, 0.28, 0.3]);
  });

  it('smooths with an exponential moving average', () => {
    expect(smooth([1, 0, 1, 0], 0.5)).toEqual([1, 0.5, 0.75, 0.375]);
    expect(smooth([], 0.9)).toEqual([]);
  });

  it('draws one polyline per series, escaping text', () => {
    const svg = lineChartSvg(
      [
        {
          name: 'train <loss>',
          points: [
            [0, 2],
            [1, 1],
            [2, 0.5],
          ],
          color: '#123456',
        },
        {
          name: 'test',
          points: [
            [1, 1.2],
            [2, 0.8],
          ],
          color: 'red',
        },
      ],
      { title: 'a & b', xLabel: 'epoch', yLabel: 'loss' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>a &#38; b</title>');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('train &#60;loss&#62;');
    expect(svg).toContain('a &#38; b');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});
