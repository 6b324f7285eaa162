/** Minimal interval arithmetic, used to bound Hessians over boxes (local smoothness constants). */

/**
 * A closed interval [lo, hi]. Arithmetic is in float64 with round-to-nearest
 * (no directed rounding): an enclosure may miss the true range by a few ulps,
 * which callers cover with a small relative margin.
 */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export const iv = (lo: number, hi: number = lo): Interval => {
  if (!(lo <= hi)) throw new Error(`interval: need lo ≤ hi, got [${lo}, ${hi}]`);
  return { lo, hi };
};

export const iadd = (a: Interval, b: Interval): Interval => ({ lo: a.lo + b.lo, hi: a.hi + b.hi });
export const isub = (a: Interval, b: Interval): Interval => ({ lo: a.lo - b.hi, hi: a.hi - b.lo });
export const ineg = (a: Interval): Interval => ({ lo: -a.hi, hi: -a.lo });

/** c · a for a real constant c. */
export const iscale = (c: number, a: Interval): Interval => (c >= 0 ? { lo: c * a.lo, hi: c * a.hi } : { lo: c * a.hi, hi: c * a.lo });

export function imul(a: Interval, b: Interval): Interval {
  const p1 = a.lo * b.lo;
  const p2 = a.lo * b.hi;
  const p3 = a.hi * b.lo;
  const p4 = a.hi * b.hi;
  return { lo: Math.min(p1, p2, p3, p4), hi: Math.max(p1, p2, p3, p4) };
}

/** a² (tight: never negative). */
export function isqr(a: Interval): Interval {
  if (a.lo >= 0) return { lo: a.lo * a.lo, hi: a.hi * a.hi };
  if (a.hi <= 0) return { lo: a.hi * a.hi, hi: a.lo * a.lo };
  return { lo: 0, hi: Math.max(a.lo * a.lo, a.hi * a.hi) };
}

/** a^k for an integer k ≥ 0 (tight: monotone for odd k, via |a| for even k). */
export function ipow(a: Interval, k: number): Interval {
  if (!Number.isInteger(k) || k < 0) throw new Error(`ipow: k must be a non-negative integer, got ${k}`);
  if (k === 0) return { lo: 1, hi: 1 };
  if (k % 2 === 1) return { lo: a.lo ** k, hi: a.hi ** k };
  const s = isqr(a);
  return { lo: s.lo ** (k / 2), hi: s.hi ** (k / 2) };
}

/** cos over an interval (exact range: checks the extrema kπ inside). */
export function icos(a: Interval): Interval {
  if (a.hi - a.lo >= 2 * Math.PI) return { lo: -1, hi: 1 };
  let lo = Math.min(Math.cos(a.lo), Math.cos(a.hi));
  let hi = Math.max(Math.cos(a.lo), Math.cos(a.hi));
  // maxima at 2kπ, minima at (2k+1)π
  for (let k = Math.ceil(a.lo / Math.PI); k * Math.PI <= a.hi; k++) {
    if (k % 2 === 0) hi = 1;
    else lo = -1;
  }
  return { lo, hi };
}

/** sin over an interval. */
export function isin(a: Interval): Interval {
  return icos({ lo: a.lo - Math.PI / 2, hi: a.hi - Math.PI / 2 });
}

/** max |t| over t ∈ a. */
export const imag = (a: Interval): number => Math.max(Math.abs(a.lo), Math.abs(a.hi));
