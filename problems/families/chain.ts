// Family 9: the scaled zero-chain hard instance of first-order lower bounds, with a coordinate-hiding stochastic oracle.
import { add, matmul, reshape, type Tensor } from '../../src/index.js';
import { dataTensor } from '../common/glm.js';
import { bernoulli, integers, permutation, split, type Key } from '../../src/rng/index.js';
import type { NoiseInfo, Problem } from '../../src/problem/types.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { populationProblem, type PopulationProblem } from '../common/population.js';
import { normalCdf } from '../common/special.js';

const SQRT_E = Math.sqrt(Math.E);
/** sup Φ = √(2πe). */
const PHI_SUP = Math.sqrt(2 * Math.PI * Math.E);
/** The gradient-Lipschitz constant ℓ₁ ≤ 152 of the unscaled chain F̄_T (Carmon et al. 2019, Lemma 3). */
export const CHAIN_L1 = 152;
/** The progress threshold of the oracle: prog(z) = max{i : |z_i| > 1/4}. */
export const PROGRESS_THRESHOLD = 0.25;

/** Ψ(t) = 0 for t ≤ 1/2, exp(1 − 1/(2t − 1)²) for t > 1/2 (values in [0, e)). */
export function chainPsi(t: number): number {
  if (t <= 0.5) return 0;
  const u = 2 * t - 1;
  return Math.exp(1 - 1 / (u * u));
}

/** Ψ'(t) = Ψ(t) · 4/(2t − 1)³ for t > 1/2, else 0. */
export function chainPsiPrime(t: number): number {
  if (t <= 0.5) return 0;
  const u = 2 * t - 1;
  return (chainPsi(t) * 4) / (u * u * u);
}

/** Φ(t) = √e ∫_{−∞}^t e^(−s²/2) ds = √(2πe) N(t) (values in (0, √(2πe))). */
export function chainPhi(t: number): number {
  return PHI_SUP * normalCdf(t);
}

/** Φ'(t) = √e e^(−t²/2). */
export function chainPhiPrime(t: number): number {
  return SQRT_E * Math.exp(-0.5 * t * t);
}

/**
 * The unscaled chain F̄_T(z) = −Ψ(1)Φ(z_1) + Σ_{i=2}^T [Ψ(−z_{i−1})Φ(−z_i) − Ψ(z_{i−1})Φ(z_i)].
 * Writing z_0 = 1 (Ψ(1) = 1, Ψ(−1) = 0) makes the first term the i = 1 link.
 */
export function chainValue(z: Float64Array): number {
  let s = 0;
  let prev = 1;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i]!;
    s += chainPsi(-prev) * chainPhi(-zi) - chainPsi(prev) * chainPhi(zi);
    prev = zi;
  }
  return s;
}

/**
 * ∇F̄_T(z): z_i enters link i (as the second argument) and link i+1 (as the first):
 * ∂_i F̄ = −Ψ(−z_{i−1})Φ'(−z_i) − Ψ(z_{i−1})Φ'(z_i) − Ψ'(−z_i)Φ(−z_{i+1}) − Ψ'(z_i)Φ(z_{i+1}).
 */
export function chainGradient(z: Float64Array): Float64Array {
  const T = z.length;
  const g = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const prev = i === 0 ? 1 : z[i - 1]!;
    const zi = z[i]!;
    let gi = -chainPsi(-prev) * chainPhiPrime(-zi) - chainPsi(prev) * chainPhiPrime(zi);
    if (i + 1 < T) {
      const next = z[i + 1]!;
      gi += -chainPsiPrime(-zi) * chainPhi(-next) - chainPsiPrime(zi) * chainPhi(next);
    }
    g[i] = gi;
  }
  return g;
}

/** prog_{1/4}(z) as a 0-based index: the last i with |z_i| > 1/4, or −1 when there is none. */
export function chainProgress(z: Float64Array): number {
  for (let i = z.length - 1; i >= 0; i--) if (Math.abs(z[i]!) > PROGRESS_THRESHOLD) return i;
  return -1;
}

/** Options of one instance. */
export interface ChainOptions {
  /** Chain length T (the dimension). */
  readonly T: number;
  readonly instance: number;
  /** Probability p that the oracle reveals the next coordinate (default 0.1). */
  readonly p?: number;
}

const FAMILY = 'chain';
const ID_FORM = 'chain_d<T>_i<instance>[_p<probability in (0, 1]>]';
const ID_PATTERN = /^chain_d\d+_i\d+(_p(0?\.\d+|1(\.0+)?))?$/;

/**
 * The zero-chain hard instance of the first-order lower bounds, scaled to L = 1,
 * with the probabilistic zero-respecting oracle of the stochastic lower bound:
 *
 *   F(x) = F̄_T(z)/ℓ₁,   z = S x,   ℓ₁ = 152,
 *   F̄_T(z) = −Ψ(1)Φ(z_1) + Σ_{i=2}^T [Ψ(−z_{i−1})Φ(−z_i) − Ψ(z_{i−1})Φ(z_i)],
 *   Ψ(t) = exp(1 − 1/(2t − 1)²)·1{t > 1/2},   Φ(t) = √e ∫_{−∞}^t e^(−s²/2) ds,
 *
 * with S a random signed permutation per instance (z_i = s_i x_{π(i)}, an
 * isometry that keeps the problem axis-aligned). Stochastic oracle, ξ ~ Bernoulli(p):
 *
 *   g(x; ξ) = Sᵀ [∇F̄_T(z) ∘ (1 + 1{i > prog(z)} (ξ/p − 1))]/ℓ₁,   prog(z) = max{i : |z_i| > 1/4},
 *
 * unbiased (E ξ/p = 1). Only coordinate prog(z) + 1 can be nonzero beyond the
 * progress (for |z_i| ≤ 1/2 the chain links past i are flat), so a sample
 * reveals the next coordinate with probability p.
 *
 * Constants: F̄_T has an ℓ₁ = 152-Lipschitz gradient (Carmon et al., Lemma 3),
 * so L = 1 (global) after the 1/ℓ₁ scaling; the per-sample oracle is not the
 * gradient of a smooth function, so no per-sample L is stated. F_low: Ψ < e,
 * 0 < Φ < √(2πe) and Ψ(t)Ψ(−t) = 0 give each link > −e√(2πe) and the first
 * > −√(2πe), so F > −√(2πe)(1 + (T − 1)e)/ℓ₁ (the lower-bound papers quote
 * F̄_T(0) − inf F̄_T ≤ 12T). x0 = 0 (the construction's start; the key is
 * unused), F(0) = −Φ(0)/ℓ₁ = −√(πe/2)/ℓ₁.
 * Noise, exact: σ_j² = ((1 − p)/p)(∂_j F)² on the coordinates j beyond the
 * progress, 0 elsewhere; σ² ≤ ((1 − p)/p)||∇F||², so it vanishes at
 * stationary points (and is at most 23²(1 − p)/(p ℓ₁²), as ||∇F̄_T||∞ ≤ 23).
 *
 * References: Carmon, Duchi, Hinder, Sidford, "Lower bounds for finding
 * stationary points I" (Math. Programming, 2019/2020); Arjevani, Carmon,
 * Duchi, Foster, Srebro, Woodworth, "Lower bounds for non-convex stochastic
 * optimization" (Math. Programming, 2023; arXiv 1912.02365).
 */
export function hardChain(opts: ChainOptions): PopulationProblem {
  const { T, instance } = opts;
  const p = opts.p ?? 0.1;
  const id = `${FAMILY}_d${T}_i${instance}` + (opts.p !== undefined ? `_p${p}` : '');
  const [kPerm, kSign] = split(instanceKey(FAMILY, [T, -1, instance]), 2) as [Key, Key];
  const perm = permutation(kPerm, T); // z_i = sign_i · x_{perm_i}
  const sign = Float64Array.from(integers(kSign, T, 0, 2), (b) => 2 * b - 1);
  const scale = 1 / CHAIN_L1;
  const toZ = (x: Float64Array): Float64Array => {
    const z = new Float64Array(T);
    for (let i = 0; i < T; i++) z[i] = sign[i]! * x[perm[i]!]!;
    return z;
  };
  /** Sᵀ v / ℓ₁: a z-space vector back to x-space, scaled. */
  const toX = (v: Float64Array): Float64Array => {
    const out = new Float64Array(T);
    for (let i = 0; i < T; i++) out[perm[i]!] = sign[i]! * v[i]! * scale;
    return out;
  };
  /** The oracle rows in x-space for the draws ξ (0/1 values). */
  const oracle = (x: Float64Array, xi: Float64Array, b: number): Float64Array => {
    const z = toZ(x);
    const gz = chainGradient(z);
    const prog = chainProgress(z);
    const out = new Float64Array(b * T);
    for (let t = 0; t < b; t++) {
      const factor = xi[t]! / p;
      for (let i = 0; i < T; i++) {
        const gi = i > prog ? gz[i]! * factor : gz[i]!;
        out[t * T + perm[i]!] = sign[i]! * gi * scale;
      }
    }
    return out;
  };
  const F_low = (-PHI_SUP * (1 + (T - 1) * Math.E)) / CHAIN_L1;

  return populationProblem({
    id,
    family: FAMILY,
    tags: ['population', 'nonconvex', 'lower-bound', 'zero-chain', 'synthetic'],
    dim: T,
    blocks: [{ name: 'x', shape: [T, 1], offset: 0, size: T }],
    constants: {
      L: { value: 1, kind: 'global' },
      F_low,
      noiseVanishesAtStationary: true,
    },
    xiDim: 1,
    drawXi(k: Key, b: number): Float64Array {
      return Float64Array.from(bernoulli(k, b, p));
    },
    value: (x) => chainValue(toZ(x)) * scale,
    gradient: (x) => toX(chainGradient(toZ(x))),
    noise(x: Float64Array): NoiseInfo {
      const z = toZ(x);
      const gz = chainGradient(z);
      const prog = chainProgress(z);
      const masked = gz.map((g, i) => (i > prog ? g : 0));
      const gx = toX(masked);
      const per = gx.map((g) => ((1 - p) / p) * g * g);
      let s = 0;
      for (const v of per) s += v;
      return { sigma2: s, sigma2PerCoord: per };
    },
    // the noise (ξ/p − 1)·m, with m the gradient masked beyond the progress, is rank one:
    // E⟨noise, v⟩² = ((1 − p)/p) ⟨m, v⟩²
    noiseAlong(x: Float64Array, v: Float64Array): number {
      const z = toZ(x);
      const gz = chainGradient(z);
      const prog = chainProgress(z);
      const m = toX(gz.map((g, i) => (i > prog ? g : 0)));
      let mv = 0;
      for (let j = 0; j < T; j++) mv += m[j]! * v[j]!;
      return ((1 - p) / p) * mv * mv;
    },
    perSampleGrads: oracle,
    perSampleLoss(params: readonly Tensor[], xi: Float64Array, b: number): Tensor {
      // NOTE: the oracle is not the gradient of any per-sample function (the
      // progress indicator jumps), so this is a first-order surrogate built at
      // the current x̂ = params: f̂(x; ξ_t) = F(x̂) + ⟨g(x̂; ξ_t), x − x̂⟩. Its value
      // at x̂ is F(x̂) for every ξ (unbiased) and its gradient is exactly the
      // oracle row g(x̂; ξ_t); its higher derivatives are zero, not F's.
      const xHat = params[0]!.toFloat64Array();
      const G = oracle(xHat, xi, b);
      const fHat = chainValue(toZ(xHat)) * scale;
      const offset = new Float64Array(b);
      for (let t = 0; t < b; t++) {
        let dot = 0;
        for (let j = 0; j < T; j++) dot += G[t * T + j]! * xHat[j]!;
        offset[t] = fHat - dot;
      }
      const x = params[0]!;
      return add(reshape(matmul(dataTensor(G, [b, T], x), x), [b]), dataTensor(offset, [b], x));
    },
    x0: () => new Float64Array(T),
    info: { p, perm, sign, scale: CHAIN_L1, progressThreshold: PROGRESS_THRESHOLD },
  });
}

/** Registry entry of family 9. */
export const chainFamily: FamilyEntry = {
  family: FAMILY,
  idPattern: ID_PATTERN,
  build(id: string): Problem {
    const parsed = parseId(id, ID_PATTERN, ID_FORM);
    return hardChain({
      T: intField(id, parsed, 'd', 2, 10_000),
      instance: intField(id, parsed, 'i', 0, 1_000_000),
      ...(parsed.fields.p !== undefined ? { p: numField(id, parsed, 'p', 0.1, 0, 1) } : {}),
    });
  },
  defaultIds: ['chain_d20_i0', 'chain_d50_i0_p0.5'],
  description:
    'Zero-chain hard instance of the first-order lower bounds (Carmon et al. 2019), scaled to L = 1 (ℓ₁ = 152), with the oracle of Arjevani et al. that reveals the next coordinate with probability p (default 0.1, id suffix _p); exact F, ∇F, σ²; F_low = −√(2πe)(1 + (T−1)e)/152.',
};
