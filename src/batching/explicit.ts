/** Statistics from an explicit b × d matrix of per-sample gradients (cross-checks, users' own gradients). */
import { Tensor } from '../tensor/tensor.js';
import { combineBlocks, summariseExplicitBlock, type GradSummary } from './summary.js';

/** A half-open coordinate range [start, end) forming one parameter block. */
export type BlockRange = readonly [number, number];

function toMatrix(G: Tensor | readonly (readonly number[])[] | { data: ArrayLike<number>; b: number; d: number }): {
  data: ArrayLike<number>;
  b: number;
  d: number;
} {
  if (G instanceof Tensor) {
    if (G.rank !== 2) throw new Error(`statsFromPerSampleGrads: expected a [b, d] tensor, got shape [${G.shape.join(', ')}]`);
    return { data: G.toFloat64Array(), b: G.shape[0]!, d: G.shape[1]! };
  }
  if (Array.isArray(G)) {
    const rows = G as readonly (readonly number[])[];
    const b = rows.length;
    if (b === 0) throw new Error('statsFromPerSampleGrads: no rows');
    const d = rows[0]!.length;
    const data = new Float64Array(b * d);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== d) {
        throw new Error(`statsFromPerSampleGrads: row ${i} has length ${Array.isArray(row) ? row.length : 'n/a'}, expected ${d}`);
      }
      row.forEach((v, j) => (data[i * d + j] = v));
    });
    return { data, b, d };
  }
  const m = G as { data: ArrayLike<number>; b: number; d: number };
  if (m.data.length !== m.b * m.d) throw new Error(`statsFromPerSampleGrads: data has ${m.data.length} values, expected b·d = ${m.b * m.d}`);
  return m;
}

/**
 * The per-sample gradient summary (and so, via `statistics`, S_norm, S_ip,
 * S_orth, S_j, B_simple and the block-wise S_ip/S_orth) from an explicit matrix
 * G with one row g_i per sample. `blocks` are [start, end) ranges that tile
 * [0, d); by default one block. Non-finite entries are rejected.
 *
 * @example
 * const s = statsFromPerSampleGrads([[1, 2], [3, 4], [5, 0]]);
 * statistics(s).S_norm; // ḡ = (3, 2); (1/2)(4 + 4 + 8) = 8
 */
export function statsFromPerSampleGrads(
  G: Tensor | readonly (readonly number[])[] | { data: ArrayLike<number>; b: number; d: number },
  blocks?: readonly BlockRange[],
): GradSummary {
  const { data, b, d } = toMatrix(G);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new Error(`statsFromPerSampleGrads: non-finite value ${data[i]} at row ${Math.floor(i / d)}, column ${i % d}`);
    }
  }
  const ranges = blocks ?? [[0, d] as const];
  let expect = 0;
  for (const [s, e] of ranges) {
    if (s !== expect || !(e > s) || e > d) {
      throw new Error(`statsFromPerSampleGrads: blocks must tile [0, ${d}) in order; got [${ranges.map((r) => `[${r[0]}, ${r[1]}]`).join(', ')}]`);
    }
    expect = e;
  }
  if (expect !== d) throw new Error(`statsFromPerSampleGrads: blocks cover [0, ${expect}) but d = ${d}`);
  const summaries = ranges.map(([s, e], p) => {
    const size = e - s;
    const sub = new Float64Array(b * size);
    for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) sub[i * size + j] = data[i * d + s + j]!;
    return summariseExplicitBlock(`block${p}`, [size], s, sub, b, size, 'explicit');
  });
  return combineBlocks(b, summaries);
}
