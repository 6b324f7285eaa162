/** The Backend interface: every kernel a backend must provide, checked by the compiler. */
import type { Arr, Shape } from '../tensor/tensor.js';

export const UNARY_OPS = ['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'tanh', 'sigmoid', 'softplus', 'relu', 'sign', 'step'] as const;
/** Elementwise unary kernels. `step` is 1 where x > 0, else 0 (the relu derivative). */
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'greater', 'greaterEqual', 'less', 'lessEqual', 'equal'] as const;
/** Elementwise binary kernels with numpy broadcasting; comparisons give 1 or 0. */
export type BinaryOp = (typeof BINARY_OPS)[number];

export type ReduceOp = 'sum' | 'max';

/**
 * Kernels over contiguous row-major buffers. All outputs are written into `out`
 * (already allocated with the right size and dtype). Broadcasting shapes are
 * validated by the caller; kernels may assume them valid.
 */
export interface Backend {
  readonly name: string;
  /** A backend-specific mode (e.g. gpu.js 'cpu' or 'webgpu'); 'default' otherwise. */
  readonly mode: string;
  /**
   * True when matmul and linearStats read the sparse companion of a batch array
   * (src/backend/sparseRows.ts) and call ensureDense before any dense read of it:
   * problems may then hand it batches whose dense rows are written only on demand.
   */
  readonly sparseRows?: boolean;
  unary(op: UnaryOp, x: Arr, out: Arr): void;
  binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void;
  where(cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void;
  /** Reduce over `axes` (sorted, unique); `out` has the shape with those axes removed. */
  reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void;
  /** out[m,n] = op(A)[m,k] · op(B)[k,n]; A is stored [k,m] when transA, B is stored [n,k] when transB. */
  matmul(a: Arr, b: Arr, m: number, k: number, n: number, out: Arr, transA: boolean, transB: boolean): void;
  /** Materialise a permutation of axes. */
  transpose(x: Arr, shape: Shape, perm: readonly number[], out: Arr): void;
  /** out[i, :] = x[idx[i], :] for rows of length rowSize. */
  gatherRows(x: Arr, rowSize: number, idx: Int32Array, out: Arr): void;
  /** out[idx[i], :] += g[i, :] (out holds the accumulator). */
  scatterAddRows(g: Arr, rowSize: number, idx: Int32Array, out: Arr): void;
  /**
   * Statistics of the per-sample gradients g_i = x_i δ_iᵀ of a linear map Z = XW,
   * without forming them (X is [b, din], Δ is [b, dout], M is [din, dout]):
   * sqNorms[i] = ||x_i||² ||δ_i||²,  dots[i] = x_iᵀ M δ_i,
   * coordSumSq[j, k] = Σ_i x_ij² δ_ik².  Outputs are float64 and overwritten.
   */
  linearStats(
    x: Arr, delta: Arr, m: Arr, b: number, din: number, dout: number,
    sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array,
  ): void;
}
