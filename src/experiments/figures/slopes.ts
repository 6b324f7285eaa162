/**
 * Measured log-log slopes of the theory figures, per seed and summarised over seeds, so
 * that captions print what the runs show (not a hard-coded rate).
 *
 * - window mean W(K) = mean_{K/2 ≤ k < K} ||∇F(x_k)||² (the statistic of the rate check,
 *   src/testing/rate.ts: the analyses bound Σ_{k<K} ||∇F(x_k)||², so W(K) ≤ 2/K · Σ = O(1/K),
 *   and a mean over K/2 iterates is not faked by a few lucky noisy iterates);
 * - slope of a series y(x) on a grid: the OLS slope of log y against log x (a rate x^(−p)
 *   is a slope of −p).
 */
import { quantiles } from '../../plot/stats.js';
import { olsSlope } from '../../testing/stats.js';

/** W(K) = mean of g[k] over ⌊K/2⌋ ≤ k < K, from the prefix sums of g (NaN where g does not reach K − 1). */
export function windowMean(g: ArrayLike<number>): (K: number) => number {
  const prefix = new Float64Array(g.length + 1);
  for (let i = 0; i < g.length; i++) prefix[i + 1] = prefix[i]! + g[i]!;
  return (K) => {
    if (!Number.isInteger(K) || K < 1 || K > g.length) return NaN;
    const lo = Math.floor(K / 2);
    return (prefix[K]! - prefix[lo]!) / (K - lo);
  };
}

/** The doubling grid K_min, 2K_min, … up to K_max (K_max itself included). */
export function doublingGrid(kMin: number, kMax: number): number[] {
  const out: number[] = [];
  for (let k = kMin; k < kMax; k *= 2) out.push(k);
  out.push(kMax);
  return out;
}

/** OLS slope of log f(x) against log x on the grid; NaN when a value is missing or not positive. */
export function logLogSlope(xs: readonly number[], f: (x: number) => number): number {
  const ys = xs.map(f);
  if (xs.length < 2 || ys.some((y) => !(y > 0 && Number.isFinite(y)))) return NaN;
  return olsSlope(xs.map(Math.log), ys.map(Math.log));
}

/** Per-seed slopes summarised: median, min and max over the seeds with a finite slope. */
export interface SlopeSummary {
  readonly perSeed: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Seeds with a finite slope. */
  readonly n: number;
}

export function summariseSlopes(perSeed: readonly number[]): SlopeSummary {
  const fin = perSeed.filter((v) => Number.isFinite(v));
  const [median, min, max] = quantiles(fin, [0.5, 0, 1]);
  return { perSeed, median: median!, min: min!, max: max!, n: fin.length };
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(2).replace('-', '−') : 'n/a');

/** "−1.52 [−1.70, −1.31]" (median [min, max] over seeds), with the seed count when some seeds had no slope. */
export function formatSlope(s: SlopeSummary): string {
  const missing = s.perSeed.length - s.n;
  return `${fmt(s.median)} [${fmt(s.min)}, ${fmt(s.max)}]${missing > 0 ? ` (${s.n} of ${s.perSeed.length} seeds)` : ''}`;
}
