/**
 * The official M-device pooled statistics (`tests.py`, the `_distributed`
 * functions) against a brute-force computation of the official formulas, on
 * seeded random batches and an MNIST batch; with M = 1 they equal our
 * whole-batch statistics; and their bias, 1 + (M − 1)/(M b_m) in expectation
 * for i.i.d. samples, checked by Monte Carlo against its nearest wrong value.
 */
import { describe, expect, it } from 'vitest';
import {
  blockAugIpTest, normTest, officialDeviceStats, officialPartition, officialPool, pooledStatistics, statistics, statsFromPerSampleGrads,
  type BlockRange, type OfficialDeviceStats,
} from '../../src/batching/index.js';
import { foldIn, key, normal } from '../../src/rng/index.js';
import { getProblem } from '../../problems/registry.js';

const TOL = 1e-10;

/** Unbiased variance of a list. */
function uvar(xs: readonly number[]): number {
  const m = xs.reduce((p, v) => p + v, 0) / xs.length;
  return xs.reduce((p, v) => p + (v - m) ** 2, 0) / (xs.length - 1);
}
const avg = (xs: readonly number[]): number => xs.reduce((p, v) => p + v, 0) / xs.length;

/**
 * The official distributed formulas written out: device m holds rows m·bm … (m+1)·bm − 1.
 * Returns S_norm, and the block-wise S_ip and S_orth.
 */
function bruteForceOfficial(G: Float64Array, b: number, d: number, M: number, blocks: readonly BlockRange[]): { norm: number; ip: number; orth: number } {
  const bm = b / M;
  const g = (m: number, i: number, j: number): number => G[(m * bm + i) * d + j]!;
  let norm = 0;
  let ip = 0;
  let orth = 0;
  for (const [s, e] of blocks) {
    const devMean = (m: number, j: number): number => avg(Array.from({ length: bm }, (_, i) => g(m, i, j)));
    const gbar = Array.from({ length: e - s }, (_, t) => avg(Array.from({ length: M }, (_, m) => devMean(m, s + t))));
    const h = gbar.reduce((p, v) => p + v * v, 0);
    for (let j = s; j < e; j++) {
      const vars = Array.from({ length: M }, (_, m) => uvar(Array.from({ length: bm }, (_, i) => g(m, i, j))));
      const means = Array.from({ length: M }, (_, m) => devMean(m, j));
      norm += Math.abs(avg(vars) + avg(means.map((v) => v * v)) - avg(means) ** 2);
    }
    const cs = Array.from({ length: M }, (_, m) => Array.from({ length: bm }, (_, i) => gbar.reduce((p, v, t) => p + g(m, i, s + t) * v, 0)));
    const c = (m: number, i: number): number => cs[m]![i]!;
    const ipVars = Array.from({ length: M }, (_, m) => uvar(Array.from({ length: bm }, (_, i) => c(m, i))));
    const ipMeans = Array.from({ length: M }, (_, m) => avg(Array.from({ length: bm }, (_, i) => c(m, i))));
    ip += avg(ipVars) + avg(ipMeans.map((v) => v * v)) - avg(ipMeans) ** 2;
    const o = (m: number, i: number, t: number): number => g(m, i, s + t) - (c(m, i) / h) * gbar[t]!;
    const oVar = Array.from({ length: M }, (_, m) => gbar.reduce((p, _v, t) => p + uvar(Array.from({ length: bm }, (_, i) => o(m, i, t))), 0));
    const oMean = (m: number, t: number): number => avg(Array.from({ length: bm }, (_, i) => o(m, i, t)));
    let sumSqMean = 0; // Σ_t mean_m ō_{m,t}²
    let sumMean = 0; // Σ_t mean_m ō_{m,t}
    for (let t = 0; t < e - s; t++) {
      sumSqMean += avg(Array.from({ length: M }, (_, m) => oMean(m, t) ** 2));
      sumMean += avg(Array.from({ length: M }, (_, m) => oMean(m, t)));
    }
    orth += Math.abs(avg(oVar) + sumSqMean - sumMean * sumMean);
  }
  return { norm, ip, orth };
}

function rel(a: number, e: number, scale = 0): number {
  return Math.abs(a - e) / Math.max(Math.abs(e), scale, 1e-300);
}

function check(label: string, G: Float64Array, b: number, d: number, M: number, blocks: readonly BlockRange[]): void {
  const off = pooledStatistics({ data: G, b, d }, blocks, { devices: M, form: 'official' });
  const want = bruteForceOfficial(G, b, d, M, blocks);
  expect(rel(off.S_norm, want.norm), `${label}: S_norm`).toBeLessThan(TOL);
  expect(rel(off.blockwise.S_ip, want.ip), `${label}: S_ip^blk`).toBeLessThan(TOL);
  expect(rel(off.blockwise.S_orth, want.orth, 1e-6 * want.norm), `${label}: S_orth^blk`).toBeLessThan(TOL);
  const whole = bruteForceOfficial(G, b, d, M, [[0, d]]);
  expect(rel(off.S_ip, whole.ip), `${label}: S_ip (one block)`).toBeLessThan(TOL);
  expect(rel(off.S_orth, whole.orth, 1e-6 * whole.norm), `${label}: S_orth (one block)`).toBeLessThan(TOL);
  // near miss: our unbiased pooled estimator (the default) on the same rows differs visibly when M > 1
  const ours = pooledStatistics({ data: G, b, d }, blocks, { devices: M });
  const gap = rel(ours.S_norm, want.norm);
  if (M > 1) expect(gap, `${label}: the unbiased estimator must be outside the tolerance`).toBeGreaterThan(1e3 * TOL);
  else expect(gap, `${label}: M = 1 agrees with the whole batch`).toBeLessThan(TOL);
  // a test runs on the official statistics unchanged
  expect(normTest(0.5).sample(off).T).toBeCloseTo(want.norm / (0.25 * off.gradNormSq), 8);
  expect(Number.isFinite(blockAugIpTest(0.5, 0.5).sample(off).T)).toBe(true);
}

describe('official pooled statistics = the official formulas, brute force', () => {
  it('seeded random batches, M ∈ {1, 2, 4}, b_m ∈ {2, 3, 5}, two blocks', () => {
    for (let seed = 0; seed < 9; seed++) {
      const M = [1, 2, 4][seed % 3]!;
      const bm = [2, 3, 5][Math.floor(seed / 3)]!;
      const d = 5;
      const b = M * bm;
      const k = key(1700 + seed);
      const mu = normal(foldIn(k, 0), d);
      const G = Float64Array.from(normal(foldIn(k, 1), b * d), (v, t) => mu[t % d]! + v);
      check(`seed ${1700 + seed}, M = ${M}, b_m = ${bm}`, G, b, d, M, [[0, 2], [2, 5]]);
    }
  });

  it('an MNIST softmax batch of 16 over M = 4 devices (blocks W, b)', () => {
    const p = getProblem('mnist-softmax_d7850_n6000_i0');
    const G = p.perSampleGrads!(p.x0(key(3)), p.sample(key(4), 16, { replace: false }));
    const blocks = p.blocks.map((blk) => [blk.offset, blk.offset + blk.size] as const);
    check('mnist-softmax, seeds 3/4, M = 4', G, 16, p.dim, 4, blocks);
  });

  it('pooling device reports by hand: one coordinate, two devices of two samples', () => {
    // device 1: g = 0, 2 (mean 1, var 2); device 2: g = 4, 6 (mean 5, var 2); ḡ = 3
    // official: mean var 2 + mean of squared means (1 + 25)/2 = 13 − 9 = 4 → 6
    // unbiased over the 4 samples: ((−3)² + (−1)² + 1² + 3²)/3 = 20/3
    const mean = Float64Array.of(3);
    const dev = [officialDeviceStats([0, 2], 2, mean, [[0, 1]]), officialDeviceStats([4, 6], 2, mean, [[0, 1]])];
    expect(officialPool(dev).S_norm).toBeCloseTo(6, 13);
    expect(statistics(statsFromPerSampleGrads([[0], [2], [4], [6]])).S_norm).toBeCloseTo(20 / 3, 13);
  });

  it('bias of the official pooled variance: E = σ²(1 + (M − 1)/(M b_m)) (Monte Carlo, 20 000 batches)', () => {
    // M = 4, b_m = 2: factor 1.375. Nearest wrong reading 1 + (M − 1)/(M b_m − 1) = 1.4286 (3.9% away);
    // the Monte Carlo standard error is about 0.35%, so the near miss is ≥ 10 standard errors off.
    const M = 4;
    const bm = 2;
    const R = 20000;
    const z = normal(key(1777), R * M * bm);
    const vals: number[] = [];
    for (let r = 0; r < R; r++) {
      const G = z.subarray(r * M * bm, (r + 1) * M * bm);
      vals.push(pooledStatistics({ data: G, b: M * bm, d: 1 }, undefined, { devices: M, form: 'official' }).S_norm);
    }
    const m = avg(vals);
    const se = Math.sqrt(uvar(vals) / R);
    const right = 1 + (M - 1) / (M * bm);
    const wrong = 1 + (M - 1) / (M * bm - 1);
    expect(Math.abs(m - right), `mean ${m} ± ${se} vs ${right} (seed 1777)`).toBeLessThan(4 * se);
    expect(Math.abs(m - wrong), `mean ${m} ± ${se} vs the near miss ${wrong}`).toBeGreaterThan(6 * se);
  });

  it('the official orthogonality squares the sum of the pooled mean (reproduced): hand-built device reports', () => {
    // two devices, one block of two coordinates, ō_m = (1, 1) on both, no within-device variance:
    // official Σ_j mean_m ō_{m,j}² − (Σ_j mean_m ō_{m,j})² = 2 − 4 → |−2| = 2; the law of total variance gives 2 − 2 = 0
    const dev = (): OfficialDeviceStats => ({
      b: 2,
      blocks: [{ mean: Float64Array.of(1, 1), coordVar: Float64Array.of(0, 0), ipMean: 0, ipVar: 0, orthMean: Float64Array.of(1, 1), orthVar: 0 }],
    });
    expect(officialPool([dev(), dev()]).S_orth).toBe(2);
  });

  it('uneven shares and micro-batches: the split, and the pooled form on it equals the brute force with size weights', () => {
    expect(officialPartition(10, 2, 3).map((u) => [u.device, u.end - u.start])).toEqual([[0, 3], [0, 2], [1, 3], [1, 2]]);
    expect(officialPartition(37, 4, 5).map((u) => u.end - u.start)).toEqual([5, 5, 5, 4, 5, 4, 5, 4]);
    expect(officialPartition(8, 4).map((u) => u.end - u.start)).toEqual([2, 2, 2, 2]);
    // equal units (b = 12 over 2 devices, micro-batches of 3) are the official 1/(M·A) weights; the explicit form agrees with officialPool's transcription
    const k = key(1790);
    const G = normal(k, 12 * 3);
    const st = pooledStatistics({ data: G, b: 12, d: 3 }, undefined, { devices: 4, form: 'official' });
    const acc = pooledStatistics({ data: G, b: 12, d: 3 }, undefined, { devices: 2, microBatch: 3, form: 'official' });
    expect(rel(acc.S_norm, st.S_norm)).toBeLessThan(TOL); // 2 devices × 2 micro-batches of 3 = 4 devices of 3
    const mean = statistics(statsFromPerSampleGrads({ data: G, b: 12, d: 3 })).meanGrad;
    const lit = officialPool([0, 1, 2, 3].map((m) => officialDeviceStats(G.subarray(m * 9, (m + 1) * 9), 3, mean, [[0, 3]])));
    expect(rel(st.S_norm, lit.S_norm)).toBeLessThan(TOL);
    expect(rel(st.S_ip, lit.S_ip)).toBeLessThan(TOL);
    expect(rel(st.S_orth, lit.S_orth, 1e-6 * lit.S_norm)).toBeLessThan(TOL);
  });

  it('rejects a batch too small for its devices, a micro-batch under 3 and a bad form, naming the field', () => {
    const G = { data: new Float64Array(10), b: 5, d: 2 };
    expect(() => pooledStatistics(G, undefined, { devices: 3, form: 'official' })).toThrow(/b ≥ 6/);
    expect(() => pooledStatistics(G, undefined, { devices: 2, microBatch: 2, form: 'official' })).toThrow(/pooledStatistics\.microBatch must be an integer ≥ 3/);
    expect(() => pooledStatistics(G, undefined, { devices: 0 })).toThrow(/pooledStatistics\.devices/);
    expect(() => pooledStatistics({ ...G, data: new Float64Array(8), b: 4 }, undefined, { devices: 2, form: 'x' as never })).toThrow(/form/);
  });
});
