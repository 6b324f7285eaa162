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
 */

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
