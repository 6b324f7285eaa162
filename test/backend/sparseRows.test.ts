// Batches with a sparse companion: the wasm backend's products and statistics over the
// resident data set's non-zeros agree with js on the dense rows, and do not depend on threads.
import { describe, expect, it } from 'vitest';
import { jsBackend, setBackend } from '../../src/backend/index.js';
import { batchGradStats } from '../../src/batching/index.js';
import { cast, fromArray, matmul, softmaxCrossEntropy, tanh, type Tensor } from '../../src/index.js';
import { attachSparseRows, ensureDense, float32Twin, sparseRowsOf, worthSparse, type SparseDataset } from '../../src/backend/sparseRows.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { partsOf, rowOrder } from '../../src/backend/wasm/sparseRows.js';
import { bernoulli, integers, key, normal, split, type Key } from '../../src/rng/index.js';

const SEED = 20261202;

/** A random data set of `rows` × `cols` with the given density, as dense rows and compressed rows. */
function dataset(k: Key, rows: number, cols: number, density: number): { dense: Float64Array; data: SparseDataset } {
  const [k1, k2] = split(k, 2) as [Key, Key];
  const keep = bernoulli(k1, rows * cols, density);
  const v = normal(k2, rows * cols);
  const dense = Float64Array.from(v, (x, t) => (keep[t] ? x : 0));
  const rowPtr = new Int32Array(rows + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = dense[i * cols + j]!;
      if (x !== 0) {
        col.push(j);
        val.push(x);
      }
    }
    rowPtr[i + 1] = col.length;
  }
  return { dense, data: { rows, cols, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) } };
}

function gather(dense: Float64Array, cols: number, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * cols);
  idx.forEach((i, t) => out.set(dense.subarray(i * cols, (i + 1) * cols), t * cols));
  return out;
}

function expectClose(got: Float64Array, want: Float64Array, scale: Float64Array, what: string): void {
  for (let t = 0; t < want.length; t++) {
    const tol = 1e-12 * Math.max(scale[t]!, 1e-300);
    if (!(Math.abs(got[t]! - want[t]!) <= tol)) throw new Error(`${what}[${t}]: got ${got[t]}, want ${want[t]} (tolerance ${tol}); seed ${SEED}`);
  }
}

const abs = (x: Float64Array): Float64Array => x.map(Math.abs);

describe('sparse companions', () => {
  it('attach checks the shape, and a copy of the array has no companion', () => {
    const { data } = dataset(key(SEED), 6, 5, 0.3);
    const x = new Float64Array(3 * 5);
    expect(() => attachSparseRows(new Float64Array(14), data, Int32Array.of(0, 1, 2))).toThrow(/holds 14 values, not 3 rows × 5/);
    attachSparseRows(x, data, Int32Array.of(0, 1, 2));
    expect(sparseRowsOf(x)?.data).toBe(data);
    expect(sparseRowsOf(x.slice())).toBeUndefined();
    expect(worthSparse(data)).toBe(true);
    expect(worthSparse(dataset(key(SEED), 6, 5, 1).data)).toBe(false);
  });

  it('parts depend on the batch size only', () => {
    expect(partsOf(1)).toEqual({ parts: 1, chunk: 1 });
    expect(partsOf(128)).toEqual({ parts: 1, chunk: 128 });
    expect(partsOf(129)).toEqual({ parts: 2, chunk: 65 });
    expect(partsOf(256)).toEqual({ parts: 2, chunk: 128 });
    expect(partsOf(1024)).toEqual({ parts: 4, chunk: 256 });
    expect(partsOf(60000)).toEqual({ parts: 4, chunk: 15000 });
  });

  it('rowOrder sorts batch positions by data row, ties in batch order, by either method', () => {
    // comparison of packed keys in an Int32Array, counting sort, a single row, packed keys past 2³¹ (a Float64Array)
    for (const [rows, b] of [[1000, 60], [1000, 5000], [7, 1], [3_000_000, 1000]] as const) {
      const idx = integers(key(SEED + b), b, 0, rows); // repeats included
      const want = Array.from({ length: b }, (_, t) => t).sort((s, t) => idx[s]! - idx[t]! || s - t);
      expect(Array.from(rowOrder(idx, rows))).toEqual(want);
    }
  });

  const w1 = createWasmBackend({ threads: 1 });
  const w2 = createWasmBackend({ threads: 2 });
  // sizes: dout = 10 (one block of ten), 23 (two blocks + a vector + a scalar column), 1, 256; b past one part;
  // Xᵀ·B by columns (n ≥ 128, b ≤ 4096): 256 (panels of eight only), 131 (sixteen panels, a vector, a scalar column);
  // a batch much smaller than the data set (its row order by comparison sort, not counting)
  const cases: [number, number, number, number][] = [[300, 784, 10, 3000], [50, 97, 23, 700], [40, 64, 1, 129], [120, 200, 256, 2100], [900, 64, 10, 100], [300, 784, 256, 500], [200, 97, 131, 1024], [200, 97, 71, 1024]];
  it.each(cases)('data %i × %i, n = %i, batch of %i rows: X·B, Xᵀ·B and linearStats equal js, the same bits on 1 and 2 threads', (rows, cols, n, b) => {
    const [kd, ki, kb, km, kt] = split(key(SEED + rows + n), 5) as [Key, Key, Key, Key, Key];
    const { dense, data } = dataset(kd, rows, cols, 0.19);
    const idx = integers(ki, b, 0, rows); // with repeats, as sampling with replacement gives
    const x = gather(dense, cols, idx);
    const xPlain = x.slice(); // the same values without a companion: js and the dense wasm path
    attachSparseRows(x, data, idx);
    const B = normal(kb, cols * n);
    const Bt = normal(kt, b * n);
    const M = normal(km, cols * n);
    for (const [label, be] of [['wasm 1-thread', w1], ['wasm 2-threads', w2]] as const) {
      const got = new Float64Array(b * n);
      const ref = new Float64Array(b * n);
      const sc = new Float64Array(b * n);
      be.matmul(x, B, b, cols, n, got, false, false);
      jsBackend.matmul(xPlain, B, b, cols, n, ref, false, false);
      jsBackend.matmul(abs(xPlain), abs(B), b, cols, n, sc, false, false);
      expectClose(got, ref, sc, `${label} X·B`);
      const gotT = new Float64Array(cols * n);
      const refT = new Float64Array(cols * n);
      const scT = new Float64Array(cols * n);
      be.matmul(x, Bt, cols, b, n, gotT, true, false);
      jsBackend.matmul(xPlain, Bt, cols, b, n, refT, true, false);
      jsBackend.matmul(abs(xPlain), abs(Bt), cols, b, n, scT, true, false);
      expectClose(gotT, refT, scT, `${label} Xᵀ·B`);
      const s = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const r = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const a = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      be.linearStats(x, Bt, M, b, cols, n, ...s);
      jsBackend.linearStats(xPlain, Bt, M, b, cols, n, ...r);
      jsBackend.linearStats(abs(xPlain), abs(Bt), abs(M), b, cols, n, ...a);
      expectClose(s[0], r[0], a[0], `${label} sqNorms`);
      expectClose(s[1], r[1], a[1], `${label} dots`);
      expectClose(s[2], r[2], a[2], `${label} coordSumSq`);
    }
    // the same bits whatever the thread count
    const one = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
    const two = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
    w1.linearStats(x, Bt, M, b, cols, n, ...one);
    w2.linearStats(x, Bt, M, b, cols, n, ...two);
    for (let k = 0; k < 3; k++) expect(Array.from(two[k]!)).toEqual(Array.from(one[k]!));
    const t1 = new Float64Array(cols * n);
    const t2 = new Float64Array(cols * n);
    w1.matmul(x, Bt, cols, b, n, t1, true, false);
    w2.matmul(x, Bt, cols, b, n, t2, true, false);
    expect(Array.from(t2)).toEqual(Array.from(t1));
  });

  it('the regrouping by column kept for a batch (Xᵀ·B, then (X∘X)ᵀ(Δ∘Δ)) is never reused for other rows', () => {
    const [kd, ki, kj, kb] = split(key(SEED + 7), 4) as [Key, Key, Key, Key];
    const rows = 400;
    const cols = 97;
    const n = 131; // the gather form (n ≥ 128)
    const b = 300;
    const { dense, data } = dataset(kd, rows, cols, 0.19);
    const Bt = normal(kb, b * n);
    const M = normal(kb, cols * n);
    const check = (x: Float64Array, idx: Int32Array, what: string) => {
      const plain = gather(dense, cols, idx);
      const got = new Float64Array(cols * n);
      const ref = new Float64Array(cols * n);
      const sc = new Float64Array(cols * n);
      w2.matmul(x, Bt, cols, b, n, got, true, false);
      jsBackend.matmul(plain, Bt, cols, b, n, ref, true, false);
      jsBackend.matmul(abs(plain), abs(Bt), cols, b, n, sc, true, false);
      expectClose(got, ref, sc, `${what} Xᵀ·B`);
      const s = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const r = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const a = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      w2.linearStats(x, Bt, M, b, cols, n, ...s);
      jsBackend.linearStats(plain, Bt, M, b, cols, n, ...r);
      jsBackend.linearStats(abs(plain), abs(Bt), abs(M), b, cols, n, ...a);
      expectClose(s[2], r[2], a[2], `${what} coordSumSq`);
    };
    const idxA = integers(ki, b, 0, rows);
    const idxB = integers(kj, b, 0, rows);
    const xA = gather(dense, cols, idxA);
    attachSparseRows(xA, data, idxA);
    const xB = gather(dense, cols, idxB);
    attachSparseRows(xB, data, idxB);
    check(xA, idxA, 'batch A');
    check(xB, idxB, 'batch B after A');
    check(xA, idxA, 'batch A again');
    // the same array attached anew with other rows (a new companion)
    const idxC = idxB.map((i) => (i + 1) % rows);
    xA.set(gather(dense, cols, idxC));
    attachSparseRows(xA, data, idxC);
    check(xA, idxC, 'batch A re-attached');
    // the same companion whose owner changed one index in place (and the array's row)
    idxC[17] = (idxC[17]! + 5) % rows;
    xA.set(gather(dense, cols, idxC));
    check(xA, idxC, 'batch A with one index changed in place');
  });

  it('the row order kept for a batch follows an index changed in place: the scattered sums keep the bits of a fresh companion', () => {
    const [kd, ki, kb, km] = split(key(SEED + 11), 4) as [Key, Key, Key, Key];
    const rows = 500;
    const cols = 64;
    const n = 10; // (X∘X)ᵀ(Δ∘Δ) scattered in row order
    const b = 700;
    const { dense, data } = dataset(kd, rows, cols, 0.3);
    const D = normal(kb, b * n);
    const M = normal(km, cols * n);
    const idx = integers(ki, b, 0, rows);
    const x = gather(dense, cols, idx);
    attachSparseRows(x, data, idx);
    const stats = (arr: Float64Array) => {
      const s = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      w2.linearStats(arr, D, M, b, cols, n, ...s);
      return s[2];
    };
    stats(x); // the order of these rows is now kept
    for (let t = 0; t < 40; t++) idx[t] = rows - 1 - (idx[t]! % 7); // move rows to the end of the order
    x.set(gather(dense, cols, idx));
    const fresh = gather(dense, cols, idx);
    attachSparseRows(fresh, data, idx.slice());
    expect(Array.from(stats(x))).toEqual(Array.from(stats(fresh)));
  });

  it('(X∘X)ᵀ(Δ∘Δ) formed alongside an announced Xᵀ·Δ is the same bits, and is used only for that batch, that Δ and an untouched pinned region', () => {
    const [kd, ki, kj, kb, kc] = split(key(SEED + 13), 5) as [Key, Key, Key, Key, Key];
    const rows = 400;
    const cols = 97;
    const n = 131; // the gather form, with a tail past the last eight-column panel
    const b = 300;
    const { dense, data } = dataset(kd, rows, cols, 0.19);
    const B1 = normal(kb, b * n);
    const B2 = normal(kc, b * n);
    const M = normal(kb, cols * n);
    const batch = (k: Key) => {
      const idx = integers(k, b, 0, rows);
      const x = gather(dense, cols, idx);
      attachSparseRows(x, data, idx);
      return x;
    };
    const xA = batch(ki);
    const xC = batch(kj);
    const tmm = (x: Float64Array, B: Float64Array) => {
      const out = new Float64Array(cols * n);
      w2.matmul(x, B, cols, b, n, out, true, false);
      return out;
    };
    const cs = (x: Float64Array, B: Float64Array) => {
      const s = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      w2.linearStats(x, B, M, b, cols, n, ...s);
      return s[2];
    };
    const plainT = tmm(xA, B1);
    const plainCs1 = cs(xA, B1);
    const plainCs2 = cs(xA, B2);
    const same = (got: Float64Array, want: Float64Array, what: string) => {
      for (let t = 0; t < want.length; t++) if (!Object.is(got[t], want[t])) expect.fail(`${what}[${t}]: ${got[t]} against ${want[t]} (seed ${SEED})`);
    };
    // announced: the product itself, then the sums it kept
    w2.expectSquares!(xA);
    same(tmm(xA, B1), plainT, 'announced Xᵀ·B');
    same(cs(xA, B1), plainCs1, 'coordSumSq from the kept squares');
    // announced, then linearStats with another Δ of the same shape
    w2.expectSquares!(xA);
    tmm(xA, B1);
    same(cs(xA, B2), plainCs2, 'coordSumSq with another Δ');
    // announced, then another batch takes the pinned region before linearStats
    w2.expectSquares!(xA);
    tmm(xA, B1);
    tmm(xC, B2);
    same(cs(xA, B1), plainCs1, 'coordSumSq after another batch took the pinned region');
  });

  it.each(['float64', 'float32'] as const)('batchGradStats of a sparse two-layer model (%s): the same bits with and without the announced squares', (dtype) => {
    const [kd, ki, kw, kv, kl] = split(key(SEED + 17), 5) as [Key, Key, Key, Key, Key];
    const rows = 300;
    const cols = 97;
    const h = 131;
    const b = 200;
    const { dense, data } = dataset(kd, rows, cols, 0.19);
    const idx = integers(ki, b, 0, rows);
    const x = dtype === 'float64' ? gather(dense, cols, idx) : Float32Array.from(gather(dense, cols, idx));
    attachSparseRows(x, data, idx);
    const X = fromArray(x, [b, cols]);
    const labels = integers(kl, b, 0, 3);
    const params = [fromArray(normal(kw, cols * h, 0, 0.1), [cols, h]), fromArray(normal(kv, h * 3, 0, 0.1), [h, 3])].map((p) => cast(p, dtype));
    const loss = (ps: readonly Tensor[]) => softmaxCrossEntropy(matmul(tanh(matmul(X, ps[0]!)), ps[1]!), labels);
    const be = setBackend('wasm', { threads: 2 });
    try {
      const hint = be.expectSquares;
      expect(hint).toBeDefined();
      const a = batchGradStats(loss, params, null);
      (be as { expectSquares?: unknown }).expectSquares = undefined;
      let c: ReturnType<typeof batchGradStats>;
      try {
        c = batchGradStats(loss, params, null);
      } finally {
        (be as { expectSquares?: unknown }).expectSquares = hint;
      }
      for (const k of ['meanGrad', 'coordSumSq', 'coordSumSqDev', 'sqNorms', 'dots', 'devDots'] as const) {
        const u = a[k];
        const v = c[k];
        expect(u.length).toBe(v.length);
        for (let t = 0; t < v.length; t++) if (!Object.is(u[t], v[t])) expect.fail(`${k}[${t}]: ${u[t]} with the hint, ${v[t]} without (seed ${SEED})`);
      }
    } finally {
      setBackend('js');
    }
  });

  it('without a companion, the sparse-A path of Xᵀ·B also gives the same bits on 1 and 2 threads, and equals js', () => {
    const { dense } = dataset(key(SEED + 9), 5000, 300, 0.15);
    const Bt = normal(key(SEED + 10), 5000 * 12);
    const t1 = new Float64Array(300 * 12);
    const t2 = new Float64Array(300 * 12);
    const ref = new Float64Array(300 * 12);
    const sc = new Float64Array(300 * 12);
    w1.matmul(dense, Bt, 300, 5000, 12, t1, true, false);
    w2.matmul(dense, Bt, 300, 5000, 12, t2, true, false);
    jsBackend.matmul(dense, Bt, 300, 5000, 12, ref, true, false);
    jsBackend.matmul(abs(dense), abs(Bt), 300, 5000, 12, sc, true, false);
    expect(Array.from(t2)).toEqual(Array.from(t1));
    expectClose(t1, ref, sc, 'dense sparse-A Xᵀ·B');
  });

  it('a stale companion (rows that differ from the array) is what the kernels read: they never scan the array', () => {
    // the contract is the owner's: this pins that the sparse path is really taken
    const { dense, data } = dataset(key(SEED + 5), 80, 100, 0.2);
    const idx = Int32Array.from({ length: 600 }, (_, t) => t % 80);
    const x = gather(dense, 100, idx);
    attachSparseRows(x, data, idx);
    x.fill(0);
    const B = normal(key(SEED + 6), 100 * 10);
    const got = new Float64Array(600 * 10);
    w1.matmul(x, B, 600, 100, 10, got, false, false);
    expect(got.some((v) => v !== 0)).toBe(true);
  });

  /** Entries of `got` that are not the same float32 as `want`, and the largest distance in float32 ulps. */
  function f32Misses(got: Float32Array, want: Float32Array): { misses: number; maxUlp: number } {
    const gi = new Int32Array(got.buffer, got.byteOffset, got.length);
    const wi = new Int32Array(want.buffer, want.byteOffset, want.length);
    let misses = 0;
    let maxUlp = 0;
    for (let t = 0; t < got.length; t++) {
      if (gi[t] === wi[t]) continue;
      misses++;
      maxUlp = Math.max(maxUlp, Math.sign(got[t]!) === Math.sign(want[t]!) ? Math.abs(gi[t]! - wi[t]!) : Infinity);
    }
    return { misses, maxUlp };
  }

  // a float32 batch: its companion is the data set's float32 twin, and the products are the
  // float64 products of the values the array holds, rounded once. The near miss: the same
  // products of the data set's own (unrounded) values, which a companion on the float64 set would give.
  // n = 10 takes the companion (float64) path; n = 256 (≥ 128) the dense float32 kernels, with
  // or without announced squares (backend.ts F32_DENSE_MIN_N); linearStats reads the companion
  it.each([[300, 784, 10, 1000], [120, 200, 256, 700]])('data %i × %i, n = %i, a float32 batch of %i rows: the companion\'s products are rounded once from the array\'s own values; statistics in float64', (rows, cols, n, b) => {
    const [kd, ki, kb, kt, km] = split(key(SEED + 19 + n), 5) as [Key, Key, Key, Key, Key];
    const { dense, data } = dataset(kd, rows, cols, 0.19);
    const idx = integers(ki, b, 0, rows);
    const x64 = gather(dense, cols, idx); // the unrounded rows
    const x = Float32Array.from(x64);
    const xPlain = x.slice(); // the same values without a companion
    const xw = Float64Array.from(x); // the array's values, widened
    attachSparseRows(x, data, idx);
    const sp = sparseRowsOf(x)!;
    expect(sp.data).toBe(float32Twin(data));
    expect(sp.data).not.toBe(data);
    expect(float32Twin(sp.data)).toBe(sp.data); // already float32 values: its own twin
    const B = Float32Array.from(normal(kb, cols * n));
    const Bt = Float32Array.from(normal(kt, b * n));
    const rounded = (a: Float64Array, bm: Float32Array, m: number, k: number, tA: boolean): Float32Array => {
      const r = new Float64Array(m * n);
      jsBackend.matmul(a, Float64Array.from(bm), m, k, n, r, tA, false);
      return Float32Array.from(r);
    };
    const companionPath = n < 128;
    const roundedOnce = (label: string, what: string, g: Float32Array, want: Float32Array, near: Float32Array) => {
      const m = f32Misses(g, want);
      // a float64 sum in another order may, rarely, round to the neighbouring float32
      if (m.misses > Math.ceil(g.length * 1e-4) || m.maxUlp > 1) expect.fail(`${label} ${what}: ${m.misses} of ${g.length} entries differ from the rounded float64 product, up to ${m.maxUlp} ulp (seed ${SEED})`);
      const nm = f32Misses(g, near);
      if (nm.misses < g.length / 10) expect.fail(`${label} ${what}: the near miss (unrounded values) differs in only ${nm.misses} of ${g.length} entries: the check has no power (seed ${SEED})`);
    };
    for (const [label, be] of [['wasm 1-thread', w1], ['wasm 2-threads', w2]] as const) {
      const got = new Float32Array(b * n);
      be.matmul(x, B, b, cols, n, got, false, false);
      const gotT = new Float32Array(cols * n);
      be.matmul(x, Bt, cols, b, n, gotT, true, false);
      if (companionPath) {
        roundedOnce(label, 'X·B', got, rounded(xw, B, b, cols, false), rounded(x64, B, b, cols, false));
        roundedOnce(label, 'Xᵀ·B', gotT, rounded(xw, Bt, cols, b, true), rounded(x64, Bt, cols, b, true));
      } else {
        // the dense float32 kernels: the bits of the same product without a companion
        const plain = new Float32Array(b * n);
        be.matmul(xPlain, B, b, cols, n, plain, false, false);
        expect(f32Misses(got, plain).misses, `${label} X·B as without a companion`).toBe(0);
        const plainT = new Float32Array(cols * n);
        be.matmul(xPlain, Bt, cols, b, n, plainT, true, false);
        expect(f32Misses(gotT, plainT).misses, `${label} Xᵀ·B as without a companion`).toBe(0);
        // announced squares change nothing in the product (ḡ the same bits whichever statistics are read)
        const gotA = new Float32Array(cols * n);
        be.expectSquares!(x);
        be.matmul(x, Bt, cols, b, n, gotA, true, false);
        expect(f32Misses(gotA, plainT).misses, `${label} announced Xᵀ·B as without a companion`).toBe(0);
      }
      // statistics in float64 from the widened values, as for a float64 batch of those values
      const M = normal(km, cols * n);
      const s = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const r = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      const a = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
      be.linearStats(x, Bt, M, b, cols, n, ...s);
      jsBackend.linearStats(xw, Float64Array.from(Bt), M, b, cols, n, ...r);
      jsBackend.linearStats(abs(xw), abs(Float64Array.from(Bt)), abs(M), b, cols, n, ...a);
      expectClose(s[0], r[0], a[0], `${label} float32 sqNorms`);
      expectClose(s[1], r[1], a[1], `${label} float32 dots`);
      expectClose(s[2], r[2], a[2], `${label} float32 coordSumSq`);
    }
    // and the companion paths read the companion, not the array
    const stale = Float32Array.from(x);
    attachSparseRows(stale, data, idx);
    stale.fill(0);
    if (companionPath) {
      const st = new Float32Array(cols * n);
      w2.matmul(stale, Bt, cols, b, n, st, true, false);
      expect(f32Misses(st, rounded(xw, Bt, cols, b, true)).misses).toBeLessThanOrEqual(Math.ceil(st.length * 1e-4));
    }
    const M = normal(km, cols * n);
    const fresh = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
    const fromStale = [new Float64Array(b), new Float64Array(b), new Float64Array(cols * n)] as const;
    w2.linearStats(x, Bt, M, b, cols, n, ...fresh);
    w2.linearStats(stale, Bt, M, b, cols, n, ...fromStale);
    for (let q = 0; q < 3; q++) expect(Array.from(fromStale[q]!)).toEqual(Array.from(fresh[q]!));
  });

  it('a float32 lazy companion writes the float32 values when a dense read needs them', () => {
    const { dense, data } = dataset(key(SEED + 23), 50, 40, 0.3);
    const idx = Int32Array.of(3, 7, 7, 0);
    const x = new Float32Array(4 * 40);
    attachSparseRows(x, data, idx, false);
    expect(x.every((v) => v === 0)).toBe(true);
    ensureDense(x);
    expect(Array.from(x)).toEqual(Array.from(Float32Array.from(gather(dense, 40, idx))));
  });
});
