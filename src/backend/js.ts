/** The `js` backend: plain typed-array loops, the float64 reference. */
import type { Arr, Shape } from '../tensor/tensor.js';
import type { Backend, BinaryOp, OutputVjpOp, ReduceOp, UnaryOp } from './backend.js';
import { foldJs, pool2dBackwardJs, pool2dJs, unfoldJs } from './conv.js';
import { linearStatsSparse } from './linearStatsSparse.js';

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

  unaryVjp(op: OutputVjpOp, y: Arr, ct: Arr, out: Arr): void {
    const n = y.length;
    // float32: round each intermediate as the composed float32 ops did (the same bits), with
    // Math.fround written in the loop (NOTE (speed): called through a variable it was not
    // inlined: 15 ms for 2^20 elements, 7× the float64 loop)
    if (op === 'tanh') {
      if (y instanceof Float64Array) for (let i = 0; i < n; i++) out[i] = ct[i]! * (1 - y[i]! * y[i]!);
      else for (let i = 0; i < n; i++) out[i] = ct[i]! * Math.fround(1 - Math.fround(y[i]! * y[i]!));
    } else {
      if (y instanceof Float64Array) for (let i = 0; i < n; i++) out[i] = ct[i]! * (y[i]! * (1 - y[i]!));
      else for (let i = 0; i < n; i++) out[i] = ct[i]! * Math.fround(y[i]! * Math.fround(1 - y[i]!));
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

  linearStats: linearStatsSparse,

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
