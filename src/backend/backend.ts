/** The Backend interface: every kernel a backend must provide, checked by the compiler. */
import type { Arr, Shape } from '../tensor/tensor.js';

export const UNARY_OPS = ['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'tanh', 'sigmoid', 'softplus', 'relu', 'sign', 'step'] as const;
/** Elementwise unary kernels. `step` is 1 where x > 0, else 0 (the relu derivative). */
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'greater', 'greaterEqual', 'less', 'lessEqual', 'equal'] as const;
/** Elementwise binary kernels with numpy broadcasting; comparisons give 1 or 0. */
export type BinaryOp = (typeof BINARY_OPS)[number];

export const OUTPUT_VJP_OPS = ['tanh', 'sigmoid'] as const;
/**
 * The unary ops whose derivative is a polynomial in their output y, so their VJP is one
 * fused elementwise kernel (Backend.unaryVjp): tanh′ = 1 − y², σ′ = y(1 − y).
 */
export type OutputVjpOp = (typeof OUTPUT_VJP_OPS)[number];

export type ReduceOp = 'sum' | 'max';

/** The two pooling kernels: max over the window (padding counts as −∞) or mean over it (padding counts as 0). */
export type PoolOp = 'max' | 'avg';

/**
 * The geometry of a 2-D window op on NCHW input: n images of c channels h × w,
 * a kh × kw window with strides (sh, sw), zero padding (ph, pw) on each side and
 * dilation (dh, dw); the output is oh × ow positions with
 * oh = ⌊(h + 2ph − dh(kh − 1) − 1)/sh⌋ + 1 (ow likewise).
 */
export interface WindowGeom {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number;
  readonly ph: number; readonly pw: number;
  readonly dh: number; readonly dw: number;
  readonly oh: number; readonly ow: number;
}

/**
 * Which outputs of Backend.linearStats the caller reads besides sqNorms (default
 * both): an output not asked for is not written and may be an empty array.
 */
export interface LinearStatsWant {
  readonly dots: boolean;
  readonly coordSumSq: boolean;
}

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
  /**
   * The VJP of a unary op from its output y and the cotangent ct (same length and dtype):
   * out = ct ∘ (1 − y∘y) for tanh, ct ∘ (y ∘ (1 − y)) for sigmoid, each product and
   * difference rounded in the dtype as written, so the result is the same bits as the
   * composition of mul and sub it replaces (one pass instead of four).
   */
  unaryVjp(op: OutputVjpOp, y: Arr, ct: Arr, out: Arr): void;
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
   * coordSumSq[j, k] = Σ_i x_ij² δ_ik².  Outputs are float64 and overwritten;
   * `want` (default both) names the outputs besides sqNorms that are read, and a
   * kernel skips the others (each output it writes is the same bits either way).
   */
  linearStats(
    x: Arr, delta: Arr, m: Arr, b: number, din: number, dout: number,
    sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array, want?: LinearStatsWant,
  ): void;
  /**
   * Optional hint from the statistics engine, before its reverse sweep: linearStats will be
   * asked for coordSumSq of the batch x (its left operand) with the cotangent whose Xᵀ·Δ the
   * sweep forms. A backend may form (X∘X)ᵀ(Δ∘Δ) in that same pass and keep it for that one
   * linearStats call (the same bits as forming it there); ignoring the hint is correct.
   */
  expectSquares?(x: Arr): void;
  /**
   * im2col: out[i, p, (ci, a, e)] = x[i, ci, p_y sh − ph + a dh, p_x sw − pw + e dw]
   * (0 outside the image), out of shape [n, oh·ow, c·kh·kw].
   */
  unfold(x: Arr, g: WindowGeom, out: Arr): void;
  /** col2im, the adjoint of unfold: out [n, c, h, w] (overwritten) = Σ of the columns over the windows. */
  fold(cols: Arr, g: WindowGeom, out: Arr): void;
  /** Pooling over each channel's windows: out [n, c, oh, ow]. */
  pool2d(op: PoolOp, x: Arr, g: WindowGeom, out: Arr): void;
  /**
   * The VJP of pool2d: out [n, c, h, w] (overwritten). Max routes each window's
   * cotangent to the first maximal entry (row-major); avg spreads it as 1/(kh·kw).
   */
  pool2dBackward(op: PoolOp, x: Arr, ct: Arr, g: WindowGeom, out: Arr): void;
  /**
   * Optional fused 2-D cross-correlation: out [n, cout, oh, ow] (overwritten),
   * out[i, o, p] = Σ_k U[i, p, k] w[o, k] + bias[o] with U = unfold(x) and w [cout, c·kh·kw]
   * (bias [cout] or null): the composition unfold, matmul by wᵀ, transpose, bias add,
   * which is what conv2d runs when a backend lacks this. A backend providing it need not
   * materialise U for the whole batch.
   */
  conv2d?(x: Arr, w: Arr, bias: Arr | null, g: WindowGeom, cout: number, out: Arr): void;
  /**
   * Optional, with conv2d: the VJP of the bias-free convolution for the cotangent ct
   * [n, cout, oh, ow], Δ = ct as [n·oh·ow, cout]: dx = fold(Δ w) when dx is not null,
   * dw = Δᵀ unfold(x) when dw is not null (both overwritten).
   */
  conv2dBackward?(x: Arr, w: Arr, ct: Arr, g: WindowGeom, cout: number, dx: Arr | null, dw: Arr | null): void;
  /**
   * Optional: the per-sample gradients of a conv weight for the samples [i0, i1):
   * out[i − i0] = Δ_i U_i ([cout, c·kh·kw], overwritten) with Δ_i = ct[i] as [cout, oh·ow]
   * and U_i = unfold(x)[i] — one matmul per sample of the unfolded input, without U of
   * the whole batch (used by the per-sample statistics of conv layers, batching/convStats.ts).
   */
  convWeightGrads?(x: Arr, ct: Arr, g: WindowGeom, cout: number, i0: number, i1: number, out: Arr): void;
}
