/**
 * Sparse companions of dense batch matrices. A problem whose data set is mostly zeros
 * (MNIST pixels, LIBSVM features) keeps it in compressed rows once; when it gathers the
 * rows of a batch into a dense [b, cols] array it attaches here which rows of which
 * data set the array holds. Backends that know this (wasm) then run the batch's
 * products and statistics over the data set's non-zeros directly — the dense array
 * is never scanned, and the data set is copied into wasm memory once per process,
 * not once per call. Every other consumer reads the dense array, which stays valid.
 *
 * The companion is keyed by the array object itself (a WeakMap), so a copy, a cast or
 * a different view has none and takes the dense path. A float32 array's companion
 * refers to the data set's float32 twin (its values rounded to float32, see
 * {@link float32Twin}), so that it describes exactly the values the array holds.
 */
import type { Arr } from '../tensor/tensor.js';

/** A data set in compressed sparse rows: the non-zeros of row i are val[rowPtr[i] .. rowPtr[i+1]) at columns col[·]. */
export interface SparseDataset {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** Which rows of a data set a dense batch array holds: its row t is row `indices[t]` of `data`. */
export interface SparseBatch {
  readonly data: SparseDataset;
  readonly indices: Int32Array;
}

interface Companion extends SparseBatch {
  /** Writes the rows into the (zeroed) dense array; null once it holds them. */
  fill: (() => void) | null;
}

const companions = new WeakMap<object, Companion>();

/** Data sets denser than this are left dense (the sparse kernels pay off below it). */
export const SPARSE_MAX_DENSITY = 0.4;

/** Whether a data set is sparse enough for the sparse kernels (decided once per data set by its owner). */
export function worthSparse(data: SparseDataset): boolean {
  return data.rows > 0 && data.cols > 0 && data.rowPtr[data.rows]! <= SPARSE_MAX_DENSITY * data.rows * data.cols;
}

const twins = new WeakMap<SparseDataset, SparseDataset>();

/**
 * The data set with its values rounded to float32 (the same rows and columns; the data
 * set itself when every value is already a float32). A float32 batch array holds these
 * values, so its companion refers to this twin; it is built once per data set.
 */
export function float32Twin(data: SparseDataset): SparseDataset {
  let t = twins.get(data);
  if (t === undefined) {
    const nnz = data.rowPtr[data.rows]!;
    const val = Float64Array.from(Float32Array.from(data.val.subarray(0, nnz)));
    let same = true;
    for (let p = 0; p < nnz && same; p++) same = val[p] === data.val[p];
    t = same ? data : { rows: data.rows, cols: data.cols, rowPtr: data.rowPtr, col: data.col, val };
    twins.set(data, t);
    twins.set(t, t); // its values are float32 already (a batch re-attached to it need not check)
  }
  return t;
}

/**
 * Record that the dense array `dense` ([indices.length, data.cols]) holds the rows
 * `indices` of `data` (a float32 array: rounded to float32, and its companion refers to
 * {@link float32Twin}(data)). With `filled: false` the array is still all zeros: its
 * rows are written on the first {@link ensureDense} (only a backend that reads
 * companions may receive such an array; see Backend.sparseRows).
 */
export function attachSparseRows(dense: Arr, data: SparseDataset, indices: Int32Array, filled = true): void {
  if (dense.length !== indices.length * data.cols) {
    throw new Error(`attachSparseRows: the array holds ${dense.length} values, not ${indices.length} rows × ${data.cols}`);
  }
  const held = dense instanceof Float32Array ? float32Twin(data) : data;
  const fill = filled ? null : () => writeRows(dense, held, indices);
  companions.set(dense, { data: held, indices, fill });
}

/** Write the rows `indices` of `data` into the zeroed dense array `out` (rounded to its dtype). */
export function writeRows(out: Arr, data: SparseDataset, indices: Int32Array): void {
  const { rowPtr, col, val, cols } = data;
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t]!;
    const o = t * cols;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) out[o + col[p]!] = val[p]!;
  }
}

/** The sparse companion of a dense batch array, if its owner attached one. */
export function sparseRowsOf(x: Arr): SparseBatch | undefined {
  return companions.get(x);
}

/** Whether `x` was attached with `filled: false` and its rows have not been written since (it is still all zeros). */
export function stillUnwritten(x: Arr): boolean {
  const c = companions.get(x);
  return c !== undefined && c.fill !== null;
}

/** Make sure a dense array with a companion holds its rows (a no-op for every other array); returns it. */
export function ensureDense<A extends Arr>(x: A): A {
  const c = companions.get(x);
  if (c !== undefined && c.fill !== null) {
    const f = c.fill;
    c.fill = null;
    f();
  }
  return x;
}
