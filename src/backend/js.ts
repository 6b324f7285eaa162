/** The `js` backend: plain typed-array loops, the float64 reference. */
import type { Arr, Shape } from '../tensor/tensor.js';
import type { Backend, BinaryOp, ReduceOp, UnaryOp } from './backend.js';
import { foldJs, pool2dBackwardJs, pool2dJs, unfoldJs } from './conv.js';

const log1pexp = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

/** Scalar definitions of every unary op; the Record type makes a missing op a compile error. */
export const UNARY_FNS: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid,
  softplus: log1pexp,
  relu: (x) => (x > 0 || x !== x ? x : 0), // NaN propagates, as in maximum
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x), // sign(NaN) = NaN
  step: (x) => (x > 0 ? 1 : 0),
};

export const BINARY_FNS: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || a >= b ? a : b), // NaN propagates from either side
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
};

/** Strides of `shape` when broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const r = outShape.length;
  const st = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = r - shape.length + i;
    st[oi] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i]!;
  }
  return st;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Walk a broadcast n-ary elementwise loop, calling `inner(len, offs, outOff, innerStrides)` per last-axis run. */
function forEachRun(
  outShape: Shape,
  strides: number[][],
  inner: (len: number, offs: number[], outOff: number) => void,
): void {
  const r = outShape.length;
  if (r === 0) {
    inner(1, strides.map(() => 0), 0);
    return;
  }
  const len = outShape[r - 1]!;
  const outer = outShape.slice(0, r - 1);
  const count = outer.reduce((p, s) => p * s, 1);
  if (len === 0 || count === 0) return;
  const idx = new Array<number>(r - 1).fill(0);
  const offs = strides.map(() => 0);
  for (let c = 0; c < count; c++) {
    inner(len, offs, c * len);
    // increment the multi-index over the outer axes
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]!++;
      for (let s = 0; s < strides.length; s++) offs[s]! += strides[s]![ax]!;
      if (idx[ax]! < outer[ax]!) break;
      for (let s = 0; s < strides.length; s++) offs[s]! -= strides[s]![ax]! * outer[ax]!;
      idx[ax] = 0;
    }
  }
}

function binarySame(op: BinaryOp, a: Arr, b: Arr, out: Arr): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      return;
    default: {
      const f = BINARY_FNS[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    }
  }
}

function binaryScalarRight(op: BinaryOp, a: Arr, s: number, out: Arr): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i]! + s;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i]! - s;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i]! * s;
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i]! / s;
      return;
    default: {
      const f = BINARY_FNS[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, s);
    }
  }
}

function reduceSumLast(x: Arr, rows: number, cols: number, out: Arr): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) s += x[o + c]!;
    out[r] = s;
  }
}

/** Size of coordSumSq up to which linearStatsJs accumulates it in the row-wise sweep (fits in L2). */
const LINEAR_STATS_FUSED_MAX = 32768;

/**
 * The row-wise sweep of linearStatsJs computing dots and coordSumSq together, from
 * the non-zeros of X by row (val, colOff = j·dout, rowPtr): for each sample and
 * block of output columns, t = Mᵀ x_i in locals and coordSumSq[j, k] += x_ij² δ_ik².
 */
function linearStatsFused(
  val: Float64Array, colOff: Int32Array, rowPtr: Int32Array, delta: Arr, m: Arr, b: number, dout: number,
  dots: Float64Array, cs: Float64Array,
): void {
  cs.fill(0);
  for (let i = 0; i < b; i++) {
    const r0 = rowPtr[i]!;
    const r1 = rowPtr[i + 1]!;
    const di = i * dout;
    let dot = 0;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      const o0 = di + k;
      const e0 = delta[o0]!, e1 = delta[o0 + 1]!, e2 = delta[o0 + 2]!, e3 = delta[o0 + 3]!;
      const e4 = delta[o0 + 4]!, e5 = delta[o0 + 5]!, e6 = delta[o0 + 6]!, e7 = delta[o0 + 7]!;
      const q0 = e0 * e0, q1 = e1 * e1, q2 = e2 * e2, q3 = e3 * e3, q4 = e4 * e4, q5 = e5 * e5, q6 = e6 * e6, q7 = e7 * e7;
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const x2 = xv * xv;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
        t4 += xv * m[o + 4]!;
        t5 += xv * m[o + 5]!;
        t6 += xv * m[o + 6]!;
        t7 += xv * m[o + 7]!;
        cs[o] = cs[o]! + x2 * q0;
        cs[o + 1] = cs[o + 1]! + x2 * q1;
        cs[o + 2] = cs[o + 2]! + x2 * q2;
        cs[o + 3] = cs[o + 3]! + x2 * q3;
        cs[o + 4] = cs[o + 4]! + x2 * q4;
        cs[o + 5] = cs[o + 5]! + x2 * q5;
        cs[o + 6] = cs[o + 6]! + x2 * q6;
        cs[o + 7] = cs[o + 7]! + x2 * q7;
      }
      dot += t0 * e0 + t1 * e1 + t2 * e2 + t3 * e3 + t4 * e4 + t5 * e5 + t6 * e6 + t7 * e7;
    }
    for (; k + 2 <= dout; k += 2) {
      const e0 = delta[di + k]!;
      const e1 = delta[di + k + 1]!;
      const q0 = e0 * e0;
      const q1 = e1 * e1;
      let t0 = 0, t1 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const x2 = xv * xv;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        cs[o] = cs[o]! + x2 * q0;
        cs[o + 1] = cs[o + 1]! + x2 * q1;
      }
      dot += t0 * e0 + t1 * e1;
    }
    for (; k < dout; k++) {
      const e0 = delta[di + k]!;
      const q0 = e0 * e0;
      let t0 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        cs[o] = cs[o]! + xv * xv * q0;
      }
      dot += t0 * e0;
    }
    dots[i] = dot;
  }
}

/**
 * The linear-layer statistics (see Backend.linearStats) in two register-blocked
 * sweeps over the non-zero entries of X, which are gathered once (row-wise and
 * column-wise): zero entries are skipped, which pays off on sparse inputs such as
 * MNIST (~80% zeros), and the inner loops keep 8 (then 4, 2, 1) output columns in
 * local accumulators, so they do one load per multiply-add and no stores.
 *  - dots[i] = Σ_k δ_ik (Mᵀ x_i)_k: for each sample, t = Mᵀ x_i block by block;
 *  - coordSumSq[j, ·] = Σ_i x_ij² (δ_i∘δ_i): for each input coordinate j, over the
 *    samples with x_ij ≠ 0 (a column-wise sweep, so the output row stays in
 *    registers). When coordSumSq is small (≤ LINEAR_STATS_FUSED_MAX entries, e.g.
 *    softmax regression 784 → 10) it stays in cache and is accumulated in the
 *    row-wise sweep instead, which saves the column-wise gather.
 */
function linearStatsJs(
  x: Arr, delta: Arr, m: Arr, b: number, din: number, dout: number,
  sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array,
): void {
  // gather the non-zeros of X by row (rowPtr, colOff = j·dout, val) in one pass
  // (X is read once: on sparse inputs that read is a large part of the cost)
  const n = b * din;
  let cap = Math.min(n, Math.max(1024, n >> 2));
  let colOff = new Int32Array(cap);
  let val = new Float64Array(cap);
  const rowPtr = new Int32Array(b + 1);
  let q = 0;
  for (let i = 0; i < b; i++) {
    rowPtr[i] = q;
    if (q + din > cap) {
      cap = Math.min(n, Math.max(2 * cap, q + din));
      const c2 = new Int32Array(cap);
      c2.set(colOff.subarray(0, q));
      colOff = c2;
      const v2 = new Float64Array(cap);
      v2.set(val.subarray(0, q));
      val = v2;
    }
    const xi = i * din;
    let xn = 0;
    for (let j = 0; j < din; j++) {
      const v = x[xi + j]!;
      if (v === 0) continue;
      colOff[q] = j * dout;
      val[q] = v;
      q++;
      xn += v * v;
    }
    let dn = 0;
    const di = i * dout;
    for (let k = 0; k < dout; k++) {
      const v = delta[di + k]!;
      dn += v * v;
    }
    sqNorms[i] = xn * dn;
  }
  rowPtr[b] = q;
  const nnz = q;

  if (din * dout <= LINEAR_STATS_FUSED_MAX) {
    linearStatsFused(val, colOff, rowPtr, delta, m, b, dout, dots, coordSumSq);
    return;
  }

  // dots[i] = x_iᵀ M δ_i
  for (let i = 0; i < b; i++) {
    const r0 = rowPtr[i]!;
    const r1 = rowPtr[i + 1]!;
    const di = i * dout;
    let dot = 0;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
        t4 += xv * m[o + 4]!;
        t5 += xv * m[o + 5]!;
        t6 += xv * m[o + 6]!;
        t7 += xv * m[o + 7]!;
      }
      const o = di + k;
      dot += t0 * delta[o]! + t1 * delta[o + 1]! + t2 * delta[o + 2]! + t3 * delta[o + 3]!
        + t4 * delta[o + 4]! + t5 * delta[o + 5]! + t6 * delta[o + 6]! + t7 * delta[o + 7]!;
    }
    for (; k + 4 <= dout; k += 4) {
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
      }
      const o = di + k;
      dot += t0 * delta[o]! + t1 * delta[o + 1]! + t2 * delta[o + 2]! + t3 * delta[o + 3]!;
    }
    for (; k + 2 <= dout; k += 2) {
      let t0 = 0, t1 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
      }
      dot += t0 * delta[di + k]! + t1 * delta[di + k + 1]!;
    }
    for (; k < dout; k++) {
      let t0 = 0;
      for (let e = r0; e < r1; e++) t0 += val[e]! * m[colOff[e]! + k]!;
      dot += t0 * delta[di + k]!;
    }
    dots[i] = dot;
  }

  // the non-zeros by column: sample offset i·dout and x_ij²
  const colPtr = new Int32Array(din + 1);
  for (let e = 0; e < nnz; e++) {
    const j1 = colOff[e]! / dout + 1;
    colPtr[j1] = colPtr[j1]! + 1;
  }
  for (let j = 0; j < din; j++) colPtr[j + 1] = colPtr[j + 1]! + colPtr[j]!;
  const next = colPtr.slice(0, din);
  const rowOff = new Int32Array(nnz);
  const val2 = new Float64Array(nnz);
  for (let i = 0; i < b; i++) {
    for (let e = rowPtr[i]!; e < rowPtr[i + 1]!; e++) {
      const j = colOff[e]! / dout;
      const p = next[j]!;
      next[j] = p + 1;
      rowOff[p] = i * dout;
      val2[p] = val[e]! * val[e]!;
    }
  }
  const d2 = new Float64Array(b * dout);
  for (let t = 0; t < b * dout; t++) d2[t] = delta[t]! * delta[t]!;

  // coordSumSq[j, k] = Σ_i x_ij² δ_ik²
  for (let j = 0; j < din; j++) {
    const c0 = colPtr[j]!;
    const c1 = colPtr[j + 1]!;
    const mj = j * dout;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
        a2 += x2 * d2[o + 2]!;
        a3 += x2 * d2[o + 3]!;
        a4 += x2 * d2[o + 4]!;
        a5 += x2 * d2[o + 5]!;
        a6 += x2 * d2[o + 6]!;
        a7 += x2 * d2[o + 7]!;
      }
      const o = mj + k;
      coordSumSq[o] = a0;
      coordSumSq[o + 1] = a1;
      coordSumSq[o + 2] = a2;
      coordSumSq[o + 3] = a3;
      coordSumSq[o + 4] = a4;
      coordSumSq[o + 5] = a5;
      coordSumSq[o + 6] = a6;
      coordSumSq[o + 7] = a7;
    }
    for (; k + 4 <= dout; k += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
        a2 += x2 * d2[o + 2]!;
        a3 += x2 * d2[o + 3]!;
      }
      const o = mj + k;
      coordSumSq[o] = a0;
      coordSumSq[o + 1] = a1;
      coordSumSq[o + 2] = a2;
      coordSumSq[o + 3] = a3;
    }
    for (; k + 2 <= dout; k += 2) {
      let a0 = 0, a1 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
      }
      coordSumSq[mj + k] = a0;
      coordSumSq[mj + k + 1] = a1;
    }
    for (; k < dout; k++) {
      let a0 = 0;
      for (let e = c0; e < c1; e++) a0 += val2[e]! * d2[rowOff[e]! + k]!;
      coordSumSq[mj + k] = a0;
    }
  }
}

/** The reference backend. */
export const jsBackend: Backend = {
  name: 'js',
  mode: 'default',

  unary(op: UnaryOp, x: Arr, out: Arr): void {
    const n = x.length;
    switch (op) {
      case 'neg':
        for (let i = 0; i < n; i++) out[i] = -x[i]!;
        return;
      case 'exp':
        for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
        return;
      case 'log':
        for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
        return;
      case 'tanh':
        for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
        return;
      default: {
        const f = UNARY_FNS[op];
        for (let i = 0; i < n; i++) out[i] = f(x[i]!);
      }
    }
  },

  binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
    // NOTE: outShape may be larger than the operands' broadcast (broadcastTo passes a rank-0
    // zero beside a rank-0 x), so the same-shape fast path must also match the output size.
    if (sameShape(aShape, bShape) && a.length === out.length) return binarySame(op, a, b, out);
    if (b.length === 1 && a.length === out.length) return binaryScalarRight(op, a, b[0]!, out);
    const f = BINARY_FNS[op];
    if (a.length === 1 && b.length === out.length) {
      const s = a[0]!;
      for (let i = 0; i < out.length; i++) out[i] = f(s, b[i]!);
      return;
    }
    const sa = broadcastStrides(aShape, outShape);
    const sb = broadcastStrides(bShape, outShape);
    const r = outShape.length;
    const la = r > 0 ? sa[r - 1]! : 0;
    const lb = r > 0 ? sb[r - 1]! : 0;
    forEachRun(outShape, [sa, sb], (len, offs, o) => {
      let ia = offs[0]!;
      let ib = offs[1]!;
      for (let i = 0; i < len; i++, ia += la, ib += lb) out[o + i] = f(a[ia]!, b[ib]!);
    });
  },

  where(cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
    const sc = broadcastStrides(cShape, outShape);
    const sa = broadcastStrides(aShape, outShape);
    const sb = broadcastStrides(bShape, outShape);
    const r = outShape.length;
    const lc = r > 0 ? sc[r - 1]! : 0;
    const la = r > 0 ? sa[r - 1]! : 0;
    const lb = r > 0 ? sb[r - 1]! : 0;
    forEachRun(outShape, [sc, sa, sb], (len, offs, o) => {
      let ic = offs[0]!;
      let ia = offs[1]!;
      let ib = offs[2]!;
      for (let i = 0; i < len; i++, ic += lc, ia += la, ib += lb) out[o + i] = cond[ic]! !== 0 ? a[ia]! : b[ib]!;
    });
  },

  reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
    const r = shape.length;
    if (axes.length === 0) {
      out.set(x);
      return;
    }
    // fast path: sum over the trailing axes of a contiguous tensor
    const trailing = axes.every((ax, i) => ax === r - axes.length + i);
    if (op === 'sum' && trailing) {
      const cols = shape.slice(r - axes.length).reduce((p, s) => p * s, 1);
      reduceSumLast(x, out.length, cols, out);
      return;
    }
    const isRed = new Array<boolean>(r).fill(false);
    for (const ax of axes) isRed[ax] = true;
    // strides of the output expressed in the input's index space (0 on reduced axes)
    const outStrides = new Array<number>(r).fill(0);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      if (!isRed[i]) {
        outStrides[i] = acc;
        acc *= shape[i]!;
      }
    }
    out.fill(op === 'sum' ? 0 : -Infinity);
    const inStrides = new Array<number>(r);
    let a2 = 1;
    for (let i = r - 1; i >= 0; i--) {
      inStrides[i] = a2;
      a2 *= shape[i]!;
    }
    const lo = outStrides[r - 1]!;
    forEachRun(shape, [inStrides, outStrides], (len, offs) => {
      let ii = offs[0]!;
      let oi = offs[1]!;
      if (op === 'sum') {
        for (let i = 0; i < len; i++, ii++, oi += lo) out[oi] = out[oi]! + x[ii]!;
      } else {
        for (let i = 0; i < len; i++, ii++, oi += lo) {
          const v = x[ii]!;
          if (v > out[oi]! || Number.isNaN(v)) out[oi] = v;
        }
      }
    });
  },

  matmul(a: Arr, b: Arr, m: number, k: number, n: number, out: Arr, transA: boolean, transB: boolean): void {
    out.fill(0);
    if (!transA && !transB) {
      // i-p-j order: rows of B stream contiguously
      for (let i = 0; i < m; i++) {
        const oi = i * n;
        const ai = i * k;
        for (let p = 0; p < k; p++) {
          const av = a[ai + p]!;
          if (av === 0) continue;
          const bp = p * n;
          for (let j = 0; j < n; j++) out[oi + j] = out[oi + j]! + av * b[bp + j]!;
        }
      }
    } else if (transA && !transB) {
      // A stored [k, m]: out[i, j] = Σ_p A[p, i] B[p, j]
      for (let p = 0; p < k; p++) {
        const ap = p * m;
        const bp = p * n;
        for (let i = 0; i < m; i++) {
          const av = a[ap + i]!;
          if (av === 0) continue;
          const oi = i * n;
          for (let j = 0; j < n; j++) out[oi + j] = out[oi + j]! + av * b[bp + j]!;
        }
      }
    } else if (!transA && transB) {
      // B stored [n, k]: out[i, j] = Σ_p A[i, p] B[j, p] (row dot products)
      for (let i = 0; i < m; i++) {
        const ai = i * k;
        for (let j = 0; j < n; j++) {
          const bj = j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
          out[i * n + j] = s;
        }
      }
    } else {
      // both transposed: out[i, j] = Σ_p A[p, i] B[j, p]
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const bj = j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a[p * m + i]! * b[bj + p]!;
          out[i * n + j] = s;
        }
      }
    }
  },

  transpose(x: Arr, shape: Shape, perm: readonly number[], out: Arr): void {
    const r = shape.length;
    const inStrides = new Array<number>(r);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      inStrides[i] = acc;
      acc *= shape[i]!;
    }
    const outShape = perm.map((p) => shape[p]!);
    const srcStrides = perm.map((p) => inStrides[p]!);
    const outStrides = new Array<number>(r);
    acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      outStrides[i] = acc;
      acc *= outShape[i]!;
    }
    const ls = r > 0 ? srcStrides[r - 1]! : 0;
    forEachRun(outShape, [srcStrides], (len, offs, o) => {
      let s = offs[0]!;
      for (let i = 0; i < len; i++, s += ls) out[o + i] = x[s]!;
    });
  },

  gatherRows(x: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i]! * rowSize;
      out.set(x.subarray(src, src + rowSize), i * rowSize);
    }
  },

  linearStats: linearStatsJs,

  unfold: unfoldJs,
  fold: foldJs,
  pool2d: pool2dJs,
  pool2dBackward: pool2dBackwardJs,

  scatterAddRows(g: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
    for (let i = 0; i < idx.length; i++) {
      const dst = idx[i]! * rowSize;
      const src = i * rowSize;
      for (let j = 0; j < rowSize; j++) out[dst + j] = out[dst + j]! + g[src + j]!;
    }
  },
};
