// Adapter: closed-form population mathematics F(x) = E_ξ f(x; ξ) + a sampler of ξ → a validated Problem.
import type { Tensor } from '../../src/tensor/tensor.js';
import type { Key } from '../../src/rng/index.js';
import type {
  Batch,
  NoiseInfo,
  ParamBlock,
  Problem,
  ProblemConstants,
  SampleOptions,
} from '../../src/problem/types.js';
import { checkBatchSize, checkParamShapes, checkPoint, ProblemArgumentError } from './validate.js';

/** A batch of a population problem: b draws of ξ, row-major b × xiDim. */
export interface PopulationBatch extends Batch {
  readonly indices: null;
  readonly xi: Float64Array;
  readonly xiDim: number;
}

/**
 * The raw mathematics of a population problem: exact F, ∇F and noise in closed
 * form, a sampler of ξ, per-sample gradients and the autodiff per-sample loss.
 */
export interface PopulationSpec {
  readonly id: string;
  readonly family: string;
  readonly tags: readonly string[];
  readonly dim: number;
  readonly constants: ProblemConstants;
  readonly blocks: readonly ParamBlock[];
  /** Length of one draw of ξ. */
  readonly xiDim: number;
  /** b i.i.d. draws of ξ, row-major b × xiDim. */
  drawXi(k: Key, b: number): Float64Array;
  value(x: Float64Array): number;
  gradient(x: Float64Array): Float64Array;
  noise(x: Float64Array): NoiseInfo;
  /**
   * E⟨∇f(x; ξ) − ∇F(x), v⟩² in closed form. When absent and `diagonalNoise` is
   * true, Σ_j σ_j²(x) v_j² is used (exact for noise with independent coordinates).
   */
  noiseAlong?(x: Float64Array, v: Float64Array): number;
  /** The noise covariance is diagonal (coordinates independent). */
  readonly diagonalNoise?: boolean;
  /** ∇f(x; ξ_t) for each row t of `xi`, row-major b × d. */
  perSampleGrads(x: Float64Array, xi: Float64Array, b: number): Float64Array;
  /** f(x; ξ_t), shape [b], with the autodiff ops (params already checked). */
  perSampleLoss(params: readonly Tensor[], xi: Float64Array, b: number): Tensor;
  x0(k: Key): Float64Array;
  readonly info?: Readonly<Record<string, unknown>>;
}

/** A population problem: n = null, exact closed forms. */
export interface PopulationProblem extends Problem<PopulationBatch> {
  readonly n: null;
  perSampleGrads(x: Float64Array, batch: PopulationBatch): Float64Array;
  noise(x: Float64Array): NoiseInfo;
  noiseAlong?(x: Float64Array, v: Float64Array): number;
  readonly info: Readonly<Record<string, unknown>>;
}

/**
 * Build a validated population Problem. Draws are i.i.d. whatever
 * `replace` says (a population has no finite pool to exhaust).
 */
export function populationProblem(spec: PopulationSpec): PopulationProblem {
  const { id, dim: d, xiDim } = spec;
  function checkBatch(batch: unknown): asserts batch is PopulationBatch {
    if (typeof batch !== 'object' || batch === null) {
      throw new ProblemArgumentError(id, 'batch must be an object from problem.sample');
    }
    const bt = batch as Partial<PopulationBatch>;
    if (!(bt.xi instanceof Float64Array) || bt.xiDim !== xiDim) {
      throw new ProblemArgumentError(id, `batch.xi must be a Float64Array of draws of length ${xiDim} (use problem.sample)`);
    }
    if (typeof bt.size !== 'number' || bt.size < 1 || bt.xi.length !== bt.size * xiDim) {
      throw new ProblemArgumentError(id, `batch.size = ${String(bt.size)} does not match ${bt.xi.length} values of ξ`);
    }
  }
  const along =
    spec.noiseAlong !== undefined
      ? spec.noiseAlong
      : spec.diagonalNoise === true
        ? (x: Float64Array, v: Float64Array): number => {
            const per = spec.noise(x).sigma2PerCoord;
            let s = 0;
            for (let j = 0; j < d; j++) s += per[j]! * v[j]! * v[j]!;
            return s;
          }
        : undefined;
  return {
    ...(along !== undefined
      ? {
          noiseAlong(x: Float64Array, v: Float64Array): number {
            checkPoint(id, x, d);
            checkPoint(id, v, d, 'v');
            return along(x, v);
          },
        }
      : {}),
    id,
    family: spec.family,
    dim: d,
    n: null,
    tags: spec.tags,
    constants: spec.constants,
    blocks: spec.blocks,
    exactness: { kind: 'exact' },
    info: spec.info ?? {},
    x0(k: Key): Float64Array {
      const x = spec.x0(k);
      checkPoint(id, x, d, 'x0');
      return x;
    },
    sample(k: Key, b: number, _opts: SampleOptions = {}): PopulationBatch {
      checkBatchSize(id, b, null, true);
      return { size: b, indices: null, xi: spec.drawXi(k, b), xiDim };
    },
    perSampleLoss(params: readonly Tensor[], batch: PopulationBatch): Tensor {
      checkParamShapes(id, params, spec.blocks);
      checkBatch(batch);
      return spec.perSampleLoss(params, batch.xi, batch.size);
    },
    perSampleGrads(x: Float64Array, batch: PopulationBatch): Float64Array {
      checkPoint(id, x, d);
      checkBatch(batch);
      return spec.perSampleGrads(x, batch.xi, batch.size);
    },
    value(x: Float64Array): number {
      checkPoint(id, x, d);
      return spec.value(x);
    },
    gradient(x: Float64Array): Float64Array {
      checkPoint(id, x, d);
      return spec.gradient(x);
    },
    noise(x: Float64Array): NoiseInfo {
      checkPoint(id, x, d);
      return spec.noise(x);
    },
  };
}

/**
 * Record in `info.gaussianSample` that `p.sample` draws ξ from a Gaussian law whose per-sample
 * gradients are affine in ξ (the noisy quadratic models), so that a source drawing the batch
 * statistics from that law (src/run/sources/gaussianStats.ts) can recognise the family's own
 * sampler: a wrapper that keeps `sample` keeps the mark, one that replaces it loses it.
 */
export function markGaussianSample<P extends PopulationProblem>(p: P): P {
  return { ...p, info: { ...p.info, gaussianSample: p.sample } };
}
