/**
 * The 2-D window kernels of the `wasm` backend (NCHW; see src/backend/backend.ts and
 * the js reference in src/backend/conv.ts), f32 and f64:
 *
 *  - unfold (im2col): out[i, p, (ci, a, e)] = x[i, ci, p_y sh − ph + a dh, p_x sw − pw + e dw]
 *    (0 outside the image), out [n, oh·ow, c·kh·kw];
 *  - fold (col2im), its adjoint: out[i, ci, y, x] = Σ of the columns over the window slots
 *    that read (y, x);
 *  - pool (max, avg) over each channel's windows and its VJP (max: the cotangent goes to
 *    the first maximal entry in row-major order; avg: spread as 1/(kh·kw)).
 *
 * The geometry is 14 i32 at `g`: n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow.
 * Every kernel takes a range of samples [i0, i1) (unfold, fold) or of planes
 * (sample, channel) [q0, q1) (pooling), so the work can go in chunks. Images (x of
 * unfold, out of fold, all pooling buffers) are addressed from the start of the batch;
 * the unfolded rows (out of unfold, cols of fold) from the first row of sample i0, so a
 * chunk of rows can live in a small work area (the fused convolution, ../conv.ts). Within a range
 * the loops run in the order of the js reference, so float64 results are the same bits
 * and float32 ones too (avg pooling accumulates in f64 as the reference does).
 *
 * The fused convolution, its VJP and the per-sample weight gradients run here chunk by
 * chunk of samples (see "the fused convolution" below): every thread takes chunks from a
 * shared counter, so both cores work on one call.
 */

import { gemm_f32, gemm_f64, spmm_rows_f32, spmm_rows_f64, spmm_scatter_f32, spmm_scatter_f64 } from './kernels';

// @ts-ignore: decorator
@inline function gi(g: usize, k: i32): i32 {
  return load<i32>(g + <usize>k * 4);
}

/** The first e in [0, kw) with 0 ≤ x0 + e·dw, clamped to kw. */
// @ts-ignore: decorator
@inline function firstIn(x0: i32, dw: i32, kw: i32): i32 {
  return x0 >= 0 ? 0 : min(kw, (-x0 + dw - 1) / dw);
}

/** One past the last e in [0, kw) with x0 + e·dw < w, at least lo. */
// @ts-ignore: decorator
@inline function endIn(x0: i32, dw: i32, kw: i32, w: i32, lo: i32): i32 {
  const r = w - 1 - x0;
  return max(lo, r < 0 ? 0 : min(kw, r / dw + 1));
}

function unfold<T>(g: usize, x: usize, out: usize, i0: i32, i1: i32): void {
  const E = <usize>sizeof<T>();
  const c = gi(g, 1), h = gi(g, 2), w = gi(g, 3), kh = gi(g, 4), kw = gi(g, 5);
  const sh = gi(g, 6), sw = gi(g, 7), ph = gi(g, 8), pw = gi(g, 9), dh = gi(g, 10), dw = gi(g, 11);
  const oh = gi(g, 12), ow = gi(g, 13);
  const plane = <usize>h * <usize>w;
  let o = out;
  for (let i = i0; i < i1; i++) {
    const xi = x + <usize>i * <usize>c * plane * E;
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        const x0 = px * sw - pw;
        const eLo = firstIn(x0, dw, kw);
        const eHi = endIn(x0, dw, kw, w, eLo);
        for (let ci = 0; ci < c; ci++) {
          const xc = xi + <usize>ci * plane * E;
          for (let a = 0; a < kh; a++) {
            const y = py * sh - ph + a * dh;
            if (y < 0 || y >= h) {
              for (let e = 0; e < kw; e++) store<T>(o + <usize>e * E, <T>0);
            } else {
              let e = 0;
              for (; e < eLo; e++) store<T>(o + <usize>e * E, <T>0);
              const row = xc + <usize>(y * w + x0 + eLo * dw) * E;
              for (let s: usize = 0; e < eHi; e++, s += <usize>dw * E) store<T>(o + <usize>e * E, load<T>(row + s));
              for (; e < kw; e++) store<T>(o + <usize>e * E, <T>0);
            }
            o += <usize>kw * E;
          }
        }
      }
    }
  }
}

function fold<T>(g: usize, cols: usize, out: usize, i0: i32, i1: i32): void {
  const E = <usize>sizeof<T>();
  const c = gi(g, 1), h = gi(g, 2), w = gi(g, 3), kh = gi(g, 4), kw = gi(g, 5);
  const sh = gi(g, 6), sw = gi(g, 7), ph = gi(g, 8), pw = gi(g, 9), dh = gi(g, 10), dw = gi(g, 11);
  const oh = gi(g, 12), ow = gi(g, 13);
  const plane = <usize>h * <usize>w;
  memory.fill(out + <usize>i0 * <usize>c * plane * E, 0, <usize>(i1 - i0) * <usize>c * plane * E);
  let o = cols;
  for (let i = i0; i < i1; i++) {
    const xi = out + <usize>i * <usize>c * plane * E;
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        const x0 = px * sw - pw;
        const eLo = firstIn(x0, dw, kw);
        const eHi = endIn(x0, dw, kw, w, eLo);
        for (let ci = 0; ci < c; ci++) {
          const xc = xi + <usize>ci * plane * E;
          for (let a = 0; a < kh; a++) {
            const y = py * sh - ph + a * dh;
            if (y >= 0 && y < h) {
              const row = xc + <usize>(y * w + x0 + eLo * dw) * E;
              let s: usize = 0;
              for (let e = eLo; e < eHi; e++, s += <usize>dw * E) {
                store<T>(row + s, load<T>(row + s) + load<T>(o + <usize>e * E));
              }
            }
            o += <usize>kw * E;
          }
        }
      }
    }
  }
}

/**
 * The convolution output from its [positions, channels] form: for the ns samples of a
 * chunk, out[i, o, p] = y[i·P + p, o] + bias[o] (no bias when bias = 0).
 */
function convOut<T>(y: usize, bias: usize, out: usize, ns: i32, P: i32, cout: i32): void {
  const E = <usize>sizeof<T>();
  for (let i = 0; i < ns; i++) {
    const yi = y + <usize>i * <usize>P * <usize>cout * E;
    const oi = out + <usize>i * <usize>cout * <usize>P * E;
    for (let o = 0; o < cout; o++) {
      const b: T = bias == 0 ? <T>0 : load<T>(bias + <usize>o * E);
      const src = yi + <usize>o * E;
      const dst = oi + <usize>o * <usize>P * E;
      const step = <usize>cout * E;
      if (bias == 0) for (let p = 0; p < P; p++) store<T>(dst + <usize>p * E, load<T>(src + <usize>p * step));
      else for (let p = 0; p < P; p++) store<T>(dst + <usize>p * E, load<T>(src + <usize>p * step) + b);
    }
  }
}

/** The cotangent in [positions, channels] form: d[i·P + p, o] = ct[i, o, p] for the ns samples of a chunk. */
function convCt<T>(ct: usize, d: usize, ns: i32, P: i32, cout: i32): void {
  const E = <usize>sizeof<T>();
  for (let i = 0; i < ns; i++) {
    const ci = ct + <usize>i * <usize>cout * <usize>P * E;
    const di = d + <usize>i * <usize>P * <usize>cout * E;
    for (let p = 0; p < P; p++) {
      const dst = di + <usize>p * <usize>cout * E;
      for (let o = 0; o < cout; o++) store<T>(dst + <usize>o * E, load<T>(ci + (<usize>o * <usize>P + <usize>p) * E));
    }
  }
}

const POOL_MAX: i32 = 0;

function pool<T>(op: i32, g: usize, x: usize, out: usize, q0: i32, q1: i32): void {
  const E = <usize>sizeof<T>();
  const h = gi(g, 2), w = gi(g, 3), kh = gi(g, 4), kw = gi(g, 5);
  const sh = gi(g, 6), sw = gi(g, 7), ph = gi(g, 8), pw = gi(g, 9), dh = gi(g, 10), dw = gi(g, 11);
  const oh = gi(g, 12), ow = gi(g, 13);
  const inv: f64 = 1.0 / <f64>(kh * kw);
  let o = out + <usize>q0 * <usize>oh * <usize>ow * E;
  for (let q = q0; q < q1; q++) {
    const base = x + <usize>q * <usize>h * <usize>w * E;
    for (let py = 0; py < oh; py++) {
      const y0 = py * sh - ph;
      for (let px = 0; px < ow; px++) {
        const x0 = px * sw - pw;
        const eLo = firstIn(x0, dw, kw);
        const eHi = endIn(x0, dw, kw, w, eLo);
        if (op == POOL_MAX) {
          let acc: T = <T>-Infinity;
          for (let a = 0; a < kh; a++) {
            const y = y0 + a * dh;
            if (y < 0 || y >= h) continue;
            const row = base + <usize>(y * w + x0 + eLo * dw) * E;
            let s: usize = 0;
            for (let e = eLo; e < eHi; e++, s += <usize>dw * E) {
              const v = load<T>(row + s);
              if (v > acc || v != v) acc = v; // NaN propagates
            }
          }
          store<T>(o, acc);
        } else {
          let acc: f64 = 0;
          for (let a = 0; a < kh; a++) {
            const y = y0 + a * dh;
            if (y < 0 || y >= h) continue;
            const row = base + <usize>(y * w + x0 + eLo * dw) * E;
            let s: usize = 0;
            for (let e = eLo; e < eHi; e++, s += <usize>dw * E) acc += <f64>load<T>(row + s);
          }
          store<T>(o, <T>(acc * inv));
        }
        o += E;
      }
    }
  }
}

function poolBackward<T>(op: i32, g: usize, x: usize, ct: usize, out: usize, q0: i32, q1: i32): void {
  const E = <usize>sizeof<T>();
  const h = gi(g, 2), w = gi(g, 3), kh = gi(g, 4), kw = gi(g, 5);
  const sh = gi(g, 6), sw = gi(g, 7), ph = gi(g, 8), pw = gi(g, 9), dh = gi(g, 10), dw = gi(g, 11);
  const oh = gi(g, 12), ow = gi(g, 13);
  const inv: f64 = 1.0 / <f64>(kh * kw);
  const planeBytes = <usize>h * <usize>w * E;
  memory.fill(out + <usize>q0 * planeBytes, 0, <usize>(q1 - q0) * planeBytes);
  let o = ct + <usize>q0 * <usize>oh * <usize>ow * E;
  for (let q = q0; q < q1; q++) {
    const xb = x + <usize>q * planeBytes;
    const ob = out + <usize>q * planeBytes;
    for (let py = 0; py < oh; py++) {
      const y0 = py * sh - ph;
      for (let px = 0; px < ow; px++) {
        const x0 = px * sw - pw;
        const eLo = firstIn(x0, dw, kw);
        const eHi = endIn(x0, dw, kw, w, eLo);
        const cv = load<T>(o);
        if (op == POOL_MAX) {
          let best: isize = -1;
          let bestV: T = <T>-Infinity;
          for (let a = 0; a < kh; a++) {
            const y = y0 + a * dh;
            if (y < 0 || y >= h) continue;
            let at = <isize>(y * w + x0 + eLo * dw) * <isize>E;
            for (let e = eLo; e < eHi; e++, at += <isize>dw * <isize>E) {
              const v = load<T>(xb + <usize>at);
              if (best < 0 || v > bestV) {
                best = at;
                bestV = v;
              }
            }
          }
          if (best >= 0) store<T>(ob + <usize>best, load<T>(ob + <usize>best) + cv);
        } else {
          const share: f64 = <f64>cv * inv;
          for (let a = 0; a < kh; a++) {
            const y = y0 + a * dh;
            if (y < 0 || y >= h) continue;
            const row = ob + <usize>(y * w + x0 + eLo * dw) * E;
            let s: usize = 0;
            for (let e = eLo; e < eHi; e++, s += <usize>dw * E) store<T>(row + s, <T>(<f64>load<T>(row + s) + share));
          }
        }
        o += E;
      }
    }
  }
}

// ------------------------------------------------------------------ the fused convolution

/*
 * One call of the fused convolution (conv2d), its VJP (conv2d_backward) or the per-sample
 * weight gradients (conv_weight_grads) is a list of chunks of samples fixed by the shapes
 * alone. Every thread runs the same kernel with its own work areas and takes the next
 * chunk from an atomic counter until none is left. A chunk's arithmetic is done on the
 * thread that took it, on its own, in the same order whichever thread that is and however
 * many threads there are, so the results are the same bits on 1 and 2 threads. Outputs of
 * different chunks are disjoint (samples), except the weight gradient of conv2d_backward:
 * each chunk writes its own partial Δ_cᵀU_c, and the caller adds them in chunk order.
 *
 * The products are those of matmulPtr (../backend.ts) on one thread, with its choice of
 * path: the sparse kernels of kernels.ts when op(A) is mostly zeros (sampled as there),
 * else the packed gemm. So the results are also the same bits as the former per-chunk
 * calls of matmulPtr from JavaScript.
 *
 * The plan is an i32 array in wasm memory: the call's words, then from word PLAN_THREADS
 * PLAN_STRIDE words per thread (its work areas).
 */

/** matmulPtr's threshold: op(A) with at most this fraction of non-zeros (sampled) takes the sparse path. */
const SPARSE_MAX_DENSITY: f64 = 0.4;
/** matmulPtr's parts of a sparse Aᵀ·B: stored rows per part, at most this many parts, and bytes of accumulators. */
const SCATTER_PART_ROWS: i32 = 1024;
const SCATTER_MAX_PARTS: i32 = 8;
const SCATTER_MAX_BYTES: usize = 1 << 28;
/** Word of the plan where the threads' words start, and words per thread. */
const PLAN_THREADS: i32 = 16;
const PLAN_STRIDE: i32 = 8;

// @ts-ignore: decorator
@inline function pl(plan: usize, k: i32): i32 {
  return load<i32>(plan + <usize>k * 4);
}

// @ts-ignore: decorator
@inline function plu(plan: usize, k: i32): usize {
  return <usize>load<i32>(plan + <usize>k * 4);
}

/** Word k of thread t's part of the plan. */
// @ts-ignore: decorator
@inline function plt(plan: usize, t: i32, k: i32): usize {
  return <usize>load<i32>(plan + <usize>(PLAN_THREADS + t * PLAN_STRIDE + k) * 4);
}

/**
 * Whether a stored [rows, cols] matrix is mostly zeros: the fraction of non-zeros in up to
 * 64 evenly spaced rows is at most SPARSE_MAX_DENSITY (matmulPtr's sampledDensity, the
 * same rows and the same comparison).
 */
function mostlyZero<T>(a: usize, rows: i32, cols: i32): bool {
  const E = <usize>sizeof<T>();
  const picks = min(rows, 64);
  let nz = 0;
  for (let s = 0; s < picks; s++) {
    const r = <i32>Math.floor(((<f64>s + 0.5) * <f64>rows) / <f64>picks);
    const o = a + <usize>r * <usize>cols * E;
    for (let j = 0; j < cols; j++) if (load<T>(o + <usize>j * E) != <T>0) nz++;
  }
  return <f64>nz / (<f64>picks * <f64>cols) <= SPARSE_MAX_DENSITY;
}

/**
 * c [m, n] = a [m, k] · b [k, n] on this thread, as matmulPtr on one thread: spmm_rows in
 * blocks of rb rows (work: its gather area) for a mostly-zero a, else the packed gemm.
 */
function product<T>(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rb: i32, work: usize, scratch: usize): void {
  if (m == 0 || n == 0) return;
  if (k > 0 && n >= 2 && mostlyZero<T>(a, m, k)) {
    if (sizeof<T>() == 8) spmm_rows_f64(a, b, c, k, n, 0, m, rb, work);
    else spmm_rows_f32(a, b, c, k, n, 0, m, rb, work);
  } else if (sizeof<T>() == 8) {
    gemm_f64(a, b, c, m, k, n, false, false, 0, m, 0, n, scratch);
  } else {
    gemm_f32(a, b, c, m, k, n, false, false, 0, m, 0, n, scratch);
  }
}

/**
 * c [m, n] = aᵀ · b for a stored [k, m] and b [k, n], on this thread, as matmulPtr on one
 * thread: for a mostly-zero a, spmm_scatter over parts of the stored rows fixed by the
 * shapes, each part into its own accumulator (at acc, stride bytes apart; c itself when
 * there is one part), the parts then added in order; else the packed gemm.
 */
function productT<T>(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rb: i32, work: usize, scratch: usize, acc: usize): void {
  if (m == 0 || n == 0) return;
  const E = <usize>sizeof<T>();
  if (k > 0 && n >= 2 && mostlyZero<T>(a, k, m)) {
    const len = <usize>m * <usize>n;
    const stride = (len * E + 63) & ~<usize>63;
    const parts = max(1, min(min(SCATTER_MAX_PARTS, (k + SCATTER_PART_ROWS - 1) / SCATTER_PART_ROWS), <i32>(SCATTER_MAX_BYTES / stride)));
    const chunk = (k + parts - 1) / parts;
    const into = parts == 1 ? c : acc;
    memory.fill(into, 0, <usize>(parts - 1) * stride + len * E);
    for (let q = 0; q < parts; q++) {
      const p0 = q * chunk;
      if (p0 >= k) break;
      if (sizeof<T>() == 8) spmm_scatter_f64(a, b, into + <usize>q * stride, m, n, p0, min(k, p0 + chunk), false, rb, work);
      else spmm_scatter_f32(a, b, into + <usize>q * stride, m, n, p0, min(k, p0 + chunk), false, rb, work);
    }
    if (parts > 1) {
      for (let j: usize = 0; j < len; j++) {
        let s = load<T>(acc + j * E);
        for (let q = 1; q < parts; q++) s += load<T>(acc + <usize>q * stride + j * E);
        store<T>(c + j * E, s);
      }
    }
  } else if (sizeof<T>() == 8) {
    gemm_f64(a, b, c, m, k, n, true, false, 0, m, 0, n, scratch);
  } else {
    gemm_f32(a, b, c, m, k, n, true, false, 0, m, 0, n, scratch);
  }
}

/**
 * The fused convolution out[i, o, p] = Σ_k U_i[p, k] wᵀ[k, o] + bias[o], thread t's share.
 * Plan: g, x, wt (wᵀ [K, cout]), bias (0: none), out, n, samples per chunk, counter, cout,
 * rb of the product; thread t: U area, Y area, gemm scratch, sparse work.
 */
function conv2dChunks<T>(plan: usize, t: i32): void {
  const E = <usize>sizeof<T>();
  const g = plu(plan, 0), x = plu(plan, 1), wt = plu(plan, 2), bias = plu(plan, 3), out = plu(plan, 4);
  const n = pl(plan, 5), cs = pl(plan, 6), counter = plu(plan, 7), cout = pl(plan, 8), rb = pl(plan, 9);
  const pu = plt(plan, t, 0), py = plt(plan, t, 1), scratch = plt(plan, t, 2), work = plt(plan, t, 3);
  const P = gi(g, 12) * gi(g, 13);
  const K = gi(g, 1) * gi(g, 4) * gi(g, 5);
  for (;;) {
    const i0 = atomic.add<i32>(counter, 1) * cs;
    if (i0 >= n) break;
    const i1 = min(n, i0 + cs);
    const ns = i1 - i0;
    unfold<T>(g, x, pu, i0, i1);
    product<T>(pu, wt, py, ns * P, K, cout, rb, work, scratch);
    convOut<T>(py, bias, out + <usize>i0 * <usize>cout * <usize>P * E, ns, P, cout);
  }
}

/**
 * The VJP of the fused convolution, thread t's share: per chunk c of samples, Δ_c from
 * ct, dx = fold(Δ_c w) for the chunk's samples, and the chunk's partial Δ_cᵀU_c of dw at
 * dwParts + c·partBytes. Plan: g, x, w, ct, dx (0: none), dwParts (0: none), n, samples
 * per chunk, counter, cout, rb of Δ w, rb of Δᵀ U, partBytes; thread t: Δ area, U area,
 * gemm scratch, sparse work of each product, scatter accumulators.
 */
function conv2dBackwardChunks<T>(plan: usize, t: i32): void {
  const E = <usize>sizeof<T>();
  const g = plu(plan, 0), x = plu(plan, 1), w = plu(plan, 2), ct = plu(plan, 3), dx = plu(plan, 4), dwParts = plu(plan, 5);
  const n = pl(plan, 6), cs = pl(plan, 7), counter = plu(plan, 8), cout = pl(plan, 9);
  const rbDx = pl(plan, 10), rbDw = pl(plan, 11), partBytes = plu(plan, 12);
  const pd = plt(plan, t, 0), pu = plt(plan, t, 1), scratch = plt(plan, t, 2);
  const workDx = plt(plan, t, 3), workDw = plt(plan, t, 4), acc = plt(plan, t, 5);
  const P = gi(g, 12) * gi(g, 13);
  const K = gi(g, 1) * gi(g, 4) * gi(g, 5);
  for (;;) {
    const c = atomic.add<i32>(counter, 1);
    const i0 = c * cs;
    if (i0 >= n) break;
    const i1 = min(n, i0 + cs);
    const ns = i1 - i0;
    convCt<T>(ct + <usize>i0 * <usize>cout * <usize>P * E, pd, ns, P, cout);
    if (dx != 0) {
      product<T>(pd, w, pu, ns * P, cout, K, rbDx, workDx, scratch); // dU = Δ w
      fold<T>(g, pu, dx, i0, i1);
    }
    if (dwParts != 0) {
      unfold<T>(g, x, pu, i0, i1);
      productT<T>(pd, pu, dwParts + <usize>c * partBytes, cout, ns * P, K, rbDw, workDw, scratch, acc); // Δᵀ U
    }
  }
}

/**
 * Per-sample weight gradients out[j] = ct_j U_j ([cout, P] · [P, K]), thread t's share.
 * Plan: g (n: the samples given), x, ct, out, n, samples per chunk, counter, cout, rb of
 * the product; thread t: U area, gemm scratch, sparse work.
 */
function convWeightGradsChunks<T>(plan: usize, t: i32): void {
  const E = <usize>sizeof<T>();
  const g = plu(plan, 0), x = plu(plan, 1), ct = plu(plan, 2), out = plu(plan, 3);
  const n = pl(plan, 4), cs = pl(plan, 5), counter = plu(plan, 6), cout = pl(plan, 7), rb = pl(plan, 8);
  const pu = plt(plan, t, 0), scratch = plt(plan, t, 1), work = plt(plan, t, 2);
  const P = gi(g, 12) * gi(g, 13);
  const K = gi(g, 1) * gi(g, 4) * gi(g, 5);
  const PK = <usize>P * <usize>K * E;
  const CP = <usize>cout * <usize>P * E;
  const CK = <usize>cout * <usize>K * E;
  for (;;) {
    const j0 = atomic.add<i32>(counter, 1) * cs;
    if (j0 >= n) break;
    const j1 = min(n, j0 + cs);
    unfold<T>(g, x, pu, j0, j1);
    for (let j = j0; j < j1; j++) {
      product<T>(ct + <usize>j * CP, pu + <usize>(j - j0) * PK, out + <usize>j * CK, cout, P, K, rb, work, scratch);
    }
  }
}

// ------------------------------------------------------------------ exports

export function unfold_f32(g: usize, x: usize, out: usize, i0: i32, i1: i32): void {
  unfold<f32>(g, x, out, i0, i1);
}
export function unfold_f64(g: usize, x: usize, out: usize, i0: i32, i1: i32): void {
  unfold<f64>(g, x, out, i0, i1);
}
export function fold_f32(g: usize, cols: usize, out: usize, i0: i32, i1: i32): void {
  fold<f32>(g, cols, out, i0, i1);
}
export function fold_f64(g: usize, cols: usize, out: usize, i0: i32, i1: i32): void {
  fold<f64>(g, cols, out, i0, i1);
}
export function conv_out_f32(y: usize, bias: usize, out: usize, ns: i32, P: i32, cout: i32): void {
  convOut<f32>(y, bias, out, ns, P, cout);
}
export function conv_out_f64(y: usize, bias: usize, out: usize, ns: i32, P: i32, cout: i32): void {
  convOut<f64>(y, bias, out, ns, P, cout);
}
export function conv_ct_f32(ct: usize, d: usize, ns: i32, P: i32, cout: i32): void {
  convCt<f32>(ct, d, ns, P, cout);
}
export function conv_ct_f64(ct: usize, d: usize, ns: i32, P: i32, cout: i32): void {
  convCt<f64>(ct, d, ns, P, cout);
}
export function pool2d_f32(op: i32, g: usize, x: usize, out: usize, q0: i32, q1: i32): void {
  pool<f32>(op, g, x, out, q0, q1);
}
export function pool2d_f64(op: i32, g: usize, x: usize, out: usize, q0: i32, q1: i32): void {
  pool<f64>(op, g, x, out, q0, q1);
}
export function pool2d_backward_f32(op: i32, g: usize, x: usize, ct: usize, out: usize, q0: i32, q1: i32): void {
  poolBackward<f32>(op, g, x, ct, out, q0, q1);
}
export function pool2d_backward_f64(op: i32, g: usize, x: usize, ct: usize, out: usize, q0: i32, q1: i32): void {
  poolBackward<f64>(op, g, x, ct, out, q0, q1);
}
export function conv2d_dyn_f32(plan: usize, t: i32): void {
  conv2dChunks<f32>(plan, t);
}
export function conv2d_dyn_f64(plan: usize, t: i32): void {
  conv2dChunks<f64>(plan, t);
}
export function conv2d_backward_dyn_f32(plan: usize, t: i32): void {
  conv2dBackwardChunks<f32>(plan, t);
}
export function conv2d_backward_dyn_f64(plan: usize, t: i32): void {
  conv2dBackwardChunks<f64>(plan, t);
}
export function conv_weight_grads_dyn_f32(plan: usize, t: i32): void {
  convWeightGradsChunks<f32>(plan, t);
}
export function conv_weight_grads_dyn_f64(plan: usize, t: i32): void {
  convWeightGradsChunks<f64>(plan, t);
}
