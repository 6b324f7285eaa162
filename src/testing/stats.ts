/** Small statistics used by the rate check: quantiles, least-squares slopes, geometric grids, exact binomial bounds. */

/**
 * The q-quantile of `xs` by linear interpolation between order statistics
 * (Hyndman–Fan type 7, the default of R and NumPy): position (n − 1)·q.
 * `+Infinity` entries sort last; NaN is not allowed.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // returns 2.5
 * quantile([1, 2, 3, 4], 1); // returns 4
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const n = xs.length;
  if (n === 0) throw new Error('quantile: empty sample');
  const s = Float64Array.from(xs);
  for (const v of s) if (Number.isNaN(v)) throw new Error('quantile: NaN in the sample');
  s.sort();
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = s[lo]!;
  const b = s[hi]!;
  if (a === b) return a; // also keeps Infinity − Infinity out
  return a + (pos - lo) * (b - a);
}

/**
 * Ordinary least-squares slope of y on x (needs ≥ 2 distinct x).
 *
 * @example
 * olsSlope([0, 1, 2], [1, 3, 5]); // returns 2
 */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`olsSlope: x has ${n} values, y has ${y.length}`);
  if (n < 2) throw new Error('olsSlope: need at least 2 points');
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  if (!(sxx > 0)) throw new Error('olsSlope: x values are all equal');
  return sxy / sxx;
}

/**
 * A geometric grid of integers from kMin to kMax: kMin·ratio^i (rounded), then kMax.
 *
 * @example
 * geometricGrid(32, 1024); // returns [32, 64, 128, 256, 512, 1024]
 */
export function geometricGrid(kMin: number, kMax: number, ratio = 2): number[] {
  if (!Number.isInteger(kMin) || kMin < 1) throw new Error(`geometricGrid: kMin must be an integer ≥ 1, got ${kMin}`);
  if (!Number.isInteger(kMax) || kMax <= kMin) throw new Error(`geometricGrid: kMax must be an integer > kMin, got ${kMax}`);
  if (!(ratio > 1)) throw new Error(`geometricGrid: ratio must be > 1, got ${ratio}`);
  const out: number[] = [];
  for (let v = kMin; v < kMax; v *= ratio) {
    const r = Math.round(v);
    if (out.length === 0 || r > out[out.length - 1]!) out.push(r);
  }
  if (out[out.length - 1] !== kMax) out.push(kMax);
  return out;
}

function logBinomPmf(n: number, k: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  let lc = 0;
  for (let i = 1; i <= k; i++) lc += Math.log((n - k + i) / i);
  return lc + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

function binomCdf(n: number, k: number, p: number): number {
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(logBinomPmf(n, i, p));
  return Math.min(1, s);
}

/**
 * Exact (Clopper–Pearson) one-sided upper confidence bound for a binomial
 * proportion after `k` events in `n` trials, at confidence 1 − alpha.
 * Used to state measured false-fail rates (0 failures in n runs gives ≈ 3/n at 95%).
 *
 * @example
 * clopperPearsonUpper(0, 100, 0.05); // ≈ 0.0295
 */
export function clopperPearsonUpper(k: number, n: number, alpha = 0.05): number {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`clopperPearsonUpper: need integers 0 ≤ k ≤ n, n ≥ 1, got k = ${k}, n = ${n}`);
  }
  if (k === n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 100; it++) {
    const mid = (lo + hi) / 2;
    if (binomCdf(n, k, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Exact (Clopper–Pearson) one-sided lower confidence bound for a binomial
 * proportion after `k` events in `n` trials, at confidence 1 − alpha.
 *
 * @example
 * clopperPearsonLower(100, 100, 0.05); // ≈ 0.9705
 */
export function clopperPearsonLower(k: number, n: number, alpha = 0.05): number {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`clopperPearsonLower: need integers 0 ≤ k ≤ n, n ≥ 1, got k = ${k}, n = ${n}`);
  }
  return 1 - clopperPearsonUpper(n - k, n, alpha);
}

/**
 * Two-sided (Clopper–Pearson) interval at confidence 1 − alpha: each end is a
 * one-sided bound at level alpha/2.
 *
 * @example
 * clopperPearsonInterval(9, 10, 0.05); // ≈ [0.555, 0.997]
 */
export function clopperPearsonInterval(k: number, n: number, alpha = 0.05): [number, number] {
  return [k === 0 ? 0 : clopperPearsonLower(k, n, alpha / 2), k === n ? 1 : clopperPearsonUpper(k, n, alpha / 2)];
}
