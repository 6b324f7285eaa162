// Family 8: least squares on the same data with and without label noise (interpolation vs. not).
import { mul, square, sub } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { conditionedDesign, linearTeacher } from '../common/data.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts, type MarginLoss } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { choleskySolve, gram, roundUp, rowDot } from '../common/linalg.js';

/** φ(z, y) = ½ (z − y)². */
export const squaredLoss: MarginLoss = {
  value: (z, y) => 0.5 * (z - y) * (z - y),
  deriv: (z, y) => z - y,
  tensor: (z, y) => mul(0.5, square(sub(z, y))),
};

/** Options of one instance of the pair. */
export interface LsqPairOptions {
  /** 'interp': y = Xw★ exactly; 'noisy': y = Xw★ + s ε. */
  readonly variant: 'interp' | 'noisy';
  readonly d: number;
  readonly n: number;
  readonly instance: number;
  /** Condition number of the feature covariance (default 100). */
  readonly kappa?: number;
  /** Label-noise standard deviation s of the noisy variant (default 0.5). */
  readonly labelNoise?: number;
}

const DATA_FAMILY = 'lsq';

/**
 * Least squares, F(w) = (1/n) Σ_i ½ (x_iᵀw − y_i)², in two variants that share
 * X and w★ (same d, n, i, κ) and differ only in the targets:
 *
 * - `lsq-interp`: y_i = x_iᵀw★ (realisable). Every f_i is minimised at w★, so
 *   ∇f_i(w★) = 0 for all i: interpolation, σ²(w★) = 0, F★ = 0.
 * - `lsq-noisy`: y_i = x_iᵀw★ + s ε_i, ε_i ~ N(0, 1). The minimiser
 *   ŵ = (XᵀX)⁻¹Xᵀy has residuals that do not all vanish, so σ²(ŵ) > 0;
 *   F★ = F(ŵ), computed by solving the normal equations (Cholesky).
 *
 * Data: x_i ~ N(0, Σ), cond(Σ) = κ; x_iᵀw★ of root mean square 1.
 * Constants: ∇²F = XᵀX/n, so L = λ_max(XᵀX/n) exactly (rounded up), per-sample
 * L_i = ||x_i||²; F_low = 0. Convex (strongly convex when n ≥ d). This pair
 * is the control for claims that depend on the noise vanishing at stationary
 * points (docs/MATH.md §7, negative controls).
 *
 * Reference: the interpolation regime and its effect on SGD: Ma, Bassily,
 * Belkin, "The power of interpolation" (ICML 2018); Vaswani, Bach, Schmidt,
 * "Fast and faster convergence of SGD for over-parameterized models" (AISTATS 2019).
 */
export function lsqPair(opts: LsqPairOptions): FiniteSumProblem {
  const { d, n, instance, variant } = opts;
  const kappa = opts.kappa ?? 100;
  const s = variant === 'noisy' ? (opts.labelNoise ?? 0.5) : 0;
  const family = `lsq-${variant}`;
  const id = `${family}_d${d}_n${n}_i${instance}` + (opts.kappa !== undefined ? `_k${kappa}` : '');
  const [kX, kW, kE] = split(instanceKey(DATA_FAMILY, [d, n, instance]), 3) as [Key, Key, Key];
  const { X } = conditionedDesign(kX, n, d, kappa);
  const wStar = linearTeacher(kW, X, n, d, 1);
  const eps = normal(kE, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = rowDot(X, i, d, wStar) + s * eps[i]!;
  const facts = designFacts(X, n, d);
  // The minimiser: w★ for the realisable targets, the normal-equations solution otherwise.
  let xStar: Float64Array | null = variant === 'interp' ? Float64Array.from(wStar) : null;
  if (xStar === null && n >= d) {
    const Xty = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xty[j]! += (X[i * d + j]! * y[i]!) / n;
    xStar = choleskySolve(gram(X, n, d), Xty, d);
  }
  const parts = glmParts({ X, y, n, d }, squaredLoss);
  let fStar: number | undefined;
  if (variant === 'interp') fStar = 0;
  else if (xStar !== null) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += parts.loss(xStar, i);
    fStar = acc / n;
  }
  const tags = ['finite-sum', 'convex', 'glm', 'regression', 'synthetic', variant === 'interp' ? 'interpolation' : 'no-interpolation'];
  return finiteSumProblem({
    id,
    family,
    tags,
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: {
      L: { value: roundUp(facts.lambdaMax), kind: 'global', perSample: roundUp(facts.maxRowNorm2) },
      F_low: 0,
      ...(fStar !== undefined ? { F_star: fStar } : {}),
      noiseVanishesAtStationary: variant === 'interp',
    },
    ...parts,
    x0: (k) => normal(k, d),
    info: { kappa, labelNoise: s, lambdaMaxGram: facts.lambdaMax, wStar, xStar },
  });
}

function lsqEntry(variant: 'interp' | 'noisy'): FamilyEntry {
  const family = `lsq-${variant}`;
  const form = `${family}_d<dim>_n<samples>_i<instance>[_k<condition number>]`;
  const pattern = new RegExp(`^${family}_d\\d+_n\\d+_i\\d+(_k\\d+(\\.\\d+)?)?$`);
  return {
    family,
    idPattern: pattern,
    build(id: string): Problem {
      const p = parseId(id, pattern, form);
      return lsqPair({
        variant,
        d: intField(id, p, 'd', 1, 1000),
        n: intField(id, p, 'n', 1, 1_000_000),
        instance: intField(id, p, 'i', 0, 1_000_000),
        ...(p.fields.k !== undefined ? { kappa: numField(id, p, 'k', 100, 1 - 1e-12, 1e12) } : {}),
      });
    },
    defaultIds: [`${family}_d20_n2000_i0`],
    description:
      variant === 'interp'
        ? 'Least squares on realisable data (interpolation: every f_i is minimised at w★, σ² = 0 there); L = λ_max(XᵀX/n), F★ = 0. Paired with lsq-noisy on the same X.'
        : 'Least squares on the data of lsq-interp plus label noise (s = 0.5): the noise does not vanish at the minimiser; L = λ_max(XᵀX/n), F★ from the normal equations.',
  };
}

/** Registry entry: least squares with interpolation (tag `interpolation`). */
export const lsqInterpFamily: FamilyEntry = lsqEntry('interp');
/** Registry entry: the same least squares with label noise (tag `no-interpolation`). */
export const lsqNoisyFamily: FamilyEntry = lsqEntry('noisy');
