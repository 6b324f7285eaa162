/**
 * The primitives: each op's forward kernel call and its one vector-Jacobian rule,
 * all in this one table. Composite ops (composites.ts) are built from these and
 * need no rule of their own.
 */
import { getBackend } from '../backend/index.js';
import type { BinaryOp, OutputVjpOp, PoolOp, UnaryOp, WindowGeom } from '../backend/backend.js';
import { alloc, type Arr, fmtShape, makeTensor, scalar, shapeSize, Tensor, type DType, type Shape } from '../tensor/tensor.js';
import { record } from './tape.js';

export type TensorLike = Tensor | number;

function asTensor(x: TensorLike, dtype: DType): Tensor {
  return typeof x === 'number' ? scalar(x, dtype) : x;
}

function checkTensor(op: string, x: unknown, name = 'argument'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${typeof x}`);
}

/** Two operands as tensors of one dtype; a dtype mismatch is an error naming the op. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') return [scalar(a), scalar(b)];
  const dtype = typeof a === 'number' ? (b as Tensor).dtype : a.dtype;
  const A = asTensor(a, dtype);
  const B = asTensor(b, dtype);
  checkTensor(op, A, 'first operand');
  checkTensor(op, B, 'second operand');
  if (A.dtype !== B.dtype) {
    throw new Error(`${op}: dtype mismatch ${A.dtype} ${fmtShape(A.shape)} vs ${B.dtype} ${fmtShape(B.shape)}`);
  }
  return [A, B];
}

/** The numpy broadcast of several shapes; an error names the op and the shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(r).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const oi = r - s.length + i;
      const d = s[i]!;
      if (d === out[oi] || d === 1) continue;
      if (out[oi] === 1) out[oi] = d;
      else throw new Error(`${op}: cannot broadcast shapes ${shapes.map(fmtShape).join(' and ')}`);
    }
  }
  return out;
}

/** Sum `g` down to `shape` (the adjoint of broadcasting). */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const reduced = sum(g, axes, false);
  return reshape(reduced, shape);
}

// ---------------------------------------------------------------- elementwise

function unaryRaw(op: UnaryOp, x: Tensor): Tensor {
  const out = alloc(x.dtype, x.size);
  getBackend().unary(op, x.contiguous(), out);
  return makeTensor(out, x.shape);
}

function unary(op: UnaryOp, x: Tensor, rule: (ct: Tensor, out: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  const out = alloc(x.dtype, x.size);
  getBackend().unary(op, x.contiguous(), out);
  const plain = makeTensor(out, x.shape);
  return record(op, [x], out, x.shape, (ct) => [rule(ct, plain)]);
}

/** −x */
export function neg(x: Tensor): Tensor {
  return unary('neg', x, (ct) => neg(ct));
}
/** eˣ */
export function exp(x: Tensor): Tensor {
  return unary('exp', x, (ct, out) => mul(ct, out));
}
/** ln x */
export function log(x: Tensor): Tensor {
  return unary('log', x, (ct) => div(ct, x));
}
/** ln(1 + x), accurate near 0. */
export function log1p(x: Tensor): Tensor {
  return unary('log1p', x, (ct) => div(ct, add(x, 1)));
}
/** √x */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x, (ct, out) => div(ct, mul(out, 2)));
}
/** |x|. NOTE: the derivative at 0 is taken as 0 (sign(0) = 0). */
export function abs(x: Tensor): Tensor {
  return unary('abs', x, (ct) => mul(ct, unaryRaw('sign', x)));
}
/**
 * The VJP of tanh or sigmoid from the output y: ct ∘ f′(y) in one backend pass
 * (Backend.unaryVjp), the same bits as mul(ct, sub(1, mul(y, y))) and
 * mul(ct, mul(y, sub(1, y))).
 */
function outputVjp(op: OutputVjpOp, ct: Tensor, y: Tensor): Tensor {
  if (ct.dtype !== y.dtype) return op === 'tanh' ? mul(ct, sub(1, mul(y, y))) : mul(ct, mul(y, sub(1, y)));
  const out = alloc(y.dtype, y.size);
  getBackend().unaryVjp(op, y.contiguous(), ct.contiguous(), out);
  return makeTensor(out, y.shape);
}

/** tanh x */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, (ct, out) => outputVjp('tanh', ct, out));
}
/** σ(x) = 1/(1 + e⁻ˣ), evaluated without overflow. */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (ct, out) => outputVjp('sigmoid', ct, out));
}
/** softplus(x) = ln(1 + eˣ), evaluated without overflow; derivative σ(x). */
export function softplus(x: Tensor): Tensor {
  return unary('softplus', x, (ct) => mul(ct, unaryRaw('sigmoid', x)));
}
/** max(x, 0). NOTE: the derivative at 0 is taken as 0, as most frameworks do. */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (ct) => mul(ct, unaryRaw('step', x)));
}

function binaryRaw(op: BinaryOp, A: Tensor, B: Tensor): Tensor {
  const shape = broadcastShapes(op, A.shape, B.shape);
  const out = alloc(A.dtype, shapeSize(shape));
  getBackend().binary(op, A.contiguous(), A.shape, B.contiguous(), B.shape, out, shape);
  return makeTensor(out, shape);
}

function binary(
  op: BinaryOp,
  a: TensorLike,
  b: TensorLike,
  rule: (ct: Tensor, A: Tensor, B: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const [A, B] = operands(op, a, b);
  const plain = binaryRaw(op, A, B);
  return record(op, [A, B], plain.contiguous(), plain.shape, (ct) => {
    const [ga, gb] = rule(ct, A, B, plain);
    // untraced operands (constants, data) get no gradient
    return [
      ga === null || A.node === null ? null : unbroadcast(ga, A.shape),
      gb === null || B.node === null ? null : unbroadcast(gb, B.shape),
    ];
  });
}

/** a + b (broadcasting). */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b, (ct) => [ct, ct]);
}
/** a · b elementwise (broadcasting). */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b, (ct, A, B) => [mul(ct, B), mul(ct, A)]);
}
/** a / b elementwise (broadcasting). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b, (ct, _A, B, out) => [div(ct, B), neg(div(mul(ct, out), B))]);
}
/**
 * aᵇ elementwise. NOTE: ∂/∂b = aᵇ ln a is taken as 0 where aᵇ = 0 (a = 0, b > 0),
 * and is NaN for a < 0 as the value itself is for non-integer b.
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary('pow', a, b, (ct, A, B, out) => {
    const da = mul(ct, mul(B, binaryRaw('pow', A, sub(B, 1))));
    const safe = where(binaryRaw('equal', out, zeroLike(out)), 0, unaryRaw('log', A));
    return [da, mul(ct, mul(out, safe))];
  });
}
/** max(a, b) elementwise. NOTE: at ties the cotangent is split equally between a and b. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary('maximum', a, b, (ct, A, B) => {
    const gt = binaryRaw('greater', A, B);
    const eq = binaryRaw('equal', A, B);
    const wa = add(gt, mul(eq, 0.5));
    const wb = sub(1, wa);
    return [mul(ct, wa), mul(ct, wb)];
  });
}

function zeroLike(t: Tensor): Tensor {
  return makeTensor(alloc(t.dtype, 1), []);
}

function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [A, B] = operands(op, a, b);
  return binaryRaw(op, A, B);
}
/** 1 where a > b, else 0 (no gradient). */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare('greater', a, b);
/** 1 where a ≥ b, else 0 (no gradient). */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare('greaterEqual', a, b);
/** 1 where a < b, else 0 (no gradient). */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare('less', a, b);
/** 1 where a ≤ b, else 0 (no gradient). */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare('lessEqual', a, b);
/** 1 where a = b, else 0 (no gradient). */
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare('equal', a, b);

/** cond ≠ 0 ? a : b elementwise (broadcasting); no gradient flows to cond. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'cond');
  const [A, B] = operands('where', a, b);
  const shape = broadcastShapes('where', cond.shape, A.shape, B.shape);
  const out = alloc(A.dtype, shapeSize(shape));
  getBackend().where(cond.contiguous(), cond.shape, A.contiguous(), A.shape, B.contiguous(), B.shape, out, shape);
  return record('where', [cond, A, B], out, shape, (ct) => [
    null,
    unbroadcast(where(cond, ct, 0), A.shape),
    unbroadcast(where(cond, 0, ct), B.shape),
  ]);
}

// ---------------------------------------------------------------- reductions

/** Normalise an axis argument to sorted unique non-negative axes. */
export function normAxes(op: string, shape: Shape, axis?: number | readonly number[]): number[] {
  const r = shape.length;
  if (axis === undefined) return [...Array(r).keys()];
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -r || a >= r) throw new Error(`${op}: axis ${a} out of range for shape ${fmtShape(shape)}`);
    out.add(a < 0 ? a + r : a);
  }
  return [...out].sort((x, y) => x - y);
}

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((s, i) => (axes.includes(i) ? 1 : s));
}

/** Σ over `axis` (all axes by default). */
export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  checkTensor('sum', x);
  const axes = normAxes('sum', x.shape, axis);
  const kept = keptShape(x.shape, axes);
  const outShape = keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const out = alloc(x.dtype, shapeSize(outShape));
  getBackend().reduce('sum', x.contiguous(), x.shape, axes, out);
  return record('sum', [x], out, outShape, (ct) => [broadcastTo(reshape(ct, kept), x.shape)], { axes, keepdims });
}

/** max over `axis`. NOTE: the cotangent is split equally among tied maxima. */
export function max(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  checkTensor('max', x);
  if (x.size === 0) throw new Error(`max: empty tensor ${fmtShape(x.shape)}`);
  const axes = normAxes('max', x.shape, axis);
  const kept = keptShape(x.shape, axes);
  const outShape = keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const out = alloc(x.dtype, shapeSize(outShape));
  getBackend().reduce('max', x.contiguous(), x.shape, axes, out);
  const m = makeTensor(out, kept);
  return record('max', [x], out, outShape, (ct) => {
    const mask = binaryRaw('equal', x, m);
    const count = sum(mask, axes, true);
    return [mul(mask, div(reshape(ct, kept), count))];
  }, { axes, keepdims });
}

/** Broadcast x to `shape` (materialised). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor('broadcastTo', x);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (target.length !== shape.length || target.some((s, i) => s !== shape[i])) {
    throw new Error(`broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  const out = alloc(x.dtype, shapeSize(shape));
  const zero = alloc(x.dtype, 1);
  getBackend().binary('add', x.contiguous(), x.shape, zero, [], out, shape);
  return record('broadcastTo', [x], out, shape, (ct) => [unbroadcast(ct, x.shape)], { shape: shape.slice() });
}

// ---------------------------------------------------------------- linear algebra and shapes

/** Matrix product of 2-D tensors: [m, k] · [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a, 'first operand');
  checkTensor('matmul', b, 'second operand');
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not multiply (need [m, k] · [k, n])`);
  }
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch ${a.dtype} vs ${b.dtype}`);
  const m = a.shape[0]!;
  const k = a.shape[1]!;
  const n = b.shape[1]!;
  const out = alloc(a.dtype, m * n);
  getBackend().matmul(a.contiguous(), b.contiguous(), m, k, n, out, false, false);
  return record('matmul', [a, b], out, [m, n], (ct) => {
    const c = ct.contiguous();
    // NOTE: an untraced operand (data, e.g. the batch X) gets no gradient: skip its matmul.
    let ga: Tensor | null = null;
    if (a.node !== null) {
      const d = alloc(a.dtype, m * k);
      getBackend().matmul(c, b.contiguous(), m, n, k, d, false, true); // ct · bᵀ
      ga = makeTensor(d, [m, k]);
    }
    let gb: Tensor | null = null;
    if (b.node !== null) {
      const d = alloc(a.dtype, k * n);
      getBackend().matmul(a.contiguous(), c, k, m, n, d, true, false); // aᵀ · ct
      gb = makeTensor(d, [k, n]);
    }
    return [ga, gb];
  });
}

/** Same data, new shape (one entry may be −1). A view, no copy, for contiguous input. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', x);
  const sh = shape.slice();
  const neg1 = sh.indexOf(-1);
  if (neg1 >= 0) {
    const rest = sh.reduce((p, s, i) => (i === neg1 ? p : p * s), 1);
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    sh[neg1] = x.size / rest;
  }
  if (sh.some((s) => !Number.isInteger(s) || s < 0) || shapeSize(sh) !== x.size) {
    throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (size ${x.size}) to ${fmtShape(shape)}`);
  }
  return record('reshape', [x], x.contiguous(), sh, (ct) => [reshape(ct, x.shape)], { shape: sh });
}

/** Permute axes (reverse them by default). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', x);
  const r = x.rank;
  const p = perm ?? [...Array(r).keys()].reverse();
  if (p.length !== r || [...p].sort((u, v) => u - v).some((v, i) => v !== i)) {
    throw new Error(`transpose: permutation [${p.join(', ')}] does not fit shape ${fmtShape(x.shape)}`);
  }
  const outShape = p.map((i) => x.shape[i]!);
  const out = alloc(x.dtype, x.size);
  getBackend().transpose(x.contiguous(), x.shape, p, out);
  const inv = new Array<number>(r);
  p.forEach((v, i) => (inv[v] = i));
  return record('transpose', [x], out, outShape, (ct) => [transpose(ct, inv)], { perm: p });
}

/** x[begin : begin + size] along every axis (size −1: to the end). */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor('slice', x);
  const r = x.rank;
  if (begin.length !== r || (size !== undefined && size.length !== r)) {
    throw new Error(`slice: begin/size need ${r} entries for shape ${fmtShape(x.shape)}`);
  }
  const sz = begin.map((b, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? x.shape[i]! - b : s;
  });
  for (let i = 0; i < r; i++) {
    if (!Number.isInteger(begin[i]) || begin[i]! < 0 || sz[i]! < 0 || begin[i]! + sz[i]! > x.shape[i]!) {
      throw new Error(`slice: begin [${begin.join(', ')}] size [${sz.join(', ')}] out of range for shape ${fmtShape(x.shape)}`);
    }
  }
  let view = x.nd;
  view = view.hi(...begin.map((b, i) => b + sz[i]!)).lo(...begin);
  const out = alloc(x.dtype, shapeSize(sz));
  const tmp = new Tensor(view);
  out.set(tmp.contiguous());
  return record('slice', [x], out, sz, (ct) => [padSlice(ct, x.shape, begin, x.dtype)], { begin: begin.slice(), size: sz });
}

function padSlice(ct: Tensor, shape: Shape, begin: readonly number[], dtype: DType): Tensor {
  const out = alloc(dtype, shapeSize(shape));
  const full = makeTensor(out, shape);
  const view = full.nd.hi(...begin.map((b, i) => b + ct.shape[i]!)).lo(...begin);
  const src = ct.contiguous();
  // write ct into the window, row-major
  const idx = new Array<number>(ct.rank).fill(0);
  for (let f = 0; f < src.length; f++) {
    view.set(...idx, src[f]!);
    for (let ax = ct.rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      if (idx[ax]! < ct.shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return full;
}

function toIndexArray(op: string, idx: Int32Array | readonly number[], n: number): Int32Array {
  const out = idx instanceof Int32Array ? idx : Int32Array.from(idx);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v < 0 || v >= n || (!(idx instanceof Int32Array) && !Number.isInteger((idx as readonly number[])[i]))) {
      throw new Error(`${op}: index ${(idx as ArrayLike<number>)[i]} at position ${i} out of range [0, ${n})`);
    }
  }
  return out;
}

/** Rows of x (axis 0) at the given indices. */
export function gather(x: Tensor, indices: Int32Array | readonly number[]): Tensor {
  checkTensor('gather', x);
  if (x.rank < 1) throw new Error(`gather: needs rank ≥ 1, got shape ${fmtShape(x.shape)}`);
  const idx = toIndexArray('gather', indices, x.shape[0]!);
  const rowSize = x.size / Math.max(1, x.shape[0]!);
  const outShape = [idx.length, ...x.shape.slice(1)];
  const out = alloc(x.dtype, idx.length * rowSize);
  getBackend().gatherRows(x.contiguous(), rowSize, idx, out);
  return record('gather', [x], out, outShape, (ct) => {
    const g = alloc(x.dtype, x.size);
    getBackend().scatterAddRows(ct.contiguous(), rowSize, idx, g);
    return [makeTensor(g, x.shape)];
  }, { indices: idx });
}

/** Concatenate along `axis`. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  xs.forEach((t, i) => checkTensor('concat', t, `tensor ${i}`));
  const first = xs[0]!;
  const r = first.rank;
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax >= r) throw new Error(`concat: axis ${axis} out of range for rank ${r}`);
  for (const t of xs) {
    if (t.dtype !== first.dtype) throw new Error(`concat: dtype mismatch ${first.dtype} vs ${t.dtype}`);
    if (t.rank !== r || t.shape.some((s, i) => i !== ax && s !== first.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((u) => fmtShape(u.shape)).join(', ')} differ off axis ${ax}`);
    }
  }
  const outShape = first.shape.slice();
  outShape[ax] = xs.reduce((p, t) => p + t.shape[ax]!, 0);
  const out = alloc(first.dtype, shapeSize(outShape));
  const outer = shapeSize(first.shape.slice(0, ax));
  const inner = shapeSize(first.shape.slice(ax + 1));
  const outRow = outShape[ax]! * inner;
  let off = 0;
  for (const t of xs) {
    const d = t.contiguous();
    const row = t.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) out.set(d.subarray(o * row, (o + 1) * row), o * outRow + off);
    off += row;
  }
  const offsets = xs.map((_, i) => xs.slice(0, i).reduce((p, t) => p + t.shape[ax]!, 0));
  return record('concat', xs, out, outShape, (ct) =>
    xs.map((t, i) => {
      const begin = new Array<number>(r).fill(0);
      begin[ax] = offsets[i]!;
      return slice(ct, begin, t.shape);
    }),
  { axis: ax });
}

// ---------------------------------------------------------------- 2-D windows (NCHW)

/** A side length or a [height, width] pair. */
export type Pair = number | readonly [number, number];

/** Options of conv2d: stride (default 1), zero padding on each side (default 0), dilation (default 1). */
export interface Conv2dOptions {
  readonly stride?: Pair;
  readonly padding?: Pair;
  readonly dilation?: Pair;
}

/** Options of the pooling ops: window size, stride (default the window), zero padding (default 0). */
export interface Pool2dOptions {
  readonly kernel: Pair;
  readonly stride?: Pair;
  readonly padding?: Pair;
}

function pair(op: string, name: string, v: Pair | undefined, dflt: number, min: number): [number, number] {
  const p: readonly number[] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new Error(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

/** The window geometry of x [n, c, h, w]; errors name the op and the shapes. */
export function windowGeom(
  op: string, xShape: Shape, k: [number, number], stride: [number, number], pad: [number, number], dil: [number, number],
): WindowGeom {
  if (xShape.length !== 4) throw new Error(`${op}: input must be [n, c, h, w] (NCHW), got ${fmtShape(xShape)}`);
  const [n, c, h, w] = xShape as [number, number, number, number];
  const oh = Math.floor((h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / stride[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new Error(
      `${op}: window ${k[0]}×${k[1]} (dilation ${dil[0]}×${dil[1]}, padding ${pad[0]}×${pad[1]}) does not fit input ${fmtShape(xShape)}`,
    );
  }
  return { n, c, h, w, kh: k[0], kw: k[1], sh: stride[0], sw: stride[1], ph: pad[0], pw: pad[1], dh: dil[0], dw: dil[1], oh, ow };
}

/** U = im2col(x): [n·oh·ow, c·kh·kw], a raw (unrecorded) kernel call. */
function unfoldRaw(x: Tensor, g: WindowGeom): Arr {
  const out = alloc(x.dtype, g.n * g.oh * g.ow * g.c * g.kh * g.kw);
  getBackend().unfold(x.contiguous(), g, out);
  return out;
}

/**
 * 2-D cross-correlation (what deep-learning frameworks call convolution), NCHW:
 * y[i, o, p, q] = bias[o] + Σ_{c, a, e} w[o, c, a, e] · x[i, c, p·s_h − pad_h + a·dil_h, q·s_w − pad_w + e·dil_w]
 * with zero padding; x [n, c_in, h, w], w [c_out, c_in, kh, kw], bias [c_out] or null.
 * Computed as im2col + matmul (y_i = U_i Wᵀ): U = unfold(x) [n·P, c_in·kh·kw], P = oh·ow,
 * or by the backend's fused form of the same (Backend.conv2d, conv2dBackward) when it has one.
 * VJP: ∂w = Δᵀ U, ∂x = fold(Δ W), ∂bias = Σ over n and positions, with Δ = ct as [n·P, c_out].
 */
export function conv2d(x: Tensor, w: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', x, 'input');
  checkTensor('conv2d', w, 'weight');
  if (w.rank !== 4) throw new Error(`conv2d: weight must be [c_out, c_in, kh, kw], got ${fmtShape(w.shape)}`);
  const [cout, cin, kh, kw] = w.shape as [number, number, number, number];
  if (x.rank !== 4 || x.shape[1] !== cin) {
    throw new Error(`conv2d: input ${fmtShape(x.shape)} does not fit weight ${fmtShape(w.shape)} (need [n, ${cin}, h, w])`);
  }
  if (x.dtype !== w.dtype) throw new Error(`conv2d: dtype mismatch ${x.dtype} input vs ${w.dtype} weight`);
  if (bias !== null) {
    checkTensor('conv2d', bias, 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== cout) {
      throw new Error(`conv2d: bias ${fmtShape(bias.shape)} does not fit weight ${fmtShape(w.shape)} (need [${cout}])`);
    }
    if (bias.dtype !== w.dtype) throw new Error(`conv2d: dtype mismatch ${bias.dtype} bias vs ${w.dtype} weight`);
  }
  const g = windowGeom('conv2d', x.shape, [kh, kw],
    pair('conv2d', 'stride', opts.stride, 1, 1), pair('conv2d', 'padding', opts.padding, 0, 0), pair('conv2d', 'dilation', opts.dilation, 1, 1));
  const { n, oh, ow } = g;
  const P = oh * ow;
  const K = cin * kh * kw;
  const be = getBackend();
  const wd = w.contiguous();
  const out = alloc(x.dtype, n * cout * P);
  // a backend with the fused form (Backend.conv2d) keeps U to itself; otherwise U is kept for the VJP
  const fused = be.conv2d !== undefined && be.conv2dBackward !== undefined;
  const xd = fused ? x.contiguous() : null;
  const U = fused ? null : unfoldRaw(x, g);
  if (fused) {
    be.conv2d!(xd!, wd, bias === null ? null : bias.contiguous(), g, cout, out);
  } else {
    const yT = alloc(x.dtype, n * P * cout); // [n, P, c_out]
    be.matmul(U!, wd, n * P, K, cout, yT, false, true);
    be.transpose(yT, [n, P, cout], [0, 2, 1], out);
    if (bias !== null) {
      const bd = bias.contiguous();
      for (let i = 0; i < n; i++) for (let o = 0; o < cout; o++) {
        const base = (i * cout + o) * P;
        for (let p = 0; p < P; p++) out[base + p] = out[base + p]! + bd[o]!;
      }
    }
  }
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record('conv2d', inputs, out, [n, cout, oh, ow], (ct) => {
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (fused) {
      const dx = x.node !== null ? alloc(x.dtype, x.size) : null;
      const dw = w.node !== null ? alloc(x.dtype, cout * K) : null;
      be.conv2dBackward!(xd!, wd, ct.contiguous(), g, cout, dx, dw);
      if (dx !== null) gx = makeTensor(dx, x.shape);
      if (dw !== null) gw = makeTensor(dw, w.shape);
    } else {
      const dT = alloc(x.dtype, n * P * cout); // Δ as [n·P, c_out]
      be.transpose(ct.contiguous(), [n, cout, P], [0, 2, 1], dT);
      if (x.node !== null) {
        const dU = alloc(x.dtype, n * P * K);
        be.matmul(dT, wd, n * P, cout, K, dU, false, false);
        const dx = alloc(x.dtype, x.size);
        be.fold(dU, g, dx);
        gx = makeTensor(dx, x.shape);
      }
      if (w.node !== null) {
        const dw = alloc(x.dtype, cout * K);
        be.matmul(dT, U!, cout, n * P, K, dw, true, false);
        gw = makeTensor(dw, w.shape);
      }
    }
    const grads: (Tensor | null)[] = [gx, gw];
    if (bias !== null) {
      const db = alloc(x.dtype, cout);
      const c = ct.contiguous();
      for (let i = 0; i < n; i++) for (let o = 0; o < cout; o++) {
        let s = 0;
        const base = (i * cout + o) * P;
        for (let p = 0; p < P; p++) s += c[base + p]!;
        db[o] = db[o]! + s;
      }
      grads.push(bias.node === null ? null : makeTensor(db, bias.shape));
    }
    return grads;
  }, { geom: g });
}

function pool(op: PoolOp, name: 'maxPool2d' | 'avgPool2d', x: Tensor, opts: Pool2dOptions): Tensor {
  checkTensor(name, x);
  if (opts === undefined || opts.kernel === undefined) throw new Error(`${name}: options need a kernel size`);
  const k = pair(name, 'kernel', opts.kernel, 1, 1);
  const g = windowGeom(name, x.shape, k, pair(name, 'stride', opts.stride ?? opts.kernel, 1, 1), pair(name, 'padding', opts.padding, 0, 0), [1, 1]);
  if (2 * g.ph > g.kh || 2 * g.pw > g.kw) {
    throw new Error(`${name}: padding ${g.ph}×${g.pw} exceeds half the window ${g.kh}×${g.kw} for input ${fmtShape(x.shape)}`);
  }
  const out = alloc(x.dtype, g.n * g.c * g.oh * g.ow);
  const xd = x.contiguous();
  getBackend().pool2d(op, xd, g, out);
  return record(op === 'max' ? 'maxPool2d' : 'avgPool2d', [x], out, [g.n, g.c, g.oh, g.ow], (ct) => {
    const gx = alloc(x.dtype, x.size);
    getBackend().pool2dBackward(op, xd, ct.contiguous(), g, gx);
    return [makeTensor(gx, x.shape)];
  }, { geom: g });
}

/**
 * Max pooling over kh × kw windows of each channel (NCHW); padding counts as −∞.
 * NOTE: at ties the cotangent goes to the first maximal entry of the window
 * (row-major), as PyTorch does, not split as in `max`.
 */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool('max', 'maxPool2d', x, opts);
}

/** Average pooling over kh × kw windows of each channel (NCHW); padding counts as 0 in the mean (divisor kh·kw). */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool('avg', 'avgPool2d', x, opts);
}

/** [n, ...] → [n, Π rest]: the per-sample feature vector (row-major; a view of the data). */
export function flatten(x: Tensor): Tensor {
  checkTensor('flatten', x);
  if (x.rank < 1) throw new Error(`flatten: needs rank ≥ 1 (a batch axis), got shape ${fmtShape(x.shape)}`);
  const n = x.shape[0]!;
  const shape = [n, shapeSize(x.shape.slice(1))];
  return record('flatten', [x], x.contiguous(), shape, (ct) => [reshape(ct, x.shape)]);
}

/** The same values with no gradient flowing back. */
export function stopGradient(x: Tensor): Tensor {
  checkTensor('stopGradient', x);
  return makeTensor(x.contiguous(), x.shape);
}

/** @internal */
export { unaryRaw, binaryRaw };

/** x − y = x + (−y): a composite, kept here because the primitives use it in their rules. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [A, B] = operands('sub', a, b);
  return add(A, neg(B));
}
