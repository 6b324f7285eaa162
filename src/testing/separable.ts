/**
 * Instances on which a rate check can separate 1/K from 1/√K: noisy quadratic
 * models (family `nqm`, h_j = j^(−a)) whose condition number κ = d^a is at least
 * twice K_max.
 *
 * Why these separate (SPEC §7 "How a rate claim is checked"):
 * - the noise does not vanish at x★ (its covariance is H, σ² = tr H), so a
 *   method that does not grow its batch keeps an O(step) noise floor: with
 *   AdaGrad-Norm's step α/√v_k and v_k ≈ k σ²/b the floor decays like k^(−1/2);
 * - no first-order method with step ≤ 2/L converges linearly over the grid: the
 *   eigen-directions with h_j < 1/(step · K_max) have not relaxed by K_max, so
 *   even the exact gradient method decays polynomially there (for gradient
 *   descent ||∇F(x_k)||² ≈ Σ_j h_j² e_j² exp(−2 step h_j k), about
 *   k^(−(2a − 1)/a) while (step k)^(1/a) < d);
 * - it is a population problem with the batch mean drawn exactly, so no batch
 *   reaches "the full data"; the check asserts b_k < b_max = 2^52 on every run.
 * Measured: AdaGrad-Norm with the oracle norm test has window-mean slopes −1.2
 * to −2.4, its constant-batch twin −0.45 to −0.7 (README, calibration file).
 *
 * @example
 * fc.sample(separableNqmArb({ d: { min: 4, max: 8 }, kMax: 1024 }), 1)[0]; // e.g. 'nqm_d6_i3_a4.27'
 */
import fc from 'fast-check';
import type { Problem } from '../problem/types.js';
import { normal } from '../rng/index.js';
import { boundedInt, logUniform, type Range } from './arbitraries.js';

/**
 * The same problem started at x★ + s·z, z ~ N(0, I) (needs info.xStar: families nqm, nqm-rot).
 * The claims hold from any start; near x★ a constant-batch alternative is noise-dominated from
 * the first grid point on, so the grid separates it (see the claims in test/rates/claims.ts).
 *
 * @example
 * const p = startNear(getProblem('nqm_d8_i0_a3.5'), 0.1);
 */
export function startNear(problem: Problem, s: number): Problem {
  const xStar = (problem as { info?: Readonly<Record<string, unknown>> }).info?.['xStar'];
  if (!(xStar instanceof Float64Array)) throw new Error(`startNear: ${problem.id} has no info.xStar`);
  if (!(s >= 0)) throw new Error(`startNear: s must be ≥ 0, got ${s}`);
  return {
    ...problem,
    x0: (k) => {
      const z = normal(k, xStar.length);
      return xStar.map((v, j) => v + s * z[j]!);
    },
  };
}

/** The smallest spectrum exponent a (2 decimals, rounded up) with d^a ≥ κ. */
export function spectrumExponentFor(d: number, kappa: number): number {
  if (!Number.isInteger(d) || d < 2) throw new Error(`spectrumExponentFor: d must be an integer ≥ 2, got ${d}`);
  if (!(kappa > 1)) throw new Error(`spectrumExponentFor: kappa must be > 1, got ${kappa}`);
  return Math.ceil((100 * Math.log(kappa)) / Math.log(d)) / 100;
}

export interface SeparableNqmSpace {
  /** Dimension range. */
  readonly d: Range;
  /** The largest K of the grid. */
  readonly kMax: number;
  /** κ / K_max range (default 2 … 8). */
  readonly kappaOverK?: Range;
  /** Instance index range (default 0 … 20). */
  readonly instance?: Range;
}

/** nqm ids `nqm_d<d>_i<i>_a<a>` with d^a = κ ∈ kappaOverK · kMax. */
export function separableNqmArb(space: SeparableNqmSpace): fc.Arbitrary<string> {
  const ratio = space.kappaOverK ?? { min: 2, max: 8 };
  return fc
    .record({ d: boundedInt(space.d), i: boundedInt(space.instance ?? { min: 0, max: 20 }), r: logUniform(ratio) })
    .map(({ d, i, r }) => `nqm_d${d}_i${i}_a${spectrumExponentFor(d, r * space.kMax)}`);
}
