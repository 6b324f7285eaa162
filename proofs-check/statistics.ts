/** Statistics of proofs-check: normal and Student-t quantiles, Bonferroni intervals, moments, Monte Carlo margins and the CLT adequacy rule. */
import { normalCdf } from '../problems/common/special.js';

// ───────────────────────────── statistics ─────────────────────────────

/** Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, two Newton steps on Φ). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  for (let i = 0; i < 2; i++) {
    const e = normalCdf(x) - p;
    x -= e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  }
  return x;
}

/**
 * The z multiplier of a Bonferroni-corrected interval: `intervals` intervals, each
 * one-sided (sides = 1) or two-sided (sides = 2), family-wise error `alpha`.
 */
export function bonferroniZ(alpha: number, intervals: number, sides: 1 | 2): number {
  return normalQuantile(1 - alpha / (sides * Math.max(1, intervals)));
}

/** Mean and sample standard deviation (Welford). */
export function meanSd(xs: ArrayLike<number>): { mean: number; sd: number; n: number } {
  let m = 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const dm = x - m;
    m += dm / (i + 1);
    s += dm * (x - m);
  }
  return { mean: m, sd: xs.length > 1 ? Math.sqrt(s / (xs.length - 1)) : NaN, n: xs.length };
}

/** Upper quantile of Binomial(n, p): the smallest c with P(X > c) ≤ alpha. */
export function binomialUpper(n: number, p: number, alpha: number): number {
  let pmf = Math.pow(1 - p, n);
  let cdf = pmf;
  for (let c = 0; c < n; c++) {
    if (1 - cdf <= alpha) return c;
    pmf = (pmf * (n - c) * p) / ((c + 1) * (1 - p));
    cdf += pmf;
  }
  return n;
}

/**
 * Student-t quantile t_ν(p) by the Cornish–Fisher expansion in z = Φ⁻¹(p)
 * (Abramowitz & Stegun 26.7.5); accurate to ~1e-3 for ν ≥ 5 at the tail levels used here.
 */
export function tQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4;
}

/** A Monte Carlo point of an expectation lemma: where, and the interval. */
export interface McPoint {
  readonly where: string;
  readonly mean: number;
  readonly halfWidth: number;
  /** The value the lemma predicts (equality) or bounds (inequality). */
  readonly target: number;
  /** Scale of the margin (usually |target|). */
  readonly scale: number;
}

/** Margin of "E Y = target" at a two-sided interval: ≥ 0 iff target ∈ [mean − h, mean + h]. */
export function mcEqMargin(p: McPoint): number {
  return (p.halfWidth - Math.abs(p.mean - p.target)) / Math.max(Math.abs(p.scale), 1e-300);
}
/** Margin of "E Y ≤ target" at a one-sided interval: ≥ 0 iff the lower confidence bound is ≤ target. */
export function mcLeMargin(p: McPoint): number {
  return (p.target - (p.mean - p.halfWidth)) / Math.max(Math.abs(p.scale), 1e-300);
}

/** Sample skewness γ̂ = m₃/m₂^{3/2}. */
export function skewness(xs: ArrayLike<number>): number {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]! / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - m;
    m2 += (d * d) / n;
    m3 += (d * d * d) / n;
  }
  return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
}

/**
 * How well the sample count covers the skewness, for the CLT behind a z-interval:
 * M/(25·γ̂²), ≥ 1 by the rule of thumb of Sugden, Smith & Jones (2000,
 * "Cochran's rule for simple random sampling", JRSS B). Infinity when γ̂ = 0.
 */
export function cltAdequacy(xs: ArrayLike<number>): number {
  const g = skewness(xs);
  return g === 0 ? Infinity : xs.length / (25 * g * g);
}
