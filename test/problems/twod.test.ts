// Stochastic 2-D problems (Rosenbrock, Beale, Branin): raw maths, interval bounds, adapter and DeepOBS noise.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, cast, fromArray, mean, valueAndGrad, type Tensor } from '../../src/index.js';
import { key, split } from '../../src/rng/index.js';
import { batchGradStats, statsFromPerSampleGrads } from '../../src/batching/index.js';
import type { Batch } from '../../src/problem/types.js';
import { beale, branin, diskHessianBound, hessianBound, rosenbrock, spectralNorm2, TWOD_FUNCTIONS, type TwoDFunction } from '../../problems/twod/functions.js';
import { icos, imul, ipow, isin, isqr, iv, type Interval } from '../../problems/twod/interval.js';
import { bealeFamily, braninFamily, rosenbrockFamily, twodFamilies, twodProblem, type TwoDProblem } from '../../problems/twod/problem.js';

const FNS: readonly TwoDFunction[] = Object.values(TWOD_FUNCTIONS);
/**
 * A uniform number in [0, 1]. NOTE: fc.double({ min: 0, max: 1 }) is uniform over the
 * representable doubles, so almost all its values are tiny; sampling a region needs this.
 */
const unit = fc.integer({ min: 0, max: 2 ** 30 }).map((k) => k / 2 ** 30);

/** Points of the disk ||x − c|| ≤ r (uniform in area). */
const inDisk = (disk: { readonly center: ArrayLike<number>; readonly radius: number }) =>
  fc
    .tuple(unit.map((t) => 2 * Math.PI * t), unit)
    .map(([a, r]): [number, number] => [
      disk.center[0]! + disk.radius * Math.sqrt(r) * Math.cos(a),
      disk.center[1]! + disk.radius * Math.sqrt(r) * Math.sin(a),
    ]);

describe('2-D functions: raw mathematics', () => {
  it.each(FNS.map((f) => [f.name, f] as const))('%s: F* at the minimisers, zero gradient there', (_n, f) => {
    for (const [u, v] of f.minimizers) {
      expect(f.value(u, v)).toBeCloseTo(f.fStar, 12);
      const [gu, gv] = f.gradient(u, v);
      expect(Math.hypot(gu, gv)).toBeLessThan(1e-9);
    }
  });

  it('F* values: Rosenbrock 0 at (1, 1), Beale 0 at (3, 0.5), Branin 5/(4π) = 0.397887…', () => {
    expect(rosenbrock.value(1, 1)).toBe(0);
    expect(beale.value(3, 0.5)).toBe(0);
    expect(branin.fStar).toBeCloseTo(0.397887357729738, 14);
    expect(branin.value(Math.PI, 2.275)).toBeCloseTo(0.397887357729738, 12);
  });

  it.each(FNS.map((f) => [f.name, f] as const))('%s: gradient and Hessian match central differences', (_n, f) => {
    fc.assert(
      fc.property(inDisk(f.disk), ([u, v]) => {
        const h = 1e-5;
        const g = f.gradient(u, v);
        const fdu = (f.value(u + h, v) - f.value(u - h, v)) / (2 * h);
        const fdv = (f.value(u, v + h) - f.value(u, v - h)) / (2 * h);
        const scale = 1 + Math.abs(f.value(u, v));
        expect(Math.abs(fdu - g[0])).toBeLessThan(1e-5 * scale);
        expect(Math.abs(fdv - g[1])).toBeLessThan(1e-5 * scale);
        const H = f.hessian(u, v);
        const gu1 = f.gradient(u + h, v);
        const gu0 = f.gradient(u - h, v);
        const gv1 = f.gradient(u, v + h);
        const gv0 = f.gradient(u, v - h);
        const hs = 1 + Math.abs(H[0]) + Math.abs(H[1]) + Math.abs(H[2]);
        expect(Math.abs((gu1[0] - gu0[0]) / (2 * h) - H[0])).toBeLessThan(1e-5 * hs);
        expect(Math.abs((gu1[1] - gu0[1]) / (2 * h) - H[1])).toBeLessThan(1e-5 * hs);
        expect(Math.abs((gv1[0] - gv0[0]) / (2 * h) - H[1])).toBeLessThan(1e-5 * hs);
        expect(Math.abs((gv1[1] - gv0[1]) / (2 * h) - H[2])).toBeLessThan(1e-5 * hs);
      }),
      { numRuns: 200 },
    );
  });

  it.each(FNS.map((f) => [f.name, f] as const))('%s: F ≥ F_low everywhere (wide random points)', (_n, f) => {
    fc.assert(
      fc.property(unit.map((t) => 100 * t - 50), unit.map((t) => 100 * t - 50), (u, v) => {
        expect(f.value(u, v)).toBeGreaterThanOrEqual(f.fLow - 1e-12);
      }),
      { numRuns: 500 },
    );
  });
});

describe('interval arithmetic', () => {
  const interval = fc
    .tuple(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }))
    .map(([lo, w]) => iv(lo, lo + w));
  const pointIn = (a: Interval, t: number) => a.lo + t * (a.hi - a.lo);
  const contains = (a: Interval, x: number) => x >= a.lo - 1e-9 * (1 + Math.abs(x)) && x <= a.hi + 1e-9 * (1 + Math.abs(x));

  it('enclosures contain the values at points of the intervals', () => {
    fc.assert(
      fc.property(interval, interval, unit, unit, (A, B, s, t) => {
        const a = pointIn(A, s);
        const b = pointIn(B, t);
        expect(contains(imul(A, B), a * b)).toBe(true);
        expect(contains(isqr(A), a * a)).toBe(true);
        expect(contains(icos(A), Math.cos(a))).toBe(true);
        expect(contains(isin(A), Math.sin(a))).toBe(true);
        return true;
      }),
    );
    fc.assert(
      fc.property(interval, unit, fc.integer({ min: 0, max: 6 }), (A, s, k) => {
        expect(contains(ipow(A, k), pointIn(A, s) ** k)).toBe(true);
      }),
    );
  });

  it('icos is tight when the interval contains an extremum', () => {
    expect(icos(iv(-0.1, 0.1)).hi).toBe(1);
    expect(icos(iv(3, 3.3)).lo).toBe(-1);
    expect(icos(iv(0.5, 1)).hi).toBeCloseTo(Math.cos(0.5), 15);
  });
});

describe('local smoothness constants (interval bound over the box)', () => {
  it.each(FNS.map((f) => [f.name, f] as const))('%s: disk bound ≥ ||∇²F||₂ at every point of the disk, and within 5%% of the grid maximum', (_n, f) => {
    const L = diskHessianBound(f);
    fc.assert(
      fc.property(inDisk(f.disk), ([u, v]) => {
        const [a, b, c] = f.hessian(u, v);
        expect(spectralNorm2(a, b, c)).toBeLessThanOrEqual(L);
      }),
      { numRuns: 2000 },
    );
    let gridMax = 0;
    const N = 301;
    const { center, radius } = f.disk;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const u = center[0] - radius + (2 * radius * i) / (N - 1);
        const v = center[1] - radius + (2 * radius * j) / (N - 1);
        if ((u - center[0]) ** 2 + (v - center[1]) ** 2 > radius * radius) continue;
        const [a, b, c] = f.hessian(u, v);
        gridMax = Math.max(gridMax, spectralNorm2(a, b, c));
      }
    }
    expect(L).toBeGreaterThanOrEqual(gridMax);
    expect(L).toBeLessThan(1.05 * gridMax);
  });

  it('the disk contains DeepOBS\'s start and a minimiser', () => {
    for (const f of FNS) {
      const d = (p: readonly [number, number]) => Math.hypot(p[0] - f.disk.center[0], p[1] - f.disk.center[1]);
      expect(d(f.start)).toBeLessThanOrEqual(f.disk.radius);
      expect(Math.min(...f.minimizers.map(d))).toBeLessThanOrEqual(f.disk.radius);
    }
  });

  it('Rosenbrock on [−2, 2] × [−1, 3]: the bound equals the spectral norm at the corner (±2, −1)', () => {
    const [a, b, c] = rosenbrock.hessian(2, -1);
    expect(hessianBound(rosenbrock, [[-2, 2], [-1, 3]])).toBeCloseTo(spectralNorm2(a, b, c), 3);
  });

  it('a bad box throws', () => {
    expect(() => hessianBound(rosenbrock, [[1, 0], [0, 1]])).toThrow(/lo < hi/);
  });
});

const PROBLEMS: readonly TwoDProblem[] = [
  twodProblem(rosenbrock, { instance: 0 }),
  twodProblem(beale, { instance: 0 }),
  twodProblem(branin, { instance: 0 }),
  twodProblem(rosenbrock, { instance: 2, noiseStd: 0.5 }),
  twodProblem(branin, { instance: 7, noiseStd: 3 }),
];

describe('stochastic 2-D problems (adapter)', () => {
  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: gradient matches central differences of value', (_id, p) => {
    fc.assert(
      fc.property(inDisk(p.disk), ([u, v]) => {
        const x = Float64Array.of(u, v);
        const g = p.gradient(x);
        const h = 1e-5;
        for (let j = 0; j < 2; j++) {
          const xp = x.slice();
          const xm = x.slice();
          xp[j]! += h;
          xm[j]! -= h;
          const fd = (p.value(xp) - p.value(xm)) / (2 * h);
          expect(Math.abs(fd - g[j]!)).toBeLessThan(1e-5 * (1 + Math.abs(p.value(x))));
        }
      }),
      { numRuns: 100 },
    );
  });

  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: autodiff of mean perSampleLoss + regularizer equals the mean closed-form per-sample gradient', (_id, p) => {
    const x = p.x0(key(0));
    const batch = p.sample(key(11), 5);
    const f = (xt: Tensor) => add(mean(p.perSampleLoss([xt], batch)), p.regularizer([xt]));
    const [v, g] = valueAndGrad(f)(fromArray(x, [2]));
    const rows = p.perSampleGrads(x, batch);
    const m = [0, 0];
    for (let i = 0; i < 5; i++) {
      m[0] = m[0]! + rows[2 * i]! / 5;
      m[1] = m[1]! + rows[2 * i + 1]! / 5;
    }
    const gd = (g as Tensor).toFloat64Array();
    expect(gd[0]).toBeCloseTo(m[0]!, 9);
    expect(gd[1]).toBeCloseTo(m[1]!, 9);
    let meanXi = 0;
    for (let i = 0; i < 5; i++) meanXi += (batch.xi[2 * i]! * x[0]! + batch.xi[2 * i + 1]! * x[1]!) / 5;
    expect(v.item()).toBeCloseTo(p.value(x) + meanXi, 9);
  });

  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: Monte Carlo mean and variance of per-sample gradients match ∇F and σ_j² = s²', (_id, p) => {
    const x = p.x0(key(1));
    const b = 40000;
    const rows = p.perSampleGrads(x, p.sample(key(2), b));
    const g = p.gradient(x);
    const nz = p.noise(x);
    const s2 = p.noiseStd ** 2;
    expect(nz.sigma2).toBeCloseTo(2 * s2, 14);
    for (let j = 0; j < 2; j++) {
      let m = 0;
      for (let i = 0; i < b; i++) m += rows[2 * i + j]!;
      m /= b;
      let v = 0;
      for (let i = 0; i < b; i++) v += (rows[2 * i + j]! - m) ** 2;
      v /= b - 1;
      // mean: 5 standard errors; variance of a Gaussian sample: sd ≈ s²√(2/b)
      expect(Math.abs(m - g[j]!)).toBeLessThan(5 * Math.sqrt(s2 / b));
      expect(Math.abs(v - nz.sigma2PerCoord[j]!)).toBeLessThan(5 * s2 * Math.sqrt(2 / b));
    }
  });

  it('the noise does not vanish at the minimisers (σ² = 2s² there)', () => {
    for (const p of PROBLEMS) {
      for (const m of p.minimizers) {
        expect(Math.hypot(...p.gradient(m))).toBeLessThan(1e-8);
        expect(p.noise(m).sigma2).toBe(2 * p.noiseStd ** 2);
        expect(p.value(m)).toBeCloseTo(p.constants.F_star!, 12);
      }
      expect(p.constants.noiseVanishesAtStationary).toBe(false);
    }
  });

  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: the local L holds on sampled pairs in its ball, and L/10 is caught', (_id, p) => {
    const L = p.constants.L;
    expect(L.kind).toBe('local');
    const ball = L.ball!;
    const c = ball.center!;
    let worst = 0;
    // pairs: x uniform in the disk, y either uniform too or a close neighbour of x (secants of
    // close pairs approach ||∇²F(x)u||, so the sup is approached where curvature concentrates)
    const pair = fc.tuple(inDisk(ball as { center: Float64Array; radius: number }), inDisk(ball as { center: Float64Array; radius: number }), fc.boolean(), unit.map((t) => 2 * Math.PI * t));
    fc.assert(
      fc.property(pair, ([[x0, x1], [y0, y1], near, a]) => {
        const x = Float64Array.of(x0, x1);
        const y = near ? Float64Array.of(x0 + 1e-4 * Math.cos(a), x1 + 1e-4 * Math.sin(a)) : Float64Array.of(y0, y1);
        if (Math.hypot(y[0]! - c[0]!, y[1]! - c[1]!) > ball.radius) return;
        const gx = p.gradient(x);
        const gy = p.gradient(y);
        const dist = Math.hypot(x[0]! - y[0]!, x[1]! - y[1]!);
        if (dist < 1e-9) return;
        const ratio = Math.hypot(gx[0]! - gy[0]!, gx[1]! - gy[1]!) / dist;
        worst = Math.max(worst, ratio);
        expect(ratio).toBeLessThanOrEqual(L.value * (1 + 1e-6));
      }),
      { numRuns: 3000 },
    );
    expect(worst).toBeGreaterThan(L.value / 10);
  });

  it('instances: i0 is canonical, i ≥ 1 shifts the function; the same id gives the same instance', () => {
    const a = rosenbrockFamily.build('rosenbrock_d2_i3') as TwoDProblem;
    const b = rosenbrockFamily.build('rosenbrock_d2_i3') as TwoDProblem;
    const c = rosenbrockFamily.build('rosenbrock_d2_i4') as TwoDProblem;
    const z = rosenbrockFamily.build('rosenbrock_d2_i0') as TwoDProblem;
    expect(Array.from(a.shift)).toEqual(Array.from(b.shift));
    expect(Array.from(a.shift)).not.toEqual(Array.from(c.shift));
    expect(Array.from(z.shift)).toEqual([0, 0]);
    const x = Float64Array.of(0.2, 0.9);
    expect(a.value(Float64Array.of(x[0]! + a.shift[0]!, x[1]! + a.shift[1]!))).toBeCloseTo(rosenbrock.value(0.2, 0.9), 10);
    expect(Array.from(z.x0(key(0)))).toEqual([-0.5, 1.5]);
    expect(Array.from((bealeFamily.build('beale_d2_i0') as TwoDProblem).x0(key(0)))).toEqual([-4.5, 4.5]);
    expect(Array.from((braninFamily.build('branin_d2_i0') as TwoDProblem).x0(key(0)))).toEqual([2.5, 12.5]);
  });

  it('the same key gives the same batch, different keys different batches', () => {
    const p = PROBLEMS[0]!;
    const [k1, k2] = split(key(5));
    expect(Array.from(p.sample(k1!, 4).xi)).toEqual(Array.from(p.sample(k1!, 4).xi));
    expect(Array.from(p.sample(k1!, 4).xi)).not.toEqual(Array.from(p.sample(k2!, 4).xi));
  });

  it('ids: the noise scale field, and clear errors for bad ids and arguments', () => {
    const p = rosenbrockFamily.build('rosenbrock_d2_i0_s0.25') as TwoDProblem;
    expect(p.noiseStd).toBe(0.25);
    expect(p.id).toBe('rosenbrock_d2_i0_s0.25');
    expect(p.noise(Float64Array.of(0, 0)).sigma2).toBeCloseTo(0.125, 15);
    expect(() => rosenbrockFamily.build('rosenbrock_d3_i0')).toThrow(/rosenbrock_d2_i<instance>/);
    expect(() => rosenbrockFamily.build('rosenbrock_d2_i0_s0')).toThrow(/'s' must be in/);
    expect(() => p.value(Float64Array.of(1))).toThrow(/length 1, expected 2/);
    expect(() => p.gradient(Float64Array.of(1, Number.NaN))).toThrow(/x\[1\] is NaN/);
    expect(() => p.sample(key(0), 0)).toThrow(/b must be an integer ≥ 1/);
    expect(() => p.sample(key(0), 2.5)).toThrow(/b must be an integer ≥ 1/);
    expect(() => p.perSampleLoss([fromArray(Float64Array.of(1, 2, 3), [3])], p.sample(key(0), 2))).toThrow(/shape \[3\], expected \[2\]/);
    expect(() => twodProblem(rosenbrock, { instance: -1 })).toThrow(/instance/);
  });
});

// The shared problem and family contracts (default instances, a shifted instance and a noise scale) run
// from the registration in problems/registry.ts, in test/problems/contract.test.ts.

describe('2-D problems in float32', () => {
  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: float32 parameters give float32 losses and regularizer within 1e-5 of float64', (_id, p) => {
    const x = p.x0(key(0));
    const batch = p.sample(key(9), 6);
    const x64 = fromArray(x.slice(), [2]);
    const x32 = cast(x64, 'float32');
    const l64 = p.perSampleLoss([x64], batch).toFloat64Array();
    const l32 = p.perSampleLoss([x32], batch);
    expect(l32.dtype).toBe('float32');
    const r32 = p.regularizer([x32]);
    expect(r32.dtype).toBe('float32');
    expect(Math.abs(r32.item() - p.value(x))).toBeLessThan(1e-5 * (1 + Math.abs(p.value(x))));
    l32.toFloat64Array().forEach((v, i) => expect(Math.abs(v - l64[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(l64[i]!))));
  });
});

describe('the batch statistics engine on the 2-D problems', () => {
  it.each(PROBLEMS.map((p) => [p.id, p] as const))('%s: x meets the batch through a linear map (no per-sample fallback); statistics match perSampleGrads', (_id, p) => {
    const x = p.x0(key(2));
    const batch = p.sample(key(3), 16);
    const s = batchGradStats((ps, bt: Batch) => p.perSampleLoss(ps, bt as typeof batch), [fromArray(x.slice(), [2])], batch, {
      regularizer: (ps) => p.regularizer(ps),
      names: ['x'],
    });
    for (const blk of s.blocks) expect(['linear', 'linear-refined', 'materialized']).toContain(blk.method); // never 'fallback'
    const ref = statsFromPerSampleGrads({ data: p.perSampleGrads(x, batch), b: batch.size, d: 2 });
    for (let j = 0; j < 2; j++) expect(s.meanGrad[j]).toBeCloseTo(ref.meanGrad[j]!, 9);
    for (let i = 0; i < 16; i++) expect(s.sqNorms[i]).toBeCloseTo(ref.sqNorms[i]!, 6);
    for (let j = 0; j < 2; j++) expect(s.coordSumSqDev[j]).toBeCloseTo(ref.coordSumSqDev[j]!, 6);
  });
});
