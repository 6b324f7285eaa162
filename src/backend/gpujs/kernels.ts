/**
 * The gpu.js kernel sources of the `gpujs` backend. Each is a plain function that
 * gpu.js translates (to JavaScript in mode cpu, to WebAssembly in webasm, to WGSL
 * in webgpu); all outputs are one-dimensional (thread.x indexes a row-major
 * array) and sizes arrive as arguments, so one compiled kernel serves every shape.
 *
 * NOTE: in the float32 modes index arithmetic is float32 as well; the backend
 * keeps every array below 2^24 elements (exact integers) and delegates larger
 * ones to the js backend. Row/column splits use floor(x / n) with a correction
 * step so a rounded quotient cannot pick the wrong row.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** gpu.js's `this` inside a kernel. */
interface KernelThis {
  thread: { x: number; y: number; z: number };
}

/** out[i, j] = Σ_p A(i, p) B(p, j), op(A) = A [m, k], op(B) = B [k, n]. */
export function matmulNN(this: KernelThis, a: any, b: any, m: number, k: number, n: number): number {
  const x = this.thread.x;
  let i = Math.floor(x / n);
  if (i * n > x) i = i - 1;
  if ((i + 1) * n <= x) i = i + 1;
  const j = x - i * n;
  let s = 0;
  for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
  return s + 0 * m;
}

/** transA: A stored [k, m]. */
export function matmulTN(this: KernelThis, a: any, b: any, m: number, k: number, n: number): number {
  const x = this.thread.x;
  let i = Math.floor(x / n);
  if (i * n > x) i = i - 1;
  if ((i + 1) * n <= x) i = i + 1;
  const j = x - i * n;
  let s = 0;
  for (let p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
  return s;
}

/** transB: B stored [n, k]. */
export function matmulNT(this: KernelThis, a: any, b: any, m: number, k: number, n: number): number {
  const x = this.thread.x;
  let i = Math.floor(x / n);
  if (i * n > x) i = i - 1;
  if ((i + 1) * n <= x) i = i + 1;
  const j = x - i * n;
  let s = 0;
  for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
  return s + 0 * m;
}

/** transA and transB. */
export function matmulTT(this: KernelThis, a: any, b: any, m: number, k: number, n: number): number {
  const x = this.thread.x;
  let i = Math.floor(x / n);
  if (i * n > x) i = i - 1;
  if ((i + 1) * n <= x) i = i + 1;
  const j = x - i * n;
  let s = 0;
  for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
  return s;
}

/**
 * out[r, j] = a[r·sar + j·sac] op b[r·sbr + j·sbc] on a [rows, cols] grid (the 2-D
 * form of a broadcast); op: 0 add, 1 sub, 2 mul, 3 div, 4 maximum (NaN-propagating).
 */
export function binary2d(this: KernelThis, a: any, b: any, op: number, cols: number, sar: number, sac: number, sbr: number, sbc: number): number {
  const x = this.thread.x;
  let r = Math.floor(x / cols);
  if (r * cols > x) r = r - 1;
  if ((r + 1) * cols <= x) r = r + 1;
  const j = x - r * cols;
  const u = a[r * sar + j * sac];
  const v = b[r * sbr + j * sbc];
  if (op === 0) return u + v;
  if (op === 1) return u - v;
  if (op === 2) return u * v;
  if (op === 3) return u / v;
  if (u !== u) return u;
  if (u >= v) return u;
  return v;
}

/** Unary ops by code: 0 neg, 1 exp, 2 log, 3 log1p, 4 sqrt, 5 abs, 6 tanh, 7 sigmoid, 8 softplus, 9 relu, 10 sign, 11 step. */
export function unaryOp(this: KernelThis, x: any, op: number): number {
  const v = x[this.thread.x];
  if (op === 0) return -v;
  if (op === 1) return Math.exp(v);
  if (op === 2) return Math.log(v);
  if (op === 3) return Math.log1p(v);
  if (op === 4) return Math.sqrt(v);
  if (op === 5) return Math.abs(v);
  if (op === 6) return Math.tanh(v);
  if (op === 7) {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  }
  if (op === 8) {
    // softplus = max(v, 0) + log1p(e^−|v|); a short series for small t = e^−|v| (a GPU's
    // log1p may be log(1 + t), which loses t's digits)
    let base = 0;
    let t = Math.exp(v);
    if (v > 0) {
      base = v;
      t = Math.exp(-v);
    }
    if (t < 0.01) return base + t * (1 - t * (0.5 - t / 3));
    return base + Math.log1p(t);
  }
  if (op === 9) {
    if (v > 0) return v;
    return 0;
  }
  if (op === 10) {
    if (v > 0) return 1;
    if (v < 0) return -1;
    return 0;
  }
  if (v > 0) return 1;
  return 0;
}

/** out[o, t] = Σ_r x[o, r, t] for x [outer, red, inner]. */
export function reduceSum(this: KernelThis, x: any, red: number, inner: number): number {
  const q = this.thread.x;
  let o = Math.floor(q / inner);
  if (o * inner > q) o = o - 1;
  if ((o + 1) * inner <= q) o = o + 1;
  const t = q - o * inner;
  let s = 0;
  for (let r = 0; r < red; r++) s += x[(o * red + r) * inner + t];
  return s;
}

/** out[o, t] = max_r x[o, r, t] (NaN propagates). */
export function reduceMax(this: KernelThis, x: any, red: number, inner: number): number {
  const q = this.thread.x;
  let o = Math.floor(q / inner);
  if (o * inner > q) o = o - 1;
  if ((o + 1) * inner <= q) o = o + 1;
  const t = q - o * inner;
  let s = -Infinity;
  for (let r = 0; r < red; r++) {
    const v = x[(o * red + r) * inner + t];
    if (v > s || v !== v) s = v;
  }
  return s;
}

/** out[i] = Σ_j x[i, j]² · Σ_k d[i, k]² (the per-sample squared norms of x_i δ_iᵀ). */
export function statsSqNorms(this: KernelThis, x: any, d: any, din: number, dout: number): number {
  const i = this.thread.x;
  let xs = 0;
  for (let j = 0; j < din; j++) {
    const v = x[i * din + j];
    xs += v * v;
  }
  let ds = 0;
  for (let k = 0; k < dout; k++) {
    const v = d[i * dout + k];
    ds += v * v;
  }
  return xs * ds;
}

/** out[i] = Σ_k t[i, k] d[i, k] with t = X·M (resident from the previous kernel). */
export function statsDots(this: KernelThis, t: any, d: any, dout: number): number {
  const i = this.thread.x;
  let s = 0;
  for (let k = 0; k < dout; k++) s += t[i * dout + k] * d[i * dout + k];
  return s;
}

/** out[j, k] = Σ_i x[i, j]² d[i, k]². */
export function statsCoord(this: KernelThis, x: any, d: any, b: number, din: number, dout: number): number {
  const q = this.thread.x;
  let j = Math.floor(q / dout);
  if (j * dout > q) j = j - 1;
  if ((j + 1) * dout <= q) j = j + 1;
  const k = q - j * dout;
  let s = 0;
  for (let i = 0; i < b; i++) {
    const xv = x[i * din + j];
    const dv = d[i * dout + k];
    s += xv * xv * dv * dv;
  }
  return s;
}
