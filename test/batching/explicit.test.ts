// statsFromPerSampleGrads and statistics(): hand-computed values on a 3 × 2 matrix, and
// the SPEC §2 definitions (left) against the closed forms (right) on random data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statistics, statsFromPerSampleGrads, compensatedSum, type GradSummary } from '../../src/batching/index.js';
import { centredPass, explicitMean, summariseExplicitBlock } from '../../src/batching/summary.js';
import { tensor } from '../../src/index.js';
import { key, normal, split, type Key } from '../../src/rng/index.js';
import { fcParams } from '../arbitraries.js';
import { Checker } from './helpers.js';

describe('statsFromPerSampleGrads on a hand-computed 3 × 2 example', () => {
  // g_1 = (1, 2), g_2 = (3, 4), g_3 = (5, 0): ḡ = (3, 2), ||ḡ||² = 13,
  // g_i − ḡ = (−2, 0), (0, 2), (2, −2): squared norms 4, 4, 8, Σ = 16;
  // ⟨g_i, ḡ⟩ = 7, 17, 15; minus ||ḡ||²: −6, 4, 2 (squares 36, 16, 4, Σ = 56).
  const G = [[1, 2], [3, 4], [5, 0]];

  it('the raw and centred sums', () => {
    const s = statsFromPerSampleGrads(G);
    expect(s.b).toBe(3);
    expect(s.d).toBe(2);
    expect(Array.from(s.meanGrad)).toEqual([3, 2]);
    expect(Array.from(s.sqNorms)).toEqual([5, 25, 25]);
    expect(s.sumSqNorms).toBe(55);
    expect(Array.from(s.dots)).toEqual([7, 17, 15]);
    expect(Array.from(s.coordSumSq)).toEqual([35, 20]);
    expect(s.sumSqDev).toBe(16);
    expect(Array.from(s.devDots)).toEqual([-6, 4, 2]);
    expect(Array.from(s.coordSumSqDev)).toEqual([8, 8]);
    expect(s.blocks.map((b) => b.method)).toEqual(['explicit']);
  });

  it('the statistics', () => {
    const st = statistics(statsFromPerSampleGrads(G));
    expect(st.b).toBe(3);
    expect(st.gradNormSq).toBe(13);
    expect(st.S_norm).toBe(8); // 16 / 2
    expect(st.S_ip).toBe(28); // 56 / 2
    expect(st.S_orth).toBeCloseTo(76 / 13, 14); // (16 − 56/13) / 2
    expect(Array.from(st.S_j)).toEqual([4, 4]); // (4 + 0 + 4)/2, (0 + 4 + 4)/2
    expect(st.B_simple).toBeCloseTo(8 / 13, 15);
    // one block: the block-wise variants are the global ones
    expect(st.blockwise.S_ip).toBeCloseTo(28, 13);
    expect(st.blockwise.S_orth).toBeCloseTo(76 / 13, 13);
  });

  it('block-wise statistics with one block per coordinate', () => {
    // block 0: g = 1, 3, 5; ḡ⁰ = 3; c_i⁰ = 3, 9, 15; Var_i = ((−6)² + 0² + 6²)/2 = 36
    // block 1: g = 2, 4, 0; ḡ¹ = 2; c_i¹ = 4, 8, 0; Var_i = (0² + 4² + (−4)²)/2 = 16
    // S_orth^blk: each block is projected on its own mean (official tests.py), and a one-coordinate
    // block is parallel to its mean: S_orth^blk = 0 (the old global-||ḡ||² rule gave 1090/169)
    const s = statsFromPerSampleGrads(G, [[0, 1], [1, 2]]);
    const st = statistics(s);
    expect(st.blockwise.S_ip).toBeCloseTo(52, 13);
    expect(st.blockwise.S_orth).toBeCloseTo(0, 13);
    // the global statistics do not depend on the blocking
    expect(st.S_norm).toBe(8);
    expect(st.S_ip).toBeCloseTo(28, 13);
    expect(s.blocks.map((b) => [b.name, b.offset, b.size])).toEqual([['block0', 0, 1], ['block1', 1, 1]]);
    expect(Array.from(s.blocks[0]!.dots)).toEqual([3, 9, 15]);
    expect(Array.from(s.blocks[1]!.devDots)).toEqual([0, 4, -4]);
  });

  it('accepts a [b, d] tensor and a flat {data, b, d} matrix with the same result', () => {
    const a = statistics(statsFromPerSampleGrads(G));
    const t = statistics(statsFromPerSampleGrads(tensor(G)));
    const f = statistics(statsFromPerSampleGrads({ data: Float64Array.of(1, 2, 3, 4, 5, 0), b: 3, d: 2 }));
    for (const x of [t, f]) {
      expect(x.S_norm).toBe(a.S_norm);
      expect(x.S_ip).toBe(a.S_ip);
      expect(x.S_orth).toBe(a.S_orth);
    }
  });

  it('two samples: the example in the statistics() docs', () => {
    expect(statistics(statsFromPerSampleGrads([[1, 0], [3, 0]])).S_norm).toBe(2);
  });
});

// ------------------------------------------------------------------ definitions vs closed forms

/** The SPEC §2 definitions (left-hand sides), computed directly from the rows. */
function definitions(G: Float64Array, b: number, d: number, blocks: readonly [number, number][]) {
  const mean = new Float64Array(d);
  for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + G[i * d + j]! / b;
  const gns = compensatedSum(mean.map((v) => v * v));
  const row = (i: number) => G.subarray(i * d, (i + 1) * d);
  const dot = (a: ArrayLike<number>, c: ArrayLike<number>, lo = 0, hi = a.length) => {
    let s = 0;
    for (let j = lo; j < hi; j++) s += a[j]! * c[j]!;
    return s;
  };
  let sNorm = 0;
  let sIp = 0;
  let sOrth = 0;
  const sJ = new Float64Array(d);
  for (let i = 0; i < b; i++) {
    const g = row(i);
    const c = dot(g, mean);
    for (let j = 0; j < d; j++) {
      sNorm += (g[j]! - mean[j]!) ** 2;
      sOrth += (g[j]! - (c / gns) * mean[j]!) ** 2;
      sJ[j] = sJ[j]! + (g[j]! - mean[j]!) ** 2;
    }
    sIp += (c - gns) ** 2;
  }
  let ipBlk = 0;
  let orthBlk = 0;
  for (const [lo, hi] of blocks) {
    const cs = Array.from({ length: b }, (_, i) => dot(row(i), mean, lo, hi));
    const cbar = cs.reduce((a, v) => a + v, 0) / b;
    // each block projected on its own mean, o_i = g_i^p − (c_i/||ḡ^p||²) ḡ^p, centred per coordinate
    const h = dot(mean, mean, lo, hi);
    for (let i = 0; i < b; i++) ipBlk += (cs[i]! - cbar) ** 2;
    for (let j = lo; j < hi; j++) {
      const o = Array.from({ length: b }, (_, i) => row(i)[j]! - (cs[i]! / h) * mean[j]!);
      const om = o.reduce((a, v) => a + v, 0) / b;
      for (const v of o) orthBlk += (v - om) ** 2;
    }
  }
  const k = b - 1;
  return {
    gns, S_norm: sNorm / k, S_ip: sIp / k, S_orth: sOrth / k, S_j: sJ.map((v) => v / k), B_simple: sNorm / k / gns,
    blk_S_ip: ipBlk / k, blk_S_orth: orthBlk / k,
  };
}

/** The SPEC §2 closed forms (right-hand sides), from the raw sums of a summary only. */
function closedForms(s: GradSummary) {
  const b = s.b;
  const gns = s.meanGrad.reduce((a, v) => a + v * v, 0);
  const sumDot2 = s.dots.reduce((a, v) => a + v * v, 0);
  return {
    S_norm: (s.sumSqNorms - b * gns) / (b - 1),
    S_ip: (sumDot2 - b * gns * gns) / (b - 1),
    S_orth: (s.sumSqNorms - sumDot2 / gns) / (b - 1),
    S_j: s.coordSumSq.map((v, j) => (v - b * s.meanGrad[j]! ** 2) / (b - 1)),
  };
}

describe('SPEC §2: definitions = closed forms = statistics() on well-conditioned random data', () => {
  it('random b × d matrices with random block splits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: 2, max: 60 }),
        fc.integer({ min: 2, max: 12 }), // d = 1 makes S_orth = 0 exactly (every g_i ∥ ḡ): not well-conditioned
        fc.array(fc.integer({ min: 1, max: 11 }), { maxLength: 4 }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (seed, b, d, cuts, shift) => {
          const [k1, k2] = split(key(seed), 2) as [Key, Key];
          // rows g_i = μ + z_i with a mean of the same order as the noise
          const mu = normal(k1, d, shift, 1);
          const G = normal(k2, b * d).map((v, t) => v + mu[t % d]!);
          const edges = [...new Set(cuts.filter((c) => c < d))].sort((x, y) => x - y);
          const bounds = [0, ...edges, d];
          const blocks = bounds.slice(1).map((e, p) => [bounds[p]!, e] as [number, number]);
          const s = statsFromPerSampleGrads({ data: G, b, d }, blocks);
          const st = statistics(s);
          const def = definitions(G, b, d, blocks);
          const cf = closedForms(s);
          const c = new Checker(`seed=${seed} b=${b} d=${d} blocks=${JSON.stringify(blocks)}`, 1e-10);
          c.scalar('gradNormSq', st.gradNormSq, def.gns);
          for (const k of ['S_norm', 'S_ip', 'S_orth'] as const) {
            c.scalar(`${k} (statistics vs definition)`, st[k], def[k]);
            c.scalar(`${k} (closed form vs definition)`, cf[k], def[k]);
          }
          c.vector('S_j (statistics vs definition)', st.S_j, def.S_j);
          c.vector('S_j (closed form vs definition)', cf.S_j, def.S_j);
          c.scalar('B_simple', st.B_simple, def.B_simple);
          c.scalar('blockwise.S_ip', st.blockwise.S_ip, def.blk_S_ip);
          // a one-coordinate block is parallel to its own mean (S_orth^p = 0): compare against the variance scale
          c.scalar('blockwise.S_orth', st.blockwise.S_orth, def.blk_S_orth, 1e-6 * def.S_norm);
          if (c.failures.length > 0) throw new Error(c.message());
        },
      ),
      fcParams(200),
    );
  });

  it('with one block the block-wise variants equal the global ones; with blocks they differ', () => {
    const b = 20;
    const d = 6;
    const G = normal(key(31), b * d).map((v, t) => v + (t % d) * 0.3);
    const one = statistics(statsFromPerSampleGrads({ data: G, b, d }));
    expect(one.blockwise.S_ip).toBeCloseTo(one.S_ip, 10);
    expect(one.blockwise.S_orth).toBeCloseTo(one.S_orth, 10);
    const two = statistics(statsFromPerSampleGrads({ data: G, b, d }, [[0, 3], [3, 6]]));
    expect(two.S_ip).toBeCloseTo(one.S_ip, 10);
    // cross-block covariance is dropped, so in general S_ip^blk ≠ S_ip
    expect(Math.abs(two.blockwise.S_ip - two.S_ip)).toBeGreaterThan(1e-6 * two.S_ip);
  });

  it('zero mean gradient: S_orth is undefined (NaN) and B_simple is infinite', () => {
    const st = statistics(statsFromPerSampleGrads([[1, -1], [-1, 1]]));
    expect(st.gradNormSq).toBe(0);
    expect(st.S_norm).toBe(4);
    expect(st.S_orth).toBeNaN();
    expect(st.B_simple).toBe(Infinity);
  });
});

describe('explicitMean', () => {
  /** Neumaier's compensated mean per coordinate with the |s| ≥ |x| branch (the textbook form). */
  function neumaierMean(G: ArrayLike<number>, b: number, size: number): Float64Array {
    const mean = new Float64Array(size);
    const comp = new Float64Array(size);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < size; j++) {
        const x = G[i * size + j]!;
        const s = mean[j]!;
        const t = s + x;
        comp[j] = comp[j]! + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
        mean[j] = t;
      }
    }
    return mean.map((m, j) => (m + comp[j]!) / b);
  }

  it('is bit for bit the branching Neumaier mean, on magnitudes from 1e-300 to 1e300, cancelling sums, infinities and NaN (seed 20261204)', () => {
    const SEED = 20261204;
    const [k1, k2] = split(key(SEED), 2) as [Key, Key];
    const b = 301; // odd: the last row is summed on its own
    const size = 40;
    const z = normal(k1, b * size);
    const e = normal(k2, b * size);
    // coordinate j: scale 10^(−300 + 15 j); the last coordinates mix huge and tiny terms and cancel
    const G = Float64Array.from(z, (v, t) => {
      const j = t % size;
      if (j === size - 5) return t < size ? 1e16 : t >= (b - 1) * size ? -1e16 : v; // ±1e16 around small terms: the mean is the corrections
      if (j === size - 4) return Math.floor(t / size) % 2 === 0 ? 1e16 * v : v * 1e-3; // big and small terms, alternating rows
      if (j === size - 3) return Math.floor(t / size) < b / 2 ? 1 + v * 1e-10 : -1 - e[t]! * 1e-10; // cancellation
      return v * 10 ** (-300 + 15 * j);
    });
    G[5 * size + size - 2] = Infinity;
    G[7 * size + size - 1] = NaN;
    const got = explicitMean(G, b, size);
    const want = neumaierMean(G, b, size);
    for (let j = 0; j < size; j++) {
      if (!Object.is(got[j], want[j])) expect.fail(`coordinate ${j}: ${got[j]} against ${want[j]} (seed ${SEED})`);
    }
  });
});

describe('summariseExplicitBlock', () => {
  it('equals one centredPass row at a time bit for bit (rows taken two at a time inside), for odd and even b (seed 20261204)', () => {
    const SEED = 20261204;
    for (const b of [2, 3, 8, 301]) {
      const size = 37;
      const [k1, k2] = split(key(SEED + b), 2) as [Key, Key];
      const z = normal(k1, b * size);
      const w = normal(k2, b * size);
      // mixed magnitudes in every coordinate, so that the order of the additions shows in the bits
      const G = Float64Array.from(z, (v, t) => v * 10 ** (Math.round(w[t]! * 4)));
      const got = summariseExplicitBlock('w', [size], 0, G, b, size, 'materialized');
      const pass = centredPass(explicitMean(G, b, size), b);
      for (let i = 0; i < b; i++) pass.add(i, G, i * size);
      const want = pass.finish('w', [size], 0, 'materialized');
      for (const k of ['meanGrad', 'sqNorms', 'dots', 'devSqNorms', 'devDots', 'coordSumSq', 'coordSumSqDev'] as const) {
        const a = got[k];
        const c = want[k];
        for (let t = 0; t < c.length; t++) if (!Object.is(a[t], c[t])) expect.fail(`b = ${b}, ${k}[${t}]: ${a[t]} against ${c[t]} one row at a time (seed ${SEED})`);
      }
    }
  });
});
