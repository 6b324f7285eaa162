/** CSV, summaries (quantiles, prefix minima, ECDFs, performance profiles) and log-axis labels. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decades, ecdfCurve, firstReach, methodScales, parseCsv, performanceProfile, powerLabel, prefixMin, quantiles, toCsv,
} from '../../src/plot/index.js';
import { bandRows, geomGrid, geomInts, stepLookup } from '../../src/plot/layers.js';

describe('csv', () => {
  it('quotes commas, quotes and newlines, and writes empty cells for null and non-finite numbers', () => {
    const text = toCsv([{ a: 'x, "y"', b: 1.5, c: null }, { a: 'line\nbreak', b: NaN, c: Infinity }], ['a', 'b', 'c']);
    expect(text).toBe('a,b,c\n"x, ""y""",1.5,\n"line\nbreak",,\n');
    expect(parseCsv(text)).toEqual([{ a: 'x, "y"', b: 1.5, c: null }, { a: 'line\nbreak', b: null, c: null }]);
  });

  it('round-trips finite numbers and strings exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.string({ minLength: 1 }).filter((t) => Number.isNaN(Number(t)) && t.trim() === t), v: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 20 }),
        (rows) => {
          const back = parseCsv(toCsv(rows, ['s', 'v']));
          expect(back).toEqual(rows.map((r) => ({ s: r.s, v: Object.is(r.v, -0) ? 0 : r.v })));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('summaries', () => {
  it('quantiles interpolate linearly (type 7) and skip non-finite values', () => {
    expect(quantiles([4, 1, 3, 2, NaN], [0, 0.5, 0.25, 1])).toEqual([1, 2.5, 1.75, 4]);
    expect(quantiles([], [0.5])[0]).toBeNaN();
  });

  it('prefixMin skips NaN and firstReach returns the first cost at the target', () => {
    expect([...prefixMin([NaN, 3, 5, 2, NaN, 4])]).toEqual([NaN, 3, 3, 2, 2, 2]);
    const pts = [{ cost: 2, value: 5 }, { cost: 4, value: 1 }, { cost: 8, value: 0.5 }];
    expect(firstReach(pts, 1)).toBe(4);
    expect(firstReach(pts, 0.1)).toBeNull();
  });

  it('ecdfCurve steps up by 1/total at each hitting cost and ends at the fraction reached', () => {
    const c = ecdfCurve([10, null, 5, 20], 1, 100);
    expect(c[0]).toEqual({ x: 1, frac: 0 });
    expect(c[c.length - 1]).toEqual({ x: 100, frac: 0.75 });
    expect(c.filter((p) => p.x === 5).map((p) => p.frac)).toEqual([0, 0.25]);
  });

  it('performanceProfile: ratios to the best solver per problem; failures never count', () => {
    // problem 1: A 10, B 20; problem 2: A fails, B 5; problem 3: nobody solves
    const curves = performanceProfile([[10, 20], [null, 5], [null, null]], ['A', 'B'], 4);
    const at = (s: number, tau: number): number => {
      let r = 0;
      for (const p of curves[s]!.points) if (p.tau <= tau) r = p.rho;
      return r;
    };
    expect(at(0, 1)).toBeCloseTo(1 / 3, 12); // A best on problem 1
    expect(at(1, 1)).toBeCloseTo(1 / 3, 12); // B best on problem 2
    expect(at(1, 2)).toBeCloseTo(2 / 3, 12); // B within ×2 on problem 1
    expect(at(0, 4)).toBeCloseTo(1 / 3, 12);
    expect(curves[0]!.points[curves[0]!.points.length - 1]!.tau).toBe(4);
  });

  it('bandRows: median and band over seeds; stepLookup holds the last value', () => {
    const f = stepLookup([{ x: 1, y: 10 }, { x: 5, y: 2 }]);
    expect([f(0), f(1), f(4.9), f(5), f(100)]).toEqual([NaN, 10, 10, 2, 2]);
    const rows = bandRows('m', [1, 2], [(x) => x, (x) => 2 * x, (x) => 3 * x]);
    expect(rows[1]).toMatchObject({ method: 'm', x: 2, median: 4, n: 3 });
  });

  it('geometric grids include both ends and are increasing', () => {
    const g = geomInts(1, 1000, 10);
    expect(g[0]).toBe(1);
    expect(g[g.length - 1]).toBe(1000);
    for (let i = 1; i < g.length; i++) expect(g[i]!).toBeGreaterThan(g[i - 1]!);
    const r = geomGrid(2, 2e4, 4);
    expect(r[0]).toBe(2);
    expect(r[r.length - 1]).toBeCloseTo(2e4, 9);
  });
});

describe('axes and scales', () => {
  it('powerLabel writes 10ⁿ with superscripts and decades lists the powers inside a range', () => {
    expect([powerLabel(-12), powerLabel(0), powerLabel(1), powerLabel(3)]).toEqual(['10⁻¹²', '1', '10', '10³']);
    expect(decades(0.05, 2000)).toEqual([0.1, 1, 10, 100, 1000]);
    expect(decades(1e-12, 1, 5).length).toBeLessThanOrEqual(5);
  });

  it('methodScales gives one colour and dash per method, references in grey after them', () => {
    const s = methodScales(['a', 'b'], ['ref']);
    expect(s.color.domain).toEqual(['a', 'b', 'ref']);
    expect(new Set(s.color.range).size).toBe(3);
    expect(s.strokeDash.range).toHaveLength(3);
  });
});
