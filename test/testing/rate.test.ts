// checkRate on synthetic series whose decay is known (K^−p, plateaus, floors), on bounds, stopped runs, replay and validation.
import { describe, expect, it } from 'vitest';
import { adagradNorm, constant, foldIn, key, normal, normTest, oracle, uniform, type Key, type Problem } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';
import { checkRate, formatRateCheck, runKey, variantSeries, type RateCheck, type SeriesVariant } from '../../src/testing/index.js';

const problem: Problem = getProblem('nqm_d2_i0');
const Ks = [32, 64, 128, 256, 512, 1024];

/**
 * g_k = A · U_k · (k + 1)^(−p) + plateau, with A = exp(0.5 Z) per run and U_k ~ U[1, 3]
 * per step: min_{k<K} decays like K^(−p) until the plateau.
 */
function synthetic(p: number, opts: { plateau?: number; zeroAfter?: number } = {}): SeriesVariant {
  return (_pb: Problem, K: number, k: Key) => {
    const A = Math.exp(0.5 * normal(k, 1)[0]!);
    const u = uniform(foldIn(k, 1), K, 1, 3);
    const g = new Float64Array(K);
    for (let i = 0; i < K; i++) g[i] = opts.zeroAfter !== undefined && i >= opts.zeroAfter ? 0 : A * u[i]! * Math.pow(i + 1, -p) + (opts.plateau ?? 0);
    return g;
  };
}

function check(variant: SeriesVariant, seed: number, extra: Partial<Parameters<typeof checkRate>[0]> = {}): RateCheck {
  return checkRate({ variant, problem, Ks, seeds: 12, key: key(seed), ...extra });
}

function explain(c: RateCheck, seed: number): string {
  return `seed ${seed}\n${formatRateCheck(c)}`;
}

describe('checkRate on series with a known decay', () => {
  it('accepts K^−1 and K^−2, and its slope estimate brackets the truth', () => {
    for (const [p, seed] of [[1, 11], [2, 12]] as const) {
      const c = check(synthetic(p), seed);
      expect(c.decision, explain(c, seed)).toBe('accept');
      expect(c.slope!, explain(c, seed)).toBeGreaterThan(-p - 0.15);
      expect(c.slope!, explain(c, seed)).toBeLessThan(-p + 0.15);
      expect(c.slopeCI![0], explain(c, seed)).toBeLessThanOrEqual(c.slopeCI![1]);
    }
  });

  it('rejects K^−1/2 on the slope and on the growth of K·Q(K)', () => {
    const seed = 13;
    const c = check(synthetic(0.5), seed);
    expect(c.decision, explain(c, seed)).toBe('reject');
    expect(c.reasons.some((r) => r.startsWith('slope')), explain(c, seed)).toBe(true);
    expect(c.reasons.some((r) => r.startsWith('K·Q(K)')), explain(c, seed)).toBe(true);
  });

  it('rejects a late plateau (1/K, then flat from K ≈ 200) through the growth criterion', () => {
    const seed = 14;
    const c = check(synthetic(1, { plateau: 0.01 }), seed);
    expect(c.decision, explain(c, seed)).toBe('reject');
    expect(c.reasons.some((r) => r.startsWith('K·Q(K)')), explain(c, seed)).toBe(true);
  });

  it('counts values at the floor as reached: a run that hits 0 at k = 100 is accepted, with a note', () => {
    const seed = 15;
    const c = check(synthetic(1, { zeroAfter: 100 }), seed);
    expect(c.decision, explain(c, seed)).toBe('accept');
    // the window K/2 ≤ k < K is all zeros from K = 256 on (the minimum from K = 128)
    expect(c.reached, explain(c, seed)).toEqual([false, false, false, true, true, true]);
    expect(c.notes.join(' '), explain(c, seed)).toMatch(/reached the floor .* at K = 256/);
    const m = check(synthetic(1, { zeroAfter: 100 }), seed, { statistic: 'min' });
    expect(m.reached, explain(m, seed)).toEqual([false, false, true, true, true, true]);
    // Without the floor (negative: nothing is "reached") the zeros would enter the fit as log 0.
    expect(() => check(synthetic(1, { zeroAfter: 100 }), seed, { floor: -1 })).toThrow(/floor must be ≥ 0/);
  });

  it('checks an explicit bound on min_{k<K} on every run, and on the quantile when asked', () => {
    const seed = 16;
    const tight = check(synthetic(1), seed, { bound: (K) => 0.2 / K });
    expect(tight.decision, explain(tight, seed)).toBe('reject');
    expect(tight.reasons.some((r) => r.startsWith('bound violated')), explain(tight, seed)).toBe(true);
    const loose = check(synthetic(1), seed, { bound: (K) => 1e3 / K, statistic: 'min' });
    expect(loose.decision, explain(loose, seed)).toBe('accept');
    expect(loose.bound).toHaveLength(Ks.length);
    // A bound above Q(K) = the 0.9-quantile but below the worst run: holds on 'quantile', not on 'every-run'.
    const c = Math.max(...loose.Ks.map((K, i) => K * loose.quantiles[i]!)) * 1.01;
    const between = (K: number): number => c / K;
    const onQ = check(synthetic(1), seed, { bound: between, boundOn: 'quantile', statistic: 'min' });
    const onRuns = check(synthetic(1), seed, { bound: between, boundOn: 'every-run', statistic: 'min' });
    expect(onQ.decision, explain(onQ, seed)).toBe('accept');
    expect(onRuns.decision, explain(onRuns, seed)).toBe('reject');
  });

  it('rejects when a run stops before the largest K (the claim covers every K)', () => {
    const seed = 17;
    // Runs whose key's first word is even stop after 100 steps, as a diverged run would.
    const sometimesShort: SeriesVariant = (pb, K, k) => {
      const g = synthetic(1)(pb, K, k) as Float64Array;
      return k[0] % 2 === 0 ? { gradFNormSq: g.subarray(0, 100), status: 'diverged', message: 'test' } : g;
    };
    const res = check(sometimesShort, seed);
    expect(res.runs.some((r) => r.steps === 100), explain(res, seed)).toBe(true);
    expect(res.decision, explain(res, seed)).toBe('reject');
    expect(res.reasons.join(' '), explain(res, seed)).toMatch(/stopped after 100 of 1024 steps \(diverged: test\)/);
  });

  it('states its false-fail rate as 2α', () => {
    expect(check(synthetic(1), 18, { alpha: 0.025, bootstrap: 400 }).falseFailRate).toBe(0.05);
  });
});

describe('checkRate: the window mean, b_max saturation and the no-growth twin', () => {
  /**
   * g_k = (k + 1)^(−1/2) · χ²₄/4 i.i.d. (the squared norm of a 4-dimensional Gaussian gradient): a
   * K^(−1/2) rate whose minimum over K iterates falls like K^(−1/2) · K^(−1/2) = K^(−1) by luck.
   */
  const luckyMin: SeriesVariant = (_pb, K, k) => {
    const e = normal(k, 4 * K);
    return Float64Array.from({ length: K }, (_, i) => (Math.pow(i + 1, -0.5) * (e[4 * i]! ** 2 + e[4 * i + 1]! ** 2 + e[4 * i + 2]! ** 2 + e[4 * i + 3]! ** 2)) / 4);
  };

  it('rejects a K^(−1/2) rate that the minimum over noisy iterates accepts', () => {
    const seed = 31;
    const w = check(luckyMin, seed);
    const m = check(luckyMin, seed, { statistic: 'min' });
    expect(m.decision, explain(m, seed)).toBe('accept');
    expect(w.decision, explain(w, seed)).toBe('reject');
    expect(w.slope!, explain(w, seed)).toBeGreaterThan(-0.6);
  });

  it("is 'inconclusive', never accepting, when a batch reaches b_max before K_max; accepts when b_max is one above", () => {
    const p = getProblem('nqm_d8_i0_a3.5');
    const variant = { optimizer: () => adagradNorm(1, 0.5), controller: () => oracle(normTest(0.5), { b0: 2, bMax: 2 ** 52 }), source: 'nqm-exact' as const };
    const base = checkRate({ variant, problem: p, Ks: [32, 64, 128, 256], seeds: 10, key: key(32), twin: 'off', bootstrap: 200 });
    expect(base.decision, formatRateCheck(base)).toBe('accept');
    const largest = Math.max(...base.runs.map((r) => r.maxBatch!));
    const capped = checkRate({ variant, problem: p, Ks: [32, 64, 128, 256], seeds: 10, key: key(32), twin: 'off', bootstrap: 200, bMax: largest });
    expect(capped.decision, formatRateCheck(capped)).toBe('inconclusive');
    expect(capped.saturated.length).toBeGreaterThan(0);
    expect(capped.reasons.join(' ')).toMatch(/reached b_max/);
    const above = checkRate({ variant, problem: p, Ks: [32, 64, 128, 256], seeds: 10, key: key(32), twin: 'off', bootstrap: 200, bMax: largest + 1 });
    expect(above.decision, formatRateCheck(above)).toBe('accept');
  });

  it('builds the no-growth twin of a growing pair variant (same seeds, constant first batch) and reports its power', () => {
    const p = getProblem('nqm_d8_i0_a3.5');
    const variant = { name: 'oracle', optimizer: () => adagradNorm(1, 0.5), controller: () => oracle(normTest(0.5), { b0: 2, bMax: 2 ** 52 }), source: 'nqm-exact' as const };
    const res = checkRate({ variant, problem: p, Ks: [32, 64, 128, 256, 512, 1024], seeds: 10, key: key(33), twinRepeats: 4, bootstrap: 200, bMax: 2 ** 52 });
    expect(res.decision, formatRateCheck(res)).toBe('accept');
    expect(res.twin, formatRateCheck(res)).not.toBeNull();
    expect(res.twin!.b0).toBe(res.runs.length > 0 ? variantSeries(variant, p, 1, runKey(key(33), 0)).b![0] : NaN);
    expect(res.twin!.repeats).toBe(4);
    expect(res.twin!.power, formatRateCheck(res)).toBe(1);
    expect(res.separable).toBe(true);
    expect(res.twin!.powerCI[0]).toBeGreaterThan(0.3);
    // a constant-batch variant has no twin to build
    const flat = checkRate({ variant: { ...variant, controller: () => constant(4) }, problem: p, Ks: [32, 64, 128], seeds: 10, key: key(33), bootstrap: 200 });
    expect(flat.twin).toBeNull();
    expect(flat.notes.join(' ')).toMatch(/batch never grew/);
  });

  it('warns when an explicit twin is accepted: the instances cannot separate', () => {
    const seed = 34;
    const weak = check(synthetic(1), seed, { twin: synthetic(1), twinRepeats: 2 });
    expect(weak.separable).toBe(false);
    expect(weak.notes.join(' ')).toMatch(/WARNING: the no-growth twin .* rejected in only 0 of 2/);
    const strong = check(synthetic(1), seed, { twin: synthetic(0.5), twinRepeats: 2 });
    expect(strong.separable).toBe(true);
    expect(strong.notes.join(' ')).not.toMatch(/WARNING/);
  });
});

describe('checkRate: reproducibility and replay', () => {
  it('gives the same result for the same key and different quantiles for another key', () => {
    const a = check(synthetic(1), 21);
    const b = check(synthetic(1), 21);
    const c = check(synthetic(1), 22);
    const timeless = (r: RateCheck): string => JSON.stringify({ ...r, seconds: 0 });
    expect(timeless(b)).toBe(timeless(a));
    expect(c.quantiles).not.toEqual(a.quantiles);
  });

  it('replays run r from runKey(key, r)', () => {
    const v = synthetic(1);
    const res = check(v, 23);
    const r = 5;
    const g = v(problem, 1024, runKey(key(23), r)) as Float64Array;
    let m = Infinity;
    for (let k = 0; k < 256; k++) m = Math.min(m, g[k]!);
    expect(res.runs[r]!.minPrefix[3]).toBe(m);
    expect(res.runs[r]!.key).toEqual([...runKey(key(23), r)]);
  });

  it('runs an optimizer + controller pair through run(), with x₀ drawn as run() would', () => {
    const p = getProblem('nqm_d4_i0');
    const variant = { optimizer: () => adagradNorm(0.5, 0.5), controller: () => constant(4) };
    const res = checkRate({ variant, problem: p, Ks: [8, 16, 32], seeds: 10, key: key(24), bootstrap: 200 });
    expect(res.runs.every((r) => r.status === 'completed' && r.steps === 32)).toBe(true);
    const s = variantSeries(variant, p, 32, runKey(key(24), 0));
    expect(s.x0).not.toBeNull();
    expect(res.runs[0]!.minPrefix[2]).toBe(Math.min(...s.g));
  });
});

describe('checkRate: validation', () => {
  it('needs R ≥ 1/(1 − q), an increasing grid and sane levels', () => {
    const v = synthetic(1);
    expect(() => checkRate({ variant: v, problem, Ks, seeds: 9, key: key(0) })).toThrow(/seeds must be an integer ≥ 1\/\(1 − q\) = 10/);
    expect(() => checkRate({ variant: v, problem, Ks, seeds: 4, quantile: 0.75, key: key(0) })).not.toThrow();
    expect(() => checkRate({ variant: v, problem, Ks: [64, 32], seeds: 10, key: key(0) })).toThrow(/increasing/);
    expect(() => checkRate({ variant: v, problem, Ks, seeds: 10, tol: 1, key: key(0) })).toThrow(/tol/);
    expect(() => checkRate({ variant: v, problem, Ks, seeds: 10, bootstrap: 50, key: key(0) })).toThrow(/bootstrap/);
  });
});
