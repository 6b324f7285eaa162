// Unit tests of the rate check's statistics: quantile, least-squares slope, geometric grid, Clopper–Pearson bound.
import { describe, expect, it } from 'vitest';
import { clopperPearsonUpper, geometricGrid, olsSlope, quantile } from '../../src/testing/stats.js';

describe('quantile (type 7)', () => {
  it('interpolates between order statistics like R and NumPy', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 12);
  });
  it('keeps Infinity (a run that did not reach K) at the top without NaN', () => {
    expect(quantile([1, Infinity, Infinity], 0.9)).toBe(Infinity);
    expect(quantile([1, 2, Infinity], 0.25)).toBe(1.5);
  });
  it('rejects NaN, empty samples and q outside [0, 1]', () => {
    expect(() => quantile([1, NaN], 0.5)).toThrow(/NaN/);
    expect(() => quantile([], 0.5)).toThrow(/empty/);
    expect(() => quantile([1], 1.5)).toThrow(/q must be/);
  });
});

describe('olsSlope', () => {
  it('recovers the slope of a line and of a power law in log-log', () => {
    expect(olsSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 14);
    const Ks = [32, 64, 128, 256];
    expect(olsSlope(Ks.map(Math.log), Ks.map((K) => Math.log(5 / K)))).toBeCloseTo(-1, 12);
  });
  it('needs two distinct x', () => {
    expect(() => olsSlope([1], [1])).toThrow(/at least 2/);
    expect(() => olsSlope([1, 1], [1, 2])).toThrow(/all equal/);
  });
});

describe('geometricGrid', () => {
  it('doubles from kMin and ends at kMax', () => {
    expect(geometricGrid(32, 1024)).toEqual([32, 64, 128, 256, 512, 1024]);
    expect(geometricGrid(10, 50, 3)).toEqual([10, 30, 50]);
  });
  it('rejects bad ranges', () => {
    expect(() => geometricGrid(0, 10)).toThrow(/kMin/);
    expect(() => geometricGrid(10, 10)).toThrow(/kMax/);
    expect(() => geometricGrid(10, 20, 1)).toThrow(/ratio/);
  });
});

describe('clopperPearsonUpper', () => {
  it('gives 1 − α^(1/n) after 0 events (the "rule of three" ≈ 3/n)', () => {
    for (const n of [10, 100, 1000]) expect(clopperPearsonUpper(0, n, 0.05)).toBeCloseTo(1 - Math.pow(0.05, 1 / n), 6);
  });
  it('is the p at which P(X ≤ k) = α (checked against the binomial cdf)', () => {
    const p = clopperPearsonUpper(3, 50, 0.05);
    let cdf = 0;
    for (let i = 0; i <= 3; i++) {
      let c = 1;
      for (let j = 1; j <= i; j++) c = (c * (50 - i + j)) / j;
      cdf += c * p ** i * (1 - p) ** (50 - i);
    }
    expect(cdf).toBeCloseTo(0.05, 6);
    expect(clopperPearsonUpper(50, 50)).toBe(1);
  });
});
