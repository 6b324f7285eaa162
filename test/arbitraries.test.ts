// The shared arbitraries keep their promises: bounds, no NaN/∞, spacing, broadcast compatibility, repeated indices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  awayFrom, axesOf, broadcastRef, broadcastShapes, distinctValues, fcParams, float, indices, labels, matmulDims,
  permutation, positive, separatedPairs, shape, sliceOf, tensorArb,
} from './arbitraries.js';

const RUNS = 200;

describe('numbers', () => {
  it('float, positive and awayFrom stay finite and within their bounds', () => {
    fc.assert(
      fc.property(float({ min: -2, max: 3 }), positive({ min: 0.5, max: 4 }), awayFrom({ margin: 0.1, max: 2, from: 1 }), (f, p, a) => {
        expect(Number.isFinite(f) && f >= -2 && f <= 3).toBe(true);
        expect(Number.isFinite(p) && p >= 0.5 && p <= 4).toBe(true);
        expect(Math.abs(a - 1) >= 0.1 - 1e-15 && Math.abs(a - 1) <= 2 + 1e-15).toBe(true);
      }),
      fcParams(RUNS),
    );
    expect(() => positive({ min: 0 })).toThrow('positive: min must be > 0');
    expect(() => float({ min: 1, max: 0 })).toThrow('float: bad range');
  });

  it('distinctValues are pairwise at least spacing/2 apart; separatedPairs differ by ≥ gap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }).chain((n) => distinctValues(n)), (v) => {
        const s = [...v].sort((a, b) => a - b);
        for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!).toBeGreaterThanOrEqual(0.005 - 1e-12);
      }),
      fcParams(RUNS),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }).chain((n) => separatedPairs(n)), ([a, b]) => {
        expect(a.length).toBe(b.length);
        a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeGreaterThanOrEqual(1e-2));
      }),
      fcParams(RUNS),
    );
  });
});

describe('shapes', () => {
  it('shape respects rank, side and size bounds', () => {
    fc.assert(
      fc.property(shape({ minRank: 1, maxRank: 4, maxSide: 5, maxSize: 30 }), (s) => {
        expect(s.length >= 1 && s.length <= 4).toBe(true);
        expect(s.every((d) => Number.isInteger(d) && d >= 1 && d <= 5)).toBe(true);
        expect(s.reduce((p, d) => p * d, 1)).toBeLessThanOrEqual(30);
      }),
      fcParams(RUNS),
    );
  });

  it('broadcastShapes gives compatible shapes whose broadcast is `out`', () => {
    fc.assert(
      fc.property(broadcastShapes(3), ({ shapes, out }) => {
        expect(shapes.length).toBe(3);
        expect(broadcastRef(...shapes)).toEqual(out);
      }),
      fcParams(RUNS),
    );
    expect(() => broadcastRef([2], [3])).toThrow('broadcastRef: incompatible shapes');
  });

  it('axesOf, permutation, sliceOf and matmulDims are valid for their shape', () => {
    fc.assert(
      fc.property(shape().chain((s) => fc.tuple(fc.constant(s), axesOf(s), permutation(s.length), sliceOf(s))), ([s, axes, perm, sl]) => {
        const r = s.length;
        if (axes !== undefined) expect(axes.every((a) => Number.isInteger(a) && a >= -r && a < r)).toBe(true);
        expect([...perm].sort((a, b) => a - b)).toEqual([...Array(r).keys()]);
        s.forEach((d, i) => {
          expect(sl.begin[i]! >= 0 && sl.size[i]! >= 1 && sl.begin[i]! + sl.size[i]! <= d).toBe(true);
        });
      }),
      fcParams(RUNS),
    );
    fc.assert(
      fc.property(matmulDims(3), (dims) => dims.every((d) => d >= 1 && d <= 3)),
      fcParams(50),
    );
  });
});

describe('indices, labels and tensors', () => {
  it('indices are in range and contain a repeat; labels are in [0, c)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), indices(n), labels(4, n))), ([n, idx, y]) => {
        expect(idx.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
        expect(new Set(idx).size).toBeLessThan(idx.length);
        expect(y.length).toBe(4);
        expect(y.every((v) => v >= 0 && v < n)).toBe(true);
      }),
      fcParams(RUNS),
    );
  });

  it('tensorArb builds tensors of the drawn shape and dtype with finite entries', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float32', elem: float({ min: -1, max: 1 }) }), (t) => {
        expect(t.dtype).toBe('float32');
        expect(t.toFloat64Array().every((v) => v >= -1 && v <= 1)).toBe(true);
      }),
      fcParams(RUNS),
    );
  });
});
