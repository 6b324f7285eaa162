/**
 * The exact (oracle) tests with batches drawn without replacement from a finite
 * sum: the variance of the batch mean carries (n − b)/(n − 1) (SPEC §1), and the
 * exact norm, ip, orth and coordinate-wise tests include it. Checked against a
 * Monte Carlo estimate of E||ḡ_B − ∇F||² (and its ip and per-coordinate
 * analogues) over batches drawn by the problem's own sampler.
 *
 * Near miss: the off-by-one factor (n − b)/n, 1/(n − 1) = 9% away at n = 12;
 * the Monte Carlo standard error is under 1%, so it is rejected at > 8 standard
 * errors. (Leaving the factor out is further still.)
 */
import { describe, expect, it } from 'vitest';
import { coordNormTest, exactQuantities, ipTest, normTest, orthTest } from '../../src/batching/index.js';
import { foldIn, key } from '../../src/rng/index.js';
import { getProblem } from '../../problems/registry.js';

const ID = 'nclogreg_d3_n12_i0';
const R = 40000;

function meanSe(xs: Float64Array): { m: number; se: number } {
  let m = 0;
  for (const v of xs) m += v / xs.length;
  let v2 = 0;
  for (const v of xs) v2 += (v - m) ** 2 / (xs.length - 1);
  return { m, se: Math.sqrt(v2 / xs.length) };
}

describe(`exact tests without replacement include (n − b)/(n − 1) (${ID}, Monte Carlo ${R} batches)`, () => {
  const p = getProblem(ID);
  const n = p.n!;
  const d = p.dim;
  const x = p.x0(key(5));
  const grad = p.gradient(x);
  const G = grad.reduce((a, v) => a + v * v, 0);

  for (const b of [3, 6, 9]) {
    it(`b = ${b}`, () => {
      const err = new Float64Array(R);
      const along = new Float64Array(R);
      const coord = Array.from({ length: d }, () => new Float64Array(R));
      for (let r = 0; r < R; r++) {
        const batch = p.sample(foldIn(key(1900 + b), r), b, { replace: false });
        const rows = p.perSampleGrads!(x, batch);
        let e2 = 0;
        let a = 0;
        for (let j = 0; j < d; j++) {
          let m = 0;
          for (let i = 0; i < b; i++) m += rows[i * d + j]! / b;
          const dv = m - grad[j]!;
          e2 += dv * dv;
          a += dv * grad[j]!;
          coord[j]![r] = dv * dv;
        }
        err[r] = e2;
        along[r] = a * a;
      }
      const q = exactQuantities(p, x, { alongGrad: true, perCoord: true }, { replace: false });
      expect(q.withoutReplacementFrom).toBe(n);
      const eta = 0.5;
      const mc = meanSe(err);
      // the exact norm test's left side, (σ²/b)(n − b)/(n − 1), is its statistic times η²||∇F||²
      const lhs = normTest(eta).exact(q, b).statistic * eta * eta * G;
      const ctx = `seed ${1900 + b}: Monte Carlo ${mc.m} ± ${mc.se}, exact ${lhs}`;
      expect(Math.abs(mc.m - lhs), ctx).toBeLessThan(4 * mc.se);
      const offByOne = (lhs * (n - 1)) / n;
      expect(Math.abs(mc.m - offByOne), `${ctx}: the near miss (n − b)/n must be rejected`).toBeGreaterThan(6 * mc.se);
      // with replacement the exact test keeps σ²/b
      const withRep = exactQuantities(p, x, { alongGrad: true, perCoord: true });
      expect(withRep.withoutReplacementFrom).toBeUndefined();
      expect(normTest(eta).exact(withRep, b).statistic * eta * eta * G).toBeCloseTo(q.sigma2 / b, 12);
      // the inner-product test's variance along ∇F
      const ip = meanSe(along);
      const ipLhs = ipTest(eta).exact(q, b).statistic * eta * eta * G * G;
      expect(Math.abs(ip.m - ipLhs), `ip: ${ip.m} ± ${ip.se} vs ${ipLhs}`).toBeLessThan(4 * ip.se);
      // the orthogonal part: E||ḡ − ∇F||² − E⟨ḡ − ∇F, ∇F⟩²/||∇F||²
      const orthLhs = orthTest(eta).exact(q, b).statistic * eta * eta * G;
      expect(orthLhs).toBeCloseTo(lhs - ipLhs / G, 12);
      // coordinate-wise: the largest per-coordinate ratio carries the same factor
      const cs = coord.map(meanSe);
      const ratios = cs.map((c, j) => c.m / (eta * eta * grad[j]! * grad[j]!));
      const cStat = coordNormTest(eta).exact(q, b).statistic;
      const jMax = ratios.indexOf(Math.max(...ratios));
      expect(Math.abs(ratios[jMax]! - cStat), `coord ${jMax}`).toBeLessThan((4 * cs[jMax]!.se) / (eta * eta * grad[jMax]! ** 2));
    });
  }

  it('T is the smallest batch at which the exact test holds, and never above n', () => {
    const q = exactQuantities(p, x, { alongGrad: true, perCoord: true }, { replace: false });
    for (const t of [normTest(0.05), ipTest(0.05), orthTest(0.05), coordNormTest(0.05)]) {
      const T = t.exact(q, 2).T;
      expect(T, t.name).toBeLessThanOrEqual(n);
      const bT = Math.ceil(T - 1e-9);
      expect(t.exact(q, bT).holds, `${t.name}: holds at ⌈T⌉ = ${bT}`).toBe(true);
      if (bT > 1) expect(t.exact(q, bT - 1).holds, `${t.name}: fails at ⌈T⌉ − 1`).toBe(false);
      // the full batch has no variance
      expect(t.exact(q, n).statistic, t.name).toBe(0);
    }
  });
});
