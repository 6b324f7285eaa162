/**
 * The js backend's linear-layer statistics kernel (Backend.linearStats), optimised for
 * sparse inputs: the non-zeros of X are gathered once and swept with register-blocked
 * loops. Checked against the plain triple loop of `linearStatsReference.ts`
 * (test/backend/linearStatsSparse.test.ts).
 */
import type { Arr } from '../tensor/tensor.js';
import type { LinearStatsWant } from './backend.js';

/** Size of coordSumSq up to which linearStatsSparse accumulates it in the row-wise sweep (fits in L2). */
const LINEAR_STATS_FUSED_MAX = 32768;

/**
 * The row-wise sweep of linearStatsSparse computing dots and coordSumSq together, from
 * the non-zeros of X by row (val, colOff = j·dout, rowPtr): for each sample and
 * block of output columns, t = Mᵀ x_i in locals and coordSumSq[j, k] += x_ij² δ_ik².
 */
function linearStatsFused(
  val: Float64Array, colOff: Int32Array, rowPtr: Int32Array, delta: Arr, m: Arr, b: number, dout: number,
  dots: Float64Array, cs: Float64Array,
): void {
  cs.fill(0);
  for (let i = 0; i < b; i++) {
    const r0 = rowPtr[i]!;
    const r1 = rowPtr[i + 1]!;
    const di = i * dout;
    let dot = 0;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      const o0 = di + k;
      const e0 = delta[o0]!, e1 = delta[o0 + 1]!, e2 = delta[o0 + 2]!, e3 = delta[o0 + 3]!;
      const e4 = delta[o0 + 4]!, e5 = delta[o0 + 5]!, e6 = delta[o0 + 6]!, e7 = delta[o0 + 7]!;
      const q0 = e0 * e0, q1 = e1 * e1, q2 = e2 * e2, q3 = e3 * e3, q4 = e4 * e4, q5 = e5 * e5, q6 = e6 * e6, q7 = e7 * e7;
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const x2 = xv * xv;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
        t4 += xv * m[o + 4]!;
        t5 += xv * m[o + 5]!;
        t6 += xv * m[o + 6]!;
        t7 += xv * m[o + 7]!;
        cs[o] = cs[o]! + x2 * q0;
        cs[o + 1] = cs[o + 1]! + x2 * q1;
        cs[o + 2] = cs[o + 2]! + x2 * q2;
        cs[o + 3] = cs[o + 3]! + x2 * q3;
        cs[o + 4] = cs[o + 4]! + x2 * q4;
        cs[o + 5] = cs[o + 5]! + x2 * q5;
        cs[o + 6] = cs[o + 6]! + x2 * q6;
        cs[o + 7] = cs[o + 7]! + x2 * q7;
      }
      dot += t0 * e0 + t1 * e1 + t2 * e2 + t3 * e3 + t4 * e4 + t5 * e5 + t6 * e6 + t7 * e7;
    }
    for (; k + 2 <= dout; k += 2) {
      const e0 = delta[di + k]!;
      const e1 = delta[di + k + 1]!;
      const q0 = e0 * e0;
      const q1 = e1 * e1;
      let t0 = 0, t1 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const x2 = xv * xv;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        cs[o] = cs[o]! + x2 * q0;
        cs[o + 1] = cs[o + 1]! + x2 * q1;
      }
      dot += t0 * e0 + t1 * e1;
    }
    for (; k < dout; k++) {
      const e0 = delta[di + k]!;
      const q0 = e0 * e0;
      let t0 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        cs[o] = cs[o]! + xv * xv * q0;
      }
      dot += t0 * e0;
    }
    dots[i] = dot;
  }
}

/**
 * dots[i] = x_iᵀ M δ_i from the non-zeros of X by row: t = Mᵀ x_i in blocks of 8 output
 * columns (then 4 when `four`, then 2, 1), each block's Σ_k t_k δ_ik added to the row's sum.
 * Without `four` the blocks and so the bits are those of linearStatsFused.
 */
function sparseDots(
  val: Float64Array, colOff: Int32Array, rowPtr: Int32Array, delta: Arr, m: Arr, b: number, dout: number,
  dots: Float64Array, four: boolean,
): void {
  for (let i = 0; i < b; i++) {
    const r0 = rowPtr[i]!;
    const r1 = rowPtr[i + 1]!;
    const di = i * dout;
    let dot = 0;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
        t4 += xv * m[o + 4]!;
        t5 += xv * m[o + 5]!;
        t6 += xv * m[o + 6]!;
        t7 += xv * m[o + 7]!;
      }
      const o = di + k;
      dot += t0 * delta[o]! + t1 * delta[o + 1]! + t2 * delta[o + 2]! + t3 * delta[o + 3]!
        + t4 * delta[o + 4]! + t5 * delta[o + 5]! + t6 * delta[o + 6]! + t7 * delta[o + 7]!;
    }
    for (; four && k + 4 <= dout; k += 4) {
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
        t2 += xv * m[o + 2]!;
        t3 += xv * m[o + 3]!;
      }
      const o = di + k;
      dot += t0 * delta[o]! + t1 * delta[o + 1]! + t2 * delta[o + 2]! + t3 * delta[o + 3]!;
    }
    for (; k + 2 <= dout; k += 2) {
      let t0 = 0, t1 = 0;
      for (let e = r0; e < r1; e++) {
        const xv = val[e]!;
        const o = colOff[e]! + k;
        t0 += xv * m[o]!;
        t1 += xv * m[o + 1]!;
      }
      dot += t0 * delta[di + k]! + t1 * delta[di + k + 1]!;
    }
    for (; k < dout; k++) {
      let t0 = 0;
      for (let e = r0; e < r1; e++) t0 += val[e]! * m[colOff[e]! + k]!;
      dot += t0 * delta[di + k]!;
    }
    dots[i] = dot;
  }
}

/**
 * The linear-layer statistics (see Backend.linearStats) in two register-blocked
 * sweeps over the non-zero entries of X, which are gathered once (row-wise and
 * column-wise): zero entries are skipped, which pays off on sparse inputs such as
 * MNIST (~80% zeros), and the inner loops keep 8 (then 4, 2, 1) output columns in
 * local accumulators, so they do one load per multiply-add and no stores.
 *  - dots[i] = Σ_k δ_ik (Mᵀ x_i)_k: for each sample, t = Mᵀ x_i block by block;
 *  - coordSumSq[j, ·] = Σ_i x_ij² (δ_i∘δ_i): for each input coordinate j, over the
 *    samples with x_ij ≠ 0 (a column-wise sweep, so the output row stays in
 *    registers). When coordSumSq is small (≤ LINEAR_STATS_FUSED_MAX entries, e.g.
 *    softmax regression 784 → 10) it stays in cache and is accumulated in the
 *    row-wise sweep instead, which saves the column-wise gather.
 * `want` (Backend.linearStats) skips the outputs nobody reads: with neither, only
 * sqNorms, from the row norms (no gather); each output written is the same bits as
 * with both (the row-wise and the column-wise sums of x_ij² δ_ik² run over i in the
 * same order).
 */
export function linearStatsSparse(
  x: Arr, delta: Arr, m: Arr, b: number, din: number, dout: number,
  sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array,
  want: LinearStatsWant = { dots: true, coordSumSq: true },
): void {
  if (!want.dots && !want.coordSumSq) {
    rowSqNorms(x, delta, b, din, dout, sqNorms);
    return;
  }
  // gather the non-zeros of X by row (rowPtr, colOff = j·dout, val) in one pass
  // (X is read once: on sparse inputs that read is a large part of the cost)
  const n = b * din;
  let cap = Math.min(n, Math.max(1024, n >> 2));
  let colOff = new Int32Array(cap);
  let val = new Float64Array(cap);
  const rowPtr = new Int32Array(b + 1);
  let q = 0;
  for (let i = 0; i < b; i++) {
    rowPtr[i] = q;
    if (q + din > cap) {
      cap = Math.min(n, Math.max(2 * cap, q + din));
      const c2 = new Int32Array(cap);
      c2.set(colOff.subarray(0, q));
      colOff = c2;
      const v2 = new Float64Array(cap);
      v2.set(val.subarray(0, q));
      val = v2;
    }
    const xi = i * din;
    let xn = 0;
    for (let j = 0; j < din; j++) {
      const v = x[xi + j]!;
      if (v === 0) continue;
      colOff[q] = j * dout;
      val[q] = v;
      q++;
      xn += v * v;
    }
    let dn = 0;
    const di = i * dout;
    for (let k = 0; k < dout; k++) {
      const v = delta[di + k]!;
      dn += v * v;
    }
    sqNorms[i] = xn * dn;
  }
  rowPtr[b] = q;
  const nnz = q;

  if (din * dout <= LINEAR_STATS_FUSED_MAX && want.dots) {
    if (want.coordSumSq) linearStatsFused(val, colOff, rowPtr, delta, m, b, dout, dots, coordSumSq);
    else sparseDots(val, colOff, rowPtr, delta, m, b, dout, dots, false);
    return;
  }

  if (want.dots) sparseDots(val, colOff, rowPtr, delta, m, b, dout, dots, true);
  if (!want.coordSumSq) return;

  // the non-zeros by column: sample offset i·dout and x_ij²
  const colPtr = new Int32Array(din + 1);
  for (let e = 0; e < nnz; e++) {
    const j1 = colOff[e]! / dout + 1;
    colPtr[j1] = colPtr[j1]! + 1;
  }
  for (let j = 0; j < din; j++) colPtr[j + 1] = colPtr[j + 1]! + colPtr[j]!;
  const next = colPtr.slice(0, din);
  const rowOff = new Int32Array(nnz);
  const val2 = new Float64Array(nnz);
  for (let i = 0; i < b; i++) {
    for (let e = rowPtr[i]!; e < rowPtr[i + 1]!; e++) {
      const j = colOff[e]! / dout;
      const p = next[j]!;
      next[j] = p + 1;
      rowOff[p] = i * dout;
      val2[p] = val[e]! * val[e]!;
    }
  }
  const d2 = new Float64Array(b * dout);
  for (let t = 0; t < b * dout; t++) d2[t] = delta[t]! * delta[t]!;

  // coordSumSq[j, k] = Σ_i x_ij² δ_ik²
  for (let j = 0; j < din; j++) {
    const c0 = colPtr[j]!;
    const c1 = colPtr[j + 1]!;
    const mj = j * dout;
    let k = 0;
    for (; k + 8 <= dout; k += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
        a2 += x2 * d2[o + 2]!;
        a3 += x2 * d2[o + 3]!;
        a4 += x2 * d2[o + 4]!;
        a5 += x2 * d2[o + 5]!;
        a6 += x2 * d2[o + 6]!;
        a7 += x2 * d2[o + 7]!;
      }
      const o = mj + k;
      coordSumSq[o] = a0;
      coordSumSq[o + 1] = a1;
      coordSumSq[o + 2] = a2;
      coordSumSq[o + 3] = a3;
      coordSumSq[o + 4] = a4;
      coordSumSq[o + 5] = a5;
      coordSumSq[o + 6] = a6;
      coordSumSq[o + 7] = a7;
    }
    for (; k + 4 <= dout; k += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
        a2 += x2 * d2[o + 2]!;
        a3 += x2 * d2[o + 3]!;
      }
      const o = mj + k;
      coordSumSq[o] = a0;
      coordSumSq[o + 1] = a1;
      coordSumSq[o + 2] = a2;
      coordSumSq[o + 3] = a3;
    }
    for (; k + 2 <= dout; k += 2) {
      let a0 = 0, a1 = 0;
      for (let e = c0; e < c1; e++) {
        const x2 = val2[e]!;
        const o = rowOff[e]! + k;
        a0 += x2 * d2[o]!;
        a1 += x2 * d2[o + 1]!;
      }
      coordSumSq[mj + k] = a0;
      coordSumSq[mj + k + 1] = a1;
    }
    for (; k < dout; k++) {
      let a0 = 0;
      for (let e = c0; e < c1; e++) a0 += val2[e]! * d2[rowOff[e]! + k]!;
      coordSumSq[mj + k] = a0;
    }
  }
}

/** sqNorms[i] = ||x_i||² ||δ_i||², the sums in the order of linearStatsSparse (zeros of x_i add nothing). */
function rowSqNorms(x: Arr, delta: Arr, b: number, din: number, dout: number, sqNorms: Float64Array): void {
  for (let i = 0; i < b; i++) {
    const xi = i * din;
    let xn = 0;
    for (let j = 0; j < din; j++) {
      const v = x[xi + j]!;
      if (v !== 0) xn += v * v;
    }
    let dn = 0;
    const di = i * dout;
    for (let k = 0; k < dout; k++) {
      const v = delta[di + k]!;
      dn += v * v;
    }
    sqNorms[i] = xn * dn;
  }
}
