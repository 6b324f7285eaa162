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
import { compensatedSum, compensatedSumSq, statistics, type BatchStatistics, type GradSummary } from '../summary.js';

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


/** One pooling unit: device `device`'s micro-batch, the batch rows [start, end). */
export interface PoolUnit {
  readonly device: number;
  readonly start: number;
  readonly end: number;
}

/** How a batch is split for the official pooled form. */
export interface PoolingSplit {
  /** Number of devices M (integer ≥ 1). */
  readonly devices: number;
  /**
   * Largest micro-batch on a device (the official `max_test_micro_batch_size`, gradient
   * accumulation beyond it); integer ≥ 3, default: no limit (one micro-batch per device).
   */
  readonly microBatch?: number;
}

/** Check a split's fields; the messages name them (`where.devices`, `where.microBatch`). */
export function checkPoolingSplit(where: string, s: PoolingSplit): void {
  const M = s.devices;
  if (!(Number.isInteger(M) && M >= 1)) throw new Error(`${where}.devices must be an integer ≥ 1, got ${String(M)}`);
  const m = s.microBatch;
  if (m !== undefined && !(m === Infinity || (Number.isInteger(m) && m >= 3))) {
    throw new Error(`${where}.microBatch must be an integer ≥ 3 (a micro-batch needs 2 samples for its variance, and an odd share cannot be cut into pairs), got ${String(m)}`);
  }
}

/** Sizes of n items cut into k consecutive parts as equal as possible (the first n mod k one larger). */
function evenParts(n: number, k: number): number[] {
  const q = Math.floor(n / k);
  const r = n % k;
  return Array.from({ length: k }, (_, i) => q + (i < r ? 1 : 0));
}

/**
 * The units of a batch of b rows: M consecutive device shares of ⌊b/M⌋ or ⌈b/M⌉ rows
 * (the first b mod M devices one more), each cut into A = ⌈share/m⌉ consecutive
 * micro-batches as equal as possible (so every unit has 2 … m rows). The official
 * loop makes the global batch micro·M·A, so its units are all equal; a multiple of
 * M·A here (e.g. the controller's `workers` = M) gives the same split. Needs b ≥ 2M.
 *
 * @example
 * officialPartition(10, 2, 3).map((u) => u.end - u.start); // [3, 2, 3, 2]
 */
export function officialPartition(b: number, devices: number, microBatch = Infinity): PoolUnit[] {
  checkPoolingSplit('officialPartition', { devices, microBatch });
  if (!(Number.isInteger(b) && b >= 2 * devices)) {
    throw new Error(`officialPartition: a batch of ${String(b)} cannot give each of ${devices} devices the 2 samples a variance needs (b ≥ ${2 * devices})`);
  }
  const units: PoolUnit[] = [];
  let at = 0;
  evenParts(b, devices).forEach((share, device) => {
    for (const size of evenParts(share, Math.max(1, Math.ceil(share / microBatch)))) {
      units.push({ device, start: at, end: at + size });
      at += size;
    }
  });
  return units;
}

/**
 * The official pooled statistics of a batch from the engine's summaries: `whole`, the
 * summary of the whole batch (its ḡ and the per-sample ⟨g_i − ḡ, ḡ⟩, globally and per
 * block), and one summary per unit (each about its own mean ḡ_u). Unit u of n_u rows
 * has weight w_u = n_u / b, which is the official 1/(M·A) (mean over a device's A
 * accumulation steps, then over its M devices) when the units are equal, as they are
 * in the official loop; ḡ = Σ_u w_u ḡ_u is then the batch mean. Per block β (each
 * parameter block, and all of x as one block for the global S_ip, S_orth), with
 * h = ||ḡ^β||², e_i = ⟨g_i^β − ḡ^β, ḡ^β⟩ (= c_i − h) and ē_u its unit mean:
 *   S_j       = Σ_u w_u S_{u,j} + Σ_u w_u (ḡ_{u,j} − ḡ_j)²,   S_norm = Σ_j |S_j|
 *   S_ip^β    = Σ_u w_u Var_u(e) + Σ_u w_u ē_u² − (Σ_u w_u ē_u)²
 *   S_orth^β  = | Σ_u w_u Var_u(o) + Σ_u w_u ||ō_u||² − (Σ_j Σ_u w_u ō_{u,j})² |,
 *               ō_u = (ḡ_u − ḡ) − (ē_u/h) ḡ,  (n_u − 1) Var_u(o) = Σ_{i∈u} ||g_i − ḡ_u||² − Σ_{i∈u} (e_i − ē_u)²/h
 * The between-unit terms are written about ḡ (equal to the official mean of squares
 * minus squared mean in exact arithmetic, without its cancellation); the last term of
 * S_orth is the official square of a sum (reproduced; the law of total variance has
 * Σ_j (Σ_u w_u ō_{u,j})², and both are zero but for rounding since Σ_u w_u ō_u = 0).
 * A block with ḡ^β = 0 has no direction to remove (o_i = g_i, as `statistics`); the
 * global S_orth is then NaN. With a single unit this is `statistics(whole)`: the
 * official single-device test without accumulation.
 */
export function poolSummaries(whole: GradSummary, units: readonly PoolUnit[], unitSummaries: readonly GradSummary[]): BatchStatistics {
  const b = whole.b;
  const d = whole.d;
  if (units.length !== unitSummaries.length) throw new Error(`poolSummaries: ${units.length} units but ${unitSummaries.length} summaries`);
  let at = 0;
  units.forEach((u, t) => {
    const n = u.end - u.start;
    if (u.start !== at || n < 2) throw new Error(`poolSummaries: units must tile [0, ${b}) in order with ≥ 2 rows each (unit ${t} is [${u.start}, ${u.end}))`);
    const s = unitSummaries[t]!;
    if (s.b !== n || s.d !== d || s.blocks.length !== whole.blocks.length) throw new Error(`poolSummaries: the summary of unit ${t} has b = ${s.b}, d = ${s.d}; expected ${n}, ${d}`);
    at = u.end;
  });
  if (at !== b) throw new Error(`poolSummaries: units cover [0, ${at}) of a batch of ${b}`);
  if (units.length === 1) return statistics(whole);
  const gbar = whole.meanGrad;
  const w = units.map((u) => (u.end - u.start) / b);
  // norm: per coordinate
  const S_j = new Float64Array(d);
  for (let t = 0; t < units.length; t++) {
    const s = unitSummaries[t]!;
    const n = s.b;
    for (let j = 0; j < d; j++) {
      const dm = s.meanGrad[j]! - gbar[j]!;
      S_j[j] = S_j[j]! + w[t]! * (s.coordSumSqDev[j]! / (n - 1) + dm * dm);
    }
  }
  let S_norm = 0;
  for (let j = 0; j < d; j++) S_norm += Math.abs(S_j[j]!);
  // ip and orth of one block β = [off, off + size)
  const block = (off: number, size: number, e: Float64Array, devSq: (t: number) => number): { ip: number; orth: number; h: number } => {
    const g = gbar.subarray(off, off + size);
    const h = compensatedSumSq(g);
    let ipWithin = 0;
    let ipSq = 0;
    let ipMean = 0;
    let orthWithin = 0;
    let orthSq = 0;
    const oMean = new Float64Array(size);
    for (let t = 0; t < units.length; t++) {
      const u = units[t]!;
      const s = unitSummaries[t]!;
      const n = u.end - u.start;
      let eb = 0;
      for (let i = u.start; i < u.end; i++) eb += e[i]!;
      eb /= n;
      let ss = 0;
      for (let i = u.start; i < u.end; i++) ss += (e[i]! - eb) * (e[i]! - eb);
      ipWithin += (w[t]! * ss) / (n - 1);
      ipSq += w[t]! * eb * eb;
      ipMean += w[t]! * eb;
      orthWithin += (w[t]! * Math.max(0, devSq(t) - (h > 0 ? ss / h : 0))) / (n - 1);
      const r = h > 0 ? eb / h : 0;
      let on = 0;
      for (let j = 0; j < size; j++) {
        const o = s.meanGrad[off + j]! - g[j]! - r * g[j]!;
        on += o * o;
        oMean[j] = oMean[j]! + w[t]! * o;
      }
      orthSq += w[t]! * on;
    }
    let sumO = 0;
    for (let j = 0; j < size; j++) sumO += oMean[j]!;
    return { ip: ipWithin + ipSq - ipMean * ipMean, orth: Math.abs(orthWithin + orthSq - sumO * sumO), h };
  };
  let ipBlk = 0;
  let orthBlk = 0;
  whole.blocks.forEach((blk, p) => {
    const r = block(blk.offset, blk.size, blk.devDots, (t) => compensatedSum(unitSummaries[t]!.blocks[p]!.devSqNorms));
    ipBlk += r.ip;
    orthBlk += r.orth;
  });
  const one = whole.blocks.length === 1 ? null : block(0, d, whole.devDots, (t) => unitSummaries[t]!.sumSqDev);
  const gns = compensatedSumSq(gbar);
  return {
    b,
    meanGrad: gbar,
    gradNormSq: gns,
    S_norm,
    S_ip: one === null ? ipBlk : one.ip,
    S_orth: gns > 0 ? (one === null ? orthBlk : one.orth) : NaN,
    S_j,
    B_simple: gns > 0 ? S_norm / gns : Infinity,
    blockwise: { S_ip: ipBlk, S_orth: orthBlk },
  };
}

export interface PooledStatisticsOptions extends PoolingSplit {
  /** 'unbiased' (default): the statistics of the whole batch; 'official': the official pooled form. */
  readonly form?: 'unbiased' | 'official';
}

/**
 * The statistics a test reads, from an explicit b × d matrix of per-sample
 * gradients split over M devices (and micro-batches of at most `microBatch` rows;
 * see {@link officialPartition}). With form 'official' the block-wise fields carry
 * the official pooled block-wise values for the given blocks and S_ip/S_orth the
 * official values with one block (so every test — norm, ip, orth, aug-ip, block-* —
 * runs on the official form; {@link poolSummaries}); with 'unbiased' it is
 * `statistics` of the whole batch (the unbiased pooled estimator: the device split
 * does not change it).
 */
export function pooledStatistics(
  G: { readonly data: ArrayLike<number>; readonly b: number; readonly d: number },
  blocks: readonly BlockRange[] | undefined,
  opts: PooledStatisticsOptions,
): BatchStatistics {
  const { data, b, d } = G;
  const ranges = blocks ?? [[0, d] as const];
  checkPoolingSplit('pooledStatistics', opts);
  const form = opts.form ?? 'unbiased';
  if (form !== 'official' && form !== 'unbiased') throw new Error(`pooledStatistics: form must be 'unbiased' or 'official', got ${String(form)}`);
  const whole = statsFromPerSampleGrads({ data, b, d }, ranges);
  if (form === 'unbiased') return statistics(whole);
  const units = officialPartition(b, opts.devices, opts.microBatch);
  const rows = (u: PoolUnit): ArrayLike<number> =>
    data instanceof Float64Array ? data.subarray(u.start * d, u.end * d) : (Array.prototype.slice.call(data, u.start * d, u.end * d) as number[]);
  return poolSummaries(whole, units, units.map((u) => statsFromPerSampleGrads({ data: rows(u), b: u.end - u.start, d }, ranges)));
}
