/**
 * σ²(x) estimated by Monte Carlo, independently of the problem's closed-form noise():
 * R fresh batches of m samples drawn at the fixed x (keys foldIn(k, r), with
 * replacement, i.e. i.i.d. from the sampling distribution), each giving the unbiased
 * S_norm = (1/(m−1)) Σ_i ||g_i − ḡ||² of SPEC §2 (E S_norm = σ²(x)); the R estimates
 * are averaged and a one-sided Student-t bound is put on their mean. Used by L9,
 * whose oracle set b_k from the closed form: checking b_k against the same closed
 * form would be circular.
 */
import { batchStatsAt, foldIn, statistics, type Key } from '../src/index.js';
import type { Problem } from '../src/problem/types.js';
import { meanSd, tQuantile } from './harness.js';

export interface Sigma2Estimate {
  /** Mean of the R unbiased estimates. */
  readonly mean: number;
  /** Standard error of the mean. */
  readonly se: number;
  readonly R: number;
  readonly m: number;
}

/** R batches of m samples at x; the mean of their S_norm and its standard error. */
export function sigma2MonteCarlo(problem: Problem, x: Float64Array, R: number, m: number, k: Key): Sigma2Estimate {
  if (!(R >= 2 && m >= 2)) throw new Error(`sigma2MonteCarlo: need R ≥ 2 batches of m ≥ 2 samples, got R = ${R}, m = ${m}`);
  const est: number[] = [];
  for (let r = 0; r < R; r++) est.push(statistics(batchStatsAt(problem, x, problem.sample(foldIn(k, r), m, { replace: true }))).S_norm);
  const { mean, sd } = meanSd(est);
  return { mean, se: sd / Math.sqrt(R), R, m };
}

/** One-sided lower confidence bound of σ² at level 1 − alpha (Student t with R − 1 degrees of freedom). */
export function sigma2Lower(e: Sigma2Estimate, alpha: number): number {
  return e.mean - tQuantile(1 - alpha, e.R - 1) * e.se;
}
