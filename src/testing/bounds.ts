/** Explicit rate bounds for checkRate: docs/MATH.md §8 L7 for deterministic AdaGrad-Norm. */
import type { Problem } from '../problem/types.js';
import type { BoundRun } from './rate.js';

/** The constant B̄ of docs/MATH.md §8 L7: max(β₀, αL) + (2/α)(F(x₀) − F*) + 2αL · log₊(αL/β₀). */
export function adagradNormL7Constant(o: { alpha: number; beta0: number; L: number; F0: number; Fstar: number }): number {
  const { alpha, beta0, L, F0, Fstar } = o;
  const aL = alpha * L;
  return Math.max(beta0, aL) + (2 / alpha) * (F0 - Fstar) + 2 * aL * Math.max(0, Math.log(aL / beta0));
}

/**
 * docs/MATH.md §8 L7 *(derived)*: deterministic AdaGrad-Norm (g_k = ∇F(x_k)) with step α
 * and β₀ satisfies √v_{K−1} ≤ B̄ for all K, hence
 * min_{k<K} ||∇F(x_k)||² ≤ (B̄² − β₀²)/K, with
 * B̄ = max(β₀, αL) + (2/α)(F(x₀) − F*) + 2αL · log₊(αL/β₀).
 * F* is the problem's F_star, or its proven lower bound F_low when F* is unknown
 * (F(x₀) − F_low ≥ F(x₀) − F*, so the bound stays valid, only looser).
 * Needs a global L (a local L does not cover the whole path). The bound is
 * pathwise: check it on every run (boundOn 'every-run').
 *
 * @example
 * const bound = adagradNormL7Bound(problem, { alpha: 0.5, beta0: 0.1 });
 * bound(100, { index: 0, x0 }); // (B̄² − β₀²)/100 for this x₀
 */
export function adagradNormL7Bound(problem: Problem, o: { alpha: number; beta0: number }): (K: number, run: BoundRun) => number {
  const L = problem.constants.L;
  if (L.kind !== 'global') throw new Error(`adagradNormL7Bound: ${problem.id} has a ${L.kind} smoothness constant; L7 needs a global L`);
  const Fstar = problem.constants.F_star ?? problem.constants.F_low;
  const cache = new Map<Float64Array, number>();
  return (K, run) => {
    if (run.x0 === null) throw new Error('adagradNormL7Bound: the variant did not report x₀ (use exactGradient or a pair variant)');
    let Bbar = cache.get(run.x0);
    if (Bbar === undefined) {
      Bbar = adagradNormL7Constant({ alpha: o.alpha, beta0: o.beta0, L: L.value, F0: problem.value(run.x0), Fstar });
      cache.set(run.x0, Bbar);
    }
    return (Bbar * Bbar - o.beta0 * o.beta0) / K;
  };
}
