/**
 * WebAssembly SIMD kernels of the `wasm` backend, in AssemblyScript (compiled by
 * `npm run build:wasm`; see ../build.mjs). Every kernel works on raw pointers into
 * one shared linear memory that the JavaScript side manages (no allocation here),
 * so several threads can run the same kernels on disjoint output ranges.
 *
 * Each generic kernel is instantiated for f32 (f32x4 lanes) and f64 (f64x2 lanes)
 * by the `_f32` / `_f64` exports at the end of the file.
 */

// ------------------------------------------------------------------ blocking

/** Rows of the register tile (micro-kernel) and its width in vectors. */
const MR: i32 = 4;
const NRV: i32 = 2;
/** Cache blocks: A block MC × KC stays in L2, B panel KC × NC in L3, a KC × NR sliver in L1. */
const MC: i32 = 96;
const KC: i32 = 256;
const NC: i32 = 2048;
/** Bytes of per-thread scratch the JS side must reserve (see SCRATCH_BYTES there). */
const PACK_A_BYTES: i32 = MC * KC * 8;
const PACK_B_BYTES: i32 = KC * NC * 8;

// @ts-ignore: decorator
@inline function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

// @ts-ignore: decorator
@inline function ld<T>(p: usize): T {
  return load<T>(p);
}

// @ts-ignore: decorator
@inline function st<T>(p: usize, v: T): void {
  store<T>(p, v);
}

/**
 * Pack rows [ic, ic+mc) × cols [pc, pc+kc) of op(A) into strips of MR rows:
 * dst[(s·kc + p)·MR + r] = op(A)[ic + s·MR + r, pc + p] (zero past mc).
 * op(A) is A [m, k] row-major, or Aᵀ when A is stored [k, m] (transA).
 */
function packA<T>(a: usize, m: i32, k: i32, trans: bool, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const E = sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const base = dst + <usize>(ir * kc) * E;
    if (trans) {
      // A(i, p) = a[p·m + i]: MR contiguous values per p
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(pc + p) * <usize>m + <usize>(ic + ir)) * E;
        const o = base + <usize>(p * MR) * E;
        if (rows == MR) {
          if (E == 4) v128.store(o, v128.load(src));
          else {
            v128.store(o, v128.load(src));
            v128.store(o, v128.load(src, 16), 16);
          }
        } else {
          for (let r = 0; r < MR; r++) st<T>(o + <usize>r * E, r < rows ? ld<T>(src + <usize>r * E) : <T>0);
        }
      }
    } else {
      // A(i, p) = a[i·k + p]
      for (let r = 0; r < MR; r++) {
        const o = base + <usize>r * E;
        if (r < rows) {
          const src = a + (<usize>(ic + ir + r) * <usize>k + <usize>pc) * E;
          for (let p = 0; p < kc; p++) st<T>(o + <usize>(p * MR) * E, ld<T>(src + <usize>p * E));
        } else {
          for (let p = 0; p < kc; p++) st<T>(o + <usize>(p * MR) * E, <T>0);
        }
      }
    }
  }
}

/**
 * Pack rows [pc, pc+kc) × cols [jc, jc+nc) of op(B) into strips of NR = NRV·lanes columns:
 * dst[(s·kc + p)·NR + c] = op(B)[pc + p, jc + s·NR + c] (zero past nc).
 * op(B) is B [k, n] row-major, or Bᵀ when B is stored [n, k] (transB).
 */
function packB<T>(b: usize, k: i32, n: i32, trans: bool, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const E = sizeof<T>();
  const NR = NRV * lanes<T>();
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const base = dst + <usize>(jr * kc) * E;
    if (trans) {
      // B(p, j) = b[j·k + p]
      for (let c = 0; c < NR; c++) {
        const o = base + <usize>c * E;
        if (c < cols) {
          const src = b + (<usize>(jc + jr + c) * <usize>k + <usize>pc) * E;
          for (let p = 0; p < kc; p++) st<T>(o + <usize>(p * NR) * E, ld<T>(src + <usize>p * E));
        } else {
          for (let p = 0; p < kc; p++) st<T>(o + <usize>(p * NR) * E, <T>0);
        }
      }
    } else {
      // B(p, j) = b[p·n + j]: NR contiguous values per p
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(pc + p) * <usize>n + <usize>(jc + jr)) * E;
        const o = base + <usize>(p * NR) * E;
        if (cols == NR) {
          v128.store(o, v128.load(src));
          v128.store(o, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) st<T>(o + <usize>c * E, c < cols ? ld<T>(src + <usize>c * E) : <T>0);
        }
      }
    }
  }
}

/**
 * The register-blocked micro-kernel: an MR × NR tile of C (MR = 4 rows, NR = two
 * vectors) accumulated over kc packed steps in eight v128 registers. C = tile
 * (first k block) or C += tile; partial edge tiles go through `tmp`.
 */
// @ts-ignore: decorator
@inline function micro<T>(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, accumulate: bool, mr: i32, nr: i32, tmp: usize): void {
  const E = <usize>sizeof<T>();
  const NR = NRV * lanes<T>();
  let c00 = v128.splat<T>(<T>0);
  let c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load_splat<T>(ap);
    c00 = v128.add<T>(c00, v128.mul<T>(a, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + E);
    c10 = v128.add<T>(c10, v128.mul<T>(a, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + 2 * E);
    c20 = v128.add<T>(c20, v128.mul<T>(a, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + 3 * E);
    c30 = v128.add<T>(c30, v128.mul<T>(a, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(a, b1));
    ap += 4 * E;
    bp += 32;
  }
  const ldb = <usize>ldc * E;
  if (mr == MR && nr == NR) {
    let cp = c;
    if (accumulate) {
      v128.store(cp, v128.add<T>(v128.load(cp), c00));
      v128.store(cp, v128.add<T>(v128.load(cp, 16), c01), 16);
      cp += ldb;
      v128.store(cp, v128.add<T>(v128.load(cp), c10));
      v128.store(cp, v128.add<T>(v128.load(cp, 16), c11), 16);
      cp += ldb;
      v128.store(cp, v128.add<T>(v128.load(cp), c20));
      v128.store(cp, v128.add<T>(v128.load(cp, 16), c21), 16);
      cp += ldb;
      v128.store(cp, v128.add<T>(v128.load(cp), c30));
      v128.store(cp, v128.add<T>(v128.load(cp, 16), c31), 16);
    } else {
      v128.store(cp, c00);
      v128.store(cp, c01, 16);
      cp += ldb;
      v128.store(cp, c10);
      v128.store(cp, c11, 16);
      cp += ldb;
      v128.store(cp, c20);
      v128.store(cp, c21, 16);
      cp += ldb;
      v128.store(cp, c30);
      v128.store(cp, c31, 16);
    }
    return;
  }
  v128.store(tmp, c00);
  v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32);
  v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64);
  v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96);
  v128.store(tmp, c31, 112);
  for (let r = 0; r < mr; r++) {
    const row = c + <usize>r * ldb;
    const t = tmp + <usize>(r * 32);
    for (let j = 0; j < nr; j++) {
      const v = ld<T>(t + <usize>j * E);
      const q = row + <usize>j * E;
      st<T>(q, accumulate ? ld<T>(q) + v : v);
    }
  }
}

/**
 * C[i0:i1, j0:j1] = op(A) · op(B) for C [m, n] row-major, op(A) [m, k], op(B) [k, n].
 * Goto/BLIS loop order: NC column panels, KC depth blocks (B packed once per block),
 * MC row blocks (A packed), then NR × MR micro-tiles.
 */
function gemm<T>(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize): void {
  const E = <usize>sizeof<T>();
  const NR = NRV * lanes<T>();
  const pa = scratch;
  const pb = scratch + <usize>PACK_A_BYTES;
  const tmp = pb + <usize>PACK_B_BYTES;
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + (<usize>i * <usize>n + <usize>j0) * E, 0, <usize>(j1 - j0) * E);
    return;
  }
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB<T>(b, k, n, transB, pc, kc, jc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA<T>(a, m, k, transA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + <usize>(jr * kc) * E;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + (<usize>(ic + ir) * <usize>n + <usize>(jc + jr)) * E;
            micro<T>(kc, pa + <usize>(ir * kc) * E, bp, cp, n, pc > 0, mr, nr, tmp);
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------ sparse × dense

/**
 * The non-zeros of a dense row src[0:len] into idx (i32) and val (T); returns their
 * count. Whole zero vectors are skipped with one compare.
 */
// @ts-ignore: decorator
@inline function rowNonzeros<T>(src: usize, len: i32, idx: usize, val: usize): i32 {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  const zero = v128.splat<T>(<T>0);
  let q = 0;
  let j = 0;
  for (; j + L <= len; j += L) {
    const p = src + <usize>j * E;
    if (!v128.any_true(v128.ne<T>(v128.load(p), zero))) continue;
    for (let l = 0; l < L; l++) {
      const x = ld<T>(p + <usize>l * E);
      if (x != <T>0) {
        store<i32>(idx + <usize>q * 4, j + l);
        st<T>(val + <usize>q * E, x);
        q++;
      }
    }
  }
  for (; j < len; j++) {
    const x = ld<T>(src + <usize>j * E);
    if (x != <T>0) {
      store<i32>(idx + <usize>q * 4, j);
      st<T>(val + <usize>q * E, x);
      q++;
    }
  }
  return q;
}

/**
 * Gather the non-zeros of rows r0 .. r0+rb−1 of a dense [*, len] matrix into `work`:
 * counts i32[rb], then per row a slot of `len` column indices times `scale` (i32 byte
 * offsets) and `len` values (T).
 * Returns the byte offset of the values area (indices start at work + rb·4).
 */
// @ts-ignore: decorator
@inline function gatherBlock<T>(a: usize, len: i32, r0: i32, rb: i32, work: usize, square: bool, scale: i32): usize {
  const E = <usize>sizeof<T>();
  const idx0 = work + <usize>rb * 4;
  const val0 = (idx0 + <usize>rb * <usize>len * 4 + 63) & ~<usize>63;
  for (let r = 0; r < rb; r++) {
    const idx = idx0 + <usize>r * <usize>len * 4;
    const val = val0 + <usize>r * <usize>len * E;
    const q = rowNonzeros<T>(a + <usize>(r0 + r) * <usize>len * E, len, idx, val);
    // indices become byte offsets of the rows they select (saves a multiply per use)
    for (let t = 0; t < q; t++) store<i32>(idx + <usize>t * 4, load<i32>(idx + <usize>t * 4) * scale);
    if (square) {
      for (let t = 0; t < q; t++) {
        const v = ld<T>(val + <usize>t * E);
        st<T>(val + <usize>t * E, v * v);
      }
    }
    store<i32>(work + <usize>r * 4, q);
  }
  return val0;
}

/**
 * C[i0:i1, :] = A[i0:i1, :] · B for a mostly-zero A [m, k] stored densely and B [k, n].
 * Rows go in blocks of rb: the block's non-zeros are gathered into `work`
 * (rb·k·(4 + E) bytes), then for each chunk of four vectors of columns (a k × 4-vector
 * strip of B that stays in cache) every row of the block accumulates its chunk in
 * registers while its non-zeros stream past.
 */
function spmmRows<T>(a: usize, b: usize, c: usize, k: i32, n: i32, i0: i32, i1: i32, rbMax: i32, work: usize): void {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  const W = 4 * L;
  const rowBytes = <usize>n * E;
  for (let r0 = i0; r0 < i1; r0 += rbMax) {
    const rb = min(rbMax, i1 - r0);
    const val0 = gatherBlock<T>(a, k, r0, rb, work, false, <i32>rowBytes);
    const idxB = work + <usize>rb * 4;
    let j = 0;
    if (n == W + L) {
      // exactly five vectors wide (e.g. 10 f64 columns): one pass over the non-zeros
      for (let r = 0; r < rb; r++) {
        const q1 = load<i32>(work + <usize>r * 4);
        const idx = idxB + <usize>r * <usize>k * 4;
        const val = val0 + <usize>r * <usize>k * E;
        let s0 = v128.splat<T>(<T>0);
        let s1 = s0, s2 = s0, s3 = s0, s4 = s0;
        for (let q = 0; q < q1; q++) {
          const av = v128.load_splat<T>(val + <usize>q * E);
          const br = b + <usize>load<i32>(idx + <usize>q * 4);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(br)));
          s1 = v128.add<T>(s1, v128.mul<T>(av, v128.load(br, 16)));
          s2 = v128.add<T>(s2, v128.mul<T>(av, v128.load(br, 32)));
          s3 = v128.add<T>(s3, v128.mul<T>(av, v128.load(br, 48)));
          s4 = v128.add<T>(s4, v128.mul<T>(av, v128.load(br, 64)));
        }
        const o = c + <usize>(r0 + r) * rowBytes;
        v128.store(o, s0);
        v128.store(o, s1, 16);
        v128.store(o, s2, 32);
        v128.store(o, s3, 48);
        v128.store(o, s4, 64);
      }
      j = n;
    }
    for (; j + W <= n; j += W) {
      const bj = b + <usize>j * E;
      for (let r = 0; r < rb; r++) {
        const q1 = load<i32>(work + <usize>r * 4);
        const idx = idxB + <usize>r * <usize>k * 4;
        const val = val0 + <usize>r * <usize>k * E;
        let s0 = v128.splat<T>(<T>0);
        let s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
        // two accumulator sets (even and odd non-zeros) halve the add dependency chains
        let q = 0;
        for (; q + 1 < q1; q += 2) {
          const av = v128.load_splat<T>(val + <usize>q * E);
          const br = bj + <usize>load<i32>(idx + <usize>q * 4);
          const aw = v128.load_splat<T>(val + <usize>(q + 1) * E);
          const bs = bj + <usize>load<i32>(idx + <usize>(q + 1) * 4);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(br)));
          s1 = v128.add<T>(s1, v128.mul<T>(av, v128.load(br, 16)));
          s2 = v128.add<T>(s2, v128.mul<T>(av, v128.load(br, 32)));
          s3 = v128.add<T>(s3, v128.mul<T>(av, v128.load(br, 48)));
          t0 = v128.add<T>(t0, v128.mul<T>(aw, v128.load(bs)));
          t1 = v128.add<T>(t1, v128.mul<T>(aw, v128.load(bs, 16)));
          t2 = v128.add<T>(t2, v128.mul<T>(aw, v128.load(bs, 32)));
          t3 = v128.add<T>(t3, v128.mul<T>(aw, v128.load(bs, 48)));
        }
        if (q < q1) {
          const av = v128.load_splat<T>(val + <usize>q * E);
          const br = bj + <usize>load<i32>(idx + <usize>q * 4);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(br)));
          s1 = v128.add<T>(s1, v128.mul<T>(av, v128.load(br, 16)));
          s2 = v128.add<T>(s2, v128.mul<T>(av, v128.load(br, 32)));
          s3 = v128.add<T>(s3, v128.mul<T>(av, v128.load(br, 48)));
        }
        s0 = v128.add<T>(s0, t0);
        s1 = v128.add<T>(s1, t1);
        s2 = v128.add<T>(s2, t2);
        s3 = v128.add<T>(s3, t3);
        const o = c + <usize>(r0 + r) * rowBytes + <usize>j * E;
        v128.store(o, s0);
        v128.store(o, s1, 16);
        v128.store(o, s2, 32);
        v128.store(o, s3, 48);
      }
    }
    for (; j + L <= n; j += L) {
      const bj = b + <usize>j * E;
      for (let r = 0; r < rb; r++) {
        const q1 = load<i32>(work + <usize>r * 4);
        const idx = idxB + <usize>r * <usize>k * 4;
        const val = val0 + <usize>r * <usize>k * E;
        let s0 = v128.splat<T>(<T>0);
        for (let q = 0; q < q1; q++) {
          const av = v128.load_splat<T>(val + <usize>q * E);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(bj + <usize>load<i32>(idx + <usize>q * 4))));
        }
        v128.store(c + <usize>(r0 + r) * rowBytes + <usize>j * E, s0);
      }
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * E;
      for (let r = 0; r < rb; r++) {
        const q1 = load<i32>(work + <usize>r * 4);
        const idx = idxB + <usize>r * <usize>k * 4;
        const val = val0 + <usize>r * <usize>k * E;
        let s: T = <T>0;
        for (let q = 0; q < q1; q++) s += ld<T>(val + <usize>q * E) * ld<T>(bj + <usize>load<i32>(idx + <usize>q * 4));
        st<T>(c + <usize>(r0 + r) * rowBytes + <usize>j * E, s);
      }
    }
  }
}

/**
 * C += Aᵀ[:, p0:p1] · B[p0:p1, :] for a mostly-zero A stored densely as [k, m] (so
 * op(A) = Aᵀ is [m, k]) and B [k, n]: C[i, :] += Σ_p a[p, i]·B[p, :] (a[p, i]² with
 * `square`). Stored rows go in blocks of rb: the block's non-zeros are gathered, then
 * bucketed by column i (a counting sort), so for each chunk of four vectors of
 * columns every row i of C is loaded once, accumulates its bucket in registers (the
 * rb × chunk strip of B stays in L1) and is stored once. C must hold the accumulator.
 * Work: rb·m·(4 + E) (row lists) + (m + 1)·4 (bucket starts) + rb·m·(4 + E) (buckets).
 */
function spmmScatter<T>(a: usize, b: usize, c: usize, m: i32, n: i32, p0: i32, p1: i32, square: bool, rbMax: i32, work: usize): void {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  const W = 4 * L;
  const rowBytes = <usize>n * E;
  const listBytes = (<usize>rbMax * 4 + <usize>rbMax * <usize>m * 4 + 63 + <usize>rbMax * <usize>m * E + 63) & ~<usize>63;
  const start = work + listBytes;
  const bOff = (start + <usize>(m + 1) * 4 + 63) & ~<usize>63;
  const bVal = (bOff + <usize>rbMax * <usize>m * 4 + 63) & ~<usize>63;
  for (let r0 = p0; r0 < p1; r0 += rbMax) {
    const rb = min(rbMax, p1 - r0);
    const val0 = gatherBlock<T>(a, m, r0, rb, work, square, 1);
    const idxB = work + <usize>rb * 4;
    // counting sort of the block's non-zeros by column i
    memory.fill(start, 0, <usize>(m + 1) * 4);
    for (let r = 0; r < rb; r++) {
      const q1 = load<i32>(work + <usize>r * 4);
      const idx = idxB + <usize>r * <usize>m * 4;
      for (let q = 0; q < q1; q++) {
        const w = start + <usize>(load<i32>(idx + <usize>q * 4) + 1) * 4;
        store<i32>(w, load<i32>(w) + 1);
      }
    }
    for (let i = 0; i < m; i++) {
      const w = start + <usize>(i + 1) * 4;
      store<i32>(w, load<i32>(w) + load<i32>(w - 4));
    }
    // fill: bucket entries are (byte offset of B's row, value); start[i] is advanced, then restored
    for (let r = 0; r < rb; r++) {
      const q1 = load<i32>(work + <usize>r * 4);
      const idx = idxB + <usize>r * <usize>m * 4;
      const val = val0 + <usize>r * <usize>m * E;
      const boff = <i32>(<usize>(r0 + r) * rowBytes);
      for (let q = 0; q < q1; q++) {
        const w = start + <usize>load<i32>(idx + <usize>q * 4) * 4;
        const at = load<i32>(w);
        store<i32>(w, at + 1);
        store<i32>(bOff + <usize>at * 4, boff);
        st<T>(bVal + <usize>at * E, ld<T>(val + <usize>q * E));
      }
    }
    for (let i = m; i > 0; i--) store<i32>(start + <usize>i * 4, load<i32>(start + <usize>(i - 1) * 4));
    store<i32>(start, 0);
    let j = 0;
    if (n == W + L) {
      // exactly five vectors wide (e.g. 10 f64 columns): one pass over each bucket
      for (let i = 0; i < m; i++) {
        const e0 = load<i32>(start + <usize>i * 4);
        const e1 = load<i32>(start + <usize>(i + 1) * 4);
        if (e0 == e1) continue;
        const cp = c + <usize>i * rowBytes;
        let s0 = v128.load(cp);
        let s1 = v128.load(cp, 16);
        let s2 = v128.load(cp, 32);
        let s3 = v128.load(cp, 48);
        let s4 = v128.load(cp, 64);
        for (let e = e0; e < e1; e++) {
          const av = v128.load_splat<T>(bVal + <usize>e * E);
          const br = b + <usize>load<i32>(bOff + <usize>e * 4);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(br)));
          s1 = v128.add<T>(s1, v128.mul<T>(av, v128.load(br, 16)));
          s2 = v128.add<T>(s2, v128.mul<T>(av, v128.load(br, 32)));
          s3 = v128.add<T>(s3, v128.mul<T>(av, v128.load(br, 48)));
          s4 = v128.add<T>(s4, v128.mul<T>(av, v128.load(br, 64)));
        }
        v128.store(cp, s0);
        v128.store(cp, s1, 16);
        v128.store(cp, s2, 32);
        v128.store(cp, s3, 48);
        v128.store(cp, s4, 64);
      }
      j = n;
    }
    for (; j + W <= n; j += W) {
      const bj = b + <usize>j * E;
      for (let i = 0; i < m; i++) {
        const e0 = load<i32>(start + <usize>i * 4);
        const e1 = load<i32>(start + <usize>(i + 1) * 4);
        if (e0 == e1) continue;
        const cp = c + <usize>i * rowBytes + <usize>j * E;
        let s0 = v128.load(cp);
        let s1 = v128.load(cp, 16);
        let s2 = v128.load(cp, 32);
        let s3 = v128.load(cp, 48);
        for (let e = e0; e < e1; e++) {
          const av = v128.load_splat<T>(bVal + <usize>e * E);
          const br = bj + <usize>load<i32>(bOff + <usize>e * 4);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(br)));
          s1 = v128.add<T>(s1, v128.mul<T>(av, v128.load(br, 16)));
          s2 = v128.add<T>(s2, v128.mul<T>(av, v128.load(br, 32)));
          s3 = v128.add<T>(s3, v128.mul<T>(av, v128.load(br, 48)));
        }
        v128.store(cp, s0);
        v128.store(cp, s1, 16);
        v128.store(cp, s2, 32);
        v128.store(cp, s3, 48);
      }
    }
    for (; j + L <= n; j += L) {
      const bj = b + <usize>j * E;
      for (let i = 0; i < m; i++) {
        const e0 = load<i32>(start + <usize>i * 4);
        const e1 = load<i32>(start + <usize>(i + 1) * 4);
        if (e0 == e1) continue;
        const cp = c + <usize>i * rowBytes + <usize>j * E;
        let s0 = v128.load(cp);
        for (let e = e0; e < e1; e++) {
          const av = v128.load_splat<T>(bVal + <usize>e * E);
          s0 = v128.add<T>(s0, v128.mul<T>(av, v128.load(bj + <usize>load<i32>(bOff + <usize>e * 4))));
        }
        v128.store(cp, s0);
      }
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * E;
      for (let i = 0; i < m; i++) {
        const e0 = load<i32>(start + <usize>i * 4);
        const e1 = load<i32>(start + <usize>(i + 1) * 4);
        const cp = c + <usize>i * rowBytes + <usize>j * E;
        let acc = ld<T>(cp);
        for (let e = e0; e < e1; e++) acc += ld<T>(bVal + <usize>e * E) * ld<T>(bj + <usize>load<i32>(bOff + <usize>e * 4));
        st<T>(cp, acc);
      }
    }
  }
}

/** dst [cols, rows] = src [rows, cols]ᵀ, in 16 × 16 tiles. */
function transpose2d<T>(src: usize, rows: i32, cols: i32, dst: usize): void {
  const E = <usize>sizeof<T>();
  for (let i0 = 0; i0 < rows; i0 += 16) {
    const i1 = min(rows, i0 + 16);
    for (let j0 = 0; j0 < cols; j0 += 16) {
      const j1 = min(cols, j0 + 16);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          st<T>(dst + (<usize>j * <usize>rows + <usize>i) * E, ld<T>(src + (<usize>i * <usize>cols + <usize>j) * E));
        }
      }
    }
  }
}

// ------------------------------------------------------------------ elementwise

const OP_ADD: i32 = 0;
const OP_SUB: i32 = 1;
const OP_MUL: i32 = 2;
const OP_DIV: i32 = 3;
const OP_MAX: i32 = 4;

// @ts-ignore: decorator
@inline function vop<T>(op: i32, x: v128, y: v128): v128 {
  if (op == OP_ADD) return v128.add<T>(x, y);
  if (op == OP_SUB) return v128.sub<T>(x, y);
  if (op == OP_MUL) return v128.mul<T>(x, y);
  if (op == OP_DIV) return v128.div<T>(x, y);
  // maximum with NaN from either side (x !== x || x >= y ? x : y), as the js backend
  const keepX = v128.or(v128.ne<T>(x, x), v128.ge<T>(x, y));
  return v128.bitselect(x, y, keepX);
}

// @ts-ignore: decorator
@inline function sop<T>(op: i32, x: T, y: T): T {
  if (op == OP_ADD) return x + y;
  if (op == OP_SUB) return x - y;
  if (op == OP_MUL) return x * y;
  if (op == OP_DIV) return x / y;
  return x != x || x >= y ? x : y;
}

/**
 * out[r, j] = a[r·sar + j·sac] op b[r·sbr + j·sbc] over a rows × cols grid, where the
 * column strides sac, sbc are 1 (contiguous) or 0 (broadcast along the row).
 */
function binary2d<T>(op: i32, a: usize, sar: i32, sac: i32, b: usize, sbr: i32, sbc: i32, out: usize, rows: i32, cols: i32): void {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>(r * sar) * E;
    const br = b + <usize>(r * sbr) * E;
    const orow = out + <usize>r * <usize>cols * E;
    let j = 0;
    if (sac == 1 && sbc == 1) {
      for (; j + 2 * L <= cols; j += 2 * L) {
        const o = <usize>j * E;
        v128.store(orow + o, vop<T>(op, v128.load(ar + o), v128.load(br + o)));
        v128.store(orow + o, vop<T>(op, v128.load(ar + o, 16), v128.load(br + o, 16)), 16);
      }
      for (; j < cols; j++) st<T>(orow + <usize>j * E, sop<T>(op, ld<T>(ar + <usize>j * E), ld<T>(br + <usize>j * E)));
    } else if (sac == 1) {
      const s = ld<T>(br);
      const sv = v128.splat<T>(s);
      for (; j + L <= cols; j += L) v128.store(orow + <usize>j * E, vop<T>(op, v128.load(ar + <usize>j * E), sv));
      for (; j < cols; j++) st<T>(orow + <usize>j * E, sop<T>(op, ld<T>(ar + <usize>j * E), s));
    } else if (sbc == 1) {
      const s = ld<T>(ar);
      const sv = v128.splat<T>(s);
      for (; j + L <= cols; j += L) v128.store(orow + <usize>j * E, vop<T>(op, sv, v128.load(br + <usize>j * E)));
      for (; j < cols; j++) st<T>(orow + <usize>j * E, sop<T>(op, s, ld<T>(br + <usize>j * E)));
    } else {
      const v = sop<T>(op, ld<T>(ar), ld<T>(br));
      for (; j < cols; j++) st<T>(orow + <usize>j * E, v);
    }
  }
}

const U_NEG: i32 = 0;
const U_ABS: i32 = 1;
const U_SQRT: i32 = 2;
const U_RELU: i32 = 3;
const U_STEP: i32 = 4;
const U_SIGN: i32 = 5;
const U_SQUARE: i32 = 6;
// the transcendental ops, one lane at a time through AssemblyScript's float64 Math (musl's
// algorithms, within 4 ulp of V8's): worth a call only when split over threads (unaryDyn)
const U_TANH: i32 = 7;
const U_EXP: i32 = 8;
const U_LOG: i32 = 9;
const U_LOG1P: i32 = 10;

// tanh in float64, two lanes at a time, in the two ranges of the Cephes library's tanh:
// |x| < 0.625: x + x z P(z)/Q(z), z = x², with Cephes's rational coefficients (relative error
// about 2.5e-16); above: 1 − 2 / (e^{2|x|} + 1), |x| clamped at 20 (tanh is 1 in float64 from
// about 19.06), e^y = 2^k e^r with y = k ln 2 + r (ln 2 in two parts, |r| ≤ ln(2)/2) and e^r by
// its Taylor series to r¹³ (the next term is below 1.2e-17). Both ranges are computed for both
// lanes and one is selected. Measured within 2 ulp of V8's Math.tanh on 1.2·10⁷ inputs over
// twelve ranges (scratch check); about 4× the speed of the scalar musl tanh it replaces.
const TANH_INV_LN2: f64 = 1.4426950408889634;
const TANH_LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3fe62e42fee00000: k · LN2_HI is exact
const TANH_LN2_LO: f64 = 1.90821492927058770002e-10;
const TANH_SPLIT: f64 = 0.625;
const TWO52_1023: f64 = 4503599627371519.0; // 2^52 + 1023: adding it leaves k + 1023 in the low bits

// @ts-ignore: decorator
@inline function tanhF64x2(x: v128): v128 {
  const sign = v128.and(x, i64x2.splat(0x8000000000000000));
  const a = f64x2.min(f64x2.abs(x), f64x2.splat(20.0)); // NaN stays NaN
  // |x| < 0.625
  const z = f64x2.mul(a, a);
  let pn = f64x2.splat(-9.64399179425052238628e-1);
  pn = f64x2.add(f64x2.mul(pn, z), f64x2.splat(-9.92877231001918586564e1));
  pn = f64x2.add(f64x2.mul(pn, z), f64x2.splat(-1.61468768441708447952e3));
  let qd = f64x2.add(z, f64x2.splat(1.12811678491632931402e2));
  qd = f64x2.add(f64x2.mul(qd, z), f64x2.splat(2.23548839060100448583e3));
  qd = f64x2.add(f64x2.mul(qd, z), f64x2.splat(4.84406305325125486048e3));
  const small = f64x2.add(a, f64x2.mul(f64x2.mul(a, z), f64x2.div(pn, qd)));
  // above: e^{2|x|}
  const y = f64x2.add(a, a);
  const kf = f64x2.nearest(f64x2.mul(y, f64x2.splat(TANH_INV_LN2)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(kf, f64x2.splat(TANH_LN2_HI))), f64x2.mul(kf, f64x2.splat(TANH_LN2_LO)));
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  const one = f64x2.splat(1.0);
  const er = f64x2.add(one, f64x2.add(r, f64x2.mul(f64x2.mul(r, r), p))); // e^r
  const twoK = i64x2.shl(f64x2.add(kf, f64x2.splat(TWO52_1023)), 52); // 2^k, 0 ≤ k ≤ 58
  const large = f64x2.sub(one, f64x2.div(f64x2.splat(2.0), f64x2.add(f64x2.mul(twoK, er), one)));
  const t = v128.bitselect(small, large, f64x2.lt(a, f64x2.splat(TANH_SPLIT)));
  return v128.or(t, sign);
}

/** tanh on float64 elements [i0, i1): two lanes at a time, a last odd element through the same lanes. */
function tanhF64(x: usize, out: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 2 <= i1; i += 2) v128.store(out + <usize>i * 8, tanhF64x2(v128.load(x + <usize>i * 8)));
  if (i < i1) store<f64>(out + <usize>i * 8, f64x2.extract_lane(tanhF64x2(f64x2.splat(load<f64>(x + <usize>i * 8))), 0));
}

// tanh in float32, four lanes at a time, in float32 arithmetic (for float32 tensors):
// |x| < 0.7: x + x z Σ_{n=1..10} c_n z^{n−1}, z = x², with the Taylor coefficients of tanh
// (the first term left out is below 1.8e-8 relative there); above: 1 − 2 / (e^{2|x|} + 1),
// |x| clamped at 9.5 (tanh is 1 in float32 from about 9.01), e^y = 2^k e^r (ln 2 in two parts,
// |r| ≤ ln(2)/2) with e^r by its Taylor series to r⁷. Both ranges for all lanes, one selected.
// Measured (scratch check, 40 001 inputs per range over [0.3, 9.6]): within 1.05 float32 ulp
// of the exact tanh, and its float32 rounding in 76–100% of entries per range; the test holds it
// to 1.25 ulp and 70%. NOTE (speed): it was widened to float64 two lanes at a time through
// tanhF64x2 (the float32 rounding but for near ties): 2²⁰ elements on 2 threads 4.69 → 1.9 ms.
const TANH32_LN2_HI: f32 = 0.693145751953125; // 0x3f317200: k · LN2_HI is exact for |k| < 2^9
const TANH32_LN2_LO: f32 = 1.428606765330187e-6;
const TANH32_SPLIT: f32 = 0.7;

// @ts-ignore: decorator
@inline function tanhF32x4(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(0x80000000));
  const a = f32x4.min(f32x4.abs(x), f32x4.splat(9.5)); // NaN stays NaN
  // |x| < 0.7
  const z = f32x4.mul(a, a);
  let p = f32x4.splat(<f32>(18888466084.0 / 194896477400625.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(-443861162.0 / 1856156927625.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(6404582.0 / 10854718875.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(-929569.0 / 638512875.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(21844.0 / 6081075.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(-1382.0 / 155925.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(62.0 / 2835.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(-17.0 / 315.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(2.0 / 15.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(-1.0 / 3.0)));
  const small = f32x4.add(a, f32x4.mul(f32x4.mul(a, z), p));
  // above: e^{2|x|}
  const y = f32x4.add(a, a);
  const kf = f32x4.nearest(f32x4.mul(y, f32x4.splat(<f32>1.4426950408889634)));
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(kf, f32x4.splat(TANH32_LN2_HI))), f32x4.mul(kf, f32x4.splat(TANH32_LN2_LO)));
  let q = f32x4.splat(<f32>(1.0 / 5040.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 720.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 120.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 24.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 6.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>0.5));
  const one = f32x4.splat(1.0);
  const er = f32x4.add(one, f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q))); // e^r
  const twoK = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(kf), i32x4.splat(127)), 23); // 2^k, 0 ≤ k ≤ 26
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(f32x4.mul(twoK, er), one)));
  const t = v128.bitselect(small, large, f32x4.lt(a, f32x4.splat(TANH32_SPLIT)));
  return v128.or(t, sign);
}

/** tanh on float32 elements [i0, i1): four lanes at a time, the last one to three through the same lanes. */
function tanhF32(x: usize, out: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + <usize>i * 4, tanhF32x4(v128.load(x + <usize>i * 4)));
  for (; i < i1; i++) store<f32>(out + <usize>i * 4, f32x4.extract_lane(tanhF32x4(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

/** The transcendental ops on elements [i0, i1), in float64 (rounded once to T). */
function transcendental<T>(op: i32, x: usize, out: usize, i0: i32, i1: i32): void {
  if (op == U_TANH) {
    if (sizeof<T>() == 8) tanhF64(x, out, i0, i1);
    else tanhF32(x, out, i0, i1);
    return;
  }
  const E = <usize>sizeof<T>();
  for (let i = i0; i < i1; i++) {
    const v = <f64>ld<T>(x + <usize>i * E);
    const r = op == U_TANH ? Math.tanh(v) : op == U_EXP ? Math.exp(v) : op == U_LOG ? Math.log(v) : Math.log1p(v);
    st<T>(out + <usize>i * E, <T>r);
  }
}

/** The SIMD-friendly unary ops (the transcendental ones: unaryDyn). */
function unary<T>(op: i32, x: usize, out: usize, len: i32): void {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  const zero = v128.splat<T>(<T>0);
  const one = v128.splat<T>(<T>1);
  const mone = v128.splat<T>(<T>-1);
  let i = 0;
  for (; i + L <= len; i += L) {
    const p = <usize>i * E;
    const v = v128.load(x + p);
    let r: v128;
    if (op == U_NEG) r = v128.neg<T>(v);
    else if (op == U_ABS) r = v128.abs<T>(v);
    else if (op == U_SQRT) r = v128.sqrt<T>(v);
    else if (op == U_RELU) r = v128.and(v, v128.gt<T>(v, zero)); // x > 0 ? x : 0 (NaN → 0 as the js backend)
    else if (op == U_STEP) r = v128.and(one, v128.gt<T>(v, zero));
    else if (op == U_SIGN) r = v128.or(v128.and(one, v128.gt<T>(v, zero)), v128.and(mone, v128.lt<T>(v, zero)));
    else r = v128.mul<T>(v, v);
    v128.store(out + p, r);
  }
  for (; i < len; i++) {
    const v = ld<T>(x + <usize>i * E);
    let r: T;
    if (op == U_NEG) r = -v;
    else if (op == U_ABS) r = abs<T>(v);
    else if (op == U_SQRT) r = sqrt<T>(v);
    else if (op == U_RELU) r = v > <T>0 ? v : <T>0;
    else if (op == U_STEP) r = v > <T>0 ? <T>1 : <T>0;
    else if (op == U_SIGN) r = v > <T>0 ? <T>1 : v < <T>0 ? <T>-1 : <T>0;
    else r = v * v;
    st<T>(out + <usize>i * E, r);
  }
}

// ------------------------------------------------------------------ reductions

/** out[o, t] = Σ_r x[o, r, t] (sum) or max_r, for x [outer, red, inner]. NaN propagates in max. */
function reduce3<T>(isMax: bool, x: usize, outer: i32, red: i32, inner: i32, out: usize): void {
  const E = <usize>sizeof<T>();
  const L = lanes<T>();
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const src = x + <usize>o * <usize>red * E;
      let r = 0;
      if (isMax) {
        let m: T = <T>-Infinity;
        for (; r < red; r++) {
          const v = ld<T>(src + <usize>r * E);
          if (v > m || v != v) m = v;
        }
        st<T>(out + <usize>o * E, m);
      } else {
        let s0 = v128.splat<T>(<T>0);
        let s1 = s0;
        for (; r + 2 * L <= red; r += 2 * L) {
          s0 = v128.add<T>(s0, v128.load(src + <usize>r * E));
          s1 = v128.add<T>(s1, v128.load(src + <usize>r * E, 16));
        }
        s0 = v128.add<T>(s0, s1);
        let s: T = v128.extract_lane<T>(s0, 0) + v128.extract_lane<T>(s0, 1);
        if (L == 4) s += v128.extract_lane<T>(s0, 2) + v128.extract_lane<T>(s0, 3);
        for (; r < red; r++) s += ld<T>(src + <usize>r * E);
        st<T>(out + <usize>o * E, s);
      }
    }
    return;
  }
  const innerBytes = <usize>inner * E;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * innerBytes;
    const src0 = x + <usize>o * <usize>red * innerBytes;
    memory.copy(dst, src0, innerBytes);
    for (let r = 1; r < red; r++) {
      const src = src0 + <usize>r * innerBytes;
      let t = 0;
      if (!isMax) {
        for (; t + L <= inner; t += L) {
          const p = <usize>t * E;
          v128.store(dst + p, v128.add<T>(v128.load(dst + p), v128.load(src + p)));
        }
      }
      for (; t < inner; t++) {
        const p = <usize>t * E;
        const v = ld<T>(src + p);
        if (isMax) {
          const m = ld<T>(dst + p);
          if (v > m || v != v) st<T>(dst + p, v);
        } else st<T>(dst + p, ld<T>(dst + p) + v);
      }
    }
  }
}

// ------------------------------------------------------------------ statistics helpers (f64)

/** out[i] = Σ_j x[i, j]² for x [rows, cols] (f64). */
function rowSqNorms(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const src = x + <usize>i * <usize>cols * 8;
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const a = v128.load(src + <usize>j * 8);
      const b = v128.load(src + <usize>j * 8, 16);
      s0 = f64x2.add(s0, f64x2.mul(a, a));
      s1 = f64x2.add(s1, f64x2.mul(b, b));
    }
    s0 = f64x2.add(s0, s1);
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    for (; j < cols; j++) {
      const v = load<f64>(src + <usize>j * 8);
      s += v * v;
    }
    store<f64>(out + <usize>i * 8, s);
  }
}

/** out[i] = Σ_j x[i, j] y[i, j] for x, y [rows, cols] (f64). */
function rowDots(x: usize, y: usize, rows: i32, cols: i32, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * <usize>cols * 8;
    let s0 = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= cols; j += 2) s0 = f64x2.add(s0, f64x2.mul(v128.load(x + off + <usize>j * 8), v128.load(y + off + <usize>j * 8)));
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    for (; j < cols; j++) s += load<f64>(x + off + <usize>j * 8) * load<f64>(y + off + <usize>j * 8);
    store<f64>(out + <usize>i * 8, s);
  }
}

// ------------------------------------------------------------------ dynamic scheduling

/**
 * The threaded forms: every thread runs the same call and grabs chunks of `chunk`
 * rows from a shared counter (atomic add at counterPtr) until none are left, so a
 * thread slowed by other work on the machine simply takes fewer chunks.
 */
function gemmDyn<T>(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, counter: usize, chunk: i32, scratch: usize): void {
  for (;;) {
    const r0 = atomic.add<i32>(counter, 1) * chunk;
    if (r0 >= m) break;
    gemm<T>(a, b, c, m, k, n, transA, transB, r0, min(m, r0 + chunk), 0, n, scratch);
  }
}

function spmmRowsDyn<T>(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, counter: usize, chunk: i32, rb: i32, work: usize): void {
  for (;;) {
    const r0 = atomic.add<i32>(counter, 1) * chunk;
    if (r0 >= m) break;
    spmmRows<T>(a, b, c, k, n, r0, min(m, r0 + chunk), rb, work);
  }
}

/** A transcendental op over chunks of `chunk` elements taken from the counter (each element's result does not depend on the thread). */
function unaryDyn<T>(op: i32, x: usize, out: usize, len: i32, counter: usize, chunk: i32): void {
  for (;;) {
    const i0 = atomic.add<i32>(counter, 1) * chunk;
    if (i0 >= len) break;
    transcendental<T>(op, x, out, i0, min(len, i0 + chunk));
  }
}

/** Chunk q of the stored rows accumulates into c + q·stride (the caller sums the chunks in order). */
function spmmScatterDyn<T>(a: usize, b: usize, c: usize, k: i32, m: i32, n: i32, square: bool, counter: usize, chunk: i32, rb: i32, work: usize, stride: usize): void {
  for (;;) {
    const q = atomic.add<i32>(counter, 1);
    const p0 = q * chunk;
    if (p0 >= k) break;
    spmmScatter<T>(a, b, c + <usize>q * stride, m, n, p0, min(k, p0 + chunk), square, rb, work);
  }
}

// ------------------------------------------------------------------ exports

export const SCRATCH_BYTES: i32 = PACK_A_BYTES + PACK_B_BYTES + 1024;

export function gemm_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize): void {
  gemm<f32>(a, b, c, m, k, n, transA, transB, i0, i1, j0, j1, scratch);
}
export function gemm_f64(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize): void {
  gemm<f64>(a, b, c, m, k, n, transA, transB, i0, i1, j0, j1, scratch);
}
export function spmm_rows_f32(a: usize, b: usize, c: usize, k: i32, n: i32, i0: i32, i1: i32, rb: i32, work: usize): void {
  spmmRows<f32>(a, b, c, k, n, i0, i1, rb, work);
}
export function spmm_rows_f64(a: usize, b: usize, c: usize, k: i32, n: i32, i0: i32, i1: i32, rb: i32, work: usize): void {
  spmmRows<f64>(a, b, c, k, n, i0, i1, rb, work);
}
export function spmm_scatter_f32(a: usize, b: usize, c: usize, m: i32, n: i32, p0: i32, p1: i32, square: bool, rb: i32, work: usize): void {
  spmmScatter<f32>(a, b, c, m, n, p0, p1, square, rb, work);
}
export function spmm_scatter_f64(a: usize, b: usize, c: usize, m: i32, n: i32, p0: i32, p1: i32, square: bool, rb: i32, work: usize): void {
  spmmScatter<f64>(a, b, c, m, n, p0, p1, square, rb, work);
}
export function transpose_f32(src: usize, rows: i32, cols: i32, dst: usize): void {
  transpose2d<f32>(src, rows, cols, dst);
}
export function transpose_f64(src: usize, rows: i32, cols: i32, dst: usize): void {
  transpose2d<f64>(src, rows, cols, dst);
}
export function binary_f32(op: i32, a: usize, sar: i32, sac: i32, b: usize, sbr: i32, sbc: i32, out: usize, rows: i32, cols: i32): void {
  binary2d<f32>(op, a, sar, sac, b, sbr, sbc, out, rows, cols);
}
export function binary_f64(op: i32, a: usize, sar: i32, sac: i32, b: usize, sbr: i32, sbc: i32, out: usize, rows: i32, cols: i32): void {
  binary2d<f64>(op, a, sar, sac, b, sbr, sbc, out, rows, cols);
}
export function unary_f32(op: i32, x: usize, out: usize, len: i32): void {
  unary<f32>(op, x, out, len);
}
export function unary_f64(op: i32, x: usize, out: usize, len: i32): void {
  unary<f64>(op, x, out, len);
}
export function unary_dyn_f32(op: i32, x: usize, out: usize, len: i32, counter: usize, chunk: i32): void {
  unaryDyn<f32>(op, x, out, len, counter, chunk);
}
export function unary_dyn_f64(op: i32, x: usize, out: usize, len: i32, counter: usize, chunk: i32): void {
  unaryDyn<f64>(op, x, out, len, counter, chunk);
}
export function reduce_f32(isMax: bool, x: usize, outer: i32, red: i32, inner: i32, out: usize): void {
  reduce3<f32>(isMax, x, outer, red, inner, out);
}
export function reduce_f64(isMax: bool, x: usize, outer: i32, red: i32, inner: i32, out: usize): void {
  reduce3<f64>(isMax, x, outer, red, inner, out);
}
export function row_sq_norms_f64(x: usize, rows: i32, cols: i32, out: usize): void {
  rowSqNorms(x, rows, cols, out);
}
export function row_dots_f64(x: usize, y: usize, rows: i32, cols: i32, out: usize): void {
  rowDots(x, y, rows, cols, out);
}
export function gemm_dyn_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, counter: usize, chunk: i32, scratch: usize): void {
  gemmDyn<f32>(a, b, c, m, k, n, transA, transB, counter, chunk, scratch);
}
export function gemm_dyn_f64(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, counter: usize, chunk: i32, scratch: usize): void {
  gemmDyn<f64>(a, b, c, m, k, n, transA, transB, counter, chunk, scratch);
}
export function spmm_rows_dyn_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, counter: usize, chunk: i32, rb: i32, work: usize): void {
  spmmRowsDyn<f32>(a, b, c, m, k, n, counter, chunk, rb, work);
}
export function spmm_rows_dyn_f64(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, counter: usize, chunk: i32, rb: i32, work: usize): void {
  spmmRowsDyn<f64>(a, b, c, m, k, n, counter, chunk, rb, work);
}
export function spmm_scatter_dyn_f32(a: usize, b: usize, c: usize, k: i32, m: i32, n: i32, square: bool, counter: usize, chunk: i32, rb: i32, work: usize, stride: usize): void {
  spmmScatterDyn<f32>(a, b, c, k, m, n, square, counter, chunk, rb, work, stride);
}
export function spmm_scatter_dyn_f64(a: usize, b: usize, c: usize, k: i32, m: i32, n: i32, square: bool, counter: usize, chunk: i32, rb: i32, work: usize, stride: usize): void {
  spmmScatterDyn<f64>(a, b, c, k, m, n, square, counter, chunk, rb, work, stride);
}

// the kernels over data sets kept in compressed sparse rows
export * from './sparseRows';

// the 2-D window kernels (im2col, col2im, pooling)
export * from './conv';
