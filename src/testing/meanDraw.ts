/**
 * batchMeanDraws: let `run` draw the batch mean of b Gaussian samples as ONE
 * draw, so that a rate check can afford the batches an oracle test asks for
 * (b_k grows like 1/||∇F(x_k)||², up to 10⁶–10⁹) on the noisy quadratic models.
 *
 * For a population problem whose sample ξ is Gaussian, ξ ~ N(x★, C) (families
 * `nqm` and `nqm-rot`), and whose per-sample gradient is affine in ξ
 * (∇f(x; ξ) = H(x − ξ)), the mean of b per-sample gradients is
 * ∇f(x; ξ̄) with ξ̄ = x★ + (ξ − x★)/√b, ξ ~ N(x★, C): the same law as the
 * mean of b draws. The wrapped problem's `sample(k, b)` returns that one draw
 * twice (a batch of size 2, so that `run`'s per-sample statistics, which it
 * computes for b ≥ 2, have two rows; their spread is zero and no controller
 * allowed here reads it), so `run` computes the exact-law batch mean at the cost
 * of two samples, through its usual step; the controller still sees b and the
 * sample count still adds b.
 * Only for controllers that need no batch statistics (oracle tests, constant,
 * schedules): the per-sample spread of the b draws is not there.
 */
import type { Problem } from '../problem/types.js';
import type { Key } from '../rng/index.js';

/** The families whose samples are Gaussian around info.xStar with per-sample gradients affine in ξ. */
export const MEAN_DRAW_FAMILIES: readonly string[] = ['nqm', 'nqm-rot'];

/**
 * The problem with `sample(k, b)` drawing the batch mean of b samples as one sample.
 *
 * @example
 * const p = batchMeanDraws(getProblem('nqm-rot_d16_i0_a2.5'));
 * run({ problem: p, optimizer: adagrad(0.5), controller: oracle(coordNormTest(0.5), { b0: 2, bMax: 2 ** 52 }), budget: { steps: 100 }, key: key(0) });
 */
export function batchMeanDraws(problem: Problem): Problem {
  const info = (problem as { info?: Readonly<Record<string, unknown>> }).info;
  const xStar = info?.['xStar'];
  if (!MEAN_DRAW_FAMILIES.includes(problem.family) || !(xStar instanceof Float64Array) || problem.n !== null) {
    throw new Error(`batchMeanDraws: ${problem.id} is not a Gaussian population problem (families ${MEAN_DRAW_FAMILIES.join(', ')} with info.xStar)`);
  }
  const d = xStar.length;
  const inner = problem;
  return {
    ...problem,
    sample(k: Key, b: number, opts?: Parameters<Problem['sample']>[2]) {
      if (!Number.isInteger(b) || b < 1) throw new Error(`batchMeanDraws(${problem.id}): batch size must be an integer ≥ 1, got ${b}`);
      const one = inner.sample(k, 1, opts) as ReturnType<Problem['sample']> & { xi: Float64Array };
      const xi = new Float64Array(2 * d);
      const s = 1 / Math.sqrt(b);
      for (let j = 0; j < d; j++) xi[j] = xi[d + j] = xStar[j]! + (one.xi[j]! - xStar[j]!) * s;
      return { ...one, size: 2, xi };
    },
  } as Problem;
}
