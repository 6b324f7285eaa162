// Logistic regression with power-law feature scales: a convex instance with an axis-aligned, strongly anisotropic Hessian.
import { mul, square, sum } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { linearTeacher, logisticLabels } from '../common/data.js';
import { intField, parseId, type FamilyEntry } from '../common/family.js';
import { ProblemArgumentError } from '../common/validate.js';
import { satisfies } from '../../src/registry/validate.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { choleskySolve, roundUp, rowDot } from '../common/linalg.js';
import { sigmoid } from '../common/scalar.js';
import { logisticLoss } from './nclogreg.js';

/** Options of one instance. */
export interface PlogregOptions {
  readonly d: number;
  readonly n: number;
  readonly instance: number;
  /** Power-law exponent a of the feature variances s_j = j^(−a) (default 1; 0 gives isotropic features). */
  readonly alpha?: number;
}

const FAMILY = 'plogreg';
const ID_FORM = 'plogreg_d<dim>_n<samples>_i<instance>[_a<exponent>]';
const ID_PATTERN = /^plogreg_d\d+_n\d+_i\d+(_a\d+(\.\d+)?)?$/;
/** The ridge weight λ. */
export const PLOGREG_LAMBDA = 1e-4;

/**
 * Logistic regression with a small ridge on features of power-law scales:
 *
 *   F(w) = (1/n) Σ_i log(1 + exp(−y_i x_iᵀw)) + (λ/2) ||w||²,   λ = 1e-4,
 *
 * x_ij = j^(−a/2) z_ij with z_ij ~ N(0, 1) (j = 1..d): the feature covariance is
 * diag(j^(−a)), axis-aligned, so the Hessian (1/n) Σ σ'(·) x_i x_iᵀ + λI has
 * diagonal entries falling about as j^(−a) (anisotropic smoothness: coordinate-wise
 * constants L_j spread over a factor ≈ d^a), while a = 0 is the isotropic twin on
 * the same z, teacher direction and label draws. Labels y_i = ±1 with
 * P(y_i = 1) = σ(x_iᵀw★), w★ ~ N(0, I) rescaled so the margins have root mean
 * square 2.
 *
 * Constants (derived here): 0 < σ' ≤ 1/4, so L = λ_max(XᵀX/n)/4 + λ (global,
 * Jacobi on the empirical Gram matrix, rounded up), per-sample L_i ≤ ||x_i||²/4 + λ;
 * μ ≥ λ (strongly convex); F_low = 0; F★ = F(ŵ) with ŵ found by damped Newton
 * (to ||∇F|| ≤ 1e-12 or 100 iterations; stored in info.newtonGradNorm). The noise does
 * not vanish at ŵ (random labels).
 *
 * Reference: the anisotropic (coordinate-wise) smoothness setting of Liu, Pan, Zhang,
 * "AdaGrad under Anisotropic Smoothness" (arXiv:2406.15244, 2024), whose logistic
 * regression experiments motivate the power-law scaling here.
 */
export function plogreg(opts: PlogregOptions): FiniteSumProblem {
  const { d, n, instance } = opts;
  const alpha = opts.alpha ?? 1;
  const lambda = PLOGREG_LAMBDA;
  const id = `${FAMILY}_d${d}_n${n}_i${instance}` + (opts.alpha !== undefined ? `_a${alpha}` : '');
  // The key does not depend on a: the twins of different a share z, the teacher draw and the label uniforms.
  const [kX, kW, kY] = split(instanceKey(FAMILY, [d, n, instance]), 3) as [Key, Key, Key];
  const X = normal(kX, n * d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) scale[j] = Math.pow(j + 1, -alpha / 2);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j]! *= scale[j]!;
  const wStar = linearTeacher(kW, X, n, d, 2);
  const y = logisticLabels(kY, X, n, d, wStar);

  const data = { X, y, n, d };
  const facts = designFacts(X, n, d);
  const parts = glmParts(data, logisticLoss);
  const value = (w: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += parts.loss(w, i);
    let r = 0;
    for (let j = 0; j < d; j++) r += w[j]! * w[j]!;
    return s / n + 0.5 * lambda * r;
  };
  const { w: wHat, gradNorm } = newton(X, y, n, d, lambda, value);
  return finiteSumProblem({
    id,
    family: FAMILY,
    tags: ['finite-sum', 'convex', 'glm', 'classification', 'synthetic', 'no-interpolation', 'anisotropic'],
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: {
      L: { value: roundUp(0.25 * facts.lambdaMax + lambda), kind: 'global', perSample: roundUp(0.25 * facts.maxRowNorm2 + lambda) },
      F_low: 0,
      F_star: value(wHat),
      noiseVanishesAtStationary: false,
    },
    ...parts,
    shared: {
      value: (w) => {
        let r = 0;
        for (let j = 0; j < d; j++) r += w[j]! * w[j]!;
        return 0.5 * lambda * r;
      },
      gradInto: (w, out) => {
        for (let j = 0; j < d; j++) out[j] = lambda * w[j]!;
      },
    },
    regularizer: (params) => mul(0.5 * lambda, sum(square(params[0]!))),
    x0: (k) => normal(k, d),
    info: { alpha, lambda, featureScale: scale, lambdaMaxGram: facts.lambdaMax, wStar, xStar: wHat, newtonGradNorm: gradNorm },
  });
}

/** Damped Newton on F from w = 0 (F is λ-strongly convex): the minimiser and its ||∇F||. */
function newton(X: Float64Array, y: Float64Array, n: number, d: number, lambda: number, value: (w: Float64Array) => number): { w: Float64Array; gradNorm: number } {
  let w = new Float64Array(d);
  let gn = Infinity;
  for (let it = 0; it < 100; it++) {
    const g = new Float64Array(d);
    const Hm = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const z = rowDot(X, i, d, w);
      const s = sigmoid(-y[i]! * z);
      const c = -y[i]! * s;
      const h = s * (1 - s);
      const off = i * d;
      for (let a = 0; a < d; a++) {
        const xa = X[off + a]!;
        g[a]! += (c * xa) / n;
        for (let b = a; b < d; b++) Hm[a * d + b]! += (h * xa * X[off + b]!) / n;
      }
    }
    for (let a = 0; a < d; a++) {
      g[a]! += lambda * w[a]!;
      Hm[a * d + a]! += lambda;
      for (let b = 0; b < a; b++) Hm[a * d + b] = Hm[b * d + a]!;
    }
    gn = Math.sqrt(g.reduce((acc, v) => acc + v * v, 0));
    if (gn <= 1e-12) break;
    const step = choleskySolve(Hm, g, d);
    const f0 = value(w);
    let t = 1;
    let next = w.map((v, j) => v - t * step[j]!);
    while (value(next) > f0 && t > 1e-8) {
      t /= 2;
      next = w.map((v, j) => v - t * step[j]!);
    }
    w = next;
  }
  return { w, gradNorm: gn };
}

/** The exponent field a ∈ [0, 10] (0 allowed: the isotropic twin). */
function exponentField(id: string, a: number): number {
  if (!satisfies(a, { min: 0, max: 10 })) throw new ProblemArgumentError(id, `field 'a' must be in [0, 10], got ${a}`);
  return a;
}

/** Registry entry of the power-law logistic regression family. */
export const plogregFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return plogreg({
      d: intField(id, p, 'd', 1, 200),
      n: intField(id, p, 'n', 1, 1_000_000),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.a !== undefined ? { alpha: exponentField(id, p.fields.a) } : {}),
    });
  },
  defaultIds: ['plogreg_d20_n1000_i0_a2'],
  description:
    'Logistic regression with a small ridge (λ = 1e-4) on axis-aligned features of power-law variances j^(−a) (id suffix _a, default 1; _a0 is the isotropic twin on the same draws): anisotropic coordinate-wise smoothness; L = λ_max(XᵀX/n)/4 + λ, F★ by Newton.',
};
