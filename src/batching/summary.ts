/**
 * Per-sample gradient summaries and the batch statistics of docs/MATH.md §2 computed from them.
 *
 * A summary holds, per parameter block p and globally, the raw quantities
 * ||g_i||², ⟨g_i, ḡ⟩, Σ_i g_ij² and their centred counterparts ||g_i − ḡ||²,
 * ⟨g_i − ḡ, ḡ⟩, Σ_i (g_ij − ḡ_j)². The statistics use only the centred ones,
 * so they stay accurate when the variance is tiny against the mean, provided the
 * centred ones were computed accurately (two-pass; see engine.ts and explicit.ts).
 */

import { ALL_PARTS, isFull, meetParts, statsOf, type BatchStat, type SummaryParts } from './needs.js';
import { checkStamp, workspaceBuffer, type WorkspaceStamp } from './workspace.js';

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
  /**
   * What the block holds (absent: everything; see needs.ts). Without `dots`, dots and
   * devDots are empty; without `coord`, coordSumSq and coordSumSqDev are empty.
   */
  readonly parts?: SummaryParts;
  /** Σ_i ||g_i^p − ḡ^p||², given when devSqNorms is empty (a linear block without `dots`). */
  readonly devSqSum?: number;
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
  /** What every block holds (absent: everything): without `dots`, dots and devDots are empty; without `coord`, the per-coordinate sums. */
  readonly parts?: SummaryParts;
  /** The workspace whose buffers hold meanGrad and the per-coordinate sums (workspace.ts); statistics() puts S_j there too. */
  readonly workspace?: WorkspaceStamp;
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

/**
 * The statistics of a batch as far as they were computed (see needs.ts): a statistic
 * that was not asked for is absent (undefined), never 0. b, ḡ and ||ḡ||² are always there.
 */
export interface PartialStatistics {
  readonly b: number;
  readonly meanGrad: Float64Array;
  readonly gradNormSq: number;
  readonly S_norm?: number;
  readonly S_ip?: number;
  readonly S_orth?: number;
  readonly S_j?: Float64Array;
  readonly B_simple?: number;
  readonly blockwise?: { readonly S_ip?: number; readonly S_orth?: number };
}

/** The statistics present in `s` (in BATCH_STATS order). */
export function presentStats(s: PartialStatistics): readonly BatchStat[] {
  const have: BatchStat[] = [];
  if (s.S_norm !== undefined) have.push('S_norm');
  if (s.S_ip !== undefined) have.push('S_ip');
  if (s.S_orth !== undefined) have.push('S_orth');
  if (s.S_j !== undefined) have.push('S_j');
  if (s.blockwise?.S_ip !== undefined) have.push('blockwise.S_ip');
  if (s.blockwise?.S_orth !== undefined) have.push('blockwise.S_orth');
  return have;
}

/** What a summary holds (everything when it does not say). */
export function partsOf(s: GradSummary | BlockSummary): SummaryParts {
  return s.parts ?? ALL_PARTS;
}

/** Σ_i ||g_i^p − ḡ^p||² of a block. */
function blockDevSq(blk: BlockSummary): number {
  return blk.devSqSum ?? compensatedSum(blk.devSqNorms);
}

/**
 * compensatedSumSq of s.meanGrad (`total`) and of every block's meanGrad (`perBlock`).
 * Where the blocks lie in order end to end over s.meanGrad (as combineBlocks makes
 * them), both in one pass with two accumulators (NOTE (speed): the two dependency
 * chains overlap; 0.9 → 0.5 ms at d = 2·10⁵); otherwise one call each. The same
 * operations in the same order either way, so the same bits. With `sj`, the same pass
 * also writes S_j = coordSumSqDev · inv into it (one pass over d fewer; the same
 * product as a loop of its own).
 */
function blockSqNorms(s: GradSummary, sj?: Float64Array, inv = 0): { total: number; perBlock: Float64Array } {
  const perBlock = new Float64Array(s.blocks.length);
  const m = s.meanGrad;
  let end = 0;
  for (const blk of s.blocks) end = blk.offset === end && blk.meanGrad.length === blk.size ? end + blk.size : -1;
  if (end !== m.length) {
    s.blocks.forEach((blk, p) => (perBlock[p] = compensatedSumSq(blk.meanGrad)));
    if (sj !== undefined) scaleInto(sj, s.coordSumSqDev, inv);
    return { total: compensatedSumSq(m), perBlock };
  }
  const acc = new Float64Array(2); // the total's sum and correction, carried from block to block
  for (const [p, blk] of s.blocks.entries()) {
    perBlock[p] = sj === undefined
      ? blockPass(m, blk.meanGrad, blk.offset, blk.size, acc)
      : blockPassS(m, blk.meanGrad, blk.offset, blk.size, acc, s.coordSumSqDev, sj, inv);
  }
  return { total: acc[0]! + acc[1]!, perBlock };
}

/** One block of blockSqNorms: the total's chain (in acc) and the block's, over m[o, o + n) and g. */
function blockPass(m: Float64Array, g: Float64Array, o: number, n: number, acc: Float64Array): number {
  let t = acc[0]!;
  let tc = acc[1]!;
  let u = 0;
  let uc = 0;
  for (let k = 0; k < n; k++) {
    const x = m[o + k]! * m[o + k]!;
    const a = t + x;
    tc += t >= x ? t - a + x : x - a + t;
    t = a;
    const y = g[k]! * g[k]!;
    const c = u + y;
    uc += u >= y ? u - c + y : y - c + u;
    u = c;
  }
  acc[0] = t;
  acc[1] = tc;
  return u + uc;
}

/**
 * blockPass that also writes sj[o + k] = dev[o + k] · inv. NOTE (speed): a loop of its own
 * rather than a test in blockPass's loop (one function with `if (sj !== null)` inside:
 * statistics() of the MNIST MLP summary min 0.88 → 0.99 ms).
 */
function blockPassS(m: Float64Array, g: Float64Array, o: number, n: number, acc: Float64Array, dev: Float64Array, sj: Float64Array, inv: number): number {
  let t = acc[0]!;
  let tc = acc[1]!;
  let u = 0;
  let uc = 0;
  for (let k = 0; k < n; k++) {
    const x = m[o + k]! * m[o + k]!;
    const a = t + x;
    tc += t >= x ? t - a + x : x - a + t;
    t = a;
    const y = g[k]! * g[k]!;
    const c = u + y;
    uc += u >= y ? u - c + y : y - c + u;
    u = c;
    sj[o + k] = dev[o + k]! * inv;
  }
  acc[0] = t;
  acc[1] = tc;
  return u + uc;
}

/** out[j] = a[j] · s. */
function scaleInto(out: Float64Array, a: Float64Array, s: number): void {
  for (let j = 0; j < out.length; j++) out[j] = a[j]! * s;
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
 * The statistics of docs/MATH.md §2 from a summary that holds everything (the
 * default of batchGradStats and statsFromPerSampleGrads). Needs b ≥ 2.
 *
 * @example
 * // two samples g_1 = (1, 0), g_2 = (3, 0): ḡ = (2, 0), S_norm = 2
 * statistics(statsFromPerSampleGrads([[1, 0], [3, 0]])).S_norm; // 2
 */
export function statistics(s: GradSummary): BatchStatistics {
  if (!isFull(partsOf(s))) {
    throw new Error(`statistics: the summary holds only ${statsOf(partsOf(s)).join(', ')} (computed for a reader that declared those); use availableStatistics`);
  }
  return availableStatistics(s) as BatchStatistics;
}

/**
 * The statistics a summary holds (see needs.ts and {@link PartialStatistics}): always
 * ||ḡ||², S_norm and B_simple; S_ip, S_orth and the block-wise ones when it holds the
 * dots; S_j when it holds the per-coordinate sums. Needs b ≥ 2.
 */
export function availableStatistics(s: GradSummary): PartialStatistics {
  const b = s.b;
  if (!(b >= 2)) throw new Error(`statistics: need a batch of b ≥ 2 per-sample gradients, got b = ${b}`);
  const parts = partsOf(s);
  if (s.workspace !== undefined) checkStamp(s.workspace, 'statistics');
  // ||ḡ||² and, where the dots are read, every block's ||ḡ^p||² in one pass (the same
  // operations in the same order as separate compensatedSumSq calls, so the same bits)
  // S_j = coordSumSqDev / (b − 1), written in that pass where there is one
  const n = s.coordSumSqDev.length;
  const S_j = !parts.coord ? undefined : s.workspace === undefined ? new Float64Array(n) : workspaceBuffer(s.workspace, 'S_j', n, false, 'statistics');
  const inv = 1 / (b - 1);
  const blockH = parts.dots ? blockSqNorms(s, S_j, inv) : null;
  if (S_j !== undefined && blockH === null) scaleInto(S_j, s.coordSumSqDev, inv);
  const gns = blockH === null ? compensatedSumSq(s.meanGrad) : blockH.total;
  const S_norm = s.sumSqDev / (b - 1);
  const base = { b, meanGrad: s.meanGrad, gradNormSq: gns, S_norm, B_simple: gns > 0 ? S_norm / gns : Infinity };
  if (!parts.dots) return S_j === undefined ? base : { ...base, S_j };
  const S_ip = compensatedSumSq(s.devDots) / (b - 1);
  // ||g_i − (c_i/G) ḡ||² = ||g_i − ḡ||² − (⟨g_i − ḡ, ḡ⟩)²/G  with G = ||ḡ||²
  const S_orth = gns > 0 ? Math.max(0, s.sumSqDev - (S_ip * (b - 1)) / gns) / (b - 1) : NaN;
  let ipBlk = 0;
  let orthBlk = 0;
  for (const [p, blk] of s.blocks.entries()) {
    const h = blockH!.perBlock[p]!; // ||ḡ^p||²
    const devDotSq = compensatedSumSq(blk.devDots); // Σ_i ⟨g_i^p − ḡ^p, ḡ^p⟩²
    ipBlk += devDotSq;
    // Block p projected on its own mean (as the official tests.py): with e_i = ⟨g_i^p − ḡ^p, ḡ^p⟩,
    // o_i^p = (g_i^p − ḡ^p) − (e_i/h) ḡ^p, the mean of the o_i^p is 0 and
    // Σ_i ||o_i^p||² = Σ_i ||g_i^p − ḡ^p||² − Σ_i e_i²/h.
    // A block whose mean is 0 has no direction to remove (toolkit rule; the official code divides by 0).
    const devSq = blockDevSq(blk);
    orthBlk += h > 0 ? Math.max(0, devSq - devDotSq / h) : devSq;
  }
  return {
    ...base,
    S_ip,
    S_orth,
    ...(S_j !== undefined ? { S_j } : {}),
    blockwise: { S_ip: ipBlk / (b - 1), S_orth: orthBlk / (b - 1) },
  };
}

/** Views a block writes its per-coordinate sums into (zeroed; see combineBlocks). */
export interface CoordOut {
  readonly sq: Float64Array;
  readonly dev: Float64Array;
}

/** Flat arrays of d doubles combineBlocks fills in place (zeroed where a coordinate part is given). */
export interface FlatInto {
  readonly meanGrad: Float64Array;
  readonly coordSumSq?: Float64Array;
  readonly coordSumSqDev?: Float64Array;
}

/** Whether `a` is already the view of `flat` at [offset, offset + a.length). */
function inPlace(a: Float64Array, flat: Float64Array, offset: number): boolean {
  return a.buffer === flat.buffer && a.byteOffset === flat.byteOffset + offset * 8;
}

/** Copy every block's `pick` array into `flat` at its offset unless it is already there. */
function fillFlat(flat: Float64Array, blocks: readonly BlockSummary[], pick: (blk: BlockSummary) => Float64Array): Float64Array {
  for (const blk of blocks) {
    const a = pick(blk);
    if (!inPlace(a, flat, blk.offset)) flat.set(a, blk.offset);
  }
  return flat;
}

/**
 * Combine block summaries into the global summary (flat layout in block order). It
 * holds what every block holds; a block without per-sample ||g_i − ḡ||² (devSqSum
 * instead) adds its sum after the per-sample ones. With `into` (arrays of d doubles),
 * the flat ḡ and per-coordinate sums are those arrays: a block whose array is already
 * its view of them (the engine hands the blocks such views) is not copied, the others
 * are copied in; the summary then shares them.
 */
export function combineBlocks(b: number, blocks: readonly BlockSummary[], into?: FlatInto): GradSummary {
  const d = blocks.reduce((p, blk) => p + blk.size, 0);
  const parts = blocks.reduce<SummaryParts>((p, blk) => meetParts(p, partsOf(blk)), ALL_PARTS);
  if (into !== undefined && into.meanGrad.length !== d) throw new Error(`combineBlocks: flat arrays of ${into.meanGrad.length} for d = ${d}`);
  const meanGrad = fillFlat(into?.meanGrad ?? new Float64Array(d), blocks, (blk) => blk.meanGrad);
  const coordSumSq = parts.coord ? fillFlat(into?.coordSumSq ?? new Float64Array(d), blocks, (blk) => blk.coordSumSq) : new Float64Array(0);
  const coordSumSqDev = parts.coord ? fillFlat(into?.coordSumSqDev ?? new Float64Array(d), blocks, (blk) => blk.coordSumSqDev) : new Float64Array(0);
  const sqNorms = new Float64Array(b);
  const dots = new Float64Array(parts.dots ? b : 0);
  const devDots = new Float64Array(parts.dots ? b : 0);
  const devSq = new Float64Array(b);
  const sums: number[] = [];
  for (const blk of blocks) {
    const perSample = blk.devSqSum === undefined;
    if (!perSample) sums.push(blk.devSqSum!);
    for (let i = 0; i < b; i++) {
      sqNorms[i] = sqNorms[i]! + blk.sqNorms[i]!;
      if (parts.dots) {
        dots[i] = dots[i]! + blk.dots[i]!;
        devDots[i] = devDots[i]! + blk.devDots[i]!;
      }
      if (perSample) devSq[i] = devSq[i]! + blk.devSqNorms[i]!;
    }
  }
  const sumSqDev = sums.length === 0 ? compensatedSum(devSq) : compensatedSum(Float64Array.of(compensatedSum(devSq), ...sums));
  return {
    b,
    d,
    meanGrad,
    sumSqNorms: compensatedSum(sqNorms),
    sqNorms,
    dots,
    coordSumSq,
    sumSqDev,
    devDots,
    coordSumSqDev,
    blocks,
    ...(isFull(parts) ? {} : { parts }),
  };
}

/**
 * Summary of one block from its explicit per-sample gradients (row-major b × size,
 * already including any shared term), by a two-pass algorithm: ḡ first, then the
 * centred quantities from g_i − ḡ (with the correction term of the corrected
 * two-pass algorithm on the per-coordinate sums). `parts` (default everything) skips
 * the dots or the per-coordinate sums nobody reads (needs.ts).
 */
export function summariseExplicitBlock(
  name: string,
  shape: readonly number[],
  offset: number,
  G: ArrayLike<number>,
  b: number,
  size: number,
  method: BlockMethod,
  parts: SummaryParts = ALL_PARTS,
  coordOut?: CoordOut,
): BlockSummary {
  const mean = explicitMean(G, b, size);
  // pass 2: centred quantities
  const pass = centredPass(mean, b, parts, coordOut);
  pass.addAll(G);
  return pass.finish(name, shape, offset, method);
}

/**
 * Pass 1 of {@link summariseExplicitBlock}: ḡ of the rows of G [b, size], with
 * compensated (Neumaier) sums per coordinate. The mean-only gradient pass uses it alone,
 * so its ḡ is the same bits as the statistics pass's.
 */
export function explicitMean(G: ArrayLike<number>, b: number, size: number, out: Float64Array = new Float64Array(size)): Float64Array {
  const mean = out;
  mean.fill(0);
  const comp = new Float64Array(size);
  // Neumaier's correction, the exact error of s + x, by TwoSum (branch-free, the same bits
  // as the |s| ≥ |x| branch of Fast2Sum), two rows per sweep, row i's term before row i + 1's
  // (NOTE (speed): 2.75 → 1.6 ms at [4096, 256], the same bits)
  let i = 0;
  for (; i + 1 < b; i += 2) {
    const o = i * size;
    const o2 = o + size;
    for (let j = 0; j < size; j++) {
      const x = G[o + j]!;
      const s = mean[j]!;
      const t = s + x;
      const bp = t - s;
      const y = G[o2 + j]!;
      const u = t + y;
      const bq = u - t;
      comp[j] = comp[j]! + (s - (t - bp) + (x - bp)) + (t - (u - bq) + (y - bq));
      mean[j] = u;
    }
  }
  for (; i < b; i++) {
    const o = i * size;
    for (let j = 0; j < size; j++) {
      const x = G[o + j]!;
      const s = mean[j]!;
      const t = s + x;
      const bp = t - s;
      comp[j] = comp[j]! + (s - (t - bp) + (x - bp));
      mean[j] = t;
    }
  }
  for (let j = 0; j < size; j++) mean[j] = (mean[j]! + comp[j]!) / b;
  return mean;
}

/** The outputs of centredPass's row loops. */
interface RowOut {
  readonly sqNorms: Float64Array;
  readonly dots: Float64Array;
  readonly devSqNorms: Float64Array;
  readonly devDots: Float64Array;
  readonly coordSumSq: Float64Array;
  readonly coordSumSqDev: Float64Array;
  readonly resid: Float64Array;
}

/** Row i of G (at o): ||g_i||², ⟨g_i, ḡ⟩, their centred forms, and its terms of the per-coordinate sums. */
function fullRow(G: ArrayLike<number>, o: number, mean: Float64Array, size: number, out: RowOut, i: number): void {
  const { coordSumSq, coordSumSqDev, resid } = out;
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
  out.sqNorms[i] = sq;
  out.dots[i] = dot;
  out.devSqNorms[i] = dsq;
  out.devDots[i] = ddot;
}

/**
 * fullRow on rows i and i + 1 (at o and o + size) in one sweep: each per-coordinate sum
 * adds row i's term and then row i + 1's, and each row has its own scalar sums, so every
 * output is the same operations in the same order as two fullRow calls (NOTE (speed): one
 * load and store of each per-coordinate sum per two rows).
 */
function fullRowPair(G: ArrayLike<number>, o: number, mean: Float64Array, size: number, out: RowOut, i: number): void {
  const { coordSumSq, coordSumSqDev, resid } = out;
  const o2 = o + size;
  let sq = 0;
  let dot = 0;
  let dsq = 0;
  let ddot = 0;
  let sq2 = 0;
  let dot2 = 0;
  let dsq2 = 0;
  let ddot2 = 0;
  for (let j = 0; j < size; j++) {
    const m = mean[j]!;
    const g = G[o + j]!;
    const dv = g - m;
    const h = G[o2 + j]!;
    const dw = h - m;
    sq += g * g;
    dot += g * m;
    dsq += dv * dv;
    ddot += dv * m;
    sq2 += h * h;
    dot2 += h * m;
    dsq2 += dw * dw;
    ddot2 += dw * m;
    coordSumSq[j] = coordSumSq[j]! + g * g + h * h;
    coordSumSqDev[j] = coordSumSqDev[j]! + dv * dv + dw * dw;
    resid[j] = resid[j]! + dv + dw;
  }
  out.sqNorms[i] = sq;
  out.dots[i] = dot;
  out.devSqNorms[i] = dsq;
  out.devDots[i] = ddot;
  out.sqNorms[i + 1] = sq2;
  out.dots[i + 1] = dot2;
  out.devSqNorms[i + 1] = dsq2;
  out.devDots[i + 1] = ddot2;
}

/** fullRow forming only ||g_i||², ||g_i − ḡ||² and the parts asked for (the same operations in the same order). */
function partRow(G: ArrayLike<number>, o: number, mean: Float64Array, size: number, out: RowOut, i: number, wantDots: boolean, wantCoord: boolean): void {
  const { coordSumSq, coordSumSqDev, resid } = out;
  let sq = 0;
  let dot = 0;
  let dsq = 0;
  let ddot = 0;
  for (let j = 0; j < size; j++) {
    const g = G[o + j]!;
    const m = mean[j]!;
    const dv = g - m;
    sq += g * g;
    dsq += dv * dv;
    if (wantDots) {
      dot += g * m;
      ddot += dv * m;
    }
    if (wantCoord) {
      coordSumSq[j] = coordSumSq[j]! + g * g;
      coordSumSqDev[j] = coordSumSqDev[j]! + dv * dv;
      resid[j] = resid[j]! + dv;
    }
  }
  out.sqNorms[i] = sq;
  out.devSqNorms[i] = dsq;
  if (wantDots) {
    out.dots[i] = dot;
    out.devDots[i] = ddot;
  }
}

/** S_norm alone (the norm test): ||g_i||² and ||g_i − ḡ||² in a loop of their own. */
function normRow(G: ArrayLike<number>, o: number, mean: Float64Array, size: number, sqNorms: Float64Array, devSqNorms: Float64Array, i: number): void {
  let sq = 0;
  let dsq = 0;
  for (let j = 0; j < size; j++) {
    const g = G[o + j]!;
    const dv = g - mean[j]!;
    sq += g * g;
    dsq += dv * dv;
  }
  sqNorms[i] = sq;
  devSqNorms[i] = dsq;
}

/**
 * Pass 2 of the two-pass block statistics, one per-sample gradient at a time (so a caller
 * that forms G_i one sample at a time, as the conv path does, needs O(d) memory): ||g_i||²,
 * ⟨g_i, ḡ⟩, their centred forms and the per-coordinate sums, with the corrected two-pass
 * residue removed at the end. With `parts` short of everything (needs.ts) only ||g_i||²,
 * ||g_i − ḡ||² and the parts asked for are formed, each by the same operations in the
 * same order as in the full pass (so they are the same bits). `coordOut` (zeroed views) receives
 * the per-coordinate sums instead of fresh arrays.
 */
export function centredPass(mean: Float64Array, b: number, parts: SummaryParts = ALL_PARTS, coordOut?: CoordOut): {
  add(i: number, G: ArrayLike<number>, o: number): void;
  /** add(i, G, i·size) for every row i of G [b, size], the same bits. */
  addAll(G: ArrayLike<number>): void;
  finish(name: string, shape: readonly number[], offset: number, method: BlockMethod): BlockSummary;
} {
  const size = mean.length;
  const full = isFull(parts);
  const wantDots = parts.dots;
  const wantCoord = parts.coord;
  const sqNorms = new Float64Array(b);
  const dots = new Float64Array(wantDots ? b : 0);
  const devSqNorms = new Float64Array(b);
  const devDots = new Float64Array(wantDots ? b : 0);
  const coordSumSq = wantCoord ? coordOut?.sq ?? new Float64Array(size) : new Float64Array(0);
  const coordSumSqDev = wantCoord ? coordOut?.dev ?? new Float64Array(size) : new Float64Array(0);
  const resid = new Float64Array(wantCoord ? size : 0); // Σ_i (g_ij − ḡ_j), zero but for rounding
  // the row loops are top-level functions with every array passed in (NOTE (speed): as
  // closures over these arrays they ran at half the speed, 5.4 against 2.9 ms for a
  // [4096, 256] block, the same bits)
  const out: RowOut = { sqNorms, dots, devSqNorms, devDots, coordSumSq, coordSumSqDev, resid };
  const add = !wantDots && !wantCoord
    ? (i: number, G: ArrayLike<number>, o: number) => normRow(G, o, mean, size, sqNorms, devSqNorms, i)
    : full
      ? (i: number, G: ArrayLike<number>, o: number) => fullRow(G, o, mean, size, out, i)
      : (i: number, G: ArrayLike<number>, o: number) => partRow(G, o, mean, size, out, i, wantDots, wantCoord);
  return {
    add,
    addAll(G) {
      let i = 0;
      if (full) for (; i + 1 < b; i += 2) fullRowPair(G, i * size, mean, size, out, i);
      for (; i < b; i++) add(i, G, i * size);
    },
    finish(name, shape, offset, method) {
      // the corrected two-pass algorithm: remove the rounding residue of the mean
      if (wantCoord) for (let j = 0; j < size; j++) coordSumSqDev[j] = Math.max(0, coordSumSqDev[j]! - (resid[j]! * resid[j]!) / b);
      return {
        name, shape, offset, size, method, meanGrad: mean, sqNorms, dots, coordSumSq, devSqNorms, devDots, coordSumSqDev,
        ...(full ? {} : { parts }),
      };
    },
  };
}
