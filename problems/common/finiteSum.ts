// Adapter: raw per-sample mathematics of a finite sum + data → a validated Problem.
import type { Tensor } from '../../src/tensor/tensor.js';
import { choice, type Key } from '../../src/rng/index.js';
import type {
  Batch,
  NoiseInfo,
  ParamBlock,
  Problem,
  ProblemConstants,
  SampleOptions,
} from '../../src/problem/types.js';
import { checkBatchSize, checkIndices, checkParamShapes, checkPoint, ProblemArgumentError } from './validate.js';

/** A batch of a finite-sum problem: indices into its n samples. */
export interface FiniteSumBatch extends Batch {
  readonly indices: Int32Array;
}

/**
 * The raw mathematics of F(x) = (1/n) Σ_i f_i(x) with f_i(x) = ℓ_i(x) + R(x):
 * per-sample data terms ℓ_i, an optional shared term R, and their autodiff
 * forms. Everything else (value, gradient, noise, sampling, validation) is
 * derived by {@link finiteSumProblem}.
 */
export interface FiniteSumSpec {
  readonly id: string;
  readonly family: string;
  readonly tags: readonly string[];
  readonly dim: number;
  readonly n: number;
  readonly constants: ProblemConstants;
  readonly blocks: readonly ParamBlock[];
  /** ℓ_i(x). */
  loss(x: Float64Array, i: number): number;
  /** Write ∇ℓ_i(x) into `out` (overwriting it). */
  gradInto(x: Float64Array, i: number, out: Float64Array): void;
  /** The shared term R(x) and its gradient (written into `out`, overwriting it). */
  readonly shared?: {
    value(x: Float64Array): number;
    gradInto(x: Float64Array, out: Float64Array): void;
  };
  x0(k: Key): Float64Array;
  /** ℓ_i for the batch rows, shape [b], with the autodiff ops (params already checked). */
  perSampleLoss(params: readonly Tensor[], indices: Int32Array): Tensor;
  /** R(x) as a scalar tensor with the autodiff ops. */
  regularizer?(params: readonly Tensor[]): Tensor;
  /** Extra read-only facts about the instance (data statistics, parameters). */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** A finite-sum problem: a Problem with a finite n and its data facts. */
export interface FiniteSumProblem extends Problem<FiniteSumBatch> {
  readonly n: number;
  perSampleGrads(x: Float64Array, batch: FiniteSumBatch): Float64Array;
  noise(x: Float64Array): NoiseInfo;
  noiseAlong(x: Float64Array, v: Float64Array): number;
  readonly info: Readonly<Record<string, unknown>>;
}

/**
 * Build a validated finite-sum Problem from its raw mathematics.
 *
 * - value(x) = (1/n) Σ ℓ_i(x) + R(x), gradient likewise (one full pass);
 * - noise(x): σ²(x) = (1/n) Σ ||∇ℓ_i(x) − (1/n)Σ_k ∇ℓ_k(x)||² by two passes
 *   (mean first, then centred squares; R cancels), and σ_j² per coordinate;
 * - noiseAlong(x, v) = (1/n) Σ ⟨∇ℓ_i(x) − ∇ℓ̄(x), v⟩² by two passes;
 * - sample(key, b): b indices by `choice` (with replacement by default);
 * - perSampleGrads: rows ∇ℓ_i(x) + ∇R(x).
 */
export function finiteSumProblem(spec: FiniteSumSpec): FiniteSumProblem {
  const { id, dim: d, n } = spec;
  const scratch = new Float64Array(d);

  const sharedValue = (x: Float64Array): number => (spec.shared ? spec.shared.value(x) : 0);
  const sharedGrad = (x: Float64Array): Float64Array => {
    const g = new Float64Array(d);
    if (spec.shared) spec.shared.gradInto(x, g);
    return g;
  };
  const dataMeanGrad = (x: Float64Array): Float64Array => {
    const m = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      spec.gradInto(x, i, scratch);
      for (let j = 0; j < d; j++) m[j]! += scratch[j]!;
    }
    for (let j = 0; j < d; j++) m[j]! /= n;
    return m;
  };
  function checkBatch(batch: unknown): asserts batch is FiniteSumBatch {
    if (typeof batch !== 'object' || batch === null) {
      throw new ProblemArgumentError(id, 'batch must be an object from problem.sample');
    }
    const bt = batch as Partial<FiniteSumBatch>;
    checkIndices(id, bt.indices, n);
    if (bt.size !== bt.indices.length) {
      throw new ProblemArgumentError(id, `batch.size = ${String(bt.size)} but it holds ${bt.indices.length} indices`);
    }
  }

  const problem: FiniteSumProblem = {
    id,
    family: spec.family,
    dim: d,
    n,
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

    sample(k: Key, b: number, opts: SampleOptions = {}): FiniteSumBatch {
      const replace = opts.replace ?? true;
      checkBatchSize(id, b, n, replace);
      return { size: b, indices: choice(k, n, b, { replace }) };
    },

    perSampleLoss(params: readonly Tensor[], batch: FiniteSumBatch): Tensor {
      checkParamShapes(id, params, spec.blocks);
      checkBatch(batch);
      return spec.perSampleLoss(params, batch.indices);
    },

    perSampleGrads(x: Float64Array, batch: FiniteSumBatch): Float64Array {
      checkPoint(id, x, d);
      checkBatch(batch);
      const b = batch.indices.length;
      const r = sharedGrad(x);
      const out = new Float64Array(b * d);
      for (let t = 0; t < b; t++) {
        spec.gradInto(x, batch.indices[t]!, scratch);
        const off = t * d;
        for (let j = 0; j < d; j++) out[off + j] = scratch[j]! + r[j]!;
      }
      return out;
    },

    value(x: Float64Array): number {
      checkPoint(id, x, d);
      let s = 0;
      for (let i = 0; i < n; i++) s += spec.loss(x, i);
      return s / n + sharedValue(x);
    },

    gradient(x: Float64Array): Float64Array {
      checkPoint(id, x, d);
      const m = dataMeanGrad(x);
      const r = sharedGrad(x);
      for (let j = 0; j < d; j++) m[j]! += r[j]!;
      return m;
    },

    noise(x: Float64Array): NoiseInfo {
      checkPoint(id, x, d);
      const m = dataMeanGrad(x);
      const per = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        spec.gradInto(x, i, scratch);
        for (let j = 0; j < d; j++) {
          const e = scratch[j]! - m[j]!;
          per[j]! += e * e;
        }
      }
      let total = 0;
      for (let j = 0; j < d; j++) {
        per[j]! /= n;
        total += per[j]!;
      }
      return { sigma2: total, sigma2PerCoord: per };
    },

    noiseAlong(x: Float64Array, v: Float64Array): number {
      checkPoint(id, x, d);
      checkPoint(id, v, d, 'v');
      const m = dataMeanGrad(x);
      let mv = 0;
      for (let j = 0; j < d; j++) mv += m[j]! * v[j]!;
      let s = 0;
      for (let i = 0; i < n; i++) {
        spec.gradInto(x, i, scratch);
        let dv = 0;
        for (let j = 0; j < d; j++) dv += scratch[j]! * v[j]!;
        s += (dv - mv) * (dv - mv);
      }
      return s / n;
    },
  };
  if (spec.regularizer) {
    const reg = spec.regularizer;
    return {
      ...problem,
      regularizer(params: readonly Tensor[]): Tensor {
        checkParamShapes(id, params, spec.blocks);
        return reg(params);
      },
    };
  }
  return problem;
}
