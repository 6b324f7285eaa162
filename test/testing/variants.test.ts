// exactGradient against run() with the full batch, and nqmExactBatch's batch mean against its exact law and against run()'s sampler.
import { describe, expect, it } from 'vitest';
import { adagradNorm, constant, key, run, sgd, testDriven, normTest } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';
import { exactGradient, nqmExactBatch, type VariantSeries } from '../../src/testing/index.js';

describe('exactGradient', () => {
  it('follows run() with b = n drawn without replacement (the exact gradient) to rounding', () => {
    const p = getProblem('lsq-noisy_d4_n24_i0_k10');
    const k = key(5);
    const det = exactGradient(() => adagradNorm(0.5, 0.1))(p, 60, k) as VariantSeries;
    // b = n without replacement: every batch is the whole data set, whatever the key.
    const res = run({ problem: p, optimizer: adagradNorm(0.5, 0.1), controller: constant(p.n!), budget: { steps: 60 }, key: key(6), x0: det.x0!, replace: false });
    const g = res.trace.column('gradFNormSq');
    for (let i = 0; i < 60; i++) expect(det.gradFNormSq[i]! / g[i]!, `step ${i}`).toBeCloseTo(1, 8);
  });
});

describe('nqmExactBatch', () => {
  // One SGD step with α = 1 from x₀: x₁ = x₀ − ḡ, and
  // E||∇F(x₁)||² = ||(I − H) H e₀||² + Σ_j h_j³ / b   (Cov ḡ = H/b),  e₀ = x₀ − x★.
  const p = getProblem('nqm_d3_i0_a1');
  const h = [1, 1 / 2, 1 / 3];
  const xStar = (p as unknown as { info: { xStar: Float64Array } }).info.xStar;
  const b = 4;
  const N = 3000;
  const expected = (x0: Float64Array): number =>
    h.reduce((s, hj, j) => s + ((1 - hj) * hj * (x0[j]! - xStar[j]!)) ** 2 + hj ** 3 / b, 0);

  function meanAndSe(xs: number[]): [number, number] {
    const m = xs.reduce((a, c) => a + c, 0) / xs.length;
    const v = xs.reduce((a, c) => a + (c - m) ** 2, 0) / (xs.length - 1);
    return [m, Math.sqrt(v / xs.length)];
  }

  // Stated false-fail rate: |z| > 5 under the null has probability 5.7e-7 (CLT; N = 3000 draws of a
  // bounded-variance statistic); the × 1.5 control below shows the test can fail.
  it('draws ḡ with mean ∇F and covariance H/b (mean of ||∇F(x₁)||² within 5 standard errors)', () => {
    const x0 = Float64Array.of(1, -1, 0.5).map((v, j) => v + xStar[j]!);
    const pAt = { ...p, x0: () => Float64Array.from(x0) };
    const v = nqmExactBatch(() => sgd(1), () => constant(b));
    const draws = Array.from({ length: N }, (_, i) => (v(pAt, 2, key(1000 + i)) as VariantSeries).gradFNormSq[1]!);
    const [m, se] = meanAndSe(draws);
    const want = expected(x0);
    expect(Math.abs(m - want) / se, `seed keys 1000..${1000 + N - 1}: mean ${m}, expected ${want}, se ${se}`).toBeLessThan(5);
    expect(Math.abs(m - 1.5 * want) / se, 'control: a 1.5× wrong expectation is rejected').toBeGreaterThan(5);
  });

  it('has the law of run() sampling b draws (two-sample z-test of the same statistic, |z| < 5)', () => {
    const x0 = Float64Array.of(0.5, 1, -1).map((v, j) => v + xStar[j]!);
    const pAt = { ...p, x0: () => Float64Array.from(x0) };
    const v = nqmExactBatch(() => sgd(1), () => constant(b));
    const a = Array.from({ length: N }, (_, i) => (v(pAt, 2, key(5000 + i)) as VariantSeries).gradFNormSq[1]!);
    const r = Array.from({ length: N }, (_, i) => {
      const res = run({ problem: p, optimizer: sgd(1), controller: constant(b), budget: { steps: 2 }, key: key(9000 + i), x0 });
      return res.trace.column('gradFNormSq')[1]!;
    });
    const [ma, sa] = meanAndSe(a);
    const [mr, sr] = meanAndSe(r);
    expect(Math.abs(ma - mr) / Math.hypot(sa, sr), `keys 5000.. vs 9000..: ${ma} vs ${mr}`).toBeLessThan(5);
    expect(Math.abs(ma - expected(x0)) / sa).toBeLessThan(5);
  });

  it('refuses problems that are not nqm and controllers that need batch statistics', () => {
    const v = nqmExactBatch(() => sgd(0.1), () => constant(2));
    expect(() => v(getProblem('lsq-noisy_d3_n20_i0'), 5, key(0))).toThrow(/not a noisy quadratic/);
    const w = nqmExactBatch(() => sgd(0.1), () => testDriven(normTest(0.5), { b0: 2, bMax: 8 }));
    expect(() => w(p, 5, key(0))).toThrow(/needs batch statistics/);
  });
});
