/**
 * The coordinate-wise norm test (Lau, Liu, Kolar, AdAdaGrad, arXiv 2402.11215;
 * docs/MATH.md §3): holds when S_j/b ≤ η² ḡ_j² for every j, and asks for
 * T = max_j S_j/(η²ḡ_j²). Exact form with σ_j²(x) and ∂_j F(x) (times
 * (n − b)/(n − 1) without replacement).
 *
 * Toolkit rule for near-zero coordinates: skip j with ḡ_j² ≤ coordFloor·max ḡ²
 * (and count them); optionally a quantile of the ratios replaces the max.
 */
import { NO_INFO, need, positive } from './decision.js';
import type { BatchSizeTest, TestDecision, TestOptions } from './types.js';

export interface CoordTestOptions extends TestOptions {
  /**
   * Near-zero rule: coordinate j is skipped when ḡ_j² ≤ coordFloor · max_j ḡ_j²
   * (default 1e-12); skipped coordinates are counted in the decision.
   */
  readonly coordFloor?: number;
  /** Use this quantile of the per-coordinate ratios instead of their max (default 1 = max). */
  readonly quantile?: number;
}

function quantileOf(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  const pos = Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1));
  return xs[pos]!;
}

export function coordNormTest(eta: number, opts: CoordTestOptions = {}): BatchSizeTest {
  positive('coordNormTest', 'eta', eta);
  const floor = opts.gradFloor ?? 0;
  const cf = opts.coordFloor ?? 1e-12;
  const q = opts.quantile ?? 1;
  if (!(q > 0 && q <= 1)) throw new Error(`coordNormTest: quantile must be in (0, 1], got ${q}`);
  const e2 = eta * eta;
  const run = (g: Float64Array, S: Float64Array, b: number, n?: number): TestDecision => {
    let gmax = 0;
    let G = 0;
    for (const v of g) {
      gmax = Math.max(gmax, v * v);
      G += v * v;
    }
    if (!(G > floor)) return NO_INFO;
    const ratios: number[] = [];
    let skipped = 0;
    for (let j = 0; j < g.length; j++) {
      const g2 = g[j]! * g[j]!;
      if (g2 <= cf * gmax) {
        skipped++;
        continue;
      }
      ratios.push(S[j]! / (e2 * g2));
    }
    const T = quantileOf(ratios, q);
    if (n === undefined) return { holds: T / b <= 1, T, statistic: T / b, noInfo: false, skipped };
    // without replacement every coordinate's variance of the mean carries (n − b)/(n − 1)
    const f = n > 1 ? Math.max(0, (n - b) / (n - 1)) : 0;
    const Tw = Number.isFinite(T) ? (T * n) / (n - 1 + T) : n;
    return { holds: (T * f) / b <= 1, T: Tw, statistic: (T * f) / b, noInfo: false, skipped };
  };
  return {
    name: 'coord-norm',
    params: { eta, coordFloor: cf, quantile: q },
    needs: { perCoord: true },
    reads: ['S_j'],
    sample: (s) => run(s.meanGrad, s.S_j, s.b),
    exact: (qq, b) => run(qq.grad, need(qq.sigma2PerCoord, 'coordNormTest'), b, qq.withoutReplacementFrom),
  };
}
