/**
 * The Problem interface: a smooth stochastic objective F(x) = E_ξ f(x; ξ) or
 * F(x) = (1/n) Σ_i f_i(x), x ∈ R^d, as described in docs/MATH.md §1.
 *
 * A problem is raw mathematics plus an adapter: the batch size is an argument of
 * every `sample` call (never fixed at construction) and all randomness comes
 * from keys passed in.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Key } from '../rng/key.js';

/** A batch drawn by `Problem.sample`. `size` is the number of samples b. */
export interface Batch {
  readonly size: number;
  /** Indices into the data set for finite sums (null for population problems). */
  readonly indices: Int32Array | null;
}

/** One named parameter block of the flat vector x (a view x[offset, offset + size)). */
export interface ParamBlock {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Smoothness constant, either global or valid on a stated region. */
export interface SmoothnessConstant {
  readonly value: number;
  /** 'global' when ||∇F(x) − ∇F(y)|| ≤ L||x − y|| for all x, y; 'local' otherwise. */
  readonly kind: 'global' | 'local';
  /** For a local bound: the region where it holds, e.g. "||x||∞ ≤ 2". */
  readonly region?: string;
  /**
   * For a local bound: the region as a Euclidean ball {x : ||x − center||₂ ≤ radius}
   * (center 0 when omitted), so that checks can sample inside it.
   */
  readonly ball?: { readonly radius: number; readonly center?: Float64Array };
  /** A bound on the per-sample smoothness max_i L_i, when known. */
  readonly perSample?: number;
}

export interface ProblemConstants {
  readonly L: SmoothnessConstant;
  /** A proven lower bound on F. */
  readonly F_low: number;
  /** The optimal value F*, when known. */
  readonly F_star?: number;
  /** Whether σ²(x) = 0 at every stationary point (interpolation). */
  readonly noiseVanishesAtStationary: boolean;
}

export interface NoiseInfo {
  /** σ²(x) = E||∇f(x; ξ) − ∇F(x)||². */
  readonly sigma2: number;
  /** σ_j²(x), one per coordinate. */
  readonly sigma2PerCoord: Float64Array;
}

export interface SampleOptions {
  /** With replacement (i.i.d., default true). Without replacement needs b ≤ n. */
  readonly replace?: boolean;
}

export interface Problem<B extends Batch = Batch> {
  /** Encodes family, dimension, sample count and instance, e.g. `nclogreg_d50_n10000_i3`. */
  readonly id: string;
  readonly family: string;
  readonly dim: number;
  /** Number of samples for finite sums, null for population problems. */
  readonly n: number | null;
  readonly tags: readonly string[];
  readonly constants: ProblemConstants;
  /** How x is split into tensors for the model (one block or several). */
  readonly blocks: readonly ParamBlock[];

  /** A starting point. */
  x0(key: Key): Float64Array;
  /** Draw a batch of size b ≥ 1 (any b on every call). */
  sample(key: Key, b: number, opts?: SampleOptions): B;
  /**
   * Per-sample losses f(x; ξ_i), shape [b], written with the autodiff ops so that
   * `grad` and `batchGradStats` can differentiate them. `params` are the blocks
   * of x in the order of `blocks`.
   */
  perSampleLoss(params: readonly Tensor[], batch: B): Tensor;
  /**
   * A batch-independent term R(x) (scalar tensor) added to every per-sample loss:
   * f(x; ξ_i) = perSampleLoss_i + R(x). Kept apart so the statistics engine can
   * treat its gradient as shared by all samples.
   */
  regularizer?(params: readonly Tensor[]): Tensor;
  /** Closed-form per-sample gradients, row-major b × d, when cheap. */
  perSampleGrads?(x: Float64Array, batch: B): Float64Array;

  /** Exact F(x) (full pass or closed form). */
  value(x: Float64Array): number;
  /** Exact ∇F(x). */
  gradient(x: Float64Array): Float64Array;
  /** σ²(x) and σ_j²(x), where computable. */
  noise?(x: Float64Array): NoiseInfo;
  /**
   * E⟨∇f(x; ξ) − ∇F(x), v⟩², the gradient-noise variance along v (vᵀΣ(x)v), where
   * computable. Used by the exact inner-product and orthogonality tests (v = ∇F(x)).
   */
  noiseAlong?(x: Float64Array, v: Float64Array): number;
  /** Monte Carlo size used by value/gradient/noise, when not exact (null when exact). */
  readonly exactness?: { readonly kind: 'exact' } | { readonly kind: 'monte-carlo'; readonly samples: number };
}
