// Shared generators and plain-loop references for the 2-D window ops (conv2d, pooling), NCHW.
import fc from 'fast-check';

/** One generated window op: input [n, c, h, w], a kh × kw window, stride, padding, dilation, and c_out for a conv. */
export interface WindowCase {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  readonly cout: number;
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number;
  readonly ph: number; readonly pw: number;
  readonly dh: number; readonly dw: number;
  readonly oh: number; readonly ow: number;
}

export interface WindowCaseOptions {
  readonly maxBatch?: number;
  readonly maxChannels?: number;
  readonly maxSide?: number;
  readonly maxKernel?: number;
  readonly maxStride?: number;
  readonly maxPad?: number;
  readonly maxDilation?: number;
}

const outSide = (x: number, k: number, s: number, p: number, d: number): number => Math.floor((x + 2 * p - d * (k - 1) - 1) / s) + 1;

/** Window geometries whose output has at least one position (padding at most half the window when `pool`). */
export function windowCase(opts: WindowCaseOptions = {}, pool = false): fc.Arbitrary<WindowCase> {
  const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
  const maxK = opts.maxKernel ?? 3;
  return fc
    .record({
      n: int(1, opts.maxBatch ?? 3), c: int(1, opts.maxChannels ?? 3), cout: int(1, opts.maxChannels ?? 3),
      h: int(1, opts.maxSide ?? 6), w: int(1, opts.maxSide ?? 6),
      kh: int(1, maxK), kw: int(1, maxK),
      sh: int(1, opts.maxStride ?? 2), sw: int(1, opts.maxStride ?? 2),
      ph: int(0, opts.maxPad ?? 2), pw: int(0, opts.maxPad ?? 2),
      dh: int(1, pool ? 1 : opts.maxDilation ?? 2), dw: int(1, pool ? 1 : opts.maxDilation ?? 2),
    })
    .map((r) => ({ ...r, ph: pool ? Math.min(r.ph, Math.floor(r.kh / 2)) : r.ph, pw: pool ? Math.min(r.pw, Math.floor(r.kw / 2)) : r.pw }))
    .map((r) => ({ ...r, oh: outSide(r.h, r.kh, r.sh, r.ph, r.dh), ow: outSide(r.w, r.kw, r.sw, r.pw, r.dw) }))
    .filter((r) => r.oh >= 1 && r.ow >= 1);
}

/** The input value at (i, ci, y, x) in padded coordinates, or `pad` outside the image. */
function at(x: ArrayLike<number>, g: WindowCase, i: number, ci: number, y: number, xx: number, pad: number): number {
  if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) return pad;
  return x[((i * g.c + ci) * g.h + y) * g.w + xx]!;
}

/** Direct cross-correlation by the defining sum (no im2col): y [n, cout, oh, ow]. */
export function conv2dRef(x: ArrayLike<number>, wt: ArrayLike<number>, bias: ArrayLike<number> | null, g: WindowCase): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.n; i++) for (let o = 0; o < g.cout; o++) for (let p = 0; p < g.oh; p++) for (let q = 0; q < g.ow; q++) {
    let s = bias === null ? 0 : bias[o]!;
    for (let ci = 0; ci < g.c; ci++) for (let a = 0; a < g.kh; a++) for (let e = 0; e < g.kw; e++) {
      s += wt[((o * g.c + ci) * g.kh + a) * g.kw + e]! * at(x, g, i, ci, p * g.sh - g.ph + a * g.dh, q * g.sw - g.pw + e * g.dw, 0);
    }
    out.push(s);
  }
  return out;
}

/** Max or average pooling by the defining formula: [n, c, oh, ow]. */
export function pool2dRef(op: 'max' | 'avg', x: ArrayLike<number>, g: WindowCase): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.n; i++) for (let ci = 0; ci < g.c; ci++) for (let p = 0; p < g.oh; p++) for (let q = 0; q < g.ow; q++) {
    let acc = op === 'max' ? -Infinity : 0;
    for (let a = 0; a < g.kh; a++) for (let e = 0; e < g.kw; e++) {
      const v = at(x, g, i, ci, p * g.sh - g.ph + a * g.dh, q * g.sw - g.pw + e * g.dw, op === 'max' ? -Infinity : 0);
      acc = op === 'max' ? Math.max(acc, v) : acc + v;
    }
    out.push(op === 'max' ? acc : acc / (g.kh * g.kw));
  }
  return out;
}

/** The unfolded input by its definition: [n, oh·ow, c·kh·kw]. */
export function unfoldRef(x: ArrayLike<number>, g: WindowCase): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.n; i++) for (let p = 0; p < g.oh; p++) for (let q = 0; q < g.ow; q++) {
    for (let ci = 0; ci < g.c; ci++) for (let a = 0; a < g.kh; a++) for (let e = 0; e < g.kw; e++) {
      out.push(at(x, g, i, ci, p * g.sh - g.ph + a * g.dh, q * g.sw - g.pw + e * g.dw, 0));
    }
  }
  return out;
}

/** The conv2d options of a case. */
export const convOpts = (g: WindowCase): { stride: [number, number]; padding: [number, number]; dilation: [number, number] } => ({
  stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw],
});
