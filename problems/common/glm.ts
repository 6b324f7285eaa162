// Generalised linear models: ℓ_i(w) = φ(x_iᵀw, y_i), the raw maths shared by the GLM families.
import { fromArray, matmul, reshape, type Tensor } from '../../src/index.js';
import type { ParamBlock } from '../../src/problem/types.js';
import { gram, lambdaMax, rowDot } from './linalg.js';

/** A scalar loss φ(z, y) of the margin or prediction z, its z-derivative, and its autodiff form. */
export interface MarginLoss {
  value(z: number, y: number): number;
  /** ∂φ/∂z. */
  deriv(z: number, y: number): number;
  /** φ elementwise on tensors z [b], y [b], written with the autodiff ops. */
  tensor(z: Tensor, y: Tensor): Tensor;
}

/** Data of a GLM: a row-major n × d design and one target per row. */
export interface GlmData {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
}

/** The one parameter block of a GLM: the weight vector as a [d, 1] matrix. */
export function glmBlocks(d: number): ParamBlock[] {
  return [{ name: 'w', shape: [d, 1], offset: 0, size: d }];
}

/** Gather the rows `indices` of X (row-major) into a fresh b × d array. */
export function gatherRows(X: Float64Array, d: number, indices: Int32Array): Float64Array {
  const out = new Float64Array(indices.length * d);
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t]!;
    out.set(X.subarray(i * d, (i + 1) * d), t * d);
  }
  return out;
}

/**
 * The per-sample parts of a GLM for {@link finiteSumProblem}:
 * ℓ_i(w) = φ(x_iᵀw, y_i), ∇ℓ_i(w) = φ'(x_iᵀw, y_i) x_i, and the autodiff form
 * φ(reshape(matmul(X_B, W), [b]), y_B) with W the [d, 1] weight block, which
 * meets the batch only through the linear map X_B W.
 */
export function glmParts(data: GlmData, phi: MarginLoss) {
  const { X, y, d } = data;
  return {
    loss(w: Float64Array, i: number): number {
      return phi.value(rowDot(X, i, d, w), y[i]!);
    },
    gradInto(w: Float64Array, i: number, out: Float64Array): void {
      const g = phi.deriv(rowDot(X, i, d, w), y[i]!);
      const off = i * d;
      for (let j = 0; j < d; j++) out[j] = g * X[off + j]!;
    },
    perSampleLoss(params: readonly Tensor[], indices: Int32Array): Tensor {
      const b = indices.length;
      const W = params[0]!;
      const Xb = dataTensor(gatherRows(X, d, indices), [b, d], W);
      const yb = dataTensor(Float64Array.from(indices, (i) => y[i]!), [b], W);
      const z = reshape(matmul(Xb, W), [b]);
      return phi.tensor(z, yb);
    },
  };
}

/** Facts about a design used by the smoothness constants: λ_max(XᵀX/n) and max_i ||x_i||². */
export interface DesignFacts {
  readonly lambdaMax: number;
  readonly maxRowNorm2: number;
}

/** λ_max(XᵀX/n) (Jacobi eigenvalues of the d × d Gram matrix) and max_i ||x_i||². */
export function designFacts(X: Float64Array, n: number, d: number): DesignFacts {
  const lmax = lambdaMax(gram(X, n, d), d);
  let maxRowNorm2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j]! * X[i * d + j]!;
    if (s > maxRowNorm2) maxRowNorm2 = s;
  }
  return { lambdaMax: lmax, maxRowNorm2 };
}

/**
 * Batch data as a constant tensor of the parameters' dtype (float64 data copied
 * to float32 when the parameters are float32), so per-sample losses work in either.
 */
export function dataTensor(values: Float64Array, shape: readonly number[], like: Tensor): Tensor {
  return fromArray(like.dtype === 'float32' ? Float32Array.from(values) : values, shape);
}
