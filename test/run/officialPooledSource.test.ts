/**
 * The official M-device pooled statistics as a run option (src/run/sources/officialPooled.ts,
 * `run({ testPooling })`): the source's statistics against a brute-force per-sample
 * computation of the official `tests.py` `_distributed` / accumulation formulas, with
 * near-miss controls (the unbiased form, a share off by one); with M = 1 and no smaller
 * micro-batch it is the default path exactly; the bias 1 + (U − 1)/(U b_u) by Monte Carlo.
 */
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/registry.js';
import { foldIn, key } from '../../src/rng/index.js';
import { iidSampler, sampledSource, type GradientRequest } from '../../src/run/step.js';
import { officialPooledSource, subBatch } from '../../src/run/sources/officialPooled.js';
import { run } from '../../src/run/run.js';
import { statistics, type BatchStatistics } from '../../src/batching/summary.js';
import { adagradNorm } from '../../src/optim/index.js';
import { constant, testDriven } from '../../src/batching/controllers.js';
import { normTest } from '../../src/batching/tests/index.js';
import type { Problem } from '../../src/problem/types.js';

const TOL = 1e-9;

const avg = (xs: readonly number[]): number => xs.reduce((p, v) => p + v, 0) / xs.length;
function uvar(xs: readonly number[]): number {
  const m = avg(xs);
  return xs.reduce((p, v) => p + (v - m) ** 2, 0) / (xs.length - 1);
}
const wsum = (w: readonly number[], xs: readonly number[]): number => xs.reduce((p, v, t) => p + w[t]! * v, 0);

/**
 * The units written out independently of officialPartition: device m holds rows
 * [m·q + min(m, r), …) with q = ⌊b/M⌋, r = b mod M; its share s is cut into A = ⌈s/m⌉
 * consecutive pieces, piece a starting at a·⌊s/A⌋ + min(a, s mod A).
 */
function units(b: number, M: number, micro: number): [number, number][] {
  const out: [number, number][] = [];
  const q = Math.floor(b / M);
  const r = b % M;
  for (let m = 0; m < M; m++) {
    const s0 = m * q + Math.min(m, r);
    const s = q + (m < r ? 1 : 0);
    const A = Math.max(1, Math.ceil(s / micro));
    const qa = Math.floor(s / A);
    const ra = s % A;
    for (let a = 0; a < A; a++) out.push([s0 + a * qa + Math.min(a, ra), s0 + (a + 1) * qa + Math.min(a + 1, ra)]);
  }
  return out;
}

/**
 * The official formulas on explicit rows G (b × d), literally (means of squares minus
 * squared means, the orthogonality's square of a sum), each unit weighted by its share of
 * the batch (the official 1/(M·A) for equal units). Returns S_norm, S_j and, per block
 * list, Σ_p S_ip^p and Σ_p S_orth^p.
 */
function bruteForce(G: Float64Array, d: number, parts: readonly [number, number][], blocks: readonly [number, number][]): { norm: number; Sj: number[]; ip: number; orth: number } {
  const b = parts[parts.length - 1]![1];
  const w = parts.map(([s, e]) => (e - s) / b);
  const rows = (u: number): number[] => Array.from({ length: parts[u]![1] - parts[u]![0] }, (_, t) => parts[u]![0] + t);
  const g = (i: number, j: number): number => G[i * d + j]!;
  const U = parts.length;
  const unitMean = (u: number, f: (i: number) => number): number => avg(rows(u).map(f));
  const gbar = Array.from({ length: d }, (_, j) => wsum(w, Array.from({ length: U }, (_, u) => unitMean(u, (i) => g(i, j)))));
  const Sj = Array.from({ length: d }, (_, j) => {
    const vars = Array.from({ length: U }, (_, u) => uvar(rows(u).map((i) => g(i, j))));
    const means = Array.from({ length: U }, (_, u) => unitMean(u, (i) => g(i, j)));
    return wsum(w, vars) + wsum(w, means.map((v) => v * v)) - gbar[j]! ** 2;
  });
  const norm = Sj.reduce((p, v) => p + Math.abs(v), 0);
  let ip = 0;
  let orth = 0;
  for (const [s, e] of blocks) {
    const h = gbar.slice(s, e).reduce((p, v) => p + v * v, 0);
    const c = (i: number): number => gbar.slice(s, e).reduce((p, v, t) => p + g(i, s + t) * v, 0);
    const cm = Array.from({ length: U }, (_, u) => unitMean(u, c));
    ip += wsum(w, Array.from({ length: U }, (_, u) => uvar(rows(u).map(c)))) + wsum(w, cm.map((v) => v * v)) - wsum(w, cm) ** 2;
    const o = (i: number, t: number): number => g(i, s + t) - (c(i) / h) * gbar[s + t]!;
    let within = 0;
    let sqMean = 0;
    let sumMean = 0;
    for (let t = 0; t < e - s; t++) {
      within += wsum(w, Array.from({ length: U }, (_, u) => uvar(rows(u).map((i) => o(i, t)))));
      const om = Array.from({ length: U }, (_, u) => unitMean(u, (i) => o(i, t)));
      sqMean += wsum(w, om.map((v) => v * v));
      sumMean += wsum(w, om);
    }
    orth += Math.abs(within + sqMean - sumMean * sumMean);
  }
  return { norm, Sj, ip, orth };
}

const rel = (a: number, e: number, scale = 0): number => Math.abs(a - e) / Math.max(Math.abs(e), scale, 1e-300);

function request(problem: Problem, x: Float64Array, b: number, seed: number): GradientRequest {
  return { problem, key: key(seed), step: 0, samples: 0, b, replace: true, x, sampler: iidSampler, withStats: true };
}

/** The source's statistics and the brute force on the same batch. */
function compare(problem: Problem, x: Float64Array, b: number, M: number, micro: number, seed: number) {
  const res = officialPooledSource({ devices: M, microBatch: micro }).gradient(request(problem, x, b, seed));
  const G = problem.perSampleGrads!(x, res.batch!);
  const d = problem.dim;
  const blocks = problem.blocks.map((blk) => [blk.offset, blk.offset + blk.size] as [number, number]);
  return { res, st: res.stats!, G, d, blocks, parts: units(b, M, micro) };
}

function maxRel(a: ArrayLike<number>, e: readonly number[], scale: number): number {
  let m = 0;
  for (let j = 0; j < e.length; j++) m = Math.max(m, rel(a[j]!, e[j]!, scale));
  return m;
}

/** How far the source's statistics are from a brute force (the largest relative gap over the fields compared). */
function gap(st: BatchStatistics, G: Float64Array, d: number, parts: readonly [number, number][], blocks: readonly [number, number][]): number {
  const blk = bruteForce(G, d, parts, blocks);
  const one = bruteForce(G, d, parts, [[0, d]]);
  const sc = 1e-6 * blk.norm;
  return Math.max(
    rel(st.S_norm, blk.norm),
    maxRel(st.S_j, blk.Sj, 1e-3 * blk.norm / d),
    rel(st.blockwise.S_ip, blk.ip),
    rel(st.blockwise.S_orth, blk.orth, sc),
    rel(st.S_ip, one.ip),
    rel(st.S_orth, one.orth, sc),
  );
}

const CASES: readonly { M: number; micro: number; b: number; what: string }[] = [
  { M: 1, micro: 4, b: 10, what: 'one device, accumulation over 3 micro-batches (4, 3, 3)' },
  { M: 2, micro: Infinity, b: 8, what: 'two devices of 4' },
  { M: 2, micro: 3, b: 11, what: 'two devices of 6 and 5, micro-batches 3, 3 | 3, 2' },
  { M: 4, micro: Infinity, b: 8, what: 'four devices of 2 (the official CNN start)' },
  { M: 4, micro: 5, b: 37, what: 'four devices of 10, 9, 9, 9, micro-batches ≤ 5' },
];

describe('official pooled source = the official formulas, brute force per sample', () => {
  for (const id of ['twolayer-tanh_d10_h8_n2000_i0', 'nqm-rot_d16_i0_a2.5']) {
    it(`${id}: random batches and iterates, M ∈ {1, 2, 4}, micro-batch splits`, () => {
      const p = getProblem(id);
      CASES.forEach((c, t) => {
        const x = p.x0(foldIn(key(2100), t));
        const { st, G, d, blocks, parts } = compare(p, x, c.b, c.M, c.micro, 2200 + t);
        expect(parts.length, c.what).toBeGreaterThan(1);
        expect(gap(st, G, d, parts, blocks), `${id}, ${c.what}`).toBeLessThan(TOL);
        expect(st.b).toBe(c.b);
      });
    });
  }

  it('near misses are caught: the unbiased form, and one sample moved to the next device', () => {
    const p = getProblem('twolayer-tanh_d10_h8_n2000_i0');
    for (const [t, c] of CASES.entries()) {
      const x = p.x0(foldIn(key(2100), t));
      const { st, G, d, blocks, parts } = compare(p, x, c.b, c.M, c.micro, 2200 + t);
      // the unbiased pooled estimator (the default) on the same batch
      const unbiased = statistics(sampledSource.gradient(request(p, x, c.b, 2200 + t)).summary!);
      expect(gap(unbiased, G, d, parts, blocks), `${c.what}: unbiased form`).toBeGreaterThan(100 * TOL);
      // the first unit one row shorter, the next one longer (an off-by-one in a share)
      const moved = parts.map(([s, e], u) => [u === 1 ? s - 1 : s, u === 0 ? e - 1 : e] as [number, number]);
      if (moved[0]![1] - moved[0]![0] >= 2) expect(gap(st, G, d, moved, blocks), `${c.what}: share off by one`).toBeGreaterThan(100 * TOL);
    }
  });

  it('M = 1 with no micro-batch smaller than b: exactly the default statistics (and a micro-batch of b − 1 is not)', () => {
    const p = getProblem('twolayer-tanh_d10_h8_n2000_i0');
    const x = p.x0(key(2300));
    const def = sampledSource.gradient(request(p, x, 12, 2301));
    const want = statistics(def.summary!);
    for (const micro of [12, 100, Infinity]) {
      const got = officialPooledSource({ devices: 1, microBatch: micro }).gradient(request(p, x, 12, 2301));
      expect(got.stats, `microBatch ${micro}`).toEqual(want);
      expect(got.g).toEqual(def.g);
      expect(got.loss).toBe(def.loss);
    }
    const near = officialPooledSource({ devices: 1, microBatch: 11 }).gradient(request(p, x, 12, 2301)).stats!;
    expect(rel(near.S_norm, want.S_norm)).toBeGreaterThan(1e-3);
    expect(near.meanGrad).toEqual(want.meanGrad); // g is the batch mean whatever the split
  });

  it('without statistics asked for, the source is the default one; a batch under 2 per device gives none', () => {
    const p = getProblem('nqm-rot_d16_i0_a2.5');
    const x = p.x0(key(2400));
    const r = { ...request(p, x, 8, 2401), withStats: false };
    const a = officialPooledSource({ devices: 4 }).gradient(r);
    const e = sampledSource.gradient(r);
    expect(a.g).toEqual(e.g);
    expect(a.stats ?? null).toBeNull();
    const small = officialPooledSource({ devices: 4 }).gradient(request(p, x, 7, 2402));
    expect(small.stats).toBeNull();
    expect(small.summary).toBeNull();
    expect(small.g).toEqual(sampledSource.gradient(request(p, x, 7, 2402)).g);
  });
});

describe('bias of the official pooled variance through the source (Monte Carlo)', () => {
  it('E[S_norm] = σ²(x)(1 + (U − 1)/(U b_u)): 1.375 at M = 4, b_m = 2; 1.25 at M = 2 with micro-batches of 3 (b = 12)', () => {
    // nqm_d100 (population, exact σ²(x)) at one iterate, R = 400 batches per case. The
    // factor f is read from D_c = (S_off − c·S_unb)/σ², S_unb the default (unbiased) S_norm
    // of the same batch, so E[D_c] = f − c (a control variate: S_off and S_unb share most
    // of their noise). Power: the standard error of mean(D) is printed on failure
    // (measured 0.0028 at M = 4 and 0.0011 at M = 2, seed 2501); the nearest wrong readings,
    // 1 + (M − 1)/(M b_m − 1) (0.054 and 0.023 away) and 1 + (U − 1)/(U b) with the whole
    // batch b (0.28 and 0.19 away), are ≥ 19 standard errors from f, so requiring > 8 SE
    // from each rejects them with probability > 1 − 1e-15 and accepting within 4 SE keeps
    // the right value with probability 0.99994 (normal approximation). The default's own
    // mean is checked to be σ² within 4 of its (larger) standard errors.
    const p = getProblem('nqm_d100_i0');
    const x = p.x0(key(2500));
    const sigma2 = p.noise!(x).sigma2;
    const R = 400;
    const cases = [
      { M: 4, micro: Infinity, b: 8, right: 1 + 3 / 8, wrong: [1 + 3 / 7, 1 + 3 / 32] },
      { M: 2, micro: 3, b: 12, right: 1 + 3 / 12, wrong: [1 + 3 / 11, 1 + 3 / 48] },
    ];
    for (const c of cases) {
      const src = officialPooledSource({ devices: c.M, microBatch: c.micro });
      const off: number[] = [];
      const unb: number[] = [];
      for (let r = 0; r < R; r++) {
        const rq = { ...request(p, x, c.b, 0), key: foldIn(key(2501), r) };
        off.push(src.gradient(rq).stats!.S_norm / sigma2);
        unb.push(statistics(sampledSource.gradient(rq).summary!).S_norm / sigma2);
      }
      const D = (cv: number): number[] => off.map((v, t) => v - cv * unb[t]!);
      const m = avg(D(c.right));
      const se = Math.sqrt(uvar(D(c.right)) / R);
      expect(Math.abs(m), `M = ${c.M}, micro ${c.micro}: mean(D) ${m} ± ${se}, f = ${c.right}`).toBeLessThan(4 * se);
      for (const wv of c.wrong) {
        const mw = avg(D(wv));
        expect(Math.abs(mw), `near miss ${wv}: mean(D) ${mw} ± ${se}`).toBeGreaterThan(8 * se);
      }
      const mu = avg(unb);
      const seu = Math.sqrt(uvar(unb) / R);
      expect(Math.abs(mu - 1), `default: mean ${mu} ± ${seu} vs 1`).toBeLessThan(4 * seu);
    }
  });
});

describe('run({ testPooling })', () => {
  const p = getProblem('nqm-rot_d16_i0_a2.5');
  const base = () => ({
    problem: p, optimizer: adagradNorm(0.5), controller: testDriven(normTest(0.5), { b0: 8, bMax: 256, workers: 4 }),
    budget: { steps: 12 }, key: key(2600), statistics: 'always' as const,
  });

  it('official: same batches and first update as the default, the pooled S_norm in the trace, recorded in the meta', () => {
    const def = run(base());
    const off = run({ ...base(), testPooling: { devices: 4, form: 'official' } });
    expect(off.meta.testPooling).toEqual({ devices: 4, form: 'official' });
    expect(off.trace.rows()[0]!.gradNormSq).toBe(def.trace.rows()[0]!.gradNormSq);
    expect(off.trace.rows()[0]!.b).toBe(8);
    // at b = 8 over 4 devices the official S_norm is larger (E factor 1.375)
    expect(off.trace.rows()[0]!.S_norm!).not.toBe(def.trace.rows()[0]!.S_norm!);
    // 'unbiased' is the default path exactly
    const unb = run({ ...base(), testPooling: { devices: 4, microBatch: 3, form: 'unbiased' } });
    expect(unb.trace.rows()).toEqual(def.trace.rows());
    // official with one unit is the default path exactly
    const one = run({ ...base(), testPooling: { devices: 1, form: 'official' } });
    expect(one.trace.rows()).toEqual(def.trace.rows());
  });

  it('bad options throw before any work, naming the field', () => {
    expect(() => run({ ...base(), testPooling: { devices: 0, form: 'official' } })).toThrow(/testPooling\.devices/);
    expect(() => run({ ...base(), testPooling: { devices: 2, microBatch: 2, form: 'official' } })).toThrow(/testPooling\.microBatch/);
    expect(() => run({ ...base(), testPooling: { devices: 2, form: 'x' as never } })).toThrow(/testPooling\.form/);
    expect(() => run({ ...base(), testPooling: { devices: 8, form: 'official' } })).toThrow(/testPooling\.devices = 8 needs a first batch of at least 16/);
    expect(() => run({ ...base(), gradient: 'exact', testPooling: { devices: 2, form: 'official' } })).toThrow(/gradient source 'exact'/);
    // a controller that reads no statistics: no batch-size requirement
    expect(run({ ...base(), controller: constant(2), statistics: 'auto', testPooling: { devices: 4, form: 'official' } }).summary.status).toBe('completed');
  });

  it('subBatch: index and ξ batches, and a clear error for anything else', () => {
    const fs = getProblem('twolayer-tanh_d10_h8_n2000_i0');
    const bt = fs.sample(key(1), 5);
    expect(Array.from(subBatch(fs.id, bt, 1, 3).indices!)).toEqual(Array.from(bt.indices!.subarray(1, 3)));
    const pb = p.sample(key(1), 5) as unknown as { xi: Float64Array; xiDim: number };
    const sb = subBatch(p.id, pb as never, 2, 5) as unknown as { size: number; xi: Float64Array };
    expect(sb.size).toBe(3);
    expect(Array.from(sb.xi)).toEqual(Array.from(pb.xi.subarray(2 * pb.xiDim, 5 * pb.xiDim)));
    expect(() => subBatch('toy', { size: 2, indices: null, rows: [] } as never, 0, 1)).toThrow(/cannot split a batch of toy/);
  });
});
