/**
 * The exact (population) quantities the exact forms of the tests need at x,
 * from the problem: ∇F(x), σ²(x), σ_j²(x) and E⟨∇f − ∇F, ∇F⟩². They are not
 * counted as samples. When batches are drawn without replacement from a finite
 * sum, the quantities carry n so that every exact test includes the factor
 * (n − b)/(n − 1) of SPEC §1.
 */
import type { Problem } from '../../problem/types.js';
import type { BatchSizeTest, ExactQuantities } from './types.js';

export interface ExactOptions {
  /** Batches are drawn with replacement (default true); false adds the finite-population factor. */
  readonly replace?: boolean;
}

export function exactQuantities(
  problem: Problem,
  x: Float64Array,
  needs: BatchSizeTest['needs'],
  opts: ExactOptions = {},
): ExactQuantities {
  if (problem.noise === undefined) {
    throw new Error(`exact test: problem ${problem.id} cannot compute σ²(x) (no noise())`);
  }
  const grad = problem.gradient(x);
  const n = problem.noise(x);
  let alongGrad: number | undefined;
  if (needs.alongGrad) {
    if (problem.noiseAlong === undefined) {
      throw new Error(`exact ip/orth test: problem ${problem.id} cannot compute the noise along ∇F (no noiseAlong())`);
    }
    alongGrad = problem.noiseAlong(x, grad);
  }
  const finite = opts.replace === false && problem.n !== null ? { withoutReplacementFrom: problem.n } : {};
  return {
    grad,
    sigma2: n.sigma2,
    sigma2PerCoord: n.sigma2PerCoord,
    ...(alongGrad !== undefined ? { alongGrad } : {}),
    ...finite,
  };
}
