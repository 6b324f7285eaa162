/**
 * Where the test statistics are computed: on the whole batch (our default), or,
 * as the official AdAdaGrad code does with M devices (`tests.py`, the
 * `_distributed` functions; also its gradient-accumulation micro-batches), on
 * each device's micro-batch of b_m samples and then pooled across devices by
 * the law of total variance with equal weights.
 *
 * Official pooled form, per parameter block p (ḡ^p = mean_m ḡ_m^p is the
 * all-reduced mean, G = Σ_p ||ḡ^p||²):
 *   S_norm^off = Σ_p Σ_j [ mean_m Var_m(g_j) + mean_m ḡ_{m,j}² − ḡ_j² ]
 *   S_ip^off   = Σ_p [ mean_m Var_m(c) + mean_m c̄_m² − (mean_m c̄_m)² ],  c_i = ⟨g_i^p, ḡ^p⟩
 *   S_orth^off = Σ_p | mean_m Σ_j Var_m(o_j) + Σ_j mean_m ō_{m,j}² − (Σ_j mean_m ō_{m,j})² |,
 *                o_i = g_i^p − (c_i/||ḡ^p||²) ḡ^p
 * with Var_m the unbiased (divisor b_m − 1) variance over device m's samples.
 *
 * Differences from the unbiased pooled estimator (what `statistics` gives on the
 * whole batch of M·b_m samples, our default):
 * - the between-device term gets weight 1/M instead of b_m/(M b_m − 1), so the
 *   pooled variance is biased upward by about 1 + (M − 1)/(M b_m) (+37.5% at
 *   M = 4, b_m = 2); with M = 1 the two agree.
 * - the official orthogonality squares the sum over coordinates of the pooled
 *   mean, (Σ_j ō_j)², where the law of total variance sums squares, Σ_j ō_j².
 *   With equal micro-batches the pooled mean of o is 0 in exact arithmetic, so
 *   this changes only rounding; it is kept for fidelity.
 * - its ip and orth are block-wise (one block per tensor); pass a single block
 *   for the global forms.
 */
import { statsFromPerSampleGrads, type BlockRange } from '../explicit.js';
import { statistics, type BatchStatistics } from '../summary.js';

/** What device m reports for block p (computed after the all-reduce of the mean). */
export interface OfficialDeviceBlockStats {
  /** ḡ_m^p */
  readonly mean: Float64Array;
  /** Var_m(g_j), per coordinate (divisor b_m − 1) */
  readonly coordVar: Float64Array;
  /** mean and variance of c_i = ⟨g_i^p, ḡ^p⟩ over the device's samples */
  readonly ipMean: number;
  readonly ipVar: number;
  /** ō_m^p (per coordinate) and Σ_j Var_m(o_j) */
  readonly orthMean: Float64Array;
  readonly orthVar: number;
}

export interface OfficialDeviceStats {
  readonly b: number;
  readonly blocks: readonly OfficialDeviceBlockStats[];
}

function checkBlocks(where: string, blocks: readonly BlockRange[], d: number): void {
  let at = 0;
  for (const [s, e] of blocks) {
    if (s !== at || !(e > s)) throw new Error(`${where}: blocks must tile [0, ${d}) in order`);
    at = e;
  }
  if (at !== d) throw new Error(`${where}: blocks cover [0, ${at}) but d = ${d}`);
}

/**
 * Device m's statistics from its b_m × d per-sample gradients (row-major) and the
 * all-reduced mean ḡ (length d), per block.
 */
export function officialDeviceStats(
  rows: ArrayLike<number>,
  b: number,
  globalMean: Float64Array,
  blocks: readonly BlockRange[],
): OfficialDeviceStats {
  const d = globalMean.length;
  if (!(Number.isInteger(b) && b >= 2)) throw new Error(`officialDeviceStats: a device needs a micro-batch of b ≥ 2, got ${b}`);
  if (rows.length !== b * d) throw new Error(`officialDeviceStats: expected b·d = ${b * d} values, got ${rows.length}`);
  checkBlocks('officialDeviceStats', blocks, d);
  const out: OfficialDeviceBlockStats[] = [];
  for (const [s, e] of blocks) {
    const size = e - s;
    const gbar = globalMean.subarray(s, e);
    let h = 0;
    for (const v of gbar) h += v * v;
    const mean = new Float64Array(size);
    for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) mean[j] = mean[j]! + rows[i * d + s + j]! / b;
    const coordVar = new Float64Array(size);
    const c = new Float64Array(b);
    for (let i = 0; i < b; i++) {
      let dot = 0;
      for (let j = 0; j < size; j++) {
        const g = rows[i * d + s + j]!;
        const dv = g - mean[j]!;
        coordVar[j] = coordVar[j]! + (dv * dv) / (b - 1);
        dot += g * gbar[j]!;
      }
      c[i] = dot;
    }
    const ipMean = c.reduce((p, v) => p + v, 0) / b;
    const ipVar = c.reduce((p, v) => p + (v - ipMean) * (v - ipMean), 0) / (b - 1);
    // o_i = g_i − (c_i/h) ḡ; its mean and per-coordinate variance
    const scale = (i: number): number => (h > 0 ? c[i]! / h : 0);
    const orthMean = new Float64Array(size);
    for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) orthMean[j] = orthMean[j]! + (rows[i * d + s + j]! - scale(i) * gbar[j]!) / b;
    let orthVar = 0;
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < size; j++) {
        const dv = rows[i * d + s + j]! - scale(i) * gbar[j]! - orthMean[j]!;
        orthVar += (dv * dv) / (b - 1);
      }
    }
    out.push({ mean, coordVar, ipMean, ipVar, orthMean, orthVar });
  }
  return { b, blocks: out };
}

/** The official pooled statistics, block-wise, from every device's report. */
export interface OfficialPooled {
  /** M · b_m */
  readonly b: number;
  readonly devices: number;
  /** ḡ (the mean of the device means) */
  readonly meanGrad: Float64Array;
  /** G = Σ_p ||ḡ^p||² */
  readonly gradNormSq: number;
  readonly S_norm: number;
  /** the pooled per-coordinate variance */
  readonly S_j: Float64Array;
  /** Σ_p of the pooled ip variances (block-wise) */
  readonly S_ip: number;
  /** Σ_p of the pooled orthogonality variances (block-wise, with the official (Σ_j ō_j)²) */
  readonly S_orth: number;
}

/** Pool device reports by the official law-of-total-variance form (equal weights 1/M). */
export function officialPool(devices: readonly OfficialDeviceStats[]): OfficialPooled {
  const M = devices.length;
  if (M === 0) throw new Error('officialPool: no devices');
  const bm = devices[0]!.b;
  if (devices.some((dv) => dv.b !== bm)) throw new Error('officialPool: every device must hold the same micro-batch size');
  const P = devices[0]!.blocks.length;
  const means: number[] = [];
  const Sj: number[] = [];
  let G = 0;
  let Snorm = 0;
  let Sip = 0;
  let Sorth = 0;
  for (let p = 0; p < P; p++) {
    const size = devices[0]!.blocks[p]!.mean.length;
    let orthVarMean = 0;
    let orthMeanSqMean = 0;
    const orthMeanMean = new Float64Array(size);
    let ipVarMean = 0;
    let ipMeanSqMean = 0;
    let ipMeanMean = 0;
    for (const dv of devices) {
      const blk = dv.blocks[p]!;
      ipVarMean += blk.ipVar / M;
      ipMeanSqMean += (blk.ipMean * blk.ipMean) / M;
      ipMeanMean += blk.ipMean / M;
      orthVarMean += blk.orthVar / M;
      for (let j = 0; j < size; j++) {
        orthMeanSqMean += (blk.orthMean[j]! * blk.orthMean[j]!) / M;
        orthMeanMean[j] = orthMeanMean[j]! + blk.orthMean[j]! / M;
      }
    }
    for (let j = 0; j < size; j++) {
      let mean = 0;
      let varMean = 0;
      let sqMean = 0;
      for (const dv of devices) {
        const blk = dv.blocks[p]!;
        mean += blk.mean[j]! / M;
        varMean += blk.coordVar[j]! / M;
        sqMean += (blk.mean[j]! * blk.mean[j]!) / M;
      }
      means.push(mean);
      G += mean * mean;
      const v = varMean + sqMean - mean * mean;
      Sj.push(v);
      Snorm += Math.abs(v);
    }
    Sip += ipVarMean + ipMeanSqMean - ipMeanMean * ipMeanMean;
    const sumOrthMean = orthMeanMean.reduce((q, v) => q + v, 0);
    Sorth += Math.abs(orthVarMean + orthMeanSqMean - sumOrthMean * sumOrthMean);
  }
  return { b: M * bm, devices: M, meanGrad: Float64Array.from(means), gradNormSq: G, S_norm: Snorm, S_j: Float64Array.from(Sj), S_ip: Sip, S_orth: Sorth };
}

export interface PooledStatisticsOptions {
  /** Number of devices M; the batch is split into M consecutive micro-batches of b/M rows. */
  readonly devices: number;
  /** 'unbiased' (default): the statistics of the whole batch; 'official': the official pooled form. */
  readonly form?: 'unbiased' | 'official';
}

/**
 * The statistics a test reads, from an explicit b × d matrix of per-sample
 * gradients split over M devices. With form 'official' the block-wise and the
 * global ip/orth fields both carry the official pooled block-wise values for the
 * given blocks and S_ip/S_orth the official values with one block (so every
 * test — norm, ip, orth, aug-ip, block-* — runs on the official form); with
 * 'unbiased' it is `statistics` of the whole batch (the device split does not
 * change it).
 */
export function pooledStatistics(
  G: { readonly data: ArrayLike<number>; readonly b: number; readonly d: number },
  blocks: readonly BlockRange[] | undefined,
  opts: PooledStatisticsOptions,
): BatchStatistics {
  const { data, b, d } = G;
  const M = opts.devices;
  const ranges = blocks ?? [[0, d] as const];
  if (!(Number.isInteger(M) && M >= 1)) throw new Error(`pooledStatistics: devices must be an integer ≥ 1, got ${String(M)}`);
  if (b % M !== 0) throw new Error(`pooledStatistics: the batch (${b}) must split evenly over ${M} devices`);
  const form = opts.form ?? 'unbiased';
  if (form === 'unbiased') return statistics(statsFromPerSampleGrads({ data, b, d }, ranges));
  if (form !== 'official') throw new Error(`pooledStatistics: form must be 'unbiased' or 'official', got ${String(form)}`);
  const bm = b / M;
  const mean = new Float64Array(d);
  for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + data[i * d + j]! / b;
  const slice = (m: number): ArrayLike<number> => Array.prototype.slice.call(data, m * bm * d, (m + 1) * bm * d) as number[];
  const per = (rs: readonly BlockRange[]): OfficialPooled =>
    officialPool(Array.from({ length: M }, (_, m) => officialDeviceStats(slice(m), bm, mean, rs)));
  const blk = per(ranges);
  const whole = ranges.length === 1 ? blk : per([[0, d]]);
  return {
    b,
    meanGrad: blk.meanGrad,
    gradNormSq: blk.gradNormSq,
    S_norm: blk.S_norm,
    S_ip: whole.S_ip,
    S_orth: whole.S_orth,
    S_j: blk.S_j,
    B_simple: blk.gradNormSq > 0 ? blk.S_norm / blk.gradNormSq : Infinity,
    blockwise: { S_ip: blk.S_ip, S_orth: blk.S_orth },
  };
}
