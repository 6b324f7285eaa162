// Family 2: nonconvex robust linear regression with smooth redescending losses (Cauchy, Geman–McClure, Welsch).
import { add, div, exp, log1p, mul, neg, square, sub, type Tensor } from '../../src/index.js';
import { normal, split, uniform, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { conditionedDesign, linearTeacher } from '../common/data.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts, type MarginLoss } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { roundUp, rowDot } from '../common/linalg.js';

/** The three robust losses ρ_c(r) of the residual r = x_iᵀw − y_i. */
export type RobustLossName = 'cauchy' | 'gemanmcclure' | 'welsch';

/**
 * A robust loss ρ_c with scale c > 0, written in the form φ(z, y) = ρ_c(z − y).
 * With s = r²/c²:
 *
 * - Cauchy:        ρ = (c²/2) log(1 + s),        ρ' = r/(1 + s),          ρ'' = (1 − s)/(1 + s)²
 * - Geman–McClure: ρ = (r²/2)/(1 + s),           ρ' = r/(1 + s)²,         ρ'' = (1 − 3s)/(1 + s)³
 * - Welsch:        ρ = (c²/2)(1 − exp(−s)),      ρ' = r exp(−s),          ρ'' = (1 − 2s) exp(−s)
 *
 * In each case ρ'' is largest at r = 0 where it equals 1, and its minimum is
 * −1/8 (Cauchy, s = 3), −1/4 (Geman–McClure, s = 1) and −2e^(−3/2) ≈ −0.446
 * (Welsch, s = 3/2), found by setting the s-derivative of ρ'' to zero; so
 * sup_r |ρ''(r)| = 1 for all three, independent of c. All are ≥ 0.
 */
export function robustLoss(name: RobustLossName, c: number): MarginLoss & { readonly maxCurvature: number } {
  const c2 = c * c;
  switch (name) {
    case 'cauchy':
      return {
        value: (z, y) => 0.5 * c2 * Math.log1p(((z - y) * (z - y)) / c2),
        deriv: (z, y) => (z - y) / (1 + ((z - y) * (z - y)) / c2),
        tensor: (z: Tensor, y: Tensor) => mul(0.5 * c2, log1p(div(square(sub(z, y)), c2))),
        maxCurvature: 1,
      };
    case 'gemanmcclure':
      return {
        value: (z, y) => (0.5 * (z - y) * (z - y)) / (1 + ((z - y) * (z - y)) / c2),
        deriv: (z, y) => {
          const q = 1 + ((z - y) * (z - y)) / c2;
          return (z - y) / (q * q);
        },
        tensor: (z: Tensor, y: Tensor) => {
          const r2 = square(sub(z, y));
          return div(mul(0.5, r2), add(div(r2, c2), 1));
        },
        maxCurvature: 1,
      };
    case 'welsch':
      return {
        value: (z, y) => 0.5 * c2 * -Math.expm1(-((z - y) * (z - y)) / c2),
        deriv: (z, y) => (z - y) * Math.exp(-((z - y) * (z - y)) / c2),
        tensor: (z: Tensor, y: Tensor) => mul(0.5 * c2, sub(1, exp(neg(div(square(sub(z, y)), c2))))),
        maxCurvature: 1,
      };
  }
}

/** Options of one instance. */
export interface RobustOptions {
  readonly loss: RobustLossName;
  readonly d: number;
  readonly n: number;
  readonly instance: number;
  /** Condition number of the feature covariance (default 100). */
  readonly kappa?: number;
  /** Loss scale c (default 1). */
  readonly c?: number;
  /** Fraction of gross outliers in the targets (default 0.1). */
  readonly outlierFraction?: number;
}

const DATA_FAMILY = 'robust';

/**
 * Robust linear regression with a smooth nonconvex loss:
 *
 *   F(w) = (1/n) Σ_i ρ_c(x_iᵀw − y_i),   w ∈ R^d,
 *
 * with ρ_c one of Cauchy, Geman–McClure or Welsch ({@link robustLoss}).
 * Data: x_i ~ N(0, Σ) with cond(Σ) = κ (as in nclogreg); y_i = x_iᵀw★ + 0.1 ε_i
 * (ε_i ~ N(0, 1), x_iᵀw★ of root mean square 1), and a fraction of the targets
 * (10% by default) replaced by gross outliers y_i + 10 ε'_i. The three losses
 * share the data of an instance (same d, n, i, κ): they differ only in ρ.
 *
 * Constants (derived here): ∇²F(w) = (1/n) Σ ρ''(r_i) x_i x_iᵀ and
 * |ρ''| ≤ 1, so L = λ_max(XᵀX/n) (global; the sum of ρ''(r_i) x_i x_iᵀ has
 * operator norm at most (1/n) Σ |ρ''| x_iᵀv² ≤ λ_max for unit v);
 * per-sample L_i = ||x_i||². ρ ≥ 0 gives F_low = 0. The noise does not vanish
 * at stationary points.
 *
 * Reference: the losses are classical M-estimators, see Holland & Welsch,
 * "Robust regression using iteratively reweighted least-squares" (1977), and
 * Geman & McClure (1987); as smooth nonconvex benchmarks e.g. Barron, "A
 * General and Adaptive Robust Loss Function" (CVPR 2019), which contains all
 * three as special cases.
 */
export function robustRegression(opts: RobustOptions): FiniteSumProblem {
  const { d, n, instance, loss } = opts;
  const kappa = opts.kappa ?? 100;
  const c = opts.c ?? 1;
  const outlierFraction = opts.outlierFraction ?? 0.1;
  const family = `robust-${loss}`;
  const id = `${family}_d${d}_n${n}_i${instance}` + (opts.kappa !== undefined ? `_k${kappa}` : '');
  const [kX, kW, kE, kO, kM] = split(instanceKey(DATA_FAMILY, [d, n, instance]), 5) as [Key, Key, Key, Key, Key];
  const { X } = conditionedDesign(kX, n, d, kappa);
  const wStar = linearTeacher(kW, X, n, d, 1);
  const eps = normal(kE, n);
  const outlier = normal(kO, n);
  const mask = uniform(kM, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rowDot(X, i, d, wStar) + 0.1 * eps[i]! + (mask[i]! < outlierFraction ? 10 * outlier[i]! : 0);
  }
  const phi = robustLoss(loss, c);
  const facts = designFacts(X, n, d);
  return finiteSumProblem({
    id,
    family,
    tags: ['finite-sum', 'nonconvex', 'glm', 'regression', 'robust', 'synthetic', 'no-interpolation'],
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: {
      L: {
        value: roundUp(phi.maxCurvature * facts.lambdaMax),
        kind: 'global',
        perSample: roundUp(phi.maxCurvature * facts.maxRowNorm2),
      },
      F_low: 0,
      noiseVanishesAtStationary: false,
    },
    ...glmParts({ X, y, n, d }, phi),
    x0: (k) => normal(k, d),
    info: { loss, c, kappa, outlierFraction, lambdaMaxGram: facts.lambdaMax, wStar },
  });
}

function robustEntry(loss: RobustLossName, title: string): FamilyEntry {
  const family = `robust-${loss}`;
  const form = `${family}_d<dim>_n<samples>_i<instance>[_k<condition number>]`;
  const pattern = new RegExp(`^${family}_d\\d+_n\\d+_i\\d+(_k\\d+(\\.\\d+)?)?$`);
  return {
    family,
    idPattern: pattern,
    build(id: string): Problem {
      const p = parseId(id, pattern, form);
      return robustRegression({
        loss,
        d: intField(id, p, 'd', 1, 1000),
        n: intField(id, p, 'n', 1, 1_000_000),
        instance: intField(id, p, 'i', 0, 1_000_000),
        ...(p.fields.k !== undefined ? { kappa: numField(id, p, 'k', 100, 1 - 1e-12, 1e12) } : {}),
      });
    },
    defaultIds: [`${family}_d50_n5000_i0`],
    description: `Robust linear regression with the ${title} loss (c = 1) on conditioned Gaussian features with 10% gross outliers; global L = λ_max(XᵀX/n) (sup |ρ''| = 1), F_low = 0.`,
  };
}

/** Registry entry: robust regression with the Cauchy loss. */
export const robustCauchyFamily: FamilyEntry = robustEntry('cauchy', 'Cauchy (c²/2) log(1 + r²/c²)');
/** Registry entry: robust regression with the Geman–McClure loss. */
export const robustGemanMcClureFamily: FamilyEntry = robustEntry('gemanmcclure', 'Geman–McClure (r²/2)/(1 + r²/c²)');
/** Registry entry: robust regression with the Welsch loss. */
export const robustWelschFamily: FamilyEntry = robustEntry('welsch', 'Welsch (c²/2)(1 − exp(−r²/c²))');
