/**
 * The wasm backend's path for batches with a sparse companion (src/backend/sparseRows.ts):
 * the data set stays resident in wasm memory (copied once), a batch passes only its row
 * indices, and X · B, Xᵀ · B and the linear statistics run over the non-zeros
 * (assembly/sparseRows.ts). Float64 only.
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
 * Xᵀ·B by columns (assembly/sparseRows.ts cscTmm: the batch's non-zeros regrouped by data
 * column, each output row summed in registers by one thread, no accumulators to merge)
 * for n ≥ 64 columns and at most 1024 batch rows; by scattering rows otherwise. Measured
 * on MNIST rows (scratch timing, median µs, scatter against gather including the
 * regrouping): n = 256, b = 64: 1064 / 576 on 1 thread, 1033 / 451 on 2; b = 256:
 * 3987 / 2243 and 2688 / 1614; b = 1024: 17195 / 10151 and 8307 / 5927; but b = 4096:
 * 59915 / 89475 and 31908 / 33070 (the regrouping alone 9 ms, and B's [b, 8] slices no
 * longer stay in cache), and n = 10 lost at every b (0.3–0.7×: ten columns already sit
 * in registers when scattering).
 */
const GATHER_MIN_COLS = 64;
const GATHER_MAX_ROWS = 1024;
/** Whether Xᵀ·B for b batch rows and n columns runs in the gather form (by columns). */
export function tmmByColumns(b: number, n: number): boolean {
  return n >= GATHER_MIN_COLS && b <= GATHER_MAX_ROWS;
}
/** Data columns per chunk taken by a thread in the gather form. */
const GATHER_CHUNK = 16;
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
 * every per-row output still lands at its batch position.
 */
export function rowOrder(idx: Int32Array, rows: number): Int32Array {
  const b = idx.length;
  if (b * 8 < rows) {
    const ord = Int32Array.from({ length: b }, (_, t) => t);
    return ord.sort((s, t) => idx[s]! - idx[t]! || s - t);
  }
  // counting sort by row
  const start = new Int32Array(rows + 1);
  for (let t = 0; t < b; t++) start[idx[t]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const ord = new Int32Array(b);
  for (let t = 0; t < b; t++) ord[start[idx[t]!]!++] = t;
  return ord;
}

function putOrder(rt: WasmRuntime, sp: SparseBatch): number {
  return putIndices(rt, rowOrder(sp.indices, sp.data.rows));
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
function sumParts(rt: WasmRuntime, acc: number, stride: number, parts: number, len: number, out: Float64Array): void {
  for (let q = 1; q < parts; q++) rt.ex.binary_f64(ADD, acc, len, 1, acc + q * stride, len, 1, acc, 1, len);
  out.set(rt.f64.subarray(acc >> 3, (acc >> 3) + len));
}

/**
 * out = X · B (X the batch [b, k], B [k, n]) or, with transA, out = Xᵀ · B (B [b, n],
 * out [k, n]), over the non-zeros of X's rows.
 */
export function sparseMatmul(
  rt: WasmRuntime, sp: SparseBatch, bm: Arr, n: number, out: Float64Array, transA: boolean, threads: number,
): void {
  rt.reset();
  const { rp, co, va } = rt.resident(sp.data);
  const rows = sp.indices.length;
  const idx = putIndices(rt, sp.indices);
  const B = rt.put(bm, 'f64');
  const nt = threadsFor(sp, rows, n, threads);
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
  if (tmmByColumns(rows, n)) {
    // gather form: the batch by columns, each output row summed by one thread
    const nnz = batchNonZeros(sp);
    const cp = rt.alloc((k + 1) * 4);
    const ri = rt.alloc(nnz * 4);
    const cv = rt.alloc(nnz * 8);
    rt.ex.csr_to_csc(rp, co, va, idx, rows, k, cp, ri, cv, rt.alloc(k * 4));
    const C = rt.alloc(k * n * 8);
    const cnt = counter(rt);
    rt.parallel('csc_tmm_dyn_f64', Array.from({ length: nt }, () => [cp, ri, cv, B, C, n, k, cnt, GATHER_CHUNK]));
    rt.get(C, 'f64', out, k * n);
    return;
  }
  const ord = putOrder(rt, sp);
  const { parts, chunk } = partsOf(rows);
  const stride = Math.ceil((k * n * 8) / 64) * 64;
  const acc = rt.alloc(parts * stride);
  rt.f64.fill(0, acc >> 3, (acc + parts * stride) >> 3);
  const cnt = counter(rt);
  rt.parallel('csr_tmm_dyn_f64', Array.from({ length: Math.min(nt, parts) }, () => [rp, co, va, idx, ord, B, acc, stride, n, rows, cnt, chunk]));
  sumParts(rt, acc, stride, parts, k * n, out);
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
 * ten columns; only the outputs in `want` (sqNorms always), each the same bits either way.
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
  const idx = putIndices(rt, sp.indices);
  const D = rt.put(delta.length === b * dout ? delta : delta.subarray(0, b * dout), 'f64');
  const M = want.dots ? rt.put(mm.length === din * dout ? mm : mm.subarray(0, din * dout), 'f64') : 0;
  const sq = rt.alloc(b * 8);
  const dp = rt.alloc(want.dots ? b * 8 : 8);
  const flags = (want.dots ? STATS_DOTS : 0) | (want.coordSumSq ? STATS_CS : 0);
  const { parts, chunk } = partsOf(b);
  const stride = want.coordSumSq ? Math.ceil((din * dout * 8) / 64) * 64 : 0;
  const acc = rt.alloc(want.coordSumSq ? parts * stride : 8);
  if (want.coordSumSq) rt.f64.fill(0, acc >> 3, (acc + parts * stride) >> 3);
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
  if (want.coordSumSq) sumParts(rt, acc, stride, parts, din * dout, coordSumSq);
}
