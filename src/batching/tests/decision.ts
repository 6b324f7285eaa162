/**
 * Helpers every batch-size test shares: argument checks, the no-information
 * decision, a decision from the two sides of the "holds when" inequality, the
 * max of two decisions (augmented tests), and the finite-population correction
 * of the exact forms.
 */
import type { ExactQuantities, TestDecision } from './types.js';

export function positive(where: string, field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${where}: ${field} must be a positive finite number, got ${String(v)}`);
  }
}

export const NO_INFO: TestDecision = { holds: true, T: 0, statistic: NaN, noInfo: true };

export function decide(lhs: number, rhs: number, T: number): TestDecision {
  return { holds: lhs <= rhs, T, statistic: lhs / rhs, noInfo: false };
}

/** Both tests must hold; the size asked for is the larger one. */
export function combineBoth(a: TestDecision, b: TestDecision): TestDecision {
  if (a.noInfo || b.noInfo) return NO_INFO;
  return { holds: a.holds && b.holds, T: Math.max(a.T, b.T), statistic: Math.max(a.statistic, b.statistic), noInfo: false };
}

/**
 * An exact test "v/b ≤ r, asks for T = v/r" when the batch is drawn without
 * replacement from n samples: the variance of the mean is (v/b)·(n − b)/(n − 1),
 * so the test holds iff (v/b)(n − b)/(n − 1) ≤ r, and the smallest such b is
 * T·n/(n − 1 + T) (never above n: the full batch has no variance). With
 * replacement (no n) this is the plain decision.
 */
export function decideExact(q: ExactQuantities, v: number, b: number, r: number): TestDecision {
  const T = v / r;
  const n = q.withoutReplacementFrom;
  if (n === undefined) return decide(v / b, r, T);
  const f = n > 1 ? Math.max(0, (n - b) / (n - 1)) : 0;
  const Tw = Number.isFinite(T) ? (T * n) / (n - 1 + T) : n;
  return decide((v / b) * f, r, Tw);
}

export function sq(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

export function need<T>(v: T | undefined, where: string): T {
  if (v === undefined) throw new Error(`${where}: a required exact quantity is missing`);
  return v;
}
