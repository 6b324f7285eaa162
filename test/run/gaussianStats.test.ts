/**
 * The Gaussian-statistics source against the law it claims: the batch statistics engine on
 * b sampled per-sample gradients (the same problem, same x), by Monte Carlo, and the exact
 * expectations E S_norm = tr H, E S_j = H_jj, E ḡ = ∇F, E loss = F, E S_ip = ∇FᵀH∇F + Σh²/b.
 * Near-miss control: the same draws with the divisor b instead of b − 1 (an off-by-one, 1/(b−1)
 * = 9% at b = 12) is rejected by the same comparison.
 */
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import type { BatchStatistics } from '../../src/batching/summary.js';
import { statistics } from '../../src/batching/summary.js';
import type { Problem } from '../../src/problem/types.js';
import { foldIn, key, stream, chiSquareVariate } from '../../src/rng/index.js';
import { batchMeanDraws } from '../../src/testing/meanDraw.js';
import { startNear } from '../../src/testing/separable.js';
import { gaussianLawOf, gaussianStatsSource } from '../../src/run/sources/gaussianStats.js';
import { batchStatsAt, iidSampler, type GradientRequest } from '../../src/run/step.js';

type Draw = { S_norm: number; S_ip: number; S_orth: number; Sj0: number; SjL: number; g0: number; loss: number };

function pick(s: BatchStatistics, loss: number): Draw {
  return { S_norm: s.S_norm, S_ip: s.S_ip, S_orth: s.S_orth, Sj0: s.S_j[0]!, SjL: s.S_j[s.S_j.length - 1]!, g0: s.meanGrad[0]!, loss };
}

function request(p: Problem, x: Float64Array, b: number, i: number, seed: number): GradientRequest {
  return { problem: p, key: key(seed), step: i, samples: 0, b, replace: true, x, sampler: iidSampler, withStats: true };
}

function drawn(p: Problem, x: Float64Array, b: number, N: number): Draw[] {
  const src = gaussianStatsSource(p);
  return Array.from({ length: N }, (_, i) => {
    const r = src.gradient(request(p, x, b, i, 11));
    return pick(r.stats!, r.loss!);
  });
}

function sampled(p: Problem, x: Float64Array, b: number, N: number): Draw[] {
  return Array.from({ length: N }, (_, i) => {
    const batch = p.sample(foldIn(key(12), i), b);
    const bs = batchStatsAt(p, x, batch);
    return pick(statistics(bs), bs.loss);
  });
}

function meanSe(xs: readonly number[]): [number, number] {
  const n = xs.length;
  const m = xs.reduce((a, v) => a + v, 0) / n;
  const v = xs.reduce((a, t) => a + (t - m) ** 2, 0) / (n - 1);
  return [m, Math.sqrt(v / n)];
}

/** Largest |z| over the fields (and the second moment of S_norm) between two Monte Carlo samples. */
function worstZ(a: readonly Draw[], b: readonly Draw[]): { z: number; field: string } {
  let worst = { z: 0, field: '' };
  const fields = Object.keys(a[0]!) as (keyof Draw)[];
  const cols: [string, number[], number[]][] = fields.map((f) => [f, a.map((d) => d[f]), b.map((d) => d[f])]);
  cols.push(['S_norm²', a.map((d) => d.S_norm ** 2), b.map((d) => d.S_norm ** 2)]);
  for (const [f, xa, xb] of cols) {
    const [ma, sa] = meanSe(xa);
    const [mb, sb] = meanSe(xb);
    const z = Math.abs(ma - mb) / Math.hypot(sa, sb);
    if (z > worst.z) worst = { z, field: f };
  }
  return worst;
}

const Z_MAX = 4.5; // 8 comparisons per case, 5 cases: family-wise false-fail ≤ 40·7e-6

const CASES: [string, number][] = [
  ['nqm_d6_i0_a2', 3], // b − 1 < d: the normal-matrix branch
  ['nqm_d6_i0_a2', 12], // Bartlett's branch
  ['nqm-rot_d5_i1_a1.5', 4],
  ['nqm-rot_d5_i1_a1.5', 12],
  ['nqm-rot_d5_i1_a1.5_r5', 12], // Q a product of 5 reflections: Q ≠ Qᵀ
];

describe('gaussianStatsSource: the law of b sampled per-sample gradients', () => {
  for (const [id, b] of CASES) {
    it(`${id}, b = ${b}: drawn statistics agree with the engine on sampled batches (Monte Carlo, 3000 each)`, () => {
      const p = getProblem(id);
      const x = p.x0(key(5));
      const w = worstZ(drawn(p, x, b, 3000), sampled(p, x, b, 3000));
      expect(w.z, `worst field ${w.field}`).toBeLessThan(Z_MAX);
    });
  }

  it('exact expectations: E S_norm = tr H, E S_j = H_jj, E ḡ = ∇F, E loss = F, E S_ip = ∇FᵀH∇F + Σh²/b (nqm, b = 8)', () => {
    const p = getProblem('nqm_d6_i0_a2');
    const x = p.x0(key(6));
    const b = 8;
    const N = 20000;
    const ds = drawn(p, x, b, N);
    const h = (p as unknown as { info: { spectrum: Float64Array } }).info.spectrum;
    const G = p.gradient(x);
    let GHG = 0;
    let h2 = 0;
    for (let j = 0; j < h.length; j++) { GHG += h[j]! * G[j]! ** 2; h2 += h[j]! ** 2; }
    const trH = h.reduce((a, v) => a + v, 0);
    const expect_: [keyof Draw, number][] = [['S_norm', trH], ['Sj0', h[0]!], ['SjL', h[h.length - 1]!], ['g0', G[0]!], ['loss', p.value(x)], ['S_ip', GHG + h2 / b]];
    for (const [f, v] of expect_) {
      const [m, se] = meanSe(ds.map((d) => d[f]));
      expect(Math.abs(m - v) / se, `${f}: mean ${m}, exact ${v}`).toBeLessThan(Z_MAX);
    }
  });

  it('near-miss control: the divisor b instead of b − 1 (−1/11 = −9% at b = 12) is rejected on every case seed (power 1 at 3000 draws: z ≈ 15)', () => {
    const p = getProblem('nqm_d6_i0_a2');
    const x = p.x0(key(5));
    const b = 12;
    const off = drawn(p, x, b, 3000).map((d) => ({ ...d, S_norm: (d.S_norm * (b - 1)) / b }));
    const w = worstZ(off, sampled(p, x, b, 3000));
    expect(w.z).toBeGreaterThan(Z_MAX);
  });

  it('refuses what it cannot draw: finite sums, other families, a replaced sampler; keeps the mark through startNear', () => {
    expect(typeof gaussianLawOf(getProblem('lsq-noisy_d5_n40_i0'))).toBe('string');
    expect(() => gaussianStatsSource(getProblem('lsq-noisy_d5_n40_i0'))).toThrow(/lsq-noisy_d5_n40_i0 cannot be drawn/);
    expect(() => gaussianStatsSource(batchMeanDraws(getProblem('nqm_d4_i0_a2')))).toThrow(/not the family's own Gaussian sampler/);
    expect(typeof gaussianLawOf(startNear(getProblem('nqm_d4_i0_a2'), 0.1))).toBe('object');
    expect(typeof gaussianLawOf(startNear(getProblem('nqm-rot_d4_i0_a2'), 0.1))).toBe('object');
  });

  it('is a pure function of (key, step): the same request gives the same bits, another step other bits', () => {
    const p = getProblem('nqm-rot_d5_i1_a1.5');
    const x = p.x0(key(5));
    const src = gaussianStatsSource(p);
    const a = src.gradient(request(p, x, 7, 3, 1));
    const b = src.gradient(request(p, x, 7, 3, 1));
    const c = src.gradient(request(p, x, 7, 4, 1));
    expect(Array.from(a.g)).toEqual(Array.from(b.g));
    expect(a.stats!.S_norm).toBe(b.stats!.S_norm);
    expect(a.stats!.S_norm).not.toBe(c.stats!.S_norm);
  });
});

describe('chiSquareVariate', () => {
  for (const nu of [0.5, 1, 3, 40, 1e6]) {
    it(`χ²_${nu}: mean ν and variance 2ν (Monte Carlo, 20000 draws)`, () => {
      const s = stream(key(9));
      const xs = Array.from({ length: 20000 }, () => chiSquareVariate(s, nu));
      const [m, se] = meanSe(xs);
      expect(Math.abs(m - nu) / se).toBeLessThan(Z_MAX);
      const v = xs.reduce((a, t) => a + (t - m) ** 2, 0) / (xs.length - 1);
      // Var of the sample variance of χ²_ν: (μ4 − σ⁴)/N with μ4 = 12ν² + 48ν, σ⁴ = 4ν²
      const seV = Math.sqrt((8 * nu * nu + 48 * nu) / xs.length);
      expect(Math.abs(v - 2 * nu) / seV).toBeLessThan(Z_MAX);
    });
  }
  it('near miss: χ²_{ν+1} is told from χ²_ν at ν = 40 by its mean (z ≈ 11 at 20000 draws)', () => {
    const s = stream(key(9));
    const xs = Array.from({ length: 20000 }, () => chiSquareVariate(s, 41));
    const [m, se] = meanSe(xs);
    expect(Math.abs(m - 40) / se).toBeGreaterThan(Z_MAX);
  });
});
