/**
 * The `wasm` backend: WebAssembly SIMD kernels (AssemblyScript, assembly/kernels.ts)
 * in float32 and float64, with matmul and the statistics kernel split over threads.
 *
 * In wasm: matmul (cache-blocked, packed, 4 × 2-vector register tiles; a sparse path
 * when op(A) is mostly zeros, as MNIST pixels are, that skips the zeros row by row), linearStats (built from those
 * products, all in float64), binary add/sub/mul/div/maximum (same shape, scalar,
 * row and column broadcasts), unary neg/abs/sqrt/relu/step/sign, sum/max over
 * one contiguous run of axes, tanh/exp/log/log1p on large arrays split over the threads
 * (AssemblyScript's float64 Math, musl's algorithms: within 4 ulp of V8's, and the same bits
 * on any thread count), and the 2-D window ops (conv.ts: unfold, fold, pooling
 * and its VJP, and the fused conv2d, its VJP and the per-sample conv weight gradients,
 * which unfold chunks of samples inside wasm memory). Everything else delegates to the js backend: the
 * other transcendental unary ops and small arrays (sigmoid, softplus: one thread of wasm
 * runs them no faster than V8, so a copy into wasm memory would only add cost), pow and
 * the comparisons, general n-d broadcasts, where, transpose, gatherRows and
 * scatterAddRows (pure data movement), and arrays too small to repay the copy.
 *
 * Threads: mode '1-thread' runs every kernel on the calling thread; '2-threads'
 * splits large matmuls (and so linearStats) by rows, the fused conv ops by chunks of
 * samples and the large transcendental ops by chunks of elements between the calling thread
 * and one worker thread over the shared wasm memory — on a 2-core machine that
 * keeps both cores busy without an idle third thread — and blocks in Atomics.wait
 * until the worker is done, so the API stays synchronous.
 */
import { isMainThread } from 'node:worker_threads';
import type { Arr, Shape } from '../../tensor/tensor.js';
import type { Backend, BinaryOp, LinearStatsWant, ReduceOp, UnaryOp } from '../backend.js';
import { broadcastStrides, jsBackend } from '../js.js';
import { MAX_THREADS, wasmRuntime, type WasmRuntime } from './runtime.js';
import { ensureDense, sparseRowsOf } from '../sparseRows.js';
import { expectSquares as expectSparseSquares, sparseFits, sparseLinearStats, sparseMatmul as sparseRowsMatmul } from './sparseRows.js';
import { wasmConv2d, wasmConv2dBackward, wasmConvWeightGrads, wasmFold, wasmPool2d, wasmPool2dBackward, wasmUnfold } from './conv.js';

type DT = 'f32' | 'f64';

/** Below this many output elements the elementwise kernels stay in JavaScript. */
const ELEMENTWISE_MIN = 2048;
/**
 * Below this many multiply-adds a matmul stays on one thread. Waking the worker costs
 * about 0.1–0.2 ms here: measured (scratch timing, 1 against 2 threads), 2 threads lost
 * at every size up to 0.66 M (256×32×32: 40–64 against 111–188 µs; 256×256×10: 232
 * against 268–377 µs) and were level or ahead from about 1 M (100³: 181 against 176 µs;
 * 4096×32×10: 443 against 340 µs). It was 2¹⁸.
 */
const PARALLEL_MIN_MACS = 1 << 20;
/** The sparse path is taken when op(A) has at most this fraction of non-zeros (sampled). */
const SPARSE_MAX_DENSITY = 0.4;
/** Parts of the sparse Aᵀ·B product: stored rows per part, at most this many parts, and bytes of accumulators. */
const SCATTER_PART_ROWS = 1024;
const SCATTER_MAX_PARTS = 8;
const SCATTER_MAX_BYTES = 1 << 28;
/** From this many stored rows, at least two parts, so that two threads share the product (see scatterParts). */
const SCATTER_SPLIT_MIN_ROWS = 128;

const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, step: 4, sign: 5, tanh: 7, exp: 8, log: 9, log1p: 10 };
const U_SQUARE = 6;
/** Codes from here on are the transcendental ops (one lane at a time, split over the threads). */
const U_TRANSCENDENTAL = 7;
/**
 * Below this many elements the transcendental ops stay in JavaScript: one thread of wasm
 * computes them no faster than V8, so only the split over threads repays the copies.
 */
const TRANSCENDENTAL_MIN = 1 << 15;
/** Elements per chunk of a threaded transcendental op. */
const TRANSCENDENTAL_CHUNK = 1 << 13;

function dtOf(x: Arr): DT {
  return x instanceof Float64Array ? 'f64' : 'f32';
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Threads for matmul and linearStats: 1 or 2 (up to 4). Default: $ADADAGRAD_THREADS, else 2 on
   * the main thread and 1 in a worker thread (sweeps and reproduce already run one job per core).
   */
  readonly threads?: number;
}

/** The thread count from the option, else $ADADAGRAD_THREADS, else 2 (1 in a worker thread). */
export function resolveThreads(threads?: number): number {
  let t = threads;
  if (t === undefined) {
    const env = typeof process !== 'undefined' ? process.env['ADADAGRAD_THREADS'] : undefined;
    t = env !== undefined && env !== '' ? Number(env) : isMainThread ? 2 : 1;
  }
  if (!Number.isInteger(t) || t < 1 || t > MAX_THREADS) {
    throw new Error(`wasm backend: threads must be an integer in [1, ${MAX_THREADS}], got ${String(threads ?? t)} (option or ADADAGRAD_THREADS)`);
  }
  return t;
}

/** The mode string of a thread count: '1-thread', '2-threads', ... */
export function threadsMode(t: number): string {
  return t === 1 ? '1-thread' : `${t}-threads`;
}

/**
 * matmul on pointers into wasm memory: c [m, n] = op(a) · op(b), choosing the sparse
 * path for a mostly-zero op(A) and splitting rows over `threads`. With `squareA`,
 * op(A) is replaced by op(A)∘op(A) (used by linearStats).
 */
export function matmulPtr(
  rt: WasmRuntime, dt: DT, a: number, b: number, c: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, threads: number, squareA = false,
): void {
  const E = dt === 'f64' ? 8 : 4;
  const ex = rt.ex;
  if (m === 0 || n === 0) return;
  const macs = m * k * n;
  const nt = macs >= PARALLEL_MIN_MACS ? Math.min(threads, Math.max(1, Math.floor(m / 8))) : 1;
  if (k > 0 && n >= 2 && sampledDensity(rt, dt, a, transA ? k : m, transA ? m : k) <= SPARSE_MAX_DENSITY) {
    sparseMatmul(rt, dt, a, b, c, m, k, n, transA, transB, nt, squareA);
    return;
  }
  let aa = a;
  if (squareA) {
    aa = rt.alloc(m * k * E);
    if (dt === 'f64') ex.unary_f64(U_SQUARE, a, aa, m * k);
    else ex.unary_f32(U_SQUARE, a, aa, m * k);
  }
  const kernel = dt === 'f64' ? 'gemm_f64' : 'gemm_f32';
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  if (nt === 1) {
    ex[kernel](aa, b, c, m, k, n, tA, tB, 0, m, 0, n, rt.scratch(0));
    return;
  }
  // threads take chunks of rows from a shared counter (dynamic: robust to a busy core)
  const counter = newCounter(rt);
  const chunk = gemmChunk(m, nt);
  rt.parallel(dt === 'f64' ? 'gemm_dyn_f64' : 'gemm_dyn_f32', Array.from({ length: nt }, (_, t) => [aa, b, c, m, k, n, tA, tB, counter, chunk, rt.scratch(t)]));
}

/** A zeroed i32 in wasm memory for the dynamic schedulers. */
export function newCounter(rt: WasmRuntime): number {
  const p = rt.alloc(4);
  rt.i32[p >> 2] = 0;
  return p;
}

/** Row chunk for dynamic scheduling: a multiple of the 4-row tile, about 8 chunks per thread, at least 32 rows. */
function gemmChunk(m: number, nt: number): number {
  return Math.max(32, Math.ceil(m / (8 * nt) / 4) * 4);
}

/** Fraction of non-zeros in up to 64 evenly spaced rows of a stored [rows, cols] matrix. */
function sampledDensity(rt: WasmRuntime, dt: DT, a: number, rows: number, cols: number): number {
  const view = dt === 'f64' ? rt.f64 : rt.f32;
  const base = dt === 'f64' ? a >> 3 : a >> 2;
  const picks = Math.min(rows, 64);
  let nz = 0;
  for (let s = 0; s < picks; s++) {
    const r = Math.floor(((s + 0.5) * rows) / picks);
    const o = base + r * cols;
    for (let j = 0; j < cols; j++) if (view[o + j] !== 0) nz++;
  }
  return nz / (picks * cols);
}

/**
 * The block of rows and the work area of a sparse product: rows go in blocks of rb whose
 * non-zeros are gathered into a work area of rb · rowLen · (4 + E) bytes (rowLen: the
 * stored row length of A, k for A·B and m for Aᵀ·B, whose scatter kernel also buckets the
 * block's non-zeros: twice the room, plus m + 1 starts), the thread's scratch when a block
 * of at least 16 rows fits there (bytes 0), else blocks of 16 in an area of `bytes`.
 */
export function sparseBlock(rt: WasmRuntime, E: number, rowLen: number, transA: boolean, m: number): { rb: number; bytes: number } {
  const perRow = (transA ? 2 : 1) * rowLen * (4 + E) + 4;
  const fixed = 256 + (transA ? (m + 1) * 4 : 0);
  const rb = Math.max(1, Math.min(transA ? 256 : 64, Math.floor((rt.scratchBytes - fixed) / perRow)));
  return rb >= 16 ? { rb, bytes: 0 } : { rb: 16, bytes: 16 * perRow + fixed };
}

/**
 * Parts of the k stored rows of a sparse Aᵀ·B, each with an accumulator of `stride` bytes
 * (fixed by the shapes alone, so the same bits on any number of threads): one per 1024 rows,
 * and at least two from 128 rows (NOTE (speed): with one part, a product of 256 rows ran on
 * one thread: the float32 Xᵀ·Δ of the MNIST MLP's mean gradient at b = 256 took 1.37 ms).
 */
export function scatterParts(k: number, stride: number): number {
  const byRows = Math.max(Math.ceil(k / SCATTER_PART_ROWS), k >= SCATTER_SPLIT_MIN_ROWS ? 2 : 1);
  return Math.max(1, Math.min(SCATTER_MAX_PARTS, byRows, Math.floor(SCATTER_MAX_BYTES / stride)));
}

/**
 * matmul for a mostly-zero op(A) kept in its dense layout: the non-zeros of each block
 * of rows are gathered on the fly (no CSR of the whole matrix). op(A) = A: blocks of
 * rows of C (spmm_rows). op(A) = Aᵀ (A stored [k, m]): blocks of stored rows, their
 * non-zeros bucketed by output row, accumulate into C — each thread into its own
 * accumulator, summed at the end (spmm_scatter).
 */
function sparseMatmul(
  rt: WasmRuntime, dt: DT, a: number, b: number, c: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, nt: number, squareA: boolean,
): void {
  const E = dt === 'f64' ? 8 : 4;
  const ex = rt.ex;
  let bb = b;
  if (transB) {
    // B stored [n, k]: materialise op(B) [k, n]
    bb = rt.alloc(k * n * E);
    if (dt === 'f64') ex.transpose_f64(b, n, k, bb);
    else ex.transpose_f32(b, n, k, bb);
  }
  const { rb, bytes } = sparseBlock(rt, E, transA ? m : k, transA, m);
  const work = (t: number): number => (bytes === 0 ? rt.scratch(t) : rt.alloc(bytes));
  if (!transA) {
    let aa = a;
    if (squareA) {
      aa = rt.alloc(m * k * E);
      if (dt === 'f64') ex.unary_f64(U_SQUARE, a, aa, m * k);
      else ex.unary_f32(U_SQUARE, a, aa, m * k);
    }
    const works = Array.from({ length: nt }, (_, t) => work(t));
    if (nt === 1) {
      if (dt === 'f64') ex.spmm_rows_f64(aa, bb, c, k, n, 0, m, rb, works[0]!);
      else ex.spmm_rows_f32(aa, bb, c, k, n, 0, m, rb, works[0]!);
      return;
    }
    const counter = newCounter(rt);
    const chunk = rb * Math.max(1, Math.ceil(m / (8 * nt * rb)));
    rt.parallel(dt === 'f64' ? 'spmm_rows_dyn_f64' : 'spmm_rows_dyn_f32', works.map((w) => [aa, bb, c, m, k, n, counter, chunk, rb, w]));
    return;
  }
  // the stored rows go in parts fixed by the shapes alone, each into its own accumulator,
  // summed in order: the result is the same bits for any thread count and schedule
  const sh = dt === 'f64' ? 3 : 2;
  const stride = Math.ceil((m * n * E) / 64) * 64;
  const parts = scatterParts(k, stride);
  const chunk = Math.ceil(k / parts);
  const acc = parts === 1 ? c : rt.alloc(parts * stride);
  const works = Array.from({ length: Math.min(nt, parts) }, (_, t) => work(t));
  const v = dt === 'f64' ? rt.f64 : rt.f32; // read after the allocations (a growth refreshes the views)
  v.fill(0, acc >> sh, (acc + (parts - 1) * stride) / (1 << sh) + m * n);
  const sq = squareA ? 1 : 0;
  const counter = newCounter(rt);
  rt.parallel(dt === 'f64' ? 'spmm_scatter_dyn_f64' : 'spmm_scatter_dyn_f32', works.map((w) => [a, bb, acc, k, m, n, sq, counter, chunk, rb, w, stride]));
  if (parts > 1) {
    v.copyWithin(c >> sh, acc >> sh, (acc >> sh) + m * n);
    for (let q = 1; q < parts; q++) {
      if (dt === 'f64') ex.binary_f64(0, c, 0, 1, acc + q * stride, 0, 1, c, 1, m * n);
      else ex.binary_f32(0, c, 0, 1, acc + q * stride, 0, 1, c, 1, m * n);
    }
  }
}

/**
 * The 2-D form of a broadcast operand over an output collapsed to [rows, cols]:
 * element (r, j) at r·sr + j·sc, or null when the broadcast does not collapse so.
 */
function collapse2d(shape: Shape, outShape: Shape): { sr: number; sc: number } | null {
  const r = outShape.length;
  if (r === 0) return { sr: 0, sc: 0 };
  const st = broadcastStrides(shape, outShape);
  const sc = st[r - 1]!;
  const cols = outShape[r - 1]!;
  const lead = st.slice(0, r - 1);
  if (lead.every((s) => s === 0)) return { sr: 0, sc };
  // all leading axes present and contiguous: row stride = the operand's row length
  const rowLen = sc === 0 ? 1 : cols;
  let acc = rowLen;
  for (let ax = r - 2; ax >= 0; ax--) {
    if (outShape[ax] !== 1 && st[ax] !== acc) return null;
    acc *= outShape[ax]!;
  }
  return { sr: rowLen, sc };
}

/**
 * From this many output columns a float32 product of a batch with a sparse companion runs
 * in the dense float32 kernels (which skip the zeros of a mostly-zero A themselves, four
 * lanes at a time) instead of the companion's float64 kernels (two lanes). Measured on
 * MNIST rows, MLP 784-256-10 in float32, wasm 2 threads, scratch timing, min / median ms:
 * mean gradient at b = 4096 52.3–54.3 / 58.7–62.0 on the companion, 37.8–38.1 / 44.1–56.5
 * so; at b = 256 3.9–4.1 / 4.4–5.4 and 3.4 / 3.7–4.7; the statistics about the same either
 * way (their squares and dots stay on the companion, in float64). Softmax (n = 10) stays on
 * the companion: its float32 statistics at b = 256 took 0.72 ms against 2.9 ms dense.
 */
const F32_DENSE_MIN_N = 128;

/** A wasm backend with a fixed thread count. */
export function createWasmBackend(opts: WasmBackendOptions = {}): Backend & { readonly threads: number } {
  const threads = resolveThreads(opts.threads);
  const rt = (): WasmRuntime => wasmRuntime();
  return {
    name: 'wasm',
    mode: threadsMode(threads),
    threads,
    sparseRows: true,

    unary(op: UnaryOp, x: Arr, out: Arr): void {
      ensureDense(x);
      const code = UNARY_CODES[op];
      const transcendental = code !== undefined && code >= U_TRANSCENDENTAL;
      if (code === undefined || x.length < (transcendental ? TRANSCENDENTAL_MIN : ELEMENTWISE_MIN)) return jsBackend.unary(op, x, out);
      const r = rt();
      r.reset();
      const dt = dtOf(x);
      const px = r.put(x, dt);
      const po = r.alloc(x.length * (dt === 'f64' ? 8 : 4));
      if (transcendental) {
        // chunks from a shared counter: every element is computed the same way on any thread count
        const counter = newCounter(r);
        r.parallel(dt === 'f64' ? 'unary_dyn_f64' : 'unary_dyn_f32', Array.from({ length: threads }, () => [code, px, po, x.length, counter, TRANSCENDENTAL_CHUNK]));
      } else if (dt === 'f64') r.ex.unary_f64(code, px, po, x.length);
      else r.ex.unary_f32(code, px, po, x.length);
      r.get(po, dt, out, x.length);
    },

    // one pass over three arrays: a copy into wasm memory and back would cost more than the loop
    unaryVjp: jsBackend.unaryVjp,

    binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      ensureDense(a);
      ensureDense(b);
      const code = BINARY_CODES[op];
      if (code === undefined || out.length < ELEMENTWISE_MIN || dtOf(a) !== dtOf(out) || dtOf(b) !== dtOf(out)) {
        return jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
      const ca = collapse2d(aShape, outShape);
      const cb = collapse2d(bShape, outShape);
      // also require the operands' sizes to match the collapsed form (outShape can exceed the broadcast)
      const cols = outShape.length > 0 ? outShape[outShape.length - 1]! : 1;
      const rows = out.length / Math.max(1, cols);
      if (ca === null || cb === null || cols === 0 || a.length !== expectLen(ca, rows, cols) || b.length !== expectLen(cb, rows, cols)) {
        return jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
      const r = rt();
      r.reset();
      const dt = dtOf(out);
      const pa = r.put(a, dt);
      const pb = r.put(b, dt);
      const po = r.alloc(out.length * (dt === 'f64' ? 8 : 4));
      if (dt === 'f64') r.ex.binary_f64(code, pa, ca.sr, ca.sc, pb, cb.sr, cb.sc, po, rows, cols);
      else r.ex.binary_f32(code, pa, ca.sr, ca.sc, pb, cb.sr, cb.sc, po, rows, cols);
      r.get(po, dt, out);
    },

    where(cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      ensureDense(cond);
      ensureDense(a);
      ensureDense(b);
      jsBackend.where(cond, cShape, a, aShape, b, bShape, out, outShape);
    },

    reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
      ensureDense(x);
      const contiguousRun = axes.length > 0 && axes.every((ax, i) => ax === axes[0]! + i);
      if (!contiguousRun || x.length < ELEMENTWISE_MIN || dtOf(x) !== dtOf(out)) return jsBackend.reduce(op, x, shape, axes, out);
      const a0 = axes[0]!;
      const a1 = axes[axes.length - 1]!;
      const outer = prod(shape.slice(0, a0));
      const red = prod(shape.slice(a0, a1 + 1));
      const inner = prod(shape.slice(a1 + 1));
      if (red === 0) return jsBackend.reduce(op, x, shape, axes, out);
      const r = rt();
      r.reset();
      const dt = dtOf(x);
      const px = r.put(x, dt);
      const po = r.alloc(out.length * (dt === 'f64' ? 8 : 4));
      if (dt === 'f64') r.ex.reduce_f64(op === 'max' ? 1 : 0, px, outer, red, inner, po);
      else r.ex.reduce_f32(op === 'max' ? 1 : 0, px, outer, red, inner, po);
      r.get(po, dt, out);
    },

    matmul(a: Arr, b: Arr, m: number, k: number, n: number, out: Arr, transA: boolean, transB: boolean): void {
      const dt = dtOf(out);
      // a batch with a sparse companion: over the resident data set's non-zeros (in float64,
      // so a float32 product is rounded once, where the dense float32 kernels round each sum).
      // A float32 product with n ≥ F32_DENSE_MIN_N columns takes the dense float32 kernels
      // (sparse-skipping, four lanes) whatever the engine announced, so that ḡ has the same
      // bits whichever statistics are read (its squares then come from linearStats's own pass)
      const sp = dtOf(a) === dt && dtOf(b) === dt && !transB ? sparseRowsOf(a) : undefined;
      if (sp !== undefined && (transA ? sparseFits(sp, k, m) : sparseFits(sp, m, k)) && (dt === 'f64' || n < F32_DENSE_MIN_N)) {
        return sparseRowsMatmul(rt(), sp, b, n, out, transA, threads);
      }
      ensureDense(a);
      ensureDense(b);
      if (dtOf(a) !== dt || dtOf(b) !== dt || m * k * n < 512) return jsBackend.matmul(a, b, m, k, n, out, transA, transB);
      const r = rt();
      r.reset();
      const pa = r.put(a, dt);
      const pb = r.put(b, dt);
      const pc = r.alloc(m * n * (dt === 'f64' ? 8 : 4));
      matmulPtr(r, dt, pa, pb, pc, m, k, n, transA, transB, threads);
      r.get(pc, dt, out, m * n);
    },

    transpose(x: Arr, shape: Shape, perm: readonly number[], out: Arr): void {
      ensureDense(x);
      jsBackend.transpose(x, shape, perm, out);
    },

    gatherRows(x: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
      ensureDense(x);
      jsBackend.gatherRows(x, rowSize, idx, out);
    },

    scatterAddRows(g: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
      ensureDense(g);
      jsBackend.scatterAddRows(g, rowSize, idx, out);
    },

    // the 2-D window kernels in wasm (conv.ts; a convolution's flops go through matmul)
    unfold: (x, g, out) => wasmUnfold(rt(), x, g, out),
    fold: (cols, g, out) => wasmFold(rt(), cols, g, out),
    pool2d: (op, x, g, out) => wasmPool2d(rt(), op, x, g, out),
    pool2dBackward: (op, x, ct, g, out) => wasmPool2dBackward(rt(), op, x, ct, g, out),
    conv2d: (x, w, bias, g, cout, out) => wasmConv2d(rt(), x, w, bias, g, cout, out, threads),
    conv2dBackward: (x, w, ct, g, cout, dx, dw) => wasmConv2dBackward(rt(), x, w, ct, g, cout, dx, dw, threads),
    convWeightGrads: (x, ct, g, cout, i0, i1, out) => wasmConvWeightGrads(rt(), x, ct, g, cout, i0, i1, out, threads),

    // a batch with a sparse companion: its (X∘X)ᵀ(Δ∘Δ) may be formed in the sweep's Xᵀ·Δ (sparseRows.ts)
    expectSquares(x: Arr): void {
      const sp = sparseRowsOf(x);
      if (sp !== undefined) expectSparseSquares(sp);
    },

    /**
     * All in float64 inside wasm memory: sqNorms from row norms of X and Δ,
     * dots from T = X·M (then Σ_k T∘Δ per row), coordSumSq = (X∘X)ᵀ(Δ∘Δ);
     * both products go through matmulPtr (threads, the sparse path for sparse X),
     * and only for the outputs asked for (`want`).
     */
    linearStats(
      x: Arr, delta: Arr, mm: Arr, b: number, din: number, dout: number,
      sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array, want: LinearStatsWant = { dots: true, coordSumSq: true },
    ): void {
      const sp = sparseRowsOf(x);
      if (sp !== undefined && sparseFits(sp, b, din)) {
        return sparseLinearStats(rt(), sp, delta, mm, b, din, dout, sqNorms, dots, coordSumSq, threads, want);
      }
      ensureDense(x);
      if (b * din * dout < 512) return jsBackend.linearStats(x, delta, mm, b, din, dout, sqNorms, dots, coordSumSq, want);
      const r = rt();
      r.reset();
      const ex = r.ex;
      const X = r.put(x.length === b * din ? x : x.subarray(0, b * din), 'f64');
      const D = r.put(delta.length === b * dout ? delta : delta.subarray(0, b * dout), 'f64');
      const xn = r.alloc(b * 8);
      const dn = r.alloc(b * 8);
      ex.row_sq_norms_f64(X, b, din, xn);
      ex.row_sq_norms_f64(D, b, dout, dn);
      const f = () => r.f64; // the memory may grow (and its views change) at every alloc
      if (want.dots) {
        const M = r.put(mm.length === din * dout ? mm : mm.subarray(0, din * dout), 'f64');
        const T = r.alloc(b * dout * 8);
        matmulPtr(r, 'f64', X, M, T, b, din, dout, false, false, threads);
        const dp = r.alloc(b * 8);
        ex.row_dots_f64(T, D, b, dout, dp);
        dots.set(f().subarray(dp >> 3, (dp >> 3) + b));
      }
      if (want.coordSumSq) {
        const D2 = r.alloc(b * dout * 8);
        ex.unary_f64(U_SQUARE, D, D2, b * dout);
        const CS = r.alloc(din * dout * 8);
        matmulPtr(r, 'f64', X, D2, CS, din, b, dout, true, false, threads, true);
        coordSumSq.set(f().subarray(CS >> 3, (CS >> 3) + din * dout));
      }
      const F = f();
      for (let i = 0; i < b; i++) sqNorms[i] = F[(xn >> 3) + i]! * F[(dn >> 3) + i]!;
    },
  };
}

function expectLen(c: { sr: number; sc: number }, rows: number, cols: number): number {
  if (c.sr === 0) return c.sc === 0 ? 1 : cols;
  return c.sc === 0 ? rows : rows * cols;
}
