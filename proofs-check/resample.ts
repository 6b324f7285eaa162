/** Monte Carlo resampling of batch mean gradients at a fixed x, by run()'s own batch path. */
import { batchStatsAt, foldIn, type Key } from '../src/index.js';
import type { Problem } from '../src/problem/types.js';
import { cltAdequacy } from './statistics.js';

/**
 * Draw M fresh batches of size b at a fixed x (keys foldIn(k, m)) and return ḡ of each,
 * computed by the same path as run() (batchStatsAt(...).meanGrad).
 */
export function resampleMeanGrads(problem: Problem, x: Float64Array, b: number, M: number, k: Key, replace = true): Float64Array[] {
  const out: Float64Array[] = [];
  for (let m = 0; m < M; m++) {
    const batch = problem.sample(foldIn(k, m), b, { replace });
    out.push(batchStatsAt(problem, x, batch).meanGrad);
  }
  return out;
}

/**
 * Resample at a fixed x until the CLT rule of thumb holds for every statistic:
 * draw M₀ batches (keys foldIn(k, m)), and while min_j M/(25·γ̂_j²) < 1 double M, up to
 * M_max. `stats` maps ḡ to the statistics whose means are estimated.
 */
export function resampleAdequate(
  problem: Problem, x: Float64Array, b: number, k: Key, replace: boolean, M0: number, Mmax: number,
  stats: (g: Float64Array) => number[],
): { values: number[][]; M: number; adequacy: number } {
  let values: number[][] = [];
  let M = 0;
  let target = M0;
  let adequacy = 0;
  for (;;) {
    const gs = resampleMeanGradsFrom(problem, x, b, M, target, k, replace);
    for (const g of gs) {
      const st = stats(g);
      if (values.length === 0) values = st.map(() => []);
      st.forEach((v, j) => values[j]!.push(v));
    }
    M = target;
    adequacy = Math.min(...values.map((ys) => cltAdequacy(ys)));
    if (adequacy >= 1 || M >= Mmax) break;
    target = Math.min(Mmax, 2 * M);
  }
  return { values, M, adequacy };
}

function resampleMeanGradsFrom(problem: Problem, x: Float64Array, b: number, from: number, to: number, k: Key, replace: boolean): Float64Array[] {
  const out: Float64Array[] = [];
  for (let m = from; m < to; m++) out.push(batchStatsAt(problem, x, problem.sample(foldIn(k, m), b, { replace })).meanGrad);
  return out;
}
