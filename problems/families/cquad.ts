// A coupled quadratic with isotropic, coordinate-independent gradient noise: the setting of the sign-like surge analysis.
import { add, mul, square, sub, sum, type Tensor } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { dataTensor } from '../common/glm.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { populationProblem, type PopulationProblem } from '../common/population.js';
import { ProblemArgumentError } from '../common/validate.js';
import { satisfies } from '../../src/registry/validate.js';

/** Options of one instance. */
export interface CquadOptions {
  readonly d: number;
  readonly instance: number;
  /** Coupling ρ ∈ [0, 1) of H = (1 − ρ) I + ρ 11ᵀ (default 0.5; 0: separable, H = I). */
  readonly rho?: number;
  /** Noise scale s: ξ ~ N(0, s² I) (default 1). */
  readonly noise?: number;
}

const FAMILY = 'cquad';
const ID_FORM = 'cquad_d<dim>_i<instance>[_r<coupling>][_s<noise scale>]';
const ID_PATTERN = /^cquad_d\d+_i\d+(_r\d+(\.\d+)?)?(_s\d+(\.\d+)?)?$/;

/**
 * The coupled quadratic with isotropic noise (population form):
 *
 *   f(x; ξ) = ½ (x − x★)ᵀ H (x − x★) + ξᵀ(x − x★),   ξ ~ N(0, s² I),   H = (1 − ρ) I + ρ 11ᵀ,
 *   F(x) = ½ (x − x★)ᵀ H (x − x★),   ∇f(x; ξ) = H(x − x★) + ξ.
 *
 * The gradient noise ξ has covariance s² I whatever H is: its coordinates are independent
 * with σ_j² = s², σ² = d s², and do not vanish at x★ (s = 1 by default, id suffix _s). H couples every pair of coordinates
 * (H_jk = ρ for j ≠ k), so a sign-like update s = sign(g) pays ½ α² sᵀHs = ½ α² ((1 − ρ) d
 * + ρ (Σ_j s_j)²): about ½ α² d while the signs are set by the noise, up to ½ α² (1 − ρ + ρ d) d
 * once they agree with sign(∇F) along 1. That growth of the curvature term with the batch
 * is what makes the optimal learning rate of sign-like methods rise and then fall with the
 * batch in Li et al.'s analysis; with ρ = 0 (H = I) the term is α² d/2 at every batch.
 * Constants (exact): eigenvalues 1 − ρ (d − 1 times) and 1 − ρ + ρ d, so L = 1 − ρ + ρ d,
 * μ = 1 − ρ; F★ = F_low = 0 at x★ ~ N(0, I) (per instance); x₀ ~ N(0, I).
 *
 * Reference: Li, Huang, Zhang, Tian, Zhu, Li, Yu, Chen, Liu, Wang, "Surge Phenomenon in
 * Optimal Learning Rate and Batch Size Scaling" (NeurIPS 2024, arXiv:2405.14578), whose
 * analysis of sign-like updates assumes coordinate-independent Gaussian gradient noise.
 */
export function coupledQuadratic(opts: CquadOptions): PopulationProblem {
  const { d, instance } = opts;
  const rho = opts.rho ?? 0.5;
  const sc = opts.noise ?? 1;
  const id = `${FAMILY}_d${d}_i${instance}` + (opts.rho !== undefined ? `_r${rho}` : '') + (opts.noise !== undefined ? `_s${sc}` : '');
  // x★ does not depend on ρ: the twins of different coupling share it.
  const [kStar] = split(instanceKey(FAMILY, [d, -1, instance]), 1) as [Key];
  const xStar = normal(kStar, d);
  /** H r = (1 − ρ) r + ρ (Σ r) 1. */
  const hMul = (r: Float64Array): Float64Array => {
    let s = 0;
    for (let j = 0; j < d; j++) s += r[j]!;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = (1 - rho) * r[j]! + rho * s;
    return out;
  };
  /** H⁻¹ v = (v − ρ (Σ v)/(1 − ρ + ρ d) 1)/(1 − ρ) (Sherman–Morrison), v = row `off` of a batch. */
  const hInv = (v: Float64Array, off: number): Float64Array => {
    let sv = 0;
    for (let j = 0; j < d; j++) sv += v[off + j]!;
    const shift = (rho * sv) / (1 - rho + rho * d);
    // NOTE (speed): indexed loops, not Float64Array.from with a callback (a third of fig11's time)
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = (v[off + j]! - shift) / (1 - rho);
    return out;
  };
  const resid = (x: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = x[j]! - xStar[j]!;
    return out;
  };
  const L = 1 - rho + rho * d;

  return populationProblem({
    id,
    family: FAMILY,
    tags: ['population', 'convex', 'quadratic', 'synthetic', 'no-interpolation', ...(rho > 0 ? ['non-separable'] : [])],
    dim: d,
    blocks: [{ name: 'x', shape: [d], offset: 0, size: d }],
    constants: {
      L: { value: L, kind: 'global', perSample: L },
      F_low: 0,
      F_star: 0,
      noiseVanishesAtStationary: false,
    },
    xiDim: d,
    diagonalNoise: true,
    drawXi: (k: Key, b: number): Float64Array => {
      const xi = normal(k, b * d);
      for (let i = 0; i < xi.length; i++) xi[i] = sc * xi[i]!;
      return xi;
    },
    value(x: Float64Array): number {
      const r = resid(x);
      const h = hMul(r);
      let s = 0;
      for (let j = 0; j < d; j++) s += r[j]! * h[j]!;
      return 0.5 * s;
    },
    gradient: (x: Float64Array): Float64Array => hMul(resid(x)),
    noise: () => ({ sigma2: d * sc * sc, sigma2PerCoord: new Float64Array(d).fill(sc * sc) }),
    perSampleGrads(x: Float64Array, xi: Float64Array, b: number): Float64Array {
      const g = hMul(resid(x));
      const out = new Float64Array(b * d);
      for (let t = 0; t < b; t++) for (let j = 0; j < d; j++) out[t * d + j] = g[j]! + xi[t * d + j]!;
      return out;
    },
    perSampleLoss(params: readonly Tensor[], xi: Float64Array, b: number): Tensor {
      // With u_t = H⁻¹ξ_t: f(x; ξ_t) = ½ (r + u_t)ᵀ H (r + u_t) − ½ ξ_tᵀ u_t, r = x − x★, so the
      // parameter meets the batch as a bias added to the rows u_t − x★ (as in family nqm), and
      // (r + u)ᵀH(r + u) = (1 − ρ) Σ_j (r + u)_j² + ρ (Σ_j (r + u)_j)².
      const x = params[0]!;
      const rows = new Float64Array(b * d);
      const c = new Float64Array(b);
      for (let t = 0; t < b; t++) {
        const u = hInv(xi, t * d);
        let q = 0;
        for (let j = 0; j < d; j++) {
          rows[t * d + j] = u[j]! - xStar[j]!;
          q += xi[t * d + j]! * u[j]!;
        }
        c[t] = 0.5 * q;
      }
      const R = add(dataTensor(rows, [b, d], x), x);
      const quad = mul(0.5, add(mul(1 - rho, sum(square(R), 1)), mul(rho, square(sum(R, 1)))));
      return sub(quad, dataTensor(c, [b], x));
    },
    x0: (k) => normal(k, d),
    info: { rho, noiseScale: sc, xStar },
  });
}

/** The coupling field r ∈ [0, 1). */
function couplingField(id: string, r: number): number {
  if (!satisfies(r, { min: 0, max: 1, maxOpen: true })) throw new ProblemArgumentError(id, `field 'r' must be in [0, 1), got ${r}`);
  return r;
}

/** Registry entry of the coupled quadratic. */
export const cquadFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return coupledQuadratic({
      d: intField(id, p, 'd', 1, 100_000),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.r !== undefined ? { rho: couplingField(id, p.fields.r) } : {}),
      ...(p.fields.s !== undefined ? { noise: numField(id, p, 's', 1, 0, 1e6) } : {}),
    });
  },
  defaultIds: ['cquad_d20_i0'],
  description:
    'Coupled quadratic ½(x − x★)ᵀH(x − x★) + ξᵀ(x − x★), H = (1 − ρ)I + ρ11ᵀ (ρ = 0.5 by default, id suffix _r; _r0 is the separable twin), ξ ~ N(0, s²I) (s = 1 by default, suffix _s): isotropic, coordinate-independent noise; L = 1 − ρ + ρd, F★ = 0.',
};
