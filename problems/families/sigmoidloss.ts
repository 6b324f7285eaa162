// Family 3: binary classification with the bounded nonconvex sigmoid loss 1 − σ(y xᵀw).
import { mul, neg, sigmoid as sigmoidT } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { conditionedDesign, linearTeacher, logisticLabels } from '../common/data.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts, type MarginLoss } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { roundUp } from '../common/linalg.js';
import { sigmoid } from '../common/scalar.js';

/** sup_t |σ''(t)| = √3/18 = 1/(6√3) ≈ 0.0962, attained where σ(t) = (3 ± √3)/6. */
export const SIGMOID_MAX_CURVATURE = 1 / (6 * Math.sqrt(3));

/** φ(z, y) = 1 − σ(y z) = σ(−y z), y ∈ {−1, +1}; ∂φ/∂z = −y σ(−yz)(1 − σ(−yz)). */
export const sigmoidLoss: MarginLoss = {
  value: (z, y) => sigmoid(-y * z),
  deriv: (z, y) => {
    const s = sigmoid(-y * z);
    return -y * s * (1 - s);
  },
  tensor: (z, y) => sigmoidT(neg(mul(y, z))),
};

/** Options of one instance. */
export interface SigmoidLossOptions {
  readonly d: number;
  readonly n: number;
  readonly instance: number;
  /** Condition number of the feature covariance (default 100). */
  readonly kappa?: number;
}

const FAMILY = 'sigmoid';
const ID_FORM = 'sigmoid_d<dim>_n<samples>_i<instance>[_k<condition number>]';
const ID_PATTERN = /^sigmoid_d\d+_n\d+_i\d+(_k\d+(\.\d+)?)?$/;

/**
 * Binary classification with the sigmoid (smoothed 0–1) loss:
 *
 *   F(w) = (1/n) Σ_i (1 − σ(y_i x_iᵀw)),   σ(t) = 1/(1 + e^(−t)),   w ∈ R^d.
 *
 * Data: x_i ~ N(0, Σ), cond(Σ) = κ; y_i = ±1 from the logistic model with a
 * teacher w★ whose margins x_iᵀw★ have root mean square 4.
 *
 * Constants (derived here): ∇²F(w) = (1/n) Σ σ''(y_i x_iᵀw) x_i x_iᵀ (y_i² = 1)
 * and sup|σ''| = 1/(6√3): σ'' = σ(1 − σ)(1 − 2σ) is extremal where
 * 6σ² − 6σ + 1 = 0. So L = λ_max(XᵀX/n)/(6√3) (global), per-sample
 * L_i = ||x_i||²/(6√3). The loss lies in (0, 1), so F_low = 0; F★ is not
 * known (the infimum may be approached only as ||w|| → ∞). Bounded and
 * nonconvex; the noise does not vanish at stationary points.
 *
 * Reference: a smooth surrogate of the 0–1 loss; Mason, Baxter, Bartlett,
 * Frean, "Boosting algorithms as gradient descent" (NeurIPS 1999) study the
 * closely related 1 − tanh(λ y f(x)) = 2(1 − σ(2λ y f(x))).
 */
export function sigmoidClassification(opts: SigmoidLossOptions): FiniteSumProblem {
  const { d, n, instance } = opts;
  const kappa = opts.kappa ?? 100;
  const id = `${FAMILY}_d${d}_n${n}_i${instance}` + (opts.kappa !== undefined ? `_k${kappa}` : '');
  const [kX, kW, kY] = split(instanceKey(FAMILY, [d, n, instance]), 3) as [Key, Key, Key];
  const { X } = conditionedDesign(kX, n, d, kappa);
  const wStar = linearTeacher(kW, X, n, d, 4);
  const y = logisticLabels(kY, X, n, d, wStar);
  const facts = designFacts(X, n, d);
  return finiteSumProblem({
    id,
    family: FAMILY,
    tags: ['finite-sum', 'nonconvex', 'glm', 'classification', 'bounded', 'synthetic', 'no-interpolation'],
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: {
      L: {
        value: roundUp(SIGMOID_MAX_CURVATURE * facts.lambdaMax),
        kind: 'global',
        perSample: roundUp(SIGMOID_MAX_CURVATURE * facts.maxRowNorm2),
      },
      F_low: 0,
      noiseVanishesAtStationary: false,
    },
    ...glmParts({ X, y, n, d }, sigmoidLoss),
    x0: (k) => normal(k, d),
    info: { kappa, lambdaMaxGram: facts.lambdaMax, wStar },
  });
}

/** Registry entry of family 3. */
export const sigmoidFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return sigmoidClassification({
      d: intField(id, p, 'd', 1, 1000),
      n: intField(id, p, 'n', 1, 1_000_000),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.k !== undefined ? { kappa: numField(id, p, 'k', 100, 1 - 1e-12, 1e12) } : {}),
    });
  },
  defaultIds: ['sigmoid_d50_n5000_i0'],
  description:
    'Binary classification with the bounded nonconvex sigmoid loss 1 − σ(y xᵀw) on conditioned Gaussian features with logistic-model labels; global L = λ_max(XᵀX/n)/(6√3), F_low = 0.',
};
