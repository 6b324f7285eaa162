// Family 1: logistic regression with the nonconvex regulariser λ Σ w_j²/(1 + w_j²) on conditioned synthetic data.
import { add, div, mul, neg, softplus as softplusT, square, sum, type Tensor } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { conditionedDesign, linearTeacher, logisticLabels } from '../common/data.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts, type GlmData, type MarginLoss } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { roundUp } from '../common/linalg.js';
import { sigmoid, softplus } from '../common/scalar.js';

/** The logistic loss φ(z, y) = log(1 + exp(−y z)), y ∈ {−1, +1}. */
export const logisticLoss: MarginLoss = {
  value: (z, y) => softplus(-y * z),
  deriv: (z, y) => -y * sigmoid(-y * z),
  tensor: (z, y) => softplusT(neg(mul(y, z))),
};

/**
 * The regulariser r(t) = t²/(1 + t²) per coordinate: r'(t) = 2t/(1 + t²)²,
 * r''(t) = (2 − 6t²)/(1 + t²)³ ∈ [−1/2, 2] (max 2 at t = 0, min −1/2 at t² = 1).
 */
export const ncRegulariser = {
  value(w: Float64Array): number {
    let s = 0;
    for (let j = 0; j < w.length; j++) {
      const t2 = w[j]! * w[j]!;
      s += t2 / (1 + t2);
    }
    return s;
  },
  gradInto(w: Float64Array, out: Float64Array, scale: number): void {
    for (let j = 0; j < w.length; j++) {
      const t = w[j]!;
      const q = 1 + t * t;
      out[j] = (scale * 2 * t) / (q * q);
    }
  },
  /** Σ_j w_j²/(1 + w_j²) with the autodiff ops. */
  tensor(w: Tensor): Tensor {
    const t2 = square(w);
    return sum(div(t2, add(t2, 1)));
  },
  /** sup_t |r''(t)|. */
  maxCurvature: 2,
};

/** Options of one instance. */
export interface NclogregOptions {
  readonly d: number;
  readonly n: number;
  readonly instance: number;
  /** Condition number κ of the feature covariance (default 100). */
  readonly kappa?: number;
  /** Regularisation weight λ (default 0.1). */
  readonly lambda?: number;
}

const FAMILY = 'nclogreg';
const ID_FORM = 'nclogreg_d<dim>_n<samples>_i<instance>[_k<condition number>]';
const ID_PATTERN = /^nclogreg_d\d+_n\d+_i\d+(_k\d+(\.\d+)?)?$/;

/**
 * Logistic regression with a nonconvex regulariser:
 *
 *   F(w) = (1/n) Σ_i log(1 + exp(−y_i x_iᵀw)) + λ Σ_j w_j²/(1 + w_j²),   w ∈ R^d.
 *
 * Data: x_i ~ N(0, Σ) with Σ = Q diag(s) Qᵀ, s_j = κ^(−j/(d−1)) (condition
 * number κ, Q Haar-random); labels y_i = ±1 with P(y_i = 1) = σ(x_iᵀw★) for a
 * random w★ scaled so that x_iᵀw★ has empirical root mean square 2.
 *
 * Constants (derived here): the Hessian of the data term is
 * (1/n) Σ σ'(·) x_i x_iᵀ with 0 < σ' ≤ 1/4, and the regulariser's Hessian is
 * diagonal with entries λ r''(w_j) ∈ [−λ/2, 2λ]; hence
 * L = (1/4) λ_max(XᵀX/n) + 2λ (global; λ_max computed from the empirical
 * matrix by Jacobi and rounded up), per-sample L_i ≤ (1/4)||x_i||² + 2λ.
 * Both terms are ≥ 0, so F_low = 0. F★ is not known in closed form. The noise
 * does not vanish at stationary points (labels are random).
 *
 * Reference: the regulariser Σ w²/(1 + w²) is the standard nonconvex
 * benchmark of the variance-reduction literature, e.g. Wang, Ji, Zhou, Liang,
 * Tarokh, "SpiderBoost and Momentum: Faster Variance Reduction Algorithms"
 * (NeurIPS 2019), experiments section.
 */
export function nclogreg(opts: NclogregOptions): FiniteSumProblem {
  const { d, n, instance } = opts;
  const kappa = opts.kappa ?? 100;
  const lambda = opts.lambda ?? 0.1;
  const id = `${FAMILY}_d${d}_n${n}_i${instance}` + (opts.kappa !== undefined ? `_k${kappa}` : '');
  const [kX, kW, kY] = split(instanceKey(FAMILY, [d, n, instance]), 3) as [Key, Key, Key];
  const { X } = conditionedDesign(kX, n, d, kappa);
  const wStar = linearTeacher(kW, X, n, d, 2);
  const y = logisticLabels(kY, X, n, d, wStar);

  const data: GlmData = { X, y, n, d };
  const facts = designFacts(X, n, d);
  const parts = glmParts(data, logisticLoss);
  const L = roundUp(0.25 * facts.lambdaMax + ncRegulariser.maxCurvature * lambda);
  return finiteSumProblem({
    id,
    family: FAMILY,
    tags: ['finite-sum', 'nonconvex', 'glm', 'classification', 'synthetic', 'no-interpolation'],
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: {
      L: {
        value: L,
        kind: 'global',
        perSample: roundUp(0.25 * facts.maxRowNorm2 + ncRegulariser.maxCurvature * lambda),
      },
      F_low: 0,
      noiseVanishesAtStationary: false,
    },
    ...parts,
    shared: {
      value: (w) => lambda * ncRegulariser.value(w),
      gradInto: (w, out) => ncRegulariser.gradInto(w, out, lambda),
    },
    regularizer: (params) => mul(lambda, ncRegulariser.tensor(params[0]!)),
    x0: (k) => normal(k, d),
    info: { kappa, lambda, lambdaMaxGram: facts.lambdaMax, wStar },
  });
}

/** Registry entry of family 1. */
export const nclogregFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return nclogreg({
      d: intField(id, p, 'd', 1, 1000),
      n: intField(id, p, 'n', 1, 1_000_000),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.k !== undefined ? { kappa: numField(id, p, 'k', 100, 1 - 1e-12, 1e12) } : {}),
    });
  },
  defaultIds: ['nclogreg_d50_n5000_i0', 'nclogreg_d20_n2000_i0_k1000'],
  description:
    'Logistic regression with the nonconvex regulariser λ Σ w²/(1+w²) (λ = 0.1) on Gaussian features whose covariance has condition number κ (id suffix _k, default 100); global L = λ_max(XᵀX/n)/4 + 2λ, F_low = 0.',
};
