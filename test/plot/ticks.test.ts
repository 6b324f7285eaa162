// Linear axes label their ticks as plain numbers (20 … 100 epochs), never in exponent notation.
import { describe, expect, it } from 'vitest';
import { linearAxis, specToSvg } from '../../src/plot/index.js';

/** The tick labels of the x axis of a one-line chart over [0, hi]. */
async function xTickLabels(hi: number, tickCount: number): Promise<string[]> {
  const svg = await specToSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 300,
    height: 100,
    data: { values: [{ x: 0, y: 0 }, { x: hi, y: 1 }] },
    mark: 'line',
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { domain: [0, hi], nice: false }, axis: linearAxis({ tickCount, title: 'epochs' }) },
      y: { field: 'y', type: 'quantitative', axis: null },
    },
  } as never);
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).filter((t) => t !== 'epochs');
}

describe('linearAxis tick labels', () => {
  it('100 epochs: 0 20 40 60 80 100', async () => {
    expect(await xTickLabels(100, 6)).toEqual(['0', '20', '40', '60', '80', '100']);
  });

  it('2 epochs: 0 0.5 1 1.5 2', async () => {
    expect(await xTickLabels(2, 4)).toEqual(['0', '0.5', '1', '1.5', '2']);
  });
});
