// Family 7: the noisy quadratic model, a convex control with a power-law (deep-network-like) spectrum.
import { add, mul, neg, square, sum, type Tensor } from '../../src/index.js';
import { dataTensor } from '../common/glm.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { markGaussianSample, populationProblem, type PopulationProblem } from '../common/population.js';

/** Options of one instance. */
export interface NqmOptions {
  readonly d: number;
  readonly instance: number;
  /** Power-law exponent α of the spectrum h_j = j^(−α) (default 1). */
  readonly alpha?: number;
}

const FAMILY = 'nqm';
const ID_FORM = 'nqm_d<dim>_i<instance>[_a<exponent>]';
const ID_PATTERN = /^nqm_d\d+_i\d+(_a\d+(\.\d+)?)?$/;

/**
 * The noisy quadratic model (population form):
 *
 *   f(x; ξ) = ½ (x − ξ)ᵀ H (x − ξ),   ξ ~ N(x★, H⁻¹),   H = diag(h), h_j = j^(−α),
 *   F(x) = E f(x; ξ) = ½ (x − x★)ᵀ H (x − x★) + ½ tr(H H⁻¹) = ½ (x − x★)ᵀ H (x − x★) + d/2.
 *
 * ∇f(x; ξ) = H(x − ξ) and ∇F(x) = H(x − x★), so the gradient noise
 * ∇f − ∇F = −H(ξ − x★) has covariance H H⁻¹ H = H (noise covariance equal to
 * the curvature, as in the model of Zhang et al.), independent of x:
 * σ_j²(x) = h_j, σ²(x) = Σ_j h_j (it does not vanish at the optimum).
 * Constants (exact): L = max_j h_j = 1 (global), μ = d^(−α) (convex);
 * F★ = F_low = d/2 at x★ (random per instance, x★ ~ N(0, I)).
 *
 * Reference: Zhang, Li, Nado, Martens, Sachdeva, Dahl, Shallue, Grosse, "Which
 * algorithmic choices matter at which batch sizes? Insights from a noisy
 * quadratic model" (NeurIPS 2019), who take h_j = 1/j to mimic the spectra of
 * trained networks.
 */
export function noisyQuadratic(opts: NqmOptions): PopulationProblem {
  const { d, instance } = opts;
  const alpha = opts.alpha ?? 1;
  const id = `${FAMILY}_d${d}_i${instance}` + (opts.alpha !== undefined ? `_a${alpha}` : '');
  const [kStar] = split(instanceKey(FAMILY, [d, -1, instance]), 1) as [Key];
  const xStar = normal(kStar, d);
  const h = new Float64Array(d);
  for (let j = 0; j < d; j++) h[j] = Math.pow(j + 1, -alpha);
  const halfH = h.map((v) => v / 2);
  let traceH = 0;
  for (let j = 0; j < d; j++) traceH += h[j]!;

  return markGaussianSample(populationProblem({
    id,
    family: FAMILY,
    tags: ['population', 'convex', 'quadratic', 'power-law-spectrum', 'synthetic', 'no-interpolation'],
    dim: d,
    blocks: [{ name: 'x', shape: [d], offset: 0, size: d }],
    constants: {
      L: { value: 1, kind: 'global', perSample: 1 },
      F_low: d / 2,
      F_star: d / 2,
      noiseVanishesAtStationary: false,
    },
    xiDim: d,
    diagonalNoise: true,
    drawXi(k: Key, b: number): Float64Array {
      const z = normal(k, b * d);
      for (let t = 0; t < b; t++) {
        for (let j = 0; j < d; j++) z[t * d + j] = xStar[j]! + z[t * d + j]! / Math.sqrt(h[j]!);
      }
      return z;
    },
    value(x: Float64Array): number {
      let s = 0;
      for (let j = 0; j < d; j++) s += h[j]! * (x[j]! - xStar[j]!) ** 2;
      return 0.5 * s + d / 2;
    },
    gradient(x: Float64Array): Float64Array {
      return Float64Array.from(x, (v, j) => h[j]! * (v - xStar[j]!));
    },
    noise(): { sigma2: number; sigma2PerCoord: Float64Array } {
      return { sigma2: traceH, sigma2PerCoord: Float64Array.from(h) };
    },
    perSampleGrads(x: Float64Array, xi: Float64Array, b: number): Float64Array {
      const out = new Float64Array(b * d);
      for (let t = 0; t < b; t++) for (let j = 0; j < d; j++) out[t * d + j] = h[j]! * (x[j]! - xi[t * d + j]!);
      return out;
    },
    perSampleLoss(params: readonly Tensor[], xi: Float64Array, b: number): Tensor {
      // r = (−ξ) + x: the parameter meets the batch as a bias added to a [b, d] matrix.
      const x = params[0]!;
      const r = add(neg(dataTensor(xi, [b, d], x)), x);
      return sum(mul(square(r), dataTensor(halfH, [d], x)), 1);
    },
    x0: (k) => normal(k, d),
    info: { alpha, xStar, spectrum: h, traceH },
  }));
}

/** Registry entry of family 7. */
export const nqmFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, ID_PATTERN, ID_FORM);
    return noisyQuadratic({
      d: intField(id, p, 'd', 1, 100_000),
      instance: intField(id, p, 'i', 0, 1_000_000),
      ...(p.fields.a !== undefined ? { alpha: numField(id, p, 'a', 1, 0, 10) } : {}),
    });
  },
  defaultIds: ['nqm_d100_i0'],
  description:
    'Noisy quadratic model ½(x − ξ)ᵀH(x − ξ), ξ ~ N(x★, H⁻¹), with power-law spectrum h_j = j^(−α) (α = 1 by default, id suffix _a): convex control with exact F, ∇F, σ² = tr H; L = 1, F★ = d/2.',
};
