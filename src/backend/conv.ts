/**
 * The reference kernels of the 2-D window ops (NCHW): im2col (unfold) and its
 * adjoint col2im (fold), and max / average pooling with their VJPs. Plain loops
 * over typed arrays, in the dtype of the buffers given; every backend may
 * delegate to them (a convolution is unfold + the backend's matmul).
 */
import type { Arr } from '../tensor/tensor.js';
import type { PoolOp, WindowGeom } from './backend.js';

/** im2col: see Backend.unfold. */
export function unfoldJs(x: Arr, g: WindowGeom, out: Arr): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const K = c * kh * kw;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const xi = i * c * h * w;
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        for (let ci = 0; ci < c; ci++) {
          const xc = xi + ci * h * w;
          for (let a = 0; a < kh; a++) {
            const y = py * sh - ph + a * dh;
            const inRow = y >= 0 && y < h;
            for (let e = 0; e < kw; e++) {
              const xx = px * sw - pw + e * dw;
              out[o++] = inRow && xx >= 0 && xx < w ? x[xc + y * w + xx]! : 0;
            }
          }
        }
      }
    }
  }
  if (o !== n * oh * ow * K) throw new Error('unfold: internal size mismatch');
}

/** col2im: see Backend.fold. */
export function foldJs(cols: Arr, g: WindowGeom, out: Arr): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  out.fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const xi = i * c * h * w;
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        for (let ci = 0; ci < c; ci++) {
          const xc = xi + ci * h * w;
          for (let a = 0; a < kh; a++) {
            const y = py * sh - ph + a * dh;
            const inRow = y >= 0 && y < h;
            for (let e = 0; e < kw; e++, o++) {
              const xx = px * sw - pw + e * dw;
              if (inRow && xx >= 0 && xx < w) out[xc + y * w + xx] = out[xc + y * w + xx]! + cols[o]!;
            }
          }
        }
      }
    }
  }
}

/**
 * Visit every window: `fn(outIndex, inputPlaneOffset, y0, x0)` with the window's
 * top-left corner (y0, x0) in unpadded coordinates (may be negative).
 */
function forEachWindow(g: WindowGeom, fn: (o: number, plane: number, y0: number, x0: number) => void): void {
  const { n, c, h, w, sh, sw, ph, pw, oh, ow } = g;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) fn(o++, base, py * sh - ph, px * sw - pw);
    }
  }
}

/** Pooling: see Backend.pool2d. */
export function pool2dJs(op: PoolOp, x: Arr, g: WindowGeom, out: Arr): void {
  const { h, w, kh, kw, dh, dw } = g;
  const inv = 1 / (kh * kw);
  forEachWindow(g, (o, base, y0, x0) => {
    let acc = op === 'max' ? -Infinity : 0;
    for (let a = 0; a < kh; a++) {
      const y = y0 + a * dh;
      if (y < 0 || y >= h) continue;
      for (let e = 0; e < kw; e++) {
        const xx = x0 + e * dw;
        if (xx < 0 || xx >= w) continue;
        const v = x[base + y * w + xx]!;
        if (op === 'avg') acc += v;
        else if (v > acc || v !== v) acc = v; // NaN propagates
      }
    }
    out[o] = op === 'avg' ? acc * inv : acc;
  });
}

/** The VJP of pooling: see Backend.pool2dBackward. */
export function pool2dBackwardJs(op: PoolOp, x: Arr, ct: Arr, g: WindowGeom, out: Arr): void {
  const { h, w, kh, kw, dh, dw } = g;
  const inv = 1 / (kh * kw);
  out.fill(0);
  forEachWindow(g, (o, base, y0, x0) => {
    let best = -1;
    let bestV = -Infinity;
    for (let a = 0; a < kh; a++) {
      const y = y0 + a * dh;
      if (y < 0 || y >= h) continue;
      for (let e = 0; e < kw; e++) {
        const xx = x0 + e * dw;
        if (xx < 0 || xx >= w) continue;
        const at = base + y * w + xx;
        if (op === 'avg') out[at] = out[at]! + ct[o]! * inv;
        else if (best < 0 || x[at]! > bestV) {
          best = at;
          bestV = x[at]!;
        }
      }
    }
    if (op === 'max' && best >= 0) out[best] = out[best]! + ct[o]!;
  });
}
