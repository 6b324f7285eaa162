// Family 10: the rotated noisy quadratic model, a non-separable convex control (diagonal preconditioners cannot undo its conditioning).
import { add, matmul, mul, neg, square, sum, type Tensor } from '../../src/index.js';
import { dataTensor } from '../common/glm.js';
import { foldIn, normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { markGaussianSample, populationProblem, type PopulationProblem } from '../common/population.js';

export interface NqmRotOptions {
  readonly d: number;
  readonly instance: number;
  /** Power-law exponent a of the spectrum h_j = j^(−a) (default 1). */
  readonly alpha?: number;
  /**
   * Number r of Householder reflections in Q = P₁ ⋯ P_r (default 1). One reflection leaves
   * H nearly diagonal (off-diagonal entries O(1/d)), so a diagonal preconditioner can undo
   * much of its conditioning; r = d gives a dense rotation (see the family comment).
   */
  readonly reflections?: number;
}

const FAMILY = 'nqm-rot';
const ID_FORM = 'nqm-rot_d<dim>_i<instance>[_a<exponent>][_r<reflections>]';
const ID_PATTERN = /^nqm-rot_d\d+_i\d+(_a\d+(\.\d+)?)?(_r\d+)?$/;

/**
 * The rotated noisy quadratic model (population form): the model of family `nqm`
 * in a rotated basis,
 *
 *   f(x; ξ) = ½ (x − ξ)ᵀ H (x − ξ),   ξ ~ N(x★, H⁻¹),   H = Q diag(h) Q,   h_j = j^(−a),
 *
 *
 * with Q = I − 2uuᵀ/||u||² a Householder reflection (symmetric, orthogonal) drawn
 * per instance, u ~ N(0, I); with `_r<r>` (r > 1) Q = P₁ ⋯ P_r is a product of r such
 * reflections (u₁ the one of r = 1, the others drawn from the same instance key) and
 * H = Q diag(h) Qᵀ. One reflection leaves H close to diagonal (H_jl = O(1/d) off the
 * diagonal, H_jj ≈ h_j), and diagonal AdaGrad then adapts its per-coordinate steps to h_j
 * and converges linearly (measured on the rate-check instances: ||∇F||² from 1e-3 to
 * 1e-12 in 260 steps); r = d mixes every coordinate into every eigen-direction, as a
 * random rotation does. ∇F(x) = H(x − x★); the gradient noise −H(ξ − x★)
 * has covariance H, so σ²(x) = tr H = Σ_j h_j and σ_j²(x) = H_jj (neither
 * vanishes at x★). Constants (exact): L = 1, μ = d^(−a), F★ = F_low = d/2.
 * Unlike `nqm`, H is not diagonal, so diagonal AdaGrad does not converge
 * coordinate by coordinate: with κ = d^a ≥ K_max no first-order method
 * converges linearly over a K grid up to K_max (the instances of the rate checks).
 *
 * Reference: the noisy quadratic model of Zhang et al. (NeurIPS 2019), rotated
 * as in the analyses of diagonal preconditioners on non-axis-aligned quadratics.
 */
export function rotatedNoisyQuadratic(opts: NqmRotOptions): PopulationProblem {
  const { d, instance } = opts;
  const alpha = opts.alpha ?? 1;
  const nRefl = opts.reflections ?? 1;
  if (!Number.isInteger(nRefl) || nRefl < 1) throw new Error(`${FAMILY}: reflections must be an integer ≥ 1, got ${nRefl}`);
  const id = `${FAMILY}_d${d}_i${instance}` + (opts.alpha !== undefined ? `_a${alpha}` : '') + (opts.reflections !== undefined ? `_r${nRefl}` : '');
  const [kStar, kU] = split(instanceKey(FAMILY, [d, -1, instance]), 2) as [Key, Key];
  const xStar = normal(kStar, d);
  const us: Float64Array[] = [];
  for (let t = 0; t < nRefl; t++) us.push(normal(t === 0 ? kU : foldIn(kU, t), d));
  const uus = us.map((u) => u.reduce((a, v) => a + v * v, 0));
  const u = us[0]!;
  const h = new Float64Array(d);
  for (let j = 0; j < d; j++) h[j] = Math.pow(j + 1, -alpha);
  let traceH = 0;
  for (let j = 0; j < d; j++) traceH += h[j]!;
  /** P_t w ← w − 2 u_t (u_tᵀw)/||u_t||², in place. */
  const reflectOnce = (w: Float64Array, t: number): void => {
    const ut = us[t]!;
    let s = 0;
    for (let j = 0; j < d; j++) s += ut[j]! * w[j]!;
    const c = (2 * s) / uus[t]!;
    for (let j = 0; j < d; j++) w[j] = w[j]! - c * ut[j]!;
  };
  /** Q v = P₁(P₂(⋯ P_r v)). */
  const reflect = (v: Float64Array, off = 0): Float64Array => {
    const w = v.slice(off, off + d);
    for (let t = nRefl - 1; t >= 0; t--) reflectOnce(w, t);
    return w;
  };
  /** Qᵀ v = P_r(⋯ P₁ v) (= Q v for one reflection). */
  const reflectT = (v: Float64Array, off = 0): Float64Array => {
    const w = v.slice(off, off + d);
    for (let t = 0; t < nRefl; t++) reflectOnce(w, t);
    return w;
  };
  /** H v = Q diag(h) Qᵀ v. */
  const hMul = (v: Float64Array, off = 0): Float64Array => {
    const w = reflectT(v, off);
    for (let j = 0; j < d; j++) w[j]! *= h[j]!;
    return reflect(w);
  };
  // Q as a dense matrix (Qm[j·d + i] = Q_ji, for the autodiff loss) and diag(H) = Σ_i Q_ji² h_i.
  const Qm = new Float64Array(d * d);
  const diagH = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const ei = new Float64Array(d);
    ei[i] = 1;
    // one reflection: the closed form I − 2uuᵀ/uᵀu (the ids without _r keep their bits)
    const col = nRefl === 1 ? Float64Array.from(ei, (v, j) => v - (2 * u[j]! * u[i]!) / uus[0]!) : reflect(ei);
    for (let j = 0; j < d; j++) {
      Qm[j * d + i] = col[j]!;
      diagH[j] = diagH[j]! + col[j]! * col[j]! * h[i]!;
    }
  }
  const halfH = h.map((v) => v / 2);
  const invSqrtH = h.map((v) => 1 / Math.sqrt(v));

  return markGaussianSample(populationProblem({
    id,
    family: FAMILY,
    tags: ['population', 'convex', 'quadratic', 'power-law-spectrum', 'synthetic', 'no-interpolation', 'non-separable'],
    dim: d,
    blocks: [{ name: 'x', shape: [d], offset: 0, size: d }],
    constants: {
      L: { value: 1, kind: 'global', perSample: 1 },
      F_low: d / 2,
      F_star: d / 2,
      noiseVanishesAtStationary: false,
    },
    xiDim: d,
    diagonalNoise: false,
    drawXi(k: Key, b: number): Float64Array {
      // ξ = x★ + Q diag(h^(−1/2)) z
      const z = normal(k, b * d);
      const out = new Float64Array(b * d);
      for (let t = 0; t < b; t++) {
        const w = new Float64Array(d);
        for (let j = 0; j < d; j++) w[j] = invSqrtH[j]! * z[t * d + j]!;
        const r = reflect(w);
        for (let j = 0; j < d; j++) out[t * d + j] = xStar[j]! + r[j]!;
      }
      return out;
    },
    value(x: Float64Array): number {
      const e = Float64Array.from(x, (v, j) => v - xStar[j]!);
      const He = hMul(e);
      let s = 0;
      for (let j = 0; j < d; j++) s += e[j]! * He[j]!;
      return 0.5 * s + d / 2;
    },
    gradient(x: Float64Array): Float64Array {
      return hMul(Float64Array.from(x, (v, j) => v - xStar[j]!));
    },
    noise(): { sigma2: number; sigma2PerCoord: Float64Array } {
      return { sigma2: traceH, sigma2PerCoord: Float64Array.from(diagH) };
    },
    perSampleGrads(x: Float64Array, xi: Float64Array, b: number): Float64Array {
      const out = new Float64Array(b * d);
      const e = new Float64Array(d);
      for (let t = 0; t < b; t++) {
        for (let j = 0; j < d; j++) e[j] = x[j]! - xi[t * d + j]!;
        out.set(hMul(e), t * d);
      }
      return out;
    },
    perSampleLoss(params: readonly Tensor[], xi: Float64Array, b: number): Tensor {
      // r = x − ξ as a [b, d] matrix, w = r Q (row t: (Qᵀ r_t)ᵀ), loss_t = ½ Σ_j h_j w_tj².
      const x = params[0]!;
      const r = add(neg(dataTensor(xi, [b, d], x)), x);
      const w = matmul(r, dataTensor(Qm, [d, d], x));
      return sum(mul(square(w), dataTensor(halfH, [d], x)), 1);
    },
    x0: (k) => normal(k, d),
    // householders: the vectors u₁ … u_r of Q = P₁ ⋯ P_r (householder = u₁, kept for one reflection)
    info: { alpha, xStar, spectrum: h, traceH, householder: u, householders: us },
  }));
}

/** Registry entry of family 10. */
export const nqmRotFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return rotatedNoisyQuadratic({
      d: intField(id, p, 'd', 1, 4096),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.a !== undefined ? { alpha: numField(id, p, 'a', 1, 0, 10) } : {}),
      ...(p.fields.r !== undefined ? { reflections: intField(id, p, 'r', 1, 4096) } : {}),
    });
  },
  defaultIds: ['nqm-rot_d16_i0_a2.5'],
  // the default instance (one reflection) and a dense rotation (r = d reflections, Q not symmetric)
  contract: { ids: ['nqm-rot_d16_i0_a2.5', 'nqm-rot_d8_i0_a2_r8'] },
  description:
    'Rotated noisy quadratic model ½(x − ξ)ᵀH(x − ξ), H = Q diag(j^(−a)) Qᵀ with Q a Householder reflection (or a product of r of them, _r<r>), ξ ~ N(x★, H⁻¹): non-separable convex control with exact F, ∇F, σ² = tr H, σ_j² = H_jj; L = 1, F★ = d/2.',
};
