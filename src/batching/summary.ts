/**
 * Per-sample gradient summaries and the batch statistics of docs/MATH.md §2 computed from them.
 *
 * A summary holds, per parameter block p and globally, the raw quantities
 * ||g_i||², ⟨g_i, ḡ⟩, Σ_i g_ij² and their centred counterparts ||g_i − ḡ||²,
 * ⟨g_i − ḡ, ḡ⟩, Σ_i (g_ij − ḡ_j)². The statistics use only the centred ones,
 * so they stay accurate when the variance is tiny against the mean, provided the
 * centred ones were computed accurately (two-pass; see engine.ts and explicit.ts).
 */

/** How a block's per-sample statistics were obtained. */
export type BlockMethod =
  | 'linear' | 'linear-refined' | 'materialized' | 'fallback' | 'unused' | 'explicit'
  | 'conv-factored' | 'conv-materialised' | 'conv-refined';

export interface BlockSummary {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset of the block in the flat parameter vector. */
  readonly offset: number;
  readonly size: number;
  readonly method: BlockMethod;
  /** ḡ^p */
  readonly meanGrad: Float64Array;
  /** ||g_i^p||², i = 1..b */
  readonly sqNorms: Float64Array;
  /** ⟨g_i^p, ḡ^p⟩ */
  readonly dots: Float64Array;
  /** Σ_i (g_ij^p)², per coordinate */
  readonly coordSumSq: Float64Array;
  /** ||g_i^p − ḡ^p||² */
  readonly devSqNorms: Float64Array;
  /** ⟨g_i^p − ḡ^p, ḡ^p⟩ */
  readonly devDots: Float64Array;
  /** Σ_i (g_ij^p − ḡ_j^p)², per coordinate */
  readonly coordSumSqDev: Float64Array;
}

export interface GradSummary {
  /** Batch size b. */
  readonly b: number;
  /** Dimension d = Σ_p size_p. */
  readonly d: number;
  /** ḡ, flattened over blocks. */
  readonly meanGrad: Float64Array;
  /** Σ_i ||g_i||² */
  readonly sumSqNorms: number;
  /** ||g_i||², per sample */
  readonly sqNorms: Float64Array;
  /** ⟨g_i, ḡ⟩, per sample */
  readonly dots: Float64Array;
  /** Σ_i g_ij², per coordinate (flattened) */
  readonly coordSumSq: Float64Array;
  /** Σ_i ||g_i − ḡ||² */
  readonly sumSqDev: number;
  /** ⟨g_i − ḡ, ḡ⟩, per sample */
  readonly devDots: Float64Array;
  /** Σ_i (g_ij − ḡ_j)², per coordinate (flattened) */
  readonly coordSumSqDev: Float64Array;
  readonly blocks: readonly BlockSummary[];
}

/** The statistics of docs/MATH.md §2 (unbiased, divisor b − 1). */
export interface BatchStatistics {
  readonly b: number;
  /** ḡ (flattened) */
  readonly meanGrad: Float64Array;
  /** ||ḡ||² */
  readonly gradNormSq: number;
  /** S_norm = (1/(b−1)) Σ_i ||g_i − ḡ||² */
  readonly S_norm: number;
  /** S_ip = (1/(b−1)) Σ_i (⟨g_i, ḡ⟩ − ||ḡ||²)² */
  readonly S_ip: number;
  /** S_orth = (1/(b−1)) Σ_i ||g_i − (⟨g_i, ḡ⟩/||ḡ||²) ḡ||² */
  readonly S_orth: number;
  /** S_j = (1/(b−1)) Σ_i (g_ij − ḡ_j)², per coordinate */
  readonly S_j: Float64Array;
  /** B_simple = S_norm / ||ḡ||² */
  readonly B_simple: number;
  /**
   * Block-wise variants (labelled: they drop cross-block covariance, so they are
   * not the tests of the papers): S_ip^blk = Σ_p Var_i ⟨g_i^p, ḡ^p⟩ and
   * S_orth^blk = Σ_p (1/(b−1)) Σ_i ||o_i^p − ō^p||², each block projected on its OWN
   * mean: o_i^p = g_i^p − (⟨g_i^p, ḡ^p⟩/||ḡ^p||²) ḡ^p (as the official `tests.py`).
   */
  readonly blockwise: { readonly S_ip: number; readonly S_orth: number };
}

/** Σ of an array with Neumaier's compensated summation. */
export function compensatedSum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Σ x_i² with Neumaier's compensated summation (no temporary array). */
export function compensatedSumSq(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]! * xs[i]!;
    const t = s + x;
    c += s >= x ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/**
 * The statistics of docs/MATH.md §2 from a summary. Needs b ≥ 2.
 *
 * @example
 * // two samples g_1 = (1, 0), g_2 = (3, 0): ḡ = (2, 0), S_norm = 2
 * statistics(statsFromPerSampleGrads([[1, 0], [3, 0]])).S_norm; // 2
 */
export function statistics(s: GradSummary): BatchStatistics {
  const b = s.b;
  if (!(b >= 2)) throw new Error(`statistics: need a batch of b ≥ 2 per-sample gradients, got b = ${b}`);
  const gns = compensatedSumSq(s.meanGrad);
  const S_norm = s.sumSqDev / (b - 1);
  const S_ip = compensatedSumSq(s.devDots) / (b - 1);
  // ||g_i − (c_i/G) ḡ||² = ||g_i − ḡ||² − (⟨g_i − ḡ, ḡ⟩)²/G  with G = ||ḡ||²
  const S_orth = gns > 0 ? Math.max(0, s.sumSqDev - (S_ip * (b - 1)) / gns) / (b - 1) : NaN;
  const S_j = new Float64Array(s.coordSumSqDev.length);
  const inv = 1 / (b - 1);
  for (let j = 0; j < S_j.length; j++) S_j[j] = s.coordSumSqDev[j]! * inv;
  let ipBlk = 0;
  let orthBlk = 0;
  for (const blk of s.blocks) {
    const h = compensatedSumSq(blk.meanGrad); // ||ḡ^p||²
    const devDotSq = compensatedSumSq(blk.devDots); // Σ_i ⟨g_i^p − ḡ^p, ḡ^p⟩²
    ipBlk += devDotSq;
    // Block p projected on its own mean (as the official tests.py): with e_i = ⟨g_i^p − ḡ^p, ḡ^p⟩,
    // o_i^p = (g_i^p − ḡ^p) − (e_i/h) ḡ^p, the mean of the o_i^p is 0 and
    // Σ_i ||o_i^p||² = Σ_i ||g_i^p − ḡ^p||² − Σ_i e_i²/h.
    // A block whose mean is 0 has no direction to remove (toolkit rule; the official code divides by 0).
    const devSq = compensatedSum(blk.devSqNorms);
    orthBlk += h > 0 ? Math.max(0, devSq - devDotSq / h) : devSq;
  }
  return {
    b,
    meanGrad: s.meanGrad,
    gradNormSq: gns,
    S_norm,
    S_ip,
    S_orth,
    S_j,
    B_simple: gns > 0 ? S_norm / gns : Infinity,
    blockwise: { S_ip: ipBlk / (b - 1), S_orth: orthBlk / (b - 1) },
  };
}

/** Combine block summaries into the global summary (flat layout in block order). */
export function combineBlocks(b: number, blocks: readonly BlockSummary[]): GradSummary {
  const d = blocks.reduce((p, blk) => p + blk.size, 0);
  const meanGrad = new Float64Array(d);
  const coordSumSq = new Float64Array(d);
  const coordSumSqDev = new Float64Array(d);
  const sqNorms = new Float64Array(b);
  const dots = new Float64Array(b);
  const devDots = new Float64Array(b);
  const devSq = new Float64Array(b);
  for (const blk of blocks) {
    meanGrad.set(blk.meanGrad, blk.offset);
    coordSumSq.set(blk.coordSumSq, blk.offset);
    coordSumSqDev.set(blk.coordSumSqDev, blk.offset);
    for (let i = 0; i < b; i++) {
      sqNorms[i] = sqNorms[i]! + blk.sqNorms[i]!;
      dots[i] = dots[i]! + blk.dots[i]!;
      devDots[i] = devDots[i]! + blk.devDots[i]!;
      devSq[i] = devSq[i]! + blk.devSqNorms[i]!;
    }
  }
  return {
    b,
    d,
    meanGrad,
    sumSqNorms: compensatedSum(sqNorms),
    sqNorms,
    dots,
    coordSumSq,
    sumSqDev: compensatedSum(devSq),
    devDots,
    coordSumSqDev,
    blocks,
  };
}

/**
 * Summary of one block from its explicit per-sample gradients (row-major b × size,
 * already including any shared term), by a two-pass algorithm: ḡ first, then the
 * centred quantities from g_i − ḡ (with the correction term of the corrected
 * two-pass algorithm on the per-coordinate sums).
 */
export function summariseExplicitBlock(
  name: string,
  shape: readonly number[],
  offset: number,
  G: ArrayLike<number>,
  b: number,
  size: number,
  method: BlockMethod,
): BlockSummary {
  const mean = new Float64Array(size);
  // pass 1: the mean, with compensated sums per coordinate
  const comp = new Float64Array(size);
  for (let i = 0; i < b; i++) {
    const o = i * size;
    for (let j = 0; j < size; j++) {
      const x = G[o + j]!;
      const s = mean[j]!;
      const t = s + x;
      comp[j] = comp[j]! + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
      mean[j] = t;
    }
  }
  for (let j = 0; j < size; j++) mean[j] = (mean[j]! + comp[j]!) / b;
  // pass 2: centred quantities
  const pass = centredPass(mean, b);
  for (let i = 0; i < b; i++) pass.add(i, G, i * size);
  return pass.finish(name, shape, offset, method);
}

/**
 * Pass 2 of the two-pass block statistics, one per-sample gradient at a time (so a caller
 * that forms G_i one sample at a time, as the conv path does, needs O(d) memory): ||g_i||²,
 * ⟨g_i, ḡ⟩, their centred forms and the per-coordinate sums, with the corrected two-pass
 * residue removed at the end.
 */
export function centredPass(mean: Float64Array, b: number): {
  add(i: number, G: ArrayLike<number>, o: number): void;
  finish(name: string, shape: readonly number[], offset: number, method: BlockMethod): BlockSummary;
} {
  const size = mean.length;
  const sqNorms = new Float64Array(b);
  const dots = new Float64Array(b);
  const devSqNorms = new Float64Array(b);
  const devDots = new Float64Array(b);
  const coordSumSq = new Float64Array(size);
  const coordSumSqDev = new Float64Array(size);
  const resid = new Float64Array(size); // Σ_i (g_ij − ḡ_j), zero but for rounding
  return {
    add(i, G, o) {
      let sq = 0;
      let dot = 0;
      let dsq = 0;
      let ddot = 0;
      for (let j = 0; j < size; j++) {
        const g = G[o + j]!;
        const m = mean[j]!;
        const dv = g - m;
        sq += g * g;
        dot += g * m;
        dsq += dv * dv;
        ddot += dv * m;
        coordSumSq[j] = coordSumSq[j]! + g * g;
        coordSumSqDev[j] = coordSumSqDev[j]! + dv * dv;
        resid[j] = resid[j]! + dv;
      }
      sqNorms[i] = sq;
      dots[i] = dot;
      devSqNorms[i] = dsq;
      devDots[i] = ddot;
    },
    finish(name, shape, offset, method) {
      // the corrected two-pass algorithm: remove the rounding residue of the mean
      for (let j = 0; j < size; j++) coordSumSqDev[j] = Math.max(0, coordSumSqDev[j]! - (resid[j]! * resid[j]!) / b);
      return { name, shape, offset, size, method, meanGrad: mean, sqNorms, dots, coordSumSq, devSqNorms, devDots, coordSumSqDev };
    },
  };
}
