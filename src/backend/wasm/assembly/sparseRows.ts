/**
 * Kernels over a data set kept in compressed sparse rows (f64), for batches that are
 * rows `idx[0 .. b)` of it (see src/backend/sparseRows.ts): the non-zeros of batch
 * row i are va[rp[r] .. rp[r+1]) at columns co[·], r = idx[i]. Nothing dense of X is
 * read, and the data set stays resident in wasm memory.
 *
 *  - csrMm:    C[i, :] = Σ_e x_e B[col_e, :]                     (X · B)
 *  - csrTmm:   C[col_e, :] += x_e B[i, :]                        (Xᵀ · B)
 *  - csc_tmm_panels: C[c, :] = Σ_{e in column c} x_e B[i_e, :]   (Xᵀ · B by columns, after csc_count and
 *              csc_fill, over packed eight-column panels of B)
 *  - csrStats: in one pass over the non-zeros of each row, for Δ [b, n] and M [din, n]:
 *              sq[i] = ||x_i||² ||δ_i||²,  dots[i] = x_iᵀ M δ_i,
 *              CS[col_e, :] += x_e² (δ_i ∘ δ_i)                 ((X∘X)ᵀ(Δ∘Δ))
 *
 * Columns go in blocks of five f64x2 vectors (ten columns, the width of MNIST's
 * softmax layer, in one pass), then single vectors, then a scalar column.
 * Threads: the *_dyn forms take chunks from an atomic counter. The scattering kernels
 * (csrTmm, csrStats) write chunk q into its own accumulator (c + q·stride), and the
 * caller sums the accumulators in order q = 0, 1, …: the result does not depend on
 * the number of threads or on which thread took which chunk.
 */

// @ts-ignore: decorator
@inline function rowStart(rp: usize, idx: usize, i: i32): i32 {
  return load<i32>(rp + (<usize>load<i32>(idx + <usize>i * 4)) * 4);
}

// @ts-ignore: decorator
@inline function rowEnd(rp: usize, idx: usize, i: i32): i32 {
  return load<i32>(rp + (<usize>load<i32>(idx + <usize>i * 4) + 1) * 4);
}

/** The batch position handled at step q: ord[q] (batch positions sorted by data row). */
// @ts-ignore: decorator
@inline function at(ord: usize, q: i32): i32 {
  return load<i32>(ord + <usize>q * 4);
}

/** C[i, :] = Σ_e va[e] B[co[e], :] for batch rows i in [i0, i1); B [*, n], C [b, n]. */
function csrMm(rp: usize, co: usize, va: usize, idx: usize, ord: usize, b: usize, c: usize, n: i32, q0: i32, q1: i32): void {
  const rowBytes = <usize>n * 8;
  for (let q = q0; q < q1; q++) {
    const i = at(ord, q);
    const e0 = rowStart(rp, idx, i);
    const e1 = rowEnd(rp, idx, i);
    const out = c + <usize>i * rowBytes;
    let j = 0;
    for (; j + 10 <= n; j += 10) {
      const bj = b + <usize>j * 8;
      let s0 = f64x2.splat(0);
      let s1 = s0, s2 = s0, s3 = s0, s4 = s0;
      for (let e = e0; e < e1; e++) {
        const v = v128.load_splat<f64>(va + <usize>e * 8);
        const br = bj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
        s0 = f64x2.add(s0, f64x2.mul(v, v128.load(br)));
        s1 = f64x2.add(s1, f64x2.mul(v, v128.load(br, 16)));
        s2 = f64x2.add(s2, f64x2.mul(v, v128.load(br, 32)));
        s3 = f64x2.add(s3, f64x2.mul(v, v128.load(br, 48)));
        s4 = f64x2.add(s4, f64x2.mul(v, v128.load(br, 64)));
      }
      const o = out + <usize>j * 8;
      v128.store(o, s0);
      v128.store(o, s1, 16);
      v128.store(o, s2, 32);
      v128.store(o, s3, 48);
      v128.store(o, s4, 64);
    }
    for (; j + 2 <= n; j += 2) {
      const bj = b + <usize>j * 8;
      let s0 = f64x2.splat(0);
      for (let e = e0; e < e1; e++) {
        const v = v128.load_splat<f64>(va + <usize>e * 8);
        s0 = f64x2.add(s0, f64x2.mul(v, v128.load(bj + <usize>load<i32>(co + <usize>e * 4) * rowBytes)));
      }
      v128.store(out + <usize>j * 8, s0);
    }
    if (j < n) {
      const bj = b + <usize>j * 8;
      let s: f64 = 0;
      for (let e = e0; e < e1; e++) s += load<f64>(va + <usize>e * 8) * load<f64>(bj + <usize>load<i32>(co + <usize>e * 4) * rowBytes);
      store<f64>(out + <usize>j * 8, s);
    }
  }
}

/** C[co[e], :] += va[e] B[i, :] for batch rows i in [i0, i1); B [b, n], C [din, n] (holds the accumulator). */
function csrTmm(rp: usize, co: usize, va: usize, idx: usize, ord: usize, b: usize, c: usize, n: i32, q0: i32, q1: i32): void {
  const rowBytes = <usize>n * 8;
  for (let q = q0; q < q1; q++) {
    const i = at(ord, q);
    const e0 = rowStart(rp, idx, i);
    const e1 = rowEnd(rp, idx, i);
    const bi = b + <usize>i * rowBytes;
    let j = 0;
    for (; j + 10 <= n; j += 10) {
      const bp = bi + <usize>j * 8;
      const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48), b4 = v128.load(bp, 64);
      const cj = c + <usize>j * 8;
      for (let e = e0; e < e1; e++) {
        const v = v128.load_splat<f64>(va + <usize>e * 8);
        const cr = cj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
        v128.store(cr, f64x2.add(v128.load(cr), f64x2.mul(v, b0)));
        v128.store(cr, f64x2.add(v128.load(cr, 16), f64x2.mul(v, b1)), 16);
        v128.store(cr, f64x2.add(v128.load(cr, 32), f64x2.mul(v, b2)), 32);
        v128.store(cr, f64x2.add(v128.load(cr, 48), f64x2.mul(v, b3)), 48);
        v128.store(cr, f64x2.add(v128.load(cr, 64), f64x2.mul(v, b4)), 64);
      }
    }
    for (; j + 2 <= n; j += 2) {
      const b0 = v128.load(bi + <usize>j * 8);
      const cj = c + <usize>j * 8;
      for (let e = e0; e < e1; e++) {
        const v = v128.load_splat<f64>(va + <usize>e * 8);
        const cr = cj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
        v128.store(cr, f64x2.add(v128.load(cr), f64x2.mul(v, b0)));
      }
    }
    if (j < n) {
      const b0 = load<f64>(bi + <usize>j * 8);
      const cj = c + <usize>j * 8;
      for (let e = e0; e < e1; e++) {
        const cr = cj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
        store<f64>(cr, load<f64>(cr) + load<f64>(va + <usize>e * 8) * b0);
      }
    }
  }
}

/** csrStats flags: form dots (x_iᵀ M δ_i) and/or CS ((X∘X)ᵀ(Δ∘Δ)); sq is always formed. */
const STATS_DOTS = 1;
const STATS_CS = 2;

/**
 * For batch rows i in [i0, i1), with δ_i = D[i, :] (D [b, n]) and M [din, n]:
 * sq[i] = ||x_i||² ||δ_i||², dots[i] = x_iᵀ M δ_i, and CS[co[e], :] += va[e]² δ_i∘δ_i
 * (CS [din, n] holds the accumulator), in one pass over the row's non-zeros per block
 * of ten columns; ||x_i||² = rn[idx[i]] (the resident set's row norms). `flags` (STATS_DOTS | STATS_CS) says which of dots and CS to form;
 * ||δ_i||² and each output formed are the same operations in the same order whatever
 * the flags, so the same bits. ord = 0: rows in batch order.
 */
function csrStats(
  rp: usize, co: usize, va: usize, rn: usize, idx: usize, ord: usize, d: usize, m: usize, sq: usize, dots: usize, cs: usize,
  n: i32, q0: i32, q1: i32, flags: i32,
): void {
  const rowBytes = <usize>n * 8;
  const wantDots = (flags & STATS_DOTS) != 0;
  const wantCs = (flags & STATS_CS) != 0;
  for (let q = q0; q < q1; q++) {
    const i = ord == 0 ? q : at(ord, q);
    const e0 = rowStart(rp, idx, i);
    const e1 = rowEnd(rp, idx, i);
    const di = d + <usize>i * rowBytes;
    const xn = load<f64>(rn + (<usize>load<i32>(idx + <usize>i * 4)) * 8);
    let dn = f64x2.splat(0);
    let dot = f64x2.splat(0);
    let j = 0;
    for (; j + 10 <= n; j += 10) {
      const dp = di + <usize>j * 8;
      const d0 = v128.load(dp), d1 = v128.load(dp, 16), d2 = v128.load(dp, 32), d3 = v128.load(dp, 48), d4 = v128.load(dp, 64);
      const q0 = f64x2.mul(d0, d0), q1 = f64x2.mul(d1, d1), q2 = f64x2.mul(d2, d2), q3 = f64x2.mul(d3, d3), q4 = f64x2.mul(d4, d4);
      dn = f64x2.add(dn, f64x2.add(f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3)), q4));
      if (!wantDots && !wantCs) continue;
      let t0 = f64x2.splat(0);
      let t1 = t0, t2 = t0, t3 = t0, t4 = t0;
      const mj = m + <usize>j * 8;
      const cj = cs + <usize>j * 8;
      if (wantDots && wantCs) {
        for (let e = e0; e < e1; e++) {
          const x = load<f64>(va + <usize>e * 8);
          const v = f64x2.splat(x);
          const w = f64x2.splat(x * x);
          const off = <usize>load<i32>(co + <usize>e * 4) * rowBytes;
          const mr = mj + off;
          t0 = f64x2.add(t0, f64x2.mul(v, v128.load(mr)));
          t1 = f64x2.add(t1, f64x2.mul(v, v128.load(mr, 16)));
          t2 = f64x2.add(t2, f64x2.mul(v, v128.load(mr, 32)));
          t3 = f64x2.add(t3, f64x2.mul(v, v128.load(mr, 48)));
          t4 = f64x2.add(t4, f64x2.mul(v, v128.load(mr, 64)));
          const cr = cj + off;
          v128.store(cr, f64x2.add(v128.load(cr), f64x2.mul(w, q0)));
          v128.store(cr, f64x2.add(v128.load(cr, 16), f64x2.mul(w, q1)), 16);
          v128.store(cr, f64x2.add(v128.load(cr, 32), f64x2.mul(w, q2)), 32);
          v128.store(cr, f64x2.add(v128.load(cr, 48), f64x2.mul(w, q3)), 48);
          v128.store(cr, f64x2.add(v128.load(cr, 64), f64x2.mul(w, q4)), 64);
        }
      } else if (wantDots) {
        for (let e = e0; e < e1; e++) {
          const v = v128.load_splat<f64>(va + <usize>e * 8);
          const mr = mj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
          t0 = f64x2.add(t0, f64x2.mul(v, v128.load(mr)));
          t1 = f64x2.add(t1, f64x2.mul(v, v128.load(mr, 16)));
          t2 = f64x2.add(t2, f64x2.mul(v, v128.load(mr, 32)));
          t3 = f64x2.add(t3, f64x2.mul(v, v128.load(mr, 48)));
          t4 = f64x2.add(t4, f64x2.mul(v, v128.load(mr, 64)));
        }
      } else {
        for (let e = e0; e < e1; e++) {
          const x = load<f64>(va + <usize>e * 8);
          const w = f64x2.splat(x * x);
          const cr = cj + <usize>load<i32>(co + <usize>e * 4) * rowBytes;
          v128.store(cr, f64x2.add(v128.load(cr), f64x2.mul(w, q0)));
          v128.store(cr, f64x2.add(v128.load(cr, 16), f64x2.mul(w, q1)), 16);
          v128.store(cr, f64x2.add(v128.load(cr, 32), f64x2.mul(w, q2)), 32);
          v128.store(cr, f64x2.add(v128.load(cr, 48), f64x2.mul(w, q3)), 48);
          v128.store(cr, f64x2.add(v128.load(cr, 64), f64x2.mul(w, q4)), 64);
        }
      }
      if (wantDots) {
        dot = f64x2.add(dot, f64x2.add(f64x2.add(f64x2.add(f64x2.mul(t0, d0), f64x2.mul(t1, d1)), f64x2.add(f64x2.mul(t2, d2), f64x2.mul(t3, d3))), f64x2.mul(t4, d4)));
      }
    }
    for (; j + 2 <= n; j += 2) {
      const d0 = v128.load(di + <usize>j * 8);
      const q0 = f64x2.mul(d0, d0);
      dn = f64x2.add(dn, q0);
      if (!wantDots && !wantCs) continue;
      let t0 = f64x2.splat(0);
      const mj = m + <usize>j * 8;
      const cj = cs + <usize>j * 8;
      for (let e = e0; e < e1; e++) {
        const x = load<f64>(va + <usize>e * 8);
        const off = <usize>load<i32>(co + <usize>e * 4) * rowBytes;
        if (wantDots) t0 = f64x2.add(t0, f64x2.mul(f64x2.splat(x), v128.load(mj + off)));
        if (wantCs) {
          const cr = cj + off;
          v128.store(cr, f64x2.add(v128.load(cr), f64x2.mul(f64x2.splat(x * x), q0)));
        }
      }
      if (wantDots) dot = f64x2.add(dot, f64x2.mul(t0, d0));
    }
    let dns = f64x2.extract_lane(dn, 0) + f64x2.extract_lane(dn, 1);
    let dots1 = f64x2.extract_lane(dot, 0) + f64x2.extract_lane(dot, 1);
    if (j < n) {
      const d0 = load<f64>(di + <usize>j * 8);
      const q0 = d0 * d0;
      dns += q0;
      if (wantDots || wantCs) {
        let t0: f64 = 0;
        const mj = m + <usize>j * 8;
        const cj = cs + <usize>j * 8;
        for (let e = e0; e < e1; e++) {
          const x = load<f64>(va + <usize>e * 8);
          const off = <usize>load<i32>(co + <usize>e * 4) * rowBytes;
          if (wantDots) t0 += x * load<f64>(mj + off);
          if (wantCs) {
            const cr = cj + off;
            store<f64>(cr, load<f64>(cr) + x * x * q0);
          }
        }
        dots1 += t0 * d0;
      }
    }
    store<f64>(sq + <usize>i * 8, xn * dns);
    if (wantDots) store<f64>(dots + <usize>i * 8, dots1);
  }
}

// ------------------------------------------------------------------ exports (threaded forms)

/** csrMm over chunks of `chunk` rows taken from the counter, for b batch rows. */
export function csr_mm_dyn_f64(rp: usize, co: usize, va: usize, idx: usize, ord: usize, b: usize, c: usize, n: i32, rows: i32, counter: usize, chunk: i32): void {
  for (;;) {
    const r0 = atomic.add<i32>(counter, 1) * chunk;
    if (r0 >= rows) break;
    csrMm(rp, co, va, idx, ord, b, c, n, r0, min(rows, r0 + chunk));
  }
}

/** csrTmm: chunk q of rows accumulates into c + q·stride (zeroed by the caller). */
export function csr_tmm_dyn_f64(rp: usize, co: usize, va: usize, idx: usize, ord: usize, b: usize, c: usize, stride: usize, n: i32, rows: i32, counter: usize, chunk: i32): void {
  for (;;) {
    const q = atomic.add<i32>(counter, 1);
    const r0 = q * chunk;
    if (r0 >= rows) break;
    csrTmm(rp, co, va, idx, ord, b, c + <usize>q * stride, n, r0, min(rows, r0 + chunk));
  }
}

/** csrStats: chunk q of rows accumulates its CS into cs + q·stride (zeroed by the caller). */
export function csr_stats_dyn_f64(
  rp: usize, co: usize, va: usize, idx: usize, ord: usize, d: usize, m: usize, sq: usize, dots: usize, cs: usize, stride: usize,
  n: i32, rows: i32, counter: usize, chunk: i32, flags: i32, rn: usize,
): void {
  for (;;) {
    const q = atomic.add<i32>(counter, 1);
    const r0 = q * chunk;
    if (r0 >= rows) break;
    csrStats(rp, co, va, rn, idx, ord, d, m, sq, dots, cs + <usize>q * stride, n, r0, min(rows, r0 + chunk), flags);
  }
}

/** csrStats on the calling thread for batch rows [q0, q1) in batch order (no CS: nothing to split). */
export function csr_stats_f64(
  rp: usize, co: usize, va: usize, rn: usize, idx: usize, d: usize, m: usize, sq: usize, dots: usize, cs: usize,
  n: i32, q0: i32, q1: i32, flags: i32,
): void {
  csrStats(rp, co, va, rn, idx, 0, d, m, sq, dots, cs, n, q0, q1, flags);
}

// ------------------------------------------------------------------ gather form of Xᵀ · B

/**
 * The batch's non-zeros by column (compressed sparse columns): for data column c, the
 * entries cp[c] .. cp[c+1] hold batch positions ri[·] (ascending) and values cv[·].
 * Built in two passes over batch rows [r0, r1), so that threads can take row ranges:
 * csc_count counts the range's non-zeros per column into cnt [k]; the caller turns
 * the counts of consecutive ranges into start positions (range 0's entries of a
 * column first); csc_fill writes the range's entries from those starts (cur [k], moved
 * on as it writes). The result does not depend on how the rows were split.
 */
export function csc_count(rp: usize, co: usize, idx: usize, r0: i32, r1: i32, k: i32, cnt: usize): void {
  memory.fill(cnt, 0, <usize>k * 4);
  for (let i = r0; i < r1; i++) {
    const e1 = rowEnd(rp, idx, i);
    for (let e = rowStart(rp, idx, i); e < e1; e++) {
      const p = cnt + (<usize>load<i32>(co + <usize>e * 4)) * 4;
      store<i32>(p, load<i32>(p) + 1);
    }
  }
}

/** The second pass of the regrouping (see csc_count): the entries of batch rows [r0, r1) from the starts cur [k]. */
export function csc_fill(rp: usize, co: usize, va: usize, idx: usize, r0: i32, r1: i32, cur: usize, ri: usize, cv: usize): void {
  for (let i = r0; i < r1; i++) {
    const e1 = rowEnd(rp, idx, i);
    for (let e = rowStart(rp, idx, i); e < e1; e++) {
      const p = cur + (<usize>load<i32>(co + <usize>e * 4)) * 4;
      const at = <usize>load<i32>(p);
      store<i32>(p, <i32>at + 1);
      store<i32>(ri + at * 4, i);
      store<f64>(cv + at * 8, load<f64>(va + <usize>e * 8));
    }
  }
}

/**
 * C[c, 0..8) = Σ_{e ∈ column c} cv[e] B[ri[e], 0..8) (with `square`, cv[e]² in place of
 * cv[e]) for data columns c in [c0, c1), with batch row r of the eight-column slice at
 * bp + r·bStride and output row c at c + c·cStride: four f64x2 sums in registers, in
 * batch order. Inlined with a constant `square`, so the loop has no branch.
 */
// @ts-ignore: decorator
@inline function cscPanel8(cp: usize, ri: usize, cv: usize, bp: usize, bStride: usize, c: usize, cStride: usize, c0: i32, c1: i32, square: bool): void {
  for (let col = c0; col < c1; col++) {
    const e1 = load<i32>(cp + <usize>(col + 1) * 4);
    let s0 = f64x2.splat(0);
    let s1 = s0, s2 = s0, s3 = s0;
    for (let e = load<i32>(cp + <usize>col * 4); e < e1; e++) {
      const x = load<f64>(cv + <usize>e * 8);
      const v = f64x2.splat(square ? x * x : x);
      const br = bp + <usize>load<i32>(ri + <usize>e * 4) * bStride;
      s0 = f64x2.add(s0, f64x2.mul(v, v128.load(br)));
      s1 = f64x2.add(s1, f64x2.mul(v, v128.load(br, 16)));
      s2 = f64x2.add(s2, f64x2.mul(v, v128.load(br, 32)));
      s3 = f64x2.add(s3, f64x2.mul(v, v128.load(br, 48)));
    }
    const o = c + <usize>col * cStride;
    v128.store(o, s0);
    v128.store(o, s1, 16);
    v128.store(o, s2, 32);
    v128.store(o, s3, 48);
  }
}

/**
 * cscPanel8 forming both sums at once: C[c, 0..8) = Σ cv[e] B[ri[e], 0..8) and
 * C2[c, 0..8) = Σ cv[e]² B[ri[e], 0..8)², each with the operations of cscPanel8 (square off,
 * on) in the same order, so the same bits as the two calls, from one read of the entries.
 */
function cscPanel8Both(cp: usize, ri: usize, cv: usize, bp: usize, bStride: usize, c: usize, c2: usize, cStride: usize, c0: i32, c1: i32): void {
  for (let col = c0; col < c1; col++) {
    const e1 = load<i32>(cp + <usize>(col + 1) * 4);
    let s0 = f64x2.splat(0);
    let s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (let e = load<i32>(cp + <usize>col * 4); e < e1; e++) {
      const x = load<f64>(cv + <usize>e * 8);
      const v = f64x2.splat(x);
      const w = f64x2.splat(x * x);
      const br = bp + <usize>load<i32>(ri + <usize>e * 4) * bStride;
      const y0 = v128.load(br), y1 = v128.load(br, 16), y2 = v128.load(br, 32), y3 = v128.load(br, 48);
      s0 = f64x2.add(s0, f64x2.mul(v, y0));
      s1 = f64x2.add(s1, f64x2.mul(v, y1));
      s2 = f64x2.add(s2, f64x2.mul(v, y2));
      s3 = f64x2.add(s3, f64x2.mul(v, y3));
      q0 = f64x2.add(q0, f64x2.mul(w, f64x2.mul(y0, y0)));
      q1 = f64x2.add(q1, f64x2.mul(w, f64x2.mul(y1, y1)));
      q2 = f64x2.add(q2, f64x2.mul(w, f64x2.mul(y2, y2)));
      q3 = f64x2.add(q3, f64x2.mul(w, f64x2.mul(y3, y3)));
    }
    const o = c + <usize>col * cStride;
    v128.store(o, s0);
    v128.store(o, s1, 16);
    v128.store(o, s2, 32);
    v128.store(o, s3, 48);
    const o2 = c2 + <usize>col * cStride;
    v128.store(o2, q0);
    v128.store(o2, q1, 16);
    v128.store(o2, q2, 32);
    v128.store(o2, q3, 48);
  }
}

/** C[c, j0..n) for data columns c in [c0, c1), the columns past the last eight-column panel (two at a time, then one); `square` as in cscPanel8, B's values squared too. */
function cscTail(cp: usize, ri: usize, cv: usize, b: usize, c: usize, n: i32, j0: i32, c0: i32, c1: i32, square: bool): void {
  const rowBytes = <usize>n * 8;
  let j = j0;
  for (; j + 2 <= n; j += 2) {
    const bj = b + <usize>j * 8;
    for (let col = c0; col < c1; col++) {
      const e1 = load<i32>(cp + <usize>(col + 1) * 4);
      let s0 = f64x2.splat(0);
      for (let e = load<i32>(cp + <usize>col * 4); e < e1; e++) {
        const x = load<f64>(cv + <usize>e * 8);
        const y = v128.load(bj + <usize>load<i32>(ri + <usize>e * 4) * rowBytes);
        s0 = square ? f64x2.add(s0, f64x2.mul(f64x2.splat(x * x), f64x2.mul(y, y))) : f64x2.add(s0, f64x2.mul(f64x2.splat(x), y));
      }
      v128.store(c + <usize>col * rowBytes + <usize>j * 8, s0);
    }
  }
  if (j < n) {
    const bj = b + <usize>j * 8;
    for (let col = c0; col < c1; col++) {
      const e1 = load<i32>(cp + <usize>(col + 1) * 4);
      let s: f64 = 0;
      for (let e = load<i32>(cp + <usize>col * 4); e < e1; e++) {
        const x = load<f64>(cv + <usize>e * 8);
        const y = load<f64>(bj + <usize>load<i32>(ri + <usize>e * 4) * rowBytes);
        s += square ? (x * x) * (y * y) : x * y;
      }
      store<f64>(c + <usize>col * rowBytes + <usize>j * 8, s);
    }
  }
}

/** csc_tmm_panels modes: Xᵀ·B into c, (X∘X)ᵀ(B∘B) into c, or Xᵀ·B into c and (X∘X)ᵀ(B∘B) into c2. */
const PANELS_PLAIN: i32 = 0;
const PANELS_SQUARE: i32 = 1;
const PANELS_BOTH: i32 = 2;

/**
 * Xᵀ · B by eight-column panels of B (`mode` PANELS_PLAIN), or (X∘X)ᵀ(B∘B) (PANELS_SQUARE),
 * or both from one read of the entries (PANELS_BOTH: the squares into c2, cscPanel8Both;
 * each output the same bits as in its own mode): a thread takes panel p (columns
 * 8p .. 8p+8) from the counter, copies B[:, 8p .. 8p+8) (squared for PANELS_SQUARE) into
 * its own contiguous scratch `pack` ([b, 8], 64 bytes a row: the strided slice of a
 * [b, n] array maps onto few cache sets and stops fitting from a few hundred rows), and
 * sums every data column over it; the thread that takes panel ⌊n/8⌋ forms the columns
 * past the last panel. Each output is summed by one thread in batch order (no
 * accumulators to merge): the same bits whatever the number of threads.
 */
export function csc_tmm_panels_dyn_f64(cp: usize, ri: usize, cv: usize, b: usize, c: usize, c2: usize, n: i32, k: i32, rows: i32, pack: usize, counter: usize, mode: i32): void {
  const rowBytes = <usize>n * 8;
  const panels = n >> 3;
  const sq = mode == PANELS_SQUARE;
  for (;;) {
    const p = atomic.add<i32>(counter, 1);
    if (p > panels) break;
    if (p == panels) {
      cscTail(cp, ri, cv, b, c, n, panels << 3, 0, k, sq);
      if (mode == PANELS_BOTH) cscTail(cp, ri, cv, b, c2, n, panels << 3, 0, k, true);
      continue;
    }
    const src = b + <usize>p * 64;
    for (let r = 0; r < rows; r++) {
      const s = src + <usize>r * rowBytes;
      const d = pack + <usize>r * 64;
      const y0 = v128.load(s), y1 = v128.load(s, 16), y2 = v128.load(s, 32), y3 = v128.load(s, 48);
      v128.store(d, sq ? f64x2.mul(y0, y0) : y0);
      v128.store(d, sq ? f64x2.mul(y1, y1) : y1, 16);
      v128.store(d, sq ? f64x2.mul(y2, y2) : y2, 32);
      v128.store(d, sq ? f64x2.mul(y3, y3) : y3, 48);
    }
    const out = c + <usize>p * 64;
    if (mode == PANELS_BOTH) cscPanel8Both(cp, ri, cv, pack, 64, out, c2 + <usize>p * 64, rowBytes, 0, k);
    else if (sq) cscPanel8(cp, ri, cv, pack, 64, out, rowBytes, 0, k, true);
    else cscPanel8(cp, ri, cv, pack, 64, out, rowBytes, 0, k, false);
  }
}
