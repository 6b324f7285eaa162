/**
 * The wasm backend's path for batches with a sparse companion (src/backend/sparseRows.ts):
 * the data set stays resident in wasm memory (copied once), a batch passes only its row
 * indices, and X · B, Xᵀ · B and the linear statistics run over the non-zeros
 * (assembly/sparseRows.ts), all in float64: a float32 batch (whose companion refers to the
 * data set's float32 twin) and float32 operands are widened exactly, and a float32
 * product is rounded once, on the way out.
 *
 * Determinism: the scattering products (Xᵀ · B and (X∘X)ᵀ(Δ∘Δ)) split the batch into a
 * number of parts fixed by the batch size alone, each accumulated separately and summed
 * in order, and the gather form of Xᵀ · B sums each output row on one thread in batch
 * order, so results are the same bits for 1 or 2 threads and under any scheduling.
 */
import type { Arr } from '../../tensor/tensor.js';
import type { LinearStatsWant } from '../backend.js';
import type { SparseBatch } from '../sparseRows.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Below this many multiply-adds (non-zeros × columns), or this many batch rows, a
 * product stays on one thread: waking the worker costs about 0.1–0.3 ms on this kind
 * of machine. Measured on MNIST rows (scratch timing of X·B, 1 against 2 threads):
 * 2 threads lost below about 0.6 M multiply-adds (b = 32, n = 32: 90 against 39 µs)
 * and at b = 32 whatever n (n = 256, 1.2 M: 504 against 349 µs), and won from about
 * 1 M with b ≥ 64 (b = 256, n = 32: 265 against 421 µs; b = 64, n = 256: 724 against
 * 999 µs). With the earlier 2¹⁷ a b = 32 step of the MNIST MLP (h = 32) took 1.5× as
 * long on 2 threads as on one.
 */
const PARALLEL_MIN_MACS = 1 << 20;
const PARALLEL_MIN_ROWS = 64;
/**
 * Rows per part of the scattering products (at most MAX_PARTS parts). Parts are the
 * unit of threading for Xᵀ·B and (X∘X)ᵀ(Δ∘Δ), so a batch of b rows uses at most
 * ⌈b/PART_ROWS⌉ threads there: 128 lets b = 256 use both cores (with 1024, every
 * b ≤ 1024 ran those kernels on one thread: the MLP statistics at b = 256 took about
 * 10% longer); at most 4 accumulators of [k, n] each.
 */
const PART_ROWS = 128;
/**
 * Xᵀ·B by columns (assembly/sparseRows.ts csc_tmm_panels: the batch's non-zeros regrouped
 * by data column, B copied eight columns at a time into a contiguous panel, each output
 * summed in registers by one thread, no accumulators to merge) for n ≥ 128 columns and
 * at most 4096 batch rows; by scattering rows otherwise. Measured on MNIST rows (scratch
 * timing, median µs, 2 threads, scatter against gather including the regrouping):
 * n = 256, b = 64: 1037 / 534; b = 256: 3128 / 1060; b = 1024: 10913 / 5640; b = 4096:
 * 37404 / 23324 (1 thread 67468 / 35594); but b = 8192: 63549 / 69580 (the [b, 8]
 * panel, 512 KB, no longer stays in cache). n = 128: b = 1024 3766 / 3796, b = 4096
 * 17605 / 13920. n = 64 lost or tied from b = 256 (503 / 559, 2360 / 2558 at b = 1024),
 * and n = 10 at every b (ten columns already sit in registers when scattering). Before
 * the panels (B read in place, [b, 8] slices at a stride of n·8 bytes), the gather form
 * lost from b = 4096 (44088 against 39162 at n = 256).
 */
const GATHER_MIN_COLS = 128;
const GATHER_MAX_ROWS = 4096;
/** Whether Xᵀ·B for b batch rows and n columns runs in the gather form (by columns). */
export function tmmByColumns(b: number, n: number): boolean {
  return n >= GATHER_MIN_COLS && b <= GATHER_MAX_ROWS;
}
/** The add code of the binary kernels (assembly/kernels.ts). */
const ADD = 0;
const MAX_PARTS = 4;

/** Whether `sp` describes a [rows, cols] batch (the shapes the caller multiplies). */
export function sparseFits(sp: SparseBatch, rows: number, cols: number): boolean {
  return sp.indices.length === rows && sp.data.cols === cols;
}

function counter(rt: WasmRuntime): number {
  const p = rt.alloc(4);
  rt.i32[p >> 2] = 0;
  return p;
}

function putIndices(rt: WasmRuntime, idx: Int32Array): number {
  const p = rt.alloc(idx.length * 4);
  rt.i32.set(idx, p >> 2);
  return p;
}

/**
 * The batch positions ordered by data row (stable: ties keep batch order), written
 * into wasm memory. The kernels visit the rows in this order, so the resident data
 * set is read front to back instead of at random (about twice as fast on MNIST);
 * every per-row output still lands at its batch position. Sorted as packed keys
 * row·b + t in a typed array (numeric sort, no comparator): NOTE (speed) the
 * comparator sort took 0.18 ms of a 5 ms MLP mean-gradient step at b = 256.
 */
export function rowOrder(idx: Int32Array, rows: number): Int32Array {
  const b = idx.length;
  const ord = new Int32Array(b);
  if (b === 0) return ord;
  if (b * 8 >= rows) {
    // counting sort by row
    const start = new Int32Array(rows + 1);
    for (let t = 0; t < b; t++) start[idx[t]! + 1]!++;
    for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
    for (let t = 0; t < b; t++) ord[start[idx[t]!]!++] = t;
    return ord;
  }
  const keys = rows * b <= 0x7fffffff ? new Int32Array(b) : new Float64Array(b);
  for (let t = 0; t < b; t++) keys[t] = idx[t]! * b + t;
  keys.sort();
  for (let t = 0; t < b; t++) ord[t] = keys[t]! % b;
  return ord;
}

/** The row order of a batch, computed once per companion (its indices compared on reuse). */
const orders = new WeakMap<SparseBatch, { readonly idx: Int32Array; readonly ord: Int32Array }>();

function putOrder(rt: WasmRuntime, sp: SparseBatch): number {
  let o = orders.get(sp);
  if (o === undefined || !equalInts(o.idx, sp.indices)) {
    o = { idx: sp.indices.slice(), ord: rowOrder(sp.indices, sp.data.rows) };
    orders.set(sp, o);
  }
  return putIndices(rt, o.ord);
}

function equalInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return false;
  return true;
}

function threadsFor(sp: SparseBatch, rows: number, n: number, threads: number): number {
  const nnz = sp.data.rowPtr[sp.data.rows]!;
  const macs = (nnz / Math.max(1, sp.data.rows)) * rows * n;
  return macs >= PARALLEL_MIN_MACS && rows >= PARALLEL_MIN_ROWS ? threads : 1;
}

/** The number of parts and rows per part of a scattering product over `rows` batch rows (independent of threads). */
export function partsOf(rows: number): { parts: number; chunk: number } {
  const parts = Math.max(1, Math.min(MAX_PARTS, Math.ceil(rows / PART_ROWS)));
  return { parts, chunk: Math.ceil(rows / parts) };
}

/**
 * Sum accumulators acc[0..parts) (each `len` f64 at acc + q·stride) in order into `out`:
 * acc[0] += acc[q] for q = 1, 2, … in wasm memory (the same additions in the same order
 * as a JavaScript loop, at SIMD speed), then one copy out.
 */
function sumParts(rt: WasmRuntime, acc: number, stride: number, parts: number, len: number, out: Arr): void {
  for (let q = 1; q < parts; q++) rt.ex.binary_f64(ADD, acc, len, 1, acc + q * stride, len, 1, acc, 1, len);
  out.set(rt.f64.subarray(acc >> 3, (acc >> 3) + len));
}

/**
 * out = X · B (X the batch [b, k], B [k, n]) or, with transA, out = Xᵀ · B (B [b, n],
 * out [k, n]), over the non-zeros of X's rows.
 */
export function sparseMatmul(
  rt: WasmRuntime, sp: SparseBatch, bm: Arr, n: number, out: Arr, transA: boolean, threads: number,
): void {
  rt.reset();
  const { rp, co, va } = rt.resident(sp.data);
  const rows = sp.indices.length;
  const nt = threadsFor(sp, rows, n, threads);
  if (transA && tmmByColumns(rows, n)) {
    const k = sp.data.cols;
    if (expecting !== sp) {
      const byCol = regroup(rt, sp, nt);
      return panelsTmm(rt, byCol, rt.put(bm, 'f64'), k, rows, n, out, nt, PANELS_PLAIN);
    }
    expecting = null;
    const byCol = regroup(rt, sp, nt, k * n * 8);
    panelsTmm(rt, byCol, rt.put(bm, 'f64'), k, rows, n, out, nt, PANELS_BOTH);
    kept = { sp, B: bm, n, at: byCol.extra, epoch: rt.pinEpoch };
    return;
  }
  const idx = putIndices(rt, sp.indices);
  const B = rt.put(bm, 'f64');
  if (!transA) {
    const ord = putOrder(rt, sp);
    const C = rt.alloc(rows * n * 8);
    const cnt = counter(rt);
    const chunk = Math.max(16, Math.ceil(rows / (8 * nt)));
    rt.parallel('csr_mm_dyn_f64', Array.from({ length: nt }, () => [rp, co, va, idx, ord, B, C, n, rows, cnt, chunk]));
    rt.get(C, 'f64', out, rows * n);
    return;
  }
  const k = sp.data.cols;
  const ord = putOrder(rt, sp);
  const { parts, chunk } = partsOf(rows);
  const stride = Math.ceil((k * n * 8) / 64) * 64;
  const acc = rt.alloc(parts * stride);
  rt.f64.fill(0, acc >> 3, (acc + parts * stride) >> 3);
  const cnt = counter(rt);
  rt.parallel('csr_tmm_dyn_f64', Array.from({ length: Math.min(nt, parts) }, () => [rp, co, va, idx, ord, B, acc, stride, n, rows, cnt, chunk]));
  sumParts(rt, acc, stride, parts, k * n, out);
}

function align64(p: number): number {
  return Math.ceil(p / 64) * 64;
}

/**
 * Below this many batch non-zeros the regrouping runs on one thread. Measured on MNIST
 * rows, n = 256, 2 threads, the whole gather-form Xᵀ·B interleaved (scratch timing,
 * median ms, regrouping on 1 / 2 threads): b = 256 (≈ 38 000 non-zeros) 1.97 / 1.89,
 * b = 1024 7.15 / 6.20, b = 4096 28.9 / 25.4.
 */
const REGROUP_PARALLEL_MIN_NNZ = 1 << 15;

/** A batch regrouped by data column in wasm memory (see regroup). */
interface ByColumns {
  readonly cp: number;
  readonly ri: number;
  readonly cv: number;
  /** Where the caller's extra bytes of the pinned region start (after cv). */
  readonly extra: number;
}

/**
 * (X∘X)ᵀ(Δ∘Δ) formed alongside Xᵀ·Δ. The statistics engine says, before its reverse sweep,
 * that it will ask linearStats for the per-coordinate sums of a batch (expectSquares); the
 * next gather-form Xᵀ·B of that batch then forms (X∘X)ᵀ(B∘B) in the same pass
 * (csc_tmm_panels in PANELS_BOTH mode: the same bits as its own call) and keeps it in the pinned region after
 * the regrouping; linearStats of that batch with the same B array (the same cotangent) and
 * the pinned region untouched since (its epoch) reads it instead of a second pass.
 * NOTE (speed): MLP 784-256-10 statistics, the two passes over the regrouped entries and B
 * took 28 ms of 130 at b = 4096.
 */
let expecting: SparseBatch | null = null;
let kept: { readonly sp: SparseBatch; readonly B: Arr; readonly n: number; readonly at: number; readonly epoch: number } | null = null;

/** The next gather-form Xᵀ·B of this batch may also form (X∘X)ᵀ(B∘B) for a later linearStats (see `kept`). */
export function expectSquares(sp: SparseBatch): void {
  expecting = sp;
}

/**
 * The batch's non-zeros by data column in wasm memory (assembly/sparseRows.ts csc_count,
 * csc_fill): column c's entries cp[c] .. cp[c+1] with batch positions ri (ascending)
 * and values cv. Threads take consecutive row ranges; the column starts of range t
 * follow those of ranges 0 .. t-1, so the result is the same however it is split.
 * Kept in the runtime's pinned region for the batch (its companion object, with a copy
 * of its indices checked on reuse), so a statistics pass regroups the batch once for
 * Xᵀ·Δ and (X∘X)ᵀ(Δ∘Δ) (NOTE (speed): one regrouping took 0.4 ms of a 13–16 ms MLP
 * step at b = 256 and 3 ms of 130 at b = 4096, MNIST rows, scratch timing). Call right
 * after reset() and resident(), before any other allocation.
 */
function regroup(rt: WasmRuntime, sp: SparseBatch, threads: number, extraBytes = 0): ByColumns {
  const { rp, co, va } = rt.resident(sp.data);
  const rows = sp.indices.length;
  const k = sp.data.cols;
  const nnz = batchNonZeros(sp);
  const idxBytes = align64(rows * 4);
  const cpBytes = align64((k + 1) * 4);
  const riBytes = align64(nnz * 4);
  const cvBytes = align64(nnz * 8);
  const { p, hit } = rt.pinned(sp, idxBytes + cpBytes + riBytes + cvBytes + extraBytes);
  const idx = p;
  const cp = p + idxBytes;
  const ri = cp + cpBytes;
  const cv = ri + riBytes;
  const extra = cv + cvBytes;
  if (hit) {
    if (equalInts(rt.i32.subarray(idx >> 2, (idx >> 2) + rows), sp.indices)) return { cp, ri, cv, extra };
    rt.unpin(); // the same companion with other rows: its owner changed the indices in place
    return regroup(rt, sp, threads, extraBytes);
  }
  rt.i32.set(sp.indices, idx >> 2);
  const nt = nnz >= REGROUP_PARALLEL_MIN_NNZ ? threads : 1;
  const cnt = rt.alloc(nt * k * 4);
  const range = (t: number) => [Math.floor((t * rows) / nt), Math.floor(((t + 1) * rows) / nt)] as const;
  rt.parallel('csc_count', Array.from({ length: nt }, (_, t) => [rp, co, idx, ...range(t), k, cnt + t * k * 4]));
  // counts → starts: column c of range t begins after ranges 0 .. t-1 of column c
  const i32 = rt.i32;
  const c0 = cp >> 2;
  const n0 = cnt >> 2;
  let s = 0;
  for (let c = 0; c < k; c++) {
    i32[c0 + c] = s;
    for (let t = 0; t < nt; t++) {
      const at = n0 + t * k + c;
      const m = i32[at]!;
      i32[at] = s;
      s += m;
    }
  }
  i32[c0 + k] = s;
  rt.parallel('csc_fill', Array.from({ length: nt }, (_, t) => [rp, co, va, idx, ...range(t), cnt + t * k * 4, ri, cv]));
  return { cp, ri, cv, extra };
}

/** csc_tmm_panels modes (assembly/sparseRows.ts). */
const PANELS_PLAIN = 0;
const PANELS_SQUARE = 1;
const PANELS_BOTH = 2;

/**
 * out = Xᵀ·B (PANELS_PLAIN) or (X∘X)ᵀ(B∘B) (PANELS_SQUARE) in the gather form (B [rows, n]
 * at B, out [k, n]) from the batch regrouped by column: B's eight-column panels
 * (csc_tmm_panels); PANELS_BOTH also writes (X∘X)ᵀ(B∘B) at byCol.extra.
 */
function panelsTmm(rt: WasmRuntime, byCol: ByColumns, B: number, k: number, rows: number, n: number, out: Arr, nt: number, mode: number): void {
  const C = rt.alloc(k * n * 8);
  const pack = align64(rt.alloc(nt * rows * 64 + 64));
  const cnt = counter(rt);
  rt.parallel('csc_tmm_panels_dyn_f64', Array.from({ length: nt }, (_, t) => [byCol.cp, byCol.ri, byCol.cv, B, C, byCol.extra, n, k, rows, pack + t * rows * 64, cnt, mode]));
  rt.get(C, 'f64', out, k * n);
}

/** The number of non-zeros in the batch's rows. */
function batchNonZeros(sp: SparseBatch): number {
  const rp = sp.data.rowPtr;
  let s = 0;
  for (let t = 0; t < sp.indices.length; t++) { const r = sp.indices[t]!; s += rp[r + 1]! - rp[r]!; }
  return s;
}

/** csrStats flags (assembly/sparseRows.ts): which outputs besides sq to form. */
const STATS_DOTS = 1;
const STATS_CS = 2;

/**
 * Backend.linearStats for a sparse batch X, in one pass over its non-zeros per block of
 * ten columns (csrStats); (X∘X)ᵀ(Δ∘Δ) in that pass by scattering, or where the gather
 * form wins (tmmByColumns) as an Xᵀ·B of its own over the squares. Only the outputs in
 * `want` (sqNorms always), each the same bits either way.
 * ||x_i||² comes from the resident set's row norms, so with neither dots nor
 * coordSumSq nothing of X is read: O(b · dout) on one thread.
 */
export function sparseLinearStats(
  rt: WasmRuntime, sp: SparseBatch, delta: Arr, mm: Arr, b: number, din: number, dout: number,
  sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array, threads: number,
  want: LinearStatsWant = { dots: true, coordSumSq: true },
): void {
  rt.reset();
  const { rp, co, va, rn } = rt.resident(sp.data);
  // (X∘X)ᵀ(Δ∘Δ) is an Xᵀ·B: by columns where that wins (tmmByColumns), else scattered in the same pass
  const csByColumns = want.coordSumSq && tmmByColumns(b, dout);
  const csThreads = threadsFor(sp, b, dout, threads);
  const byCol = csByColumns ? regroup(rt, sp, csThreads) : null;
  const idx = putIndices(rt, sp.indices);
  const D = rt.put(delta.length === b * dout ? delta : delta.subarray(0, b * dout), 'f64');
  const M = want.dots ? rt.put(mm.length === din * dout ? mm : mm.subarray(0, din * dout), 'f64') : 0;
  const sq = rt.alloc(b * 8);
  const dp = rt.alloc(want.dots ? b * 8 : 8);
  const csScattered = want.coordSumSq && !csByColumns;
  const flags = (want.dots ? STATS_DOTS : 0) | (csScattered ? STATS_CS : 0);
  const { parts, chunk } = partsOf(b);
  const stride = csScattered ? Math.ceil((din * dout * 8) / 64) * 64 : 0;
  const acc = rt.alloc(csScattered ? parts * stride : 8);
  if (csScattered) rt.f64.fill(0, acc >> 3, (acc + parts * stride) >> 3);
  const cnt = counter(rt);
  if (flags === 0) {
    // batch order: nothing is scattered, and each row's values are read once
    rt.ex.csr_stats_f64(rp, co, va, rn, idx, D, M, sq, dp, acc, dout, 0, b, flags);
  } else {
    const ord = putOrder(rt, sp);
    const nt = Math.min(threadsFor(sp, b, 2 * dout, threads), parts);
    rt.parallel('csr_stats_dyn_f64', Array.from({ length: nt }, () => [rp, co, va, idx, ord, D, M, sq, dp, acc, stride, dout, b, cnt, chunk, flags, rn]));
  }
  const f = rt.f64;
  sqNorms.set(f.subarray(sq >> 3, (sq >> 3) + b));
  if (want.dots) dots.set(f.subarray(dp >> 3, (dp >> 3) + b));
  if (csScattered) sumParts(rt, acc, stride, parts, din * dout, coordSumSq);
  expecting = null; // the sweep the hint was for is over
  if (byCol !== null) {
    const k = kept;
    kept = null;
    if (k !== null && k.sp === sp && k.B === delta && k.n === dout && k.epoch === rt.pinEpoch) rt.get(k.at, 'f64', coordSumSq, din * dout);
    else panelsTmm(rt, byCol, D, din, b, dout, coordSumSq, csThreads, PANELS_SQUARE);
  }
}
