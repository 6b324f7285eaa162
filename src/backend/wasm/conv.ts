/**
 * The 2-D window ops of the `wasm` backend (see Backend.unfold, fold, pool2d,
 * pool2dBackward): the input is copied into wasm memory, the kernel of
 * assembly/conv.ts runs there, and the output is copied back. The kernels follow
 * the loop order of the js reference (src/backend/conv.ts), so the results are the
 * same bits in float64 and float32. Mixed dtypes go to the js reference.
 */
import type { Arr } from '../../tensor/tensor.js';
import type { PoolOp, WindowGeom } from '../backend.js';
import { jsBackend } from '../js.js';
import { ensureDense } from '../sparseRows.js';
import { newCounter, scatterParts, sparseBlock } from './backend.js';
import type { ThreadedKernel, WasmRuntime } from './runtime.js';

/** The exports of assembly/conv.ts (g: the geometry as 14 i32, see geomPtr). */
interface ConvExports {
  conv_out_f32(y: number, bias: number, out: number, ns: number, P: number, cout: number): void;
  conv_out_f64(y: number, bias: number, out: number, ns: number, P: number, cout: number): void;
  conv_ct_f32(ct: number, d: number, ns: number, P: number, cout: number): void;
  conv_ct_f64(ct: number, d: number, ns: number, P: number, cout: number): void;
  unfold_f32(g: number, x: number, out: number, i0: number, i1: number): void;
  unfold_f64(g: number, x: number, out: number, i0: number, i1: number): void;
  fold_f32(g: number, cols: number, out: number, i0: number, i1: number): void;
  fold_f64(g: number, cols: number, out: number, i0: number, i1: number): void;
  pool2d_f32(op: number, g: number, x: number, out: number, q0: number, q1: number): void;
  pool2d_f64(op: number, g: number, x: number, out: number, q0: number, q1: number): void;
  pool2d_backward_f32(op: number, g: number, x: number, ct: number, out: number, q0: number, q1: number): void;
  pool2d_backward_f64(op: number, g: number, x: number, ct: number, out: number, q0: number, q1: number): void;
}

type DT = 'f32' | 'f64';
const POOL_CODES: Record<PoolOp, number> = { max: 0, avg: 1 };

function dtOf(x: Arr): DT {
  return x instanceof Float64Array ? 'f64' : 'f32';
}

function ex(rt: WasmRuntime): ConvExports {
  return rt.ex as unknown as ConvExports;
}

/** The geometry as 14 i32 in wasm memory: n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow. */
function geomPtr(rt: WasmRuntime, g: WindowGeom): number {
  const p = rt.alloc(14 * 4);
  rt.i32.set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow], p >> 2);
  return p;
}

const bytes = (dt: DT): number => (dt === 'f64' ? 8 : 4);

/** Copy the first `len` elements of a (the whole of it when that is its length) into wasm memory. */
function putFirst(rt: WasmRuntime, a: Arr, len: number, dt: DT): number {
  return rt.put(a.length === len ? a : a.subarray(0, len), dt);
}

/** im2col in wasm: see Backend.unfold. */
export function wasmUnfold(rt: WasmRuntime, x: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  const dt = dtOf(out);
  if (dtOf(x) !== dt) return jsBackend.unfold(x, g, out);
  const len = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = putFirst(rt, x, g.n * g.c * g.h * g.w, dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).unfold_f64(gp, px, po, 0, g.n);
  else ex(rt).unfold_f32(gp, px, po, 0, g.n);
  rt.get(po, dt, out, len);
}

/** col2im in wasm: see Backend.fold. */
export function wasmFold(rt: WasmRuntime, cols: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(cols);
  const dt = dtOf(out);
  if (dtOf(cols) !== dt) return jsBackend.fold(cols, g, out);
  const len = g.n * g.c * g.h * g.w;
  const clen = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
  rt.reset();
  const gp = geomPtr(rt, g);
  const pc = putFirst(rt, cols, clen, dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).fold_f64(gp, pc, po, 0, g.n);
  else ex(rt).fold_f32(gp, pc, po, 0, g.n);
  rt.get(po, dt, out, len);
}

/** Pooling in wasm: see Backend.pool2d. */
export function wasmPool2d(rt: WasmRuntime, op: PoolOp, x: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  const dt = dtOf(out);
  if (dtOf(x) !== dt) return jsBackend.pool2d(op, x, g, out);
  const planes = g.n * g.c;
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = putFirst(rt, x, planes * g.h * g.w, dt);
  const po = rt.alloc(planes * g.oh * g.ow * bytes(dt));
  if (dt === 'f64') ex(rt).pool2d_f64(POOL_CODES[op], gp, px, po, 0, planes);
  else ex(rt).pool2d_f32(POOL_CODES[op], gp, px, po, 0, planes);
  rt.get(po, dt, out, planes * g.oh * g.ow);
}

/** The VJP of pooling in wasm: see Backend.pool2dBackward. */
export function wasmPool2dBackward(rt: WasmRuntime, op: PoolOp, x: Arr, ct: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  ensureDense(ct);
  const dt = dtOf(out);
  if (dtOf(x) !== dt || dtOf(ct) !== dt) return jsBackend.pool2dBackward(op, x, ct, g, out);
  const planes = g.n * g.c;
  const len = planes * g.h * g.w;
  const clen = planes * g.oh * g.ow;
  rt.reset();
  const gp = geomPtr(rt, g);
  // avg pooling does not read x
  const px = op === 'max' ? putFirst(rt, x, len, dt) : 0;
  const pc = putFirst(rt, ct, clen, dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).pool2d_backward_f64(POOL_CODES[op], gp, px, pc, po, 0, planes);
  else ex(rt).pool2d_backward_f32(POOL_CODES[op], gp, px, pc, po, 0, planes);
  rt.get(po, dt, out, len);
}

/** Bytes of unfolded rows per chunk of the fused convolution: half the 4 MiB L2 of the machines measured. */
const CHUNK_BYTES = 2 << 20;
/** Below this many multiply-adds a fused convolution stays on the calling thread (as matmulPtr's products). */
const PARALLEL_MIN_MACS = 1 << 18;
/** Words of a plan of assembly/conv.ts before the threads' words, and words per thread (PLAN_THREADS, PLAN_STRIDE there). */
const PLAN_THREADS = 16;
const PLAN_STRIDE = 8;

/** Samples per chunk: as many as keep the chunk's unfolded rows within CHUNK_BYTES (at least 1). */
function chunkSamples(g: WindowGeom, E: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(CHUNK_BYTES / (g.oh * g.ow * g.c * g.kh * g.kw * E))));
}

/**
 * Threads for a fused convolution of `chunks` chunks and `macs` multiply-adds: at most one
 * per chunk, and one below PARALLEL_MIN_MACS (waking a worker would cost more than it saves).
 */
function convThreads(threads: number, chunks: number, macs: number): number {
  return macs < PARALLEL_MIN_MACS ? 1 : Math.max(1, Math.min(threads, chunks));
}

/** Thread t's sparse work area: its packing scratch, or a fresh area of `bytes`. */
function workArea(rt: WasmRuntime, t: number, bytes: number): number {
  return bytes === 0 ? rt.scratch(t) : rt.alloc(bytes);
}

/** Write a plan (the call's words, then PLAN_STRIDE words per thread) into wasm memory. */
function putPlan(rt: WasmRuntime, call: readonly number[], perThread: readonly (readonly number[])[]): number {
  const p = rt.alloc((PLAN_THREADS + PLAN_STRIDE * perThread.length) * 4);
  const v = rt.i32; // after the allocation (a growth refreshes the views)
  v.set(call, p >> 2);
  perThread.forEach((words, t) => v.set(words, (p >> 2) + PLAN_THREADS + t * PLAN_STRIDE));
  return p;
}

/** Run a chunked kernel of assembly/conv.ts on nt threads (the calling thread is thread 0). */
function runChunks(rt: WasmRuntime, kernel: ThreadedKernel, plan: number, nt: number): void {
  if (nt === 1) (rt.ex[kernel] as (plan: number, t: number) => void)(plan, 0);
  else rt.parallel(kernel, Array.from({ length: nt }, (_, t) => [plan, t]));
}

/**
 * The fused convolution (see Backend.conv2d), all in wasm memory: per chunk of samples,
 * unfold into a work area, one product by wᵀ (as matmulPtr on one thread: the sparse
 * path for mostly-zero rows) and the transposed store with the bias. The chunks are
 * shared out between `threads` threads (each with its own work areas, taking the next
 * chunk from a counter); a chunk's arithmetic does not depend on the thread, so the
 * output is the same bits for any thread count. Only x, w, bias and out cross the boundary.
 */
export function wasmConv2d(rt: WasmRuntime, x: Arr, w: Arr, bias: Arr | null, g: WindowGeom, cout: number, out: Arr, threads: number): void {
  ensureDense(x);
  const dt = dtOf(out);
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const nx = g.n * g.c * g.h * g.w;
  if (dtOf(x) !== dt || dtOf(w) !== dt || (bias !== null && dtOf(bias) !== dt)) return convComposed(x, w, bias, g, cout, out);
  if (g.n === 0) return;
  const E = bytes(dt);
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = putFirst(rt, x, nx, dt);
  const pw = putFirst(rt, w, cout * K, dt);
  const pwt = rt.alloc(K * cout * E); // wᵀ [K, cout]
  if (dt === 'f64') rt.ex.transpose_f64(pw, cout, K, pwt);
  else rt.ex.transpose_f32(pw, cout, K, pwt);
  const pb = bias === null ? 0 : putFirst(rt, bias, cout, dt);
  const po = rt.alloc(g.n * cout * P * E);
  const cs = chunkSamples(g, E);
  const nt = convThreads(threads, Math.ceil(g.n / cs), g.n * P * K * cout);
  const sp = sparseBlock(rt, E, K, false, cs * P);
  const perThread = Array.from({ length: nt }, (_, t) => [rt.alloc(cs * P * K * E), rt.alloc(cs * P * cout * E), rt.scratch(t), workArea(rt, t, sp.bytes)]);
  const counter = newCounter(rt);
  const plan = putPlan(rt, [gp, px, pwt, pb, po, g.n, cs, counter, cout, sp.rb], perThread);
  runChunks(rt, dt === 'f64' ? 'conv2d_dyn_f64' : 'conv2d_dyn_f32', plan, nt);
  rt.get(po, dt, out, g.n * cout * P);
}

/**
 * The VJP of the fused convolution (see Backend.conv2dBackward), per chunk of samples
 * in wasm memory: Δ from ct, dx = fold(Δ w) and the chunk's partial Δᵀ U of dw with U
 * unfolded again for the chunk (cheaper than keeping U of the whole batch). The chunks
 * are shared out between `threads` threads as in wasmConv2d; each writes its partial of
 * dw into its own slot, and the partials are added in chunk order afterwards (the
 * chunks depend on the shapes only), so dw is the same bits for any thread count.
 */
export function wasmConv2dBackward(
  rt: WasmRuntime, x: Arr, w: Arr, ct: Arr, g: WindowGeom, cout: number, dx: Arr | null, dw: Arr | null, threads: number,
): void {
  ensureDense(x);
  ensureDense(ct);
  const dt = dtOf(ct);
  if (dtOf(x) !== dt || dtOf(w) !== dt || (dx !== null && dtOf(dx) !== dt) || (dw !== null && dtOf(dw) !== dt)) {
    return convBackwardComposed(x, w, ct, g, cout, dx, dw);
  }
  if (dx === null && dw === null) return;
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const nx = g.n * g.c * g.h * g.w;
  if (g.n === 0) {
    if (dw !== null) dw.fill(0, 0, cout * K);
    return;
  }
  const E = bytes(dt);
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = dw !== null ? putFirst(rt, x, nx, dt) : 0;
  const pw = putFirst(rt, w, cout * K, dt);
  const pc = putFirst(rt, ct, g.n * cout * P, dt);
  const pdx = dx !== null ? rt.alloc(nx * E) : 0;
  const cs = chunkSamples(g, E);
  const chunks = Math.ceil(g.n / cs);
  const partBytes = Math.ceil((cout * K * E) / 64) * 64;
  const pparts = dw !== null ? rt.alloc(chunks * partBytes) : 0;
  const nt = convThreads(threads, chunks, g.n * P * K * cout * ((dx !== null ? 1 : 0) + (dw !== null ? 1 : 0)));
  const spDx = sparseBlock(rt, E, cout, false, cs * P);
  const spDw = sparseBlock(rt, E, cout, true, cout);
  // the scatter accumulators of Δᵀ U (matmulPtr's parts of the chunk's stored rows; the full chunk has the most),
  // each of partBytes, as the chunks' partials
  const accParts = scatterParts(cs * P, partBytes);
  const perThread = Array.from({ length: nt }, (_, t) => [
    rt.alloc(cs * P * cout * E), rt.alloc(cs * P * K * E), rt.scratch(t),
    workArea(rt, t, spDx.bytes), workArea(rt, t, spDw.bytes), dw !== null && accParts > 1 ? rt.alloc(accParts * partBytes) : 0,
  ]);
  const counter = newCounter(rt);
  const plan = putPlan(rt, [gp, px, pw, pc, pdx, pparts, g.n, cs, counter, cout, spDx.rb, spDw.rb, partBytes], perThread);
  runChunks(rt, dt === 'f64' ? 'conv2d_backward_dyn_f64' : 'conv2d_backward_dyn_f32', plan, nt);
  if (dx !== null) rt.get(pdx, dt, dx, nx);
  if (dw !== null) {
    // dw = ((part 0 + part 1) + part 2) + …, in chunk order
    for (let c = 1; c < chunks; c++) {
      const pq = pparts + c * partBytes;
      if (dt === 'f64') rt.ex.binary_f64(0, pparts, 0, 1, pq, 0, 1, pparts, 1, cout * K);
      else rt.ex.binary_f32(0, pparts, 0, 1, pq, 0, 1, pparts, 1, cout * K);
    }
    rt.get(pparts, dt, dw, cout * K);
  }
}

/**
 * Per-sample gradients of a conv weight (see Backend.convWeightGrads) in wasm memory:
 * the images and cotangents of samples [i0, i1) go in, U is unfolded in chunks of
 * samples into a work area, and out[i] = Δ_i U_i is one product per sample (as matmulPtr
 * on one thread). The chunks are shared out between `threads` threads as in wasmConv2d.
 */
export function wasmConvWeightGrads(
  rt: WasmRuntime, x: Arr, ct: Arr, g: WindowGeom, cout: number, i0: number, i1: number, out: Arr, threads: number,
): void {
  ensureDense(x);
  ensureDense(ct);
  const dt = dtOf(out);
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const img = g.c * g.h * g.w;
  const ns = i1 - i0;
  if (dtOf(x) !== dt || dtOf(ct) !== dt) {
    const U = dt === 'f64' ? new Float64Array(ns * P * K) : new Float32Array(ns * P * K);
    jsBackend.unfold(x.subarray(i0 * img, i1 * img), { ...g, n: ns }, U);
    for (let i = 0; i < ns; i++) {
      const o = out.subarray(i * cout * K, (i + 1) * cout * K);
      jsBackend.matmul(ct.subarray((i0 + i) * cout * P, (i0 + i + 1) * cout * P), U.subarray(i * P * K, (i + 1) * P * K), cout, P, K, o, false, false);
    }
    return;
  }
  if (ns <= 0) return;
  const E = bytes(dt);
  rt.reset();
  const gs = { ...g, n: ns };
  const gp = geomPtr(rt, gs);
  const px = rt.put(x.subarray(i0 * img, i1 * img), dt);
  const pc = rt.put(ct.subarray(i0 * cout * P, i1 * cout * P), dt);
  const po = rt.alloc(ns * cout * K * E);
  const cs = chunkSamples(gs, E);
  const nt = convThreads(threads, Math.ceil(ns / cs), ns * P * K * cout);
  const sp = sparseBlock(rt, E, P, false, cout);
  const perThread = Array.from({ length: nt }, (_, t) => [rt.alloc(cs * P * K * E), rt.scratch(t), workArea(rt, t, sp.bytes)]);
  const counter = newCounter(rt);
  const plan = putPlan(rt, [gp, px, pc, po, ns, cs, counter, cout, sp.rb], perThread);
  runChunks(rt, dt === 'f64' ? 'conv_weight_grads_dyn_f64' : 'conv_weight_grads_dyn_f32', plan, nt);
  rt.get(po, dt, out, ns * cout * K);
}

/** The composition the fused convolution stands for (mixed dtypes): unfold, matmul by wᵀ, transpose, bias. */
function convComposed(x: Arr, w: Arr, bias: Arr | null, g: WindowGeom, cout: number, out: Arr): void {
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const make = (n: number): Arr => (out instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
  const U = make(g.n * P * K);
  jsBackend.unfold(x, g, U);
  const yT = make(g.n * P * cout);
  jsBackend.matmul(U, w, g.n * P, K, cout, yT, false, true);
  jsBackend.transpose(yT, [g.n, P, cout], [0, 2, 1], out);
  if (bias !== null) for (let i = 0; i < g.n; i++) for (let o = 0; o < cout; o++) {
    const base = (i * cout + o) * P;
    for (let p = 0; p < P; p++) out[base + p] = out[base + p]! + bias[o]!;
  }
}

/** The composition of the VJP (mixed dtypes): Δ by transpose, dx = fold(Δ w), dw = Δᵀ unfold(x). */
function convBackwardComposed(x: Arr, w: Arr, ct: Arr, g: WindowGeom, cout: number, dx: Arr | null, dw: Arr | null): void {
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const make = (n: number): Arr => (ct instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
  const d = make(g.n * P * cout);
  jsBackend.transpose(ct, [g.n, cout, P], [0, 2, 1], d);
  if (dx !== null) {
    const dU = make(g.n * P * K);
    jsBackend.matmul(d, w, g.n * P, cout, K, dU, false, false);
    jsBackend.fold(dU, g, dx);
  }
  if (dw !== null) {
    const U = make(g.n * P * K);
    jsBackend.unfold(x, g, U);
    jsBackend.matmul(d, U, cout, g.n * P, K, dw, true, false);
  }
}
