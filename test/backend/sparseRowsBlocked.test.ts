// The wasm kernels over a sparse companion (assembly/sparseRows.ts) against plain scalar loops
// that add in the order the kernels document: the same bits, for every column-block remainder,
// on 1 and 2 threads. A change to how the kernels tile rows or columns must keep these equal.
import { describe, expect, it } from 'vitest';
import { attachSparseRows, type SparseDataset } from '../../src/backend/sparseRows.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { partsOf, rowOrder, tmmByColumns } from '../../src/backend/wasm/sparseRows.js';
import { bernoulli, integers, key, normal, split, type Key } from '../../src/rng/index.js';

const SEED = 20261203;

/** A random data set (values N(0, 1) at the given density; row 0 has no non-zeros) in compressed rows. */
function dataset(k: Key, rows: number, cols: number, density: number): { dense: Float64Array; data: SparseDataset } {
  const [k1, k2] = split(k, 2) as [Key, Key];
  const keep = bernoulli(k1, rows * cols, density);
  const dense = Float64Array.from(normal(k2, rows * cols), (x, t) => (keep[t] && t >= cols ? x : 0));
  const rowPtr = new Int32Array(rows + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (dense[i * cols + j] !== 0) {
        col.push(j);
        val.push(dense[i * cols + j]!);
      }
    }
    rowPtr[i + 1] = col.length;
  }
  return { dense, data: { rows, cols, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) } };
}

/** The column groups of the kernels: blocks of ten, then of two, then one scalar column. */
function groups(n: number): { ten: number; two: number; last: boolean } {
  const ten = Math.floor(n / 10);
  const two = Math.floor((n - 10 * ten) / 2);
  return { ten, two, last: n % 2 === 1 };
}

/** out[i, j] = Σ_e x_e B[col_e, j], e in row order, from 0. */
function refMm(data: SparseDataset, idx: Int32Array, B: Float64Array, n: number): Float64Array {
  const out = new Float64Array(idx.length * n);
  idx.forEach((r, i) => {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) s += data.val[e]! * B[data.col[e]! * n + j]!;
      out[i * n + j] = s;
    }
  });
  return out;
}

/**
 * Σ over parts p = 0, 1, … in order of part p's accumulator, which takes the batch rows in
 * data-row order (rowOrder) within the part and, per row, `add(acc, row, e, col)` per non-zero.
 */
function scatterByParts(
  data: SparseDataset, idx: Int32Array, size: number, add: (acc: Float64Array, i: number, e: number, col: number) => void,
): Float64Array {
  const ord = rowOrder(idx, data.rows);
  const { parts, chunk } = partsOf(idx.length);
  const out = new Float64Array(size);
  for (let p = 0; p < parts; p++) {
    const acc = new Float64Array(size);
    for (let q = p * chunk; q < Math.min(idx.length, (p + 1) * chunk); q++) {
      const i = ord[q]!;
      const r = idx[i]!;
      for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) add(acc, i, e, data.col[e]!);
    }
    if (p === 0) out.set(acc);
    else for (let t = 0; t < size; t++) out[t] = out[t]! + acc[t]!;
  }
  return out;
}

/**
 * Σ_e add(·) over the batch's non-zeros into [cols, n]: by parts (scatterByParts), or in
 * the gather form (tmmByColumns) each C[c, j] summed from 0 over the batch rows in batch order.
 */
function byColumnsOrParts(data: SparseDataset, idx: Int32Array, n: number, add: (acc: Float64Array, i: number, e: number, col: number) => void): Float64Array {
  if (!tmmByColumns(idx.length, n)) return scatterByParts(data, idx, data.cols * n, add);
  const out = new Float64Array(data.cols * n);
  idx.forEach((r, i) => {
    for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) add(out, i, e, data.col[e]!);
  });
  return out;
}

/** C[col_e, j] += x_e B[i, j] (B [b, n]), in the order of byColumnsOrParts. */
function refTmm(data: SparseDataset, idx: Int32Array, B: Float64Array, n: number): Float64Array {
  return byColumnsOrParts(data, idx, n, (acc, i, e, col) => {
    for (let j = 0; j < n; j++) acc[col * n + j] = acc[col * n + j]! + data.val[e]! * B[i * n + j]!;
  });
}

/**
 * linearStats in the kernels' order. ||δ_i||² and x_iᵀMδ_i have two lanes L (even and odd
 * columns of the vector blocks): per block of ten columns c_k = j + 2k + L, k < 5, the lane
 * adds ((s_0 + s_1) + (s_2 + s_3)) + s_4; per block of two, s_0; then lane 0 + lane 1, then the
 * scalar column. s = δ_c² or t_c δ_c with t_c = Σ_e x_e M[col_e, c] from 0 in e order.
 * ||x_i||² = Σ_e x_e² in e order. CS[col_e, c] += x_e² δ_c², in the order of byColumnsOrParts.
 */
function refStats(data: SparseDataset, idx: Int32Array, D: Float64Array, M: Float64Array, n: number): [Float64Array, Float64Array, Float64Array] {
  const b = idx.length;
  const sq = new Float64Array(b);
  const dots = new Float64Array(b);
  const { ten, two, last } = groups(n);
  for (let i = 0; i < b; i++) {
    const r = idx[i]!;
    let xn = 0;
    for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) xn += data.val[e]! * data.val[e]!;
    const d = (c: number): number => D[i * n + c]!;
    const t = (c: number): number => {
      let s = 0;
      for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) s += data.val[e]! * M[data.col[e]! * n + c]!;
      return s;
    };
    const lanes = (f: (c: number) => number): number => {
      const acc = [0, 0];
      for (let L = 0; L < 2; L++) {
        for (let g = 0; g < ten; g++) {
          const s = (k: number): number => f(10 * g + 2 * k + L);
          acc[L] = acc[L]! + (((s(0) + s(1)) + (s(2) + s(3))) + s(4));
        }
        for (let g = 0; g < two; g++) acc[L] = acc[L]! + f(10 * ten + 2 * g + L);
      }
      return acc[0]! + acc[1]!;
    };
    const dns = lanes((c) => d(c) * d(c)) + (last ? d(n - 1) * d(n - 1) : 0);
    const dot = lanes((c) => t(c) * d(c));
    sq[i] = xn * dns;
    dots[i] = last ? dot + t(n - 1) * d(n - 1) : dot;
  }
  const cs = byColumnsOrParts(data, idx, n, (acc, i, e, col) => {
    const w = data.val[e]! * data.val[e]!;
    for (let j = 0; j < n; j++) acc[col * n + j] = acc[col * n + j]! + w * (D[i * n + j]! * D[i * n + j]!);
  });
  return [sq, dots, cs];
}

/** Bit-for-bit equality (Object.is: −0 and +0 differ), naming the first element that differs. */
function expectSameBits(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let t = 0; t < want.length; t++) {
    if (!Object.is(got[t], want[t])) throw new Error(`${what}[${t}]: got ${got[t]}, want ${want[t]}; seed ${SEED}`);
  }
}

describe('sparse-companion kernels add in their documented order', () => {
  const backends = [['1 thread', createWasmBackend({ threads: 1 })], ['2 threads', createWasmBackend({ threads: 2 })]] as const;
  const rows = 400;
  const cols = 301;
  const { dense, data } = dataset(key(SEED), rows, cols, 0.19);
  // a batch past one part (two accumulators) whose regrouping by columns is split over threads
  // (≥ 2¹⁵ non-zeros), one smaller than a part, and one past the rows of the gather form; rows repeat
  const batches = [1100, 37, 4100].map((b) => integers(key(SEED + b), b, 0, rows));
  const widths = [1, 2, 3, 10, 11, 23, 64, 71, 131, 256];
  it.each(widths)('n = %i: X·B, Xᵀ·B and linearStats equal the scalar loops bit for bit', (n) => {
    const [kb, kt, km] = split(key(SEED + n), 3) as [Key, Key, Key];
    const B = normal(kb, cols * n);
    const M = normal(km, cols * n);
    for (const idx of batches) {
      const b = idx.length;
      const x = new Float64Array(b * cols);
      idx.forEach((r, i) => x.set(dense.subarray(r * cols, (r + 1) * cols), i * cols));
      attachSparseRows(x, data, idx);
      const D = normal(kt, b * n);
      const mm = refMm(data, idx, B, n);
      const tmm = refTmm(data, idx, D, n);
      const st = refStats(data, idx, D, M, n);
      for (const [label, be] of backends) {
        const at = `${label}, b = ${b}, n = ${n}`;
        const got = new Float64Array(b * n);
        be.matmul(x, B, b, cols, n, got, false, false);
        expectSameBits(got, mm, `X·B (${at})`);
        const gotT = new Float64Array(cols * n);
        be.matmul(x, D, cols, b, n, gotT, true, false);
        expectSameBits(gotT, tmm, `Xᵀ·B (${at})`);
        for (const dotsToo of [true, false]) {
          for (const csToo of [true, false]) {
            const s = [new Float64Array(b), new Float64Array(b).fill(NaN), new Float64Array(cols * n).fill(NaN)] as const;
            be.linearStats(x, D, M, b, cols, n, ...s, { dots: dotsToo, coordSumSq: csToo });
            const w = `(${at}, dots ${dotsToo}, coordSumSq ${csToo})`;
            expectSameBits(s[0], st[0], `sqNorms ${w}`);
            if (dotsToo) expectSameBits(s[1], st[1], `dots ${w}`);
            if (csToo) expectSameBits(s[2], st[2], `coordSumSq ${w}`);
          }
        }
      }
    }
  });
});
