/** Tensor: an immutable n-d view (ndarray) over a Float64Array (reference) or Float32Array. */
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { TapeNode } from '../autodiff/tape.js';

export type DType = 'float64' | 'float32';
export type Arr = Float64Array | Float32Array;
export type Shape = readonly number[];

/**
 * The strided view a tensor wraps: a buffer, a shape, strides and an offset,
 * with index access and windowing. It is the part of an `ndarray` view the
 * toolkit uses, declared here so that the public types do not depend on the
 * `ndarray` package's declarations (any `ndarray(data, shape, stride, offset)`
 * view fits it).
 */
export interface View {
  readonly data: Arr;
  readonly shape: number[];
  readonly stride: number[];
  readonly offset: number;
  /** Value at a multi-index. */
  get(...idx: number[]): number;
  /** Write the last argument at the multi-index given by the others. */
  set(...idxThenValue: number[]): number;
  /** The window ending before the given indices on each axis. */
  hi(...idx: number[]): View;
  /** The window starting at the given indices on each axis. */
  lo(...idx: number[]): View;
}

type ViewCtor = new (...args: unknown[]) => View;
/** ndarray's view class per dtype and rank, taken from the first view made (see {@link view}). */
const VIEW_CTORS: { float64: ViewCtor[]; float32: ViewCtor[] } = { float64: [], float32: [] };

/**
 * `ndarray(data, shape, stride, offset)` for a Float64Array or Float32Array: the same view
 * class, constructed directly. NOTE (speed): `ndarray()` sniffs the buffer's type on every
 * call (is-buffer, then Object.prototype.toString); that was a tenth of the time of the
 * small problems' steps, which make a few tensors per operation.
 */
function view(data: Arr, shape: number[], stride: number[], offset: number): View {
  const dt = data instanceof Float64Array ? 'float64' : data instanceof Float32Array ? 'float32' : null;
  if (dt === null) return ndarray(data, shape, stride, offset) as unknown as View;
  const d = shape.length;
  let C = VIEW_CTORS[dt][d];
  if (C === undefined) {
    const v = ndarray(data, shape, stride, offset) as unknown as View;
    C = (v as unknown as { constructor: ViewCtor }).constructor;
    VIEW_CTORS[dt][d] = C;
    return v;
  }
  // the generated constructors take (data, shape₀ … shape_{d−1}, stride₀ … stride_{d−1}, offset)
  switch (d) {
    case 0:
      return new C(data, offset);
    case 1:
      return new C(data, shape[0], stride[0], offset);
    case 2:
      return new C(data, shape[0], shape[1], stride[0], stride[1], offset);
    case 3:
      return new C(data, shape[0], shape[1], shape[2], stride[0], stride[1], stride[2], offset);
    default:
      return new C(data, ...shape, ...stride, offset);
  }
}

/** Allocate a zero-filled buffer of the given dtype. */
export function alloc(dtype: DType, size: number): Arr {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: Arr): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

function rowMajorStrides(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

function checkShape(shape: Shape, where: string): void {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new Error(`${where}: invalid shape ${fmtShape(shape)}`);
  }
}

/**
 * An immutable tensor. It wraps an ndarray view (data, shape, strides, offset),
 * so reshape of a contiguous tensor, transpose and slice are views without a
 * copy; kernels read through `contiguous()`, which copies only non-contiguous
 * views. Tensors created inside `grad`/`valueAndGrad` carry a tape node.
 *
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.shape;          // [2, 2]
 * t.toArray();      // [[1, 2], [3, 4]]
 */
export class Tensor {
  /** The underlying ndarray view. Treat as read-only. */
  readonly nd: View;
  readonly dtype: DType;
  /** @internal The autodiff node that produced this tensor, when traced. */
  readonly node: TapeNode | null;

  constructor(nd: View, node: TapeNode | null = null) {
    this.nd = nd;
    this.dtype = dtypeOf(nd.data);
    this.node = node;
  }

  get shape(): Shape {
    return this.nd.shape;
  }
  get rank(): number {
    return this.nd.shape.length;
  }
  get size(): number {
    return shapeSize(this.nd.shape);
  }

  /** True when the view is row-major contiguous (data[offset .. offset+size)). */
  isContiguous(): boolean {
    const { shape, stride } = this.nd;
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i]! !== 1 && stride[i]! !== acc) return false;
      acc *= shape[i]!;
    }
    return true;
  }

  /**
   * Row-major contiguous data of this tensor: the backing buffer itself (a
   * subarray, no copy) when the view is contiguous, else a fresh copy.
   * Callers must not write into it.
   */
  contiguous(): Arr {
    const size = this.size;
    if (this.isContiguous()) {
      const d = this.nd.data;
      if (this.nd.offset === 0 && d.length === size) return d;
      return d.subarray(this.nd.offset, this.nd.offset + size) as Arr;
    }
    const out = alloc(this.dtype, size);
    const { data, shape, stride, offset } = this.nd;
    ops.assign(ndarray(out, shape.slice()), ndarray(data, shape.slice(), stride.slice(), offset));
    return out;
  }

  /** A fresh Float64Array copy of the values in row-major order. */
  toFloat64Array(): Float64Array {
    return Float64Array.from(this.contiguous());
  }

  /** Nested JavaScript arrays (a number for rank 0). */
  toArray(): unknown {
    const data = this.contiguous();
    const shape = this.shape;
    if (shape.length === 0) return data[0];
    const build = (dim: number, off: number): unknown[] => {
      const n = shape[dim]!;
      const stride = shapeSize(shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === shape.length - 1 ? data[off + i] : build(dim + 1, off + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a tensor of size 1. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor has shape ${fmtShape(this.shape)}, expected size 1`);
    return this.contiguous()[0]!;
  }

  /** Value at a multi-index. */
  get(...idx: number[]): number {
    if (idx.length !== this.rank) throw new Error(`get: expected ${this.rank} indices, got ${idx.length}`);
    return this.nd.get(...idx);
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype})`;
  }
}

/** Wrap a contiguous buffer (no copy) as a tensor of the given shape. */
export function fromArray(data: Arr, shape?: Shape): Tensor {
  const sh = shape ?? [data.length];
  checkShape(sh, 'fromArray');
  if (shapeSize(sh) !== data.length) {
    throw new Error(`fromArray: ${data.length} values do not fill shape ${fmtShape(sh)}`);
  }
  return new Tensor(view(data, sh.slice(), rowMajorStrides(sh), 0));
}

/** @internal Wrap a contiguous buffer with an optional tape node. */
export function makeTensor(data: Arr, shape: Shape, node: TapeNode | null = null): Tensor {
  return new Tensor(view(data, shape.slice(), rowMajorStrides(shape), 0), node);
}

function flattenNested(values: unknown, shape: number[], out: number[], depth: number): void {
  if (typeof values === 'number') {
    if (depth !== shape.length) throw new Error('tensor: ragged nested array');
    out.push(values);
    return;
  }
  if (!Array.isArray(values)) throw new Error(`tensor: expected numbers or arrays, got ${typeof values}`);
  if (depth === shape.length) {
    // a new axis may only open on the first (leftmost) descent, before any number was read
    if (out.length > 0) throw new Error('tensor: ragged nested array');
    shape.push(values.length);
  } else if (shape[depth] !== values.length) throw new Error('tensor: ragged nested array');
  for (const v of values) flattenNested(v, shape, out, depth + 1);
}

/**
 * Create a tensor from a number, nested arrays or a typed array (copied).
 *
 * @example
 * tensor([1, 2, 3]).shape;               // [3]
 * tensor([1, 2, 3, 4], [2, 2]).shape;    // [2, 2]
 * tensor(1.5).shape;                     // []
 */
export function tensor(values: number | readonly unknown[] | ArrayLike<number>, shape?: Shape, dtype: DType = 'float64'): Tensor {
  let flat: ArrayLike<number>;
  let sh: number[];
  if (typeof values === 'number') {
    flat = [values];
    sh = [];
  } else if (Array.isArray(values)) {
    const out: number[] = [];
    sh = [];
    flattenNested(values, sh, out, 0);
    if (values.length === 0) sh = [0];
    flat = out;
  } else {
    flat = values as ArrayLike<number>;
    sh = [flat.length];
  }
  if (shape !== undefined) {
    checkShape(shape, 'tensor');
    if (shapeSize(shape) !== flat.length) {
      throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(shape)}`);
    }
    sh = shape.slice();
  }
  const data = alloc(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = flat[i]!;
  return makeTensor(data, sh);
}

/** A rank-0 tensor. */
export function scalar(v: number, dtype: DType = 'float64'): Tensor {
  const d = alloc(dtype, 1);
  d[0] = v;
  return makeTensor(d, []);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float64'): Tensor {
  checkShape(shape, 'full');
  const d = alloc(dtype, shapeSize(shape));
  if (value !== 0) d.fill(value);
  return makeTensor(d, shape);
}

export function zeros(shape: Shape, dtype: DType = 'float64'): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = 'float64'): Tensor {
  return full(shape, 1, dtype);
}

/** A copy of `t` in another dtype (a no-op for the same dtype). */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const d = alloc(dtype, t.size);
  d.set(t.contiguous());
  return makeTensor(d, t.shape);
}

/** @internal Row-major strides of a shape. */
export { rowMajorStrides };
