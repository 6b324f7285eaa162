// Statistical checks, each with its false-fail rate: independence of split streams (with negative controls) and distributions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulli,
  foldIn,
  integers,
  key,
  normal,
  permutation,
  split,
  stream,
  uniform,
  type Key,
} from '../../src/rng/index.js';

// Keys and the fast-check seed are fixed, so every outcome below is
// deterministic; the stated rates are the chance a check would fail for a
// correct generator under a fresh seed. fast-check prints its seed on failure;
// the fixed-key checks name their seed in the assertion message.
const FC_SEED = 20240217;
const N = 20000;
// Upper 1e-4 quantiles of chi-square (scipy.stats.chi2.ppf(0.9999, df)).
const CHI2_CRIT: Record<number, number> = { 6: 27.856, 9: 33.72, 16: 45.925, 99: 160.056 };

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s / a.length;
}

function centralMoment(a: ArrayLike<number>, p: number): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - m) ** p;
  return s / a.length;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Pearson's statistic for counts that should all equal `expected`. */
function chiSquare(counts: ArrayLike<number>, expected: number): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += ((counts[i] as number) - expected) ** 2 / expected;
  return s;
}

/** |r| < 4/√n: under independence r ≈ N(0, 1/n), false-fail rate 6.3e-5. */
function correlationCheck(a: ArrayLike<number>, b: ArrayLike<number>): { r: number; pass: boolean } {
  const r = pearson(a, b);
  return { r, pass: Math.abs(r) < 4 / Math.sqrt(a.length) };
}

/** Goodness of fit of uniforms on 10 equal buckets, df = 9, level 1e-4. */
function bucketCheck(u: Float64Array): { stat: number; pass: boolean } {
  const counts = new Array<number>(10).fill(0);
  for (const x of u) counts[Math.floor(x * 10)]! += 1;
  const stat = chiSquare(counts, u.length / 10);
  return { stat, pass: stat < CHI2_CRIT[9]! };
}

/** Joint uniformity of paired uniforms on a 10×10 grid, df = 99, level 1e-4: fails for dependent pairs. */
function jointCheck(u: Float64Array, v: Float64Array): { stat: number; pass: boolean } {
  const counts = new Array<number>(100).fill(0);
  for (let i = 0; i < u.length; i++) {
    counts[Math.floor((u[i] as number) * 10) * 10 + Math.floor((v[i] as number) * 10)]! += 1;
  }
  const stat = chiSquare(counts, u.length / 100);
  return { stat, pass: stat < CHI2_CRIT[99]! };
}

describe('independence of derived streams', () => {
  // 5 seeds × 4 pairs × 4 checks; family-wise false-fail rate ≈ 20 · 3.6e-4 ≈ 0.7% for a fresh seed.
  const pairs: Array<[string, (seed: number) => [Key, Key]]> = [
    ['split(k)[0], split(k)[1]', (s) => split(key(s)) as [Key, Key]],
    ['foldIn(k, 1), foldIn(k, 2)', (s) => [foldIn(key(s), 1), foldIn(key(s), 2)]],
    ['k, split(k)[0]', (s) => [key(s), split(key(s))[0] as Key]],
    ['key(s), key(s + 1)', (s) => [key(s), key(s + 1)]],
  ];
  it.each(pairs)('%s: uncorrelated normals, uniform marginals, uniform joint', (_name, makePair) => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const [a, b] = makePair(seed);
        const corr = correlationCheck(normal(a, N), normal(b, N));
        expect(corr.pass, `r = ${corr.r}`).toBe(true);
        const ua = uniform(a, N);
        const ub = uniform(b, N);
        expect(bucketCheck(ua).pass).toBe(true);
        expect(bucketCheck(ub).pass).toBe(true);
        const joint = jointCheck(ua, ub);
        expect(joint.pass, `chi2 = ${joint.stat}`).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 5 },
    );
  });

  it('negative controls: the checks reject dependent or non-uniform streams', () => {
    const k = key(11);
    // The same key twice: perfectly correlated.
    expect(correlationCheck(normal(k, N), normal(k, N)).pass).toBe(false);
    expect(jointCheck(uniform(k, N), uniform(k, N)).pass).toBe(false);
    // A weak dependence, r ≈ 0.1, is still caught (4/√n ≈ 0.028).
    const [a, b] = split(k) as [Key, Key];
    const za = normal(a, N);
    const zb = normal(b, N);
    const mixed = zb.map((z, i) => 0.1 * (za[i] as number) + Math.sqrt(0.99) * z);
    expect(correlationCheck(za, mixed).pass).toBe(false);
    // A non-uniform stream (u²) fails the bucket check.
    expect(bucketCheck(uniform(a, N).map((u) => u * u)).pass).toBe(false);
  });
});

describe('distributions (fixed keys; tolerances of 5 standard errors, false-fail rate 5.7e-7 each)', () => {
  const n = 100000;

  it('normal: mean 0, variance 1, fourth moment 3, P(|z| < 1) = 0.6827; location and scale', () => {
    const seed = 21;
    const z = normal(key(seed), n);
    const msg = `normal(key(${seed}), ${n})`;
    expect(Math.abs(mean(z)), msg).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(centralMoment(z, 2) - 1), msg).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(centralMoment(z, 4) - 3), msg).toBeLessThan(5 * Math.sqrt(96 / n));
    const inside = mean(z.map((x) => (Math.abs(x) < 1 ? 1 : 0)));
    expect(Math.abs(inside - 0.682689), msg).toBeLessThan(5 * Math.sqrt((0.6827 * 0.3173) / n));
    const y = normal(key(seed), n, 10, 0.5);
    expect(Math.abs(mean(y) - 10), msg).toBeLessThan((5 * 0.5) / Math.sqrt(n));
    expect(Math.abs(Math.sqrt(centralMoment(y, 2)) - 0.5), msg).toBeLessThan(5 * 0.5 * Math.sqrt(0.5 / n));
  });

  it('uniform: mean 1/2, variance 1/12, 10-bucket chi-square (level 1e-4); location and scale', () => {
    const seed = 22;
    const u = uniform(key(seed), n);
    const msg = `uniform(key(${seed}), ${n})`;
    expect(Math.abs(mean(u) - 0.5), msg).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(centralMoment(u, 2) - 1 / 12), msg).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    expect(bucketCheck(u).pass, msg).toBe(true);
    const w = uniform(key(seed), n, -2, 6);
    expect(Math.abs(mean(w) - 2), msg).toBeLessThan(5 * 8 * Math.sqrt(1 / 12 / n));
  });

  it('integers: every value equally likely (chi-square, level 1e-4)', () => {
    for (const [seed, lo, hi] of [
      [23, 0, 10],
      [24, -3, 4],
    ] as const) {
      const counts = new Array<number>(hi - lo).fill(0);
      for (const x of integers(key(seed), n, lo, hi)) counts[x - lo]! += 1;
      const stat = chiSquare(counts, n / (hi - lo));
      expect(stat, `integers(key(${seed}), ${n}, ${lo}, ${hi})`).toBeLessThan(CHI2_CRIT[hi - lo - 1]!);
    }
  });

  it('bernoulli: mean p', () => {
    const p = 0.3;
    const x = bernoulli(key(25), n, p);
    expect(Math.abs(mean(x) - p), 'bernoulli(key(25))').toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });

  /** Position × value counts of shuffles of 0..4; df = 16, level 1e-4. */
  function shuffleCheck(shuffle: (k: Key) => ArrayLike<number>): { stat: number; pass: boolean } {
    const m = 5;
    const counts = new Array<number>(m * m).fill(0);
    for (const k of split(key(26), N)) {
      const p = shuffle(k);
      for (let pos = 0; pos < m; pos++) counts[pos * m + (p[pos] as number)]! += 1;
    }
    const stat = chiSquare(counts, N / m);
    return { stat, pass: stat < CHI2_CRIT[16]! };
  }

  it('permutation: each value equally likely at each position; a naive shuffle fails', () => {
    const good = shuffleCheck((k) => permutation(k, 5));
    expect(good.pass, `chi2 = ${good.stat} (keys split(key(26), ${N}))`).toBe(true);
    // Negative control: swapping with j uniform over all positions is biased.
    const naive = shuffleCheck((k) => {
      const s = stream(k);
      const a = [0, 1, 2, 3, 4];
      for (let i = 0; i < 5; i++) {
        const j = s.nextInt(0, 5);
        [a[i], a[j]] = [a[j] as number, a[i] as number];
      }
      return a;
    });
    expect(naive.pass, `chi2 = ${naive.stat}`).toBe(false);
  });
});
