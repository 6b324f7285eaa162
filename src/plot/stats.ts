/** Summaries behind the figures: quantiles over seeds, prefix minima, first hitting times, ECDFs and performance profiles. */

/** Type-7 quantiles (linear interpolation, as numpy's default) of the finite values; NaN when there are none. */
export function quantiles(values: readonly number[], qs: readonly number[]): number[] {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return qs.map((q) => {
    if (v.length === 0) return NaN;
    const h = (v.length - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(v.length - 1, lo + 1);
    return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
  });
}

/** m[K] = min_{k ≤ K} a[k], skipping NaN (NaN until the first finite value). */
export function prefixMin(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  let m = Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (Number.isFinite(v) && v < m) m = v;
    out[i] = m === Infinity ? NaN : m;
  }
  return out;
}

/** The first cost at which `value ≤ target` along a run's evaluations (ordered by cost), or null if never. */
export function firstReach(points: readonly { readonly cost: number; readonly value: number }[], target: number): number | null {
  for (const p of points) if (p.value <= target) return p.cost;
  return null;
}

/**
 * Empirical CDF of hitting costs (null = never reached) as a step curve: the
 * fraction of the `total` cases reached by each cost, from `start` to `end`.
 */
export function ecdfCurve(costs: readonly (number | null)[], start: number, end: number): { x: number; frac: number }[] {
  const hit = costs.filter((c): c is number => c !== null && Number.isFinite(c)).sort((a, b) => a - b);
  const total = costs.length;
  const out: { x: number; frac: number }[] = [{ x: start, frac: 0 }];
  let n = 0;
  for (const c of hit) {
    const x = Math.max(start, c);
    out.push({ x, frac: n / total });
    n++;
    out.push({ x, frac: n / total });
  }
  out.push({ x: end, frac: n / total });
  return out;
}

export interface ProfileCurve {
  readonly solver: string;
  /** Step curve of ρ_s(τ) = |{p : r_{p,s} ≤ τ}| / |P|. */
  readonly points: readonly { readonly tau: number; readonly rho: number }[];
}

/**
 * Dolan–Moré performance profiles. costs[p][s] is solver s's cost on problem p
 * (null = failed). r_{p,s} = cost / min_s cost over the solvers that solved p;
 * problems no solver solved count as failures for all. Curves run τ ∈ [1, tauMax].
 */
export function performanceProfile(costs: readonly (readonly (number | null)[])[], solvers: readonly string[], tauMax?: number): ProfileCurve[] {
  const P = costs.length;
  const ratios: number[][] = solvers.map(() => []);
  let maxR = 1;
  for (const row of costs) {
    const best = Math.min(...row.filter((c): c is number => c !== null && Number.isFinite(c) && c > 0));
    solvers.forEach((_, s) => {
      const c = row[s];
      if (c === null || c === undefined || !Number.isFinite(best) || !(c > 0)) return;
      const r = c / best;
      ratios[s]!.push(r);
      if (r > maxR) maxR = r;
    });
  }
  const end = tauMax ?? Math.max(2, maxR * 1.5);
  return solvers.map((solver, s) => {
    const rs = ratios[s]!.sort((a, b) => a - b);
    const pts: { tau: number; rho: number }[] = [{ tau: 1, rho: 0 }];
    let n = 0;
    for (const r of rs) {
      if (r > end) break;
      pts.push({ tau: r, rho: n / P });
      n++;
      pts.push({ tau: r, rho: n / P });
    }
    pts.push({ tau: end, rho: n / P });
    return { solver, points: pts };
  });
}
