/**
 * withNoiseAlong: give a problem the exact E⟨∇f(x; ξ) − ∇F(x), v⟩² that the
 * oracle inner-product and orthogonality tests need (docs/MATH.md §3, exact forms),
 * where the problem does not provide `noiseAlong` itself.
 *
 * - finite sums: (1/n) Σ_i ⟨∇f_i(x) − ∇F(x), v⟩² by one pass over the per-sample
 *   gradients of all n samples (two passes: mean first, then centred squares);
 * - the noisy quadratic model (family `nqm`): vᵀHv, since its gradient noise has
 *   covariance H = diag(h) (problems/families/nqm.ts).
 * Other problems throw: their noise along a direction has no closed form here.
 */
import type { Batch, Problem } from '../problem/types.js';

function dotOf(g: Float64Array, off: number, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += g[off + j]! * v[j]!;
  return s;
}

/**
 * The problem with `noiseAlong` (unchanged if it already has one).
 *
 * @example
 * const p = withNoiseAlong(getProblem('lsq-interp_d4_n32_i0'));
 * p.noiseAlong!(x, p.gradient(x)); // the variance of ⟨∇f_i(x), ∇F(x)⟩ over i
 */
export function withNoiseAlong(problem: Problem): Problem {
  if (problem.noiseAlong !== undefined) return problem;
  const d = problem.dim;
  const info = (problem as { info?: Readonly<Record<string, unknown>> }).info;
  if (problem.family === 'nqm' && info !== undefined && info['spectrum'] instanceof Float64Array) {
    const h = info['spectrum'];
    return {
      ...problem,
      noiseAlong(_x: Float64Array, v: Float64Array): number {
        let s = 0;
        for (let j = 0; j < d; j++) s += h[j]! * v[j]! * v[j]!;
        return s;
      },
    };
  }
  const n = problem.n;
  const psg = problem.perSampleGrads;
  if (n !== null && psg !== undefined) {
    const all: Batch = { size: n, indices: Int32Array.from({ length: n }, (_, i) => i) };
    return {
      ...problem,
      noiseAlong(x: Float64Array, v: Float64Array): number {
        const G = psg.call(problem, x, all);
        let mean = 0;
        for (let i = 0; i < n; i++) mean += dotOf(G, i * d, v);
        mean /= n;
        let s = 0;
        for (let i = 0; i < n; i++) s += (dotOf(G, i * d, v) - mean) ** 2;
        return s / n;
      },
    };
  }
  throw new Error(`withNoiseAlong: ${problem.id} has no noiseAlong and is neither a finite sum with per-sample gradients nor an nqm instance`);
}

