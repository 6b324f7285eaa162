/**
 * checkRate: does min_{k<K} ||∇F(x_k)||² of a variant decay at least like 1/K (docs/MATH.md §7)?
 *
 * ## What it does
 * For a variant (an optimizer + batch-size controller pair run by `run`, or any
 * function returning the series ||∇F(x_k)||²), a problem, a geometric grid
 * K₁ < … < K_m and R seeds:
 *
 * 1. One run per seed r of length K_m (key `runKey(key, r)`); the prefix minima
 *    m_r(K) = min_{k<K} ||∇F(x_k)||² are read off at every K of the grid.
 * 2. Q(K) = the q-quantile of m_r(K) over the R seeds (type-7 interpolation).
 *    Q is non-increasing in K.
 * 3. Floor: Q(K) ≤ floor counts as "reached" (float64 resolution; default
 *    floor = 1e-20 · median_r ||∇F(x_0)||²). Only the grid points above the floor
 *    ("informative") enter the fit: a variant that reaches the floor decays
 *    faster than any power of K there, which the claim allows.
 * 4. slope = least-squares slope of log Q(K) on log K over the informative points;
 *    growth = max_{i<j} (K_j Q(K_j))/(K_i Q(K_i)), the largest rise of K·Q along the grid.
 * 5. Uncertainty: a bootstrap over seeds (B resamples of the R runs, with a key
 *    split from `key`; the same resample at every K, so the correlation along a
 *    run is kept) gives percentile intervals for slope and growth.
 * 6. Decision — reject when any of:
 *    - a run stopped early (diverged or threw): the claim covers every K;
 *    - slope: the estimate is above −1 + tol AND the bootstrap interval excludes
 *      the claimed −1 (its lower end, the α-quantile, > −1);
 *    - growth: the estimate is above growthFactor AND the interval excludes 1
 *      (its lower end > 1: K·Q(K) confidently rises);
 *    - bound (when given): a run (boundOn 'every-run', for pathwise bounds such as
 *      docs/MATH.md §8 L7) or the quantile (boundOn 'quantile', for high-probability bounds)
 *      exceeds bound(K) at some K of the grid (relative slack 1e-9 for rounding).
 *    Otherwise accept. So the null hypothesis is the claim itself (slope ≤ −1,
 *    K·Q non-increasing): the interval parts keep the false-fail rate ≤ 2α
 *    (nominal, by the bootstrap), and tol and growthFactor are the margins of
 *    practical relevance that a rejected variant must also exceed (an
 *    equivalence-test layout). The figures measured by `npm run rates:calibrate`
 *    are the ones to quote.
 *
 * ## How the thresholds were chosen
 * - tol = 0.25: a rejected variant must decay slower than K^(−0.75), the
 *   midpoint between the claimed −1 and −1/2, the rate of the nearest rejected
 *   alternative (AdaGrad-Norm with a constant batch where the noise does not
 *   vanish, docs/MATH.md §7). Between −1 and −0.75 the check may go either way.
 * - growthFactor defaults to (K_m/K₁)^tol, the rise of K·Q for a decay exactly at
 *   the threshold slope (2.38 on 32…1024), so both criteria put the margin at
 *   the same rate; a late plateau (SGD with a constant step) shows up in growth
 *   even where the least-squares slope still looks steep.
 * - q = 0.9: the claims hold with high probability, so a high quantile is
 *   tested; R must be ≥ 1/(1 − q) so that the quantile is not beyond the
 *   largest run (TFP's "the sample count suffices" check).
 * - α = 0.01 per criterion and B = 1000 resamples (the 1% percentile then rests
 *   on 10 resamples).
 * - The interval must exclude the claimed rate (−1; growth 1) rather than the
 *   margin: an earlier layout that rejected only when the whole interval lay
 *   above −1 + tol also never rejected a 1/K variant, but caught a decay of
 *   observed slope −0.67 in 63% of cases instead of 98% (R = 10–12).
 * - Floor: 1e-20 × ||∇F(x₀)||² is far below any grid's 1/K (≥ 1e-4 relative)
 *   and far above float64's rounding of a gradient (≈ 1e-32 relative).
 * Measured false-fail rate and power: `npm run rates:calibrate` (README).
 *
 * @example
 * const res = checkRate({
 *   variant: { optimizer: () => adagradNorm(0.5, 0.1), controller: () => oracle(normTest(0.5), { b0: 2, bMax: 4096 }) },
 *   problem: getProblem('lsq-interp_d4_n32_i0_k10'), Ks: geometricGrid(32, 512), seeds: 10, key: key(1),
 * });
 * res.decision; // 'accept'
 */
import type { Controller } from '../batching/controllers.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { foldIn, integers, keyData, split, type Key } from '../rng/index.js';
import { run } from '../run/run.js';
import { geometricGrid, olsSlope, quantile } from './stats.js';

/** A variant given as an optimizer and a controller, run by the library's `run`. */
export interface PairVariant {
  readonly name?: string;
  /** A fresh optimizer (called once per run). */
  readonly optimizer: () => GradientTransformation<any>;
  /** A fresh controller for the problem (called once per run). */
  readonly controller: (problem: Problem) => Controller<any>;
  /** Draw batches with replacement (default true). */
  readonly replace?: boolean;
}

/** What a function variant may return instead of a bare series. */
export interface VariantSeries {
  /** ||∇F(x_k)||² for k = 0 … K − 1 (NaN where not evaluated). Shorter than K means the run stopped. */
  readonly gradFNormSq: Float64Array;
  /** The starting point, for bounds that depend on F(x₀). */
  readonly x0?: Float64Array;
  readonly status?: 'completed' | 'diverged' | 'error';
  readonly message?: string;
}

/** A function variant: K steps on `problem` with randomness from `key`, returning ||∇F(x_k)||², k < K. */
export type SeriesVariant = (problem: Problem, K: number, key: Key) => Float64Array | VariantSeries;

export type RateVariant = PairVariant | SeriesVariant;

/** What a bound sees about one run. */
export interface BoundRun {
  /** Seed index r (0 … R − 1). */
  readonly index: number;
  /** x₀ of the run, when the variant reports it. */
  readonly x0: Float64Array | null;
}

export interface CheckRateOptions {
  readonly variant: RateVariant;
  readonly problem: Problem;
  /** The grid of K (increasing integers; default geometricGrid(32, 1024)). */
  readonly Ks?: readonly number[];
  /** Number of seeds R (default 16; must be ≥ 1/(1 − q)). */
  readonly seeds?: number;
  /** The quantile over seeds (default 0.9). */
  readonly quantile?: number;
  /** A rejected variant's slope must exceed −1 + tol (default tol 0.25). */
  readonly tol?: number;
  /** Largest allowed rise of K·Q(K) along the grid (default (K_m/K₁)^tol, the rise at slope −1 + tol). */
  readonly growthFactor?: number;
  /** An explicit bound on min_{k<K} ||∇F(x_k)||², per run. */
  readonly bound?: (K: number, run: BoundRun) => number;
  /** Check the bound on every run (pathwise bounds, the default) or on the quantile (high-probability bounds). */
  readonly boundOn?: 'every-run' | 'quantile';
  /** Absolute floor; overrides floorRel. */
  readonly floor?: number;
  /** Floor relative to the median of ||∇F(x₀)||² over seeds (default 1e-20). */
  readonly floorRel?: number;
  /** One-sided level of each interval criterion (default 0.01). */
  readonly alpha?: number;
  /** Bootstrap resamples (default 1000). */
  readonly bootstrap?: number;
  readonly key: Key;
}

export interface RateRunRecord {
  readonly index: number;
  /** Key words of the run (replay: runKey(key, index)). */
  readonly key: readonly [number, number];
  readonly status: string;
  readonly message: string;
  /** Steps actually taken. */
  readonly steps: number;
  /** m_r(K) at each K of the grid (Infinity where the run did not reach K). */
  readonly minPrefix: readonly number[];
}

export interface RateCheck {
  readonly decision: 'accept' | 'reject';
  /** Why it rejected (empty on accept). */
  readonly reasons: readonly string[];
  /** Remarks that did not decide anything (floor reached, few informative points). */
  readonly notes: readonly string[];
  readonly problem: string;
  readonly variant: string;
  readonly Ks: readonly number[];
  /** Q(K): the q-quantile over seeds of min_{k<K} ||∇F(x_k)||². */
  readonly quantiles: readonly number[];
  /** Q(K) ≤ floor. */
  readonly reached: readonly boolean[];
  readonly floor: number;
  readonly slope: number | null;
  /** Two-sided (1 − 2α) percentile interval of the slope. */
  readonly slopeCI: readonly [number, number] | null;
  readonly slopeThreshold: number;
  readonly growth: number | null;
  readonly growthCI: readonly [number, number] | null;
  readonly growthFactor: number;
  /** bound(K) per grid point (for 'every-run': the smallest over runs), when a bound was given. */
  readonly bound: readonly number[] | null;
  /** The check's stated false-fail rate for a variant that decays at least like 1/K: 2α (two interval criteria, union bound). */
  readonly falseFailRate: number;
  readonly params: {
    readonly seeds: number;
    readonly quantile: number;
    readonly tol: number;
    readonly alpha: number;
    readonly bootstrap: number;
    readonly key: readonly [number, number];
  };
  readonly runs: readonly RateRunRecord[];
}

const DEFAULTS = { seeds: 16, quantile: 0.9, tol: 0.25, alpha: 0.01, bootstrap: 1000, floorRel: 1e-20 } as const;
/** Relative slack for bound comparisons (rounding in F(x₀), L and the accumulator). */
const BOUND_SLACK = 1e-9;

/** The key of run r of a check made with `key` (for replaying one run). */
export function runKey(k: Key, r: number): Key {
  const [kRuns] = split(k, 2) as [Key, Key];
  return foldIn(kRuns, r);
}

function variantName(v: RateVariant): string {
  if (typeof v === 'function') return v.name !== '' ? v.name : 'function';
  return v.name ?? 'optimizer+controller';
}

interface Series {
  readonly g: Float64Array;
  readonly x0: Float64Array | null;
  readonly status: string;
  readonly message: string;
}

/** Run a variant for K steps with key k and return its ||∇F(x_k)||² series. */
export function variantSeries(variant: RateVariant, problem: Problem, K: number, k: Key): Series {
  if (typeof variant === 'function') {
    const out = variant(problem, K, k);
    if (out instanceof Float64Array) return { g: out, x0: null, status: out.length >= K ? 'completed' : 'stopped', message: '' };
    return {
      g: out.gradFNormSq,
      x0: out.x0 ?? null,
      status: out.status ?? (out.gradFNormSq.length >= K ? 'completed' : 'stopped'),
      message: out.message ?? '',
    };
  }
  const [kInit, kRun] = split(k, 2) as [Key, Key];
  const x0 = problem.x0(kInit);
  const res = run({
    problem,
    optimizer: variant.optimizer(),
    controller: variant.controller(problem),
    budget: { steps: K },
    key: kRun,
    x0,
    evalEvery: 1,
    replace: variant.replace ?? true,
  });
  return { g: res.trace.column('gradFNormSq'), x0, status: res.summary.status, message: res.summary.message };
}

function prefixMinAt(g: Float64Array, Ks: readonly number[]): number[] {
  const out: number[] = [];
  let m = Infinity;
  let k = 0;
  for (const K of Ks) {
    if (g.length < K) {
      out.push(Infinity);
      continue;
    }
    for (; k < K; k++) {
      const v = g[k]!;
      if (!Number.isNaN(v)) m = Math.min(m, v);
    }
    out.push(m);
  }
  return out;
}

interface Stats {
  slope: number | null;
  growth: number | null;
}

/** Slope and growth over the points of Q above the floor (Q non-increasing, so these are a prefix). */
function fitStats(Ks: readonly number[], Q: readonly number[], floor: number): Stats {
  const xs: number[] = [];
  const ys: number[] = [];
  const kq: number[] = [];
  for (let i = 0; i < Ks.length; i++) {
    if (!(Q[i]! > floor)) continue;
    xs.push(Math.log(Ks[i]!));
    ys.push(Math.log(Q[i]!));
    kq.push(Ks[i]! * Q[i]!);
  }
  if (xs.length < 2) return { slope: null, growth: null };
  let growth = 1;
  let lo = kq[0]!;
  for (let j = 1; j < kq.length; j++) {
    growth = Math.max(growth, kq[j]! / lo);
    lo = Math.min(lo, kq[j]!);
  }
  return { slope: olsSlope(xs, ys), growth };
}

function checkGrid(Ks: readonly number[]): void {
  if (Ks.length < 2) throw new Error(`checkRate: Ks needs at least 2 values, got ${Ks.length}`);
  for (let i = 0; i < Ks.length; i++) {
    const K = Ks[i]!;
    if (!Number.isInteger(K) || K < 1) throw new Error(`checkRate: Ks must be integers ≥ 1, got ${K}`);
    if (i > 0 && !(K > Ks[i - 1]!)) throw new Error(`checkRate: Ks must be increasing, got ${Ks.join(', ')}`);
  }
}

/**
 * Decide whether min_{k<K} ||∇F(x_k)||² decays at least like 1/K (see the file
 * header for the procedure and how the thresholds were chosen).
 */
export function checkRate(opts: CheckRateOptions): RateCheck {
  const Ks = [...(opts.Ks ?? geometricGrid(32, 1024))];
  checkGrid(Ks);
  const R = opts.seeds ?? DEFAULTS.seeds;
  const q = opts.quantile ?? DEFAULTS.quantile;
  const tol = opts.tol ?? DEFAULTS.tol;
  const alpha = opts.alpha ?? DEFAULTS.alpha;
  const B = opts.bootstrap ?? DEFAULTS.bootstrap;
  if (!(q > 0 && q < 1)) throw new Error(`checkRate: quantile must be in (0, 1), got ${q}`);
  if (!Number.isInteger(R) || R < Math.ceil(1 / (1 - q) - 1e-9)) {
    throw new Error(`checkRate: seeds must be an integer ≥ 1/(1 − q) = ${Math.ceil(1 / (1 - q) - 1e-9)} for q = ${q}, got ${R}`);
  }
  if (!(tol >= 0 && tol < 1)) throw new Error(`checkRate: tol must be in [0, 1), got ${tol}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new Error(`checkRate: alpha must be in (0, 0.5), got ${alpha}`);
  if (!Number.isInteger(B) || B < Math.ceil(2 / alpha)) throw new Error(`checkRate: bootstrap must be an integer ≥ 2/alpha = ${Math.ceil(2 / alpha)}, got ${B}`);
  const Kmax = Ks[Ks.length - 1]!;
  const growthFactor = opts.growthFactor ?? Math.pow(Kmax / Ks[0]!, tol);
  if (!(growthFactor >= 1)) throw new Error(`checkRate: growthFactor must be ≥ 1, got ${growthFactor}`);
  const threshold = -1 + tol;
  const [, kBoot] = split(opts.key, 2) as [Key, Key];

  // 1. one run per seed, prefix minima on the grid
  const reasons: string[] = [];
  const notes: string[] = [];
  const runs: RateRunRecord[] = [];
  const series: Series[] = [];
  for (let r = 0; r < R; r++) {
    const kr = runKey(opts.key, r);
    let s: Series;
    try {
      s = variantSeries(opts.variant, opts.problem, Kmax, kr);
    } catch (e) {
      s = { g: new Float64Array(0), x0: null, status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    series.push(s);
    const mp = prefixMinAt(s.g, Ks);
    runs.push({ index: r, key: keyData(kr), status: s.status, message: s.message, steps: s.g.length, minPrefix: mp });
    if (s.g.length < Kmax) reasons.push(`run ${r} stopped after ${s.g.length} of ${Kmax} steps (${s.status}${s.message ? `: ${s.message}` : ''})`);
  }

  // 2. quantiles and floor
  const Q = Ks.map((_, i) => quantile(runs.map((rr) => rr.minPrefix[i]!), q));
  const g0 = series.map((s) => (s.g.length > 0 && Number.isFinite(s.g[0]!) ? s.g[0]! : NaN)).filter((v) => !Number.isNaN(v));
  const floor = opts.floor ?? (g0.length > 0 ? (opts.floorRel ?? DEFAULTS.floorRel) * quantile(g0, 0.5) : 0);
  if (!(floor >= 0)) throw new Error(`checkRate: floor must be ≥ 0, got ${floor}`);
  const reached = Q.map((v) => v <= floor);

  // 3. point estimates
  const est = fitStats(Ks, Q, floor);
  const firstReached = reached.indexOf(true);
  if (firstReached >= 0) notes.push(`Q(K) reached the floor ${floor.toExponential(2)} at K = ${Ks[firstReached]} (counts as decaying faster than 1/K from there)`);
  if (est.slope === null && reasons.length === 0) notes.push('fewer than 2 grid points above the floor: no slope to fit');

  // 4. bootstrap over seeds
  let slopeCI: [number, number] | null = null;
  let growthCI: [number, number] | null = null;
  if (est.slope !== null && reasons.length === 0) {
    const slopes = new Float64Array(B);
    const growths = new Float64Array(B);
    const col = new Float64Array(R);
    for (let b = 0; b < B; b++) {
      const idx = integers(foldIn(kBoot, b), R, 0, R);
      const Qb = Ks.map((_, i) => {
        for (let t = 0; t < R; t++) col[t] = runs[idx[t]!]!.minPrefix[i]!;
        return quantile(col, q);
      });
      const st = fitStats(Ks, Qb, floor);
      // A resample that reaches the floor everywhere decays faster than any power: slope −∞, no growth.
      slopes[b] = st.slope ?? -Infinity;
      growths[b] = st.growth ?? 1;
    }
    slopeCI = [quantile(slopes, alpha), quantile(slopes, 1 - alpha)];
    growthCI = [quantile(growths, alpha), quantile(growths, 1 - alpha)];
    if (est.slope > threshold && slopeCI[0] > -1) {
      reasons.push(
        `slope ${est.slope.toFixed(3)} > −1 + tol = ${threshold.toFixed(3)}, and its ${fmtPct(1 - 2 * alpha)} interval [${slopeCI[0].toFixed(3)}, ${slopeCI[1].toFixed(3)}] excludes −1`,
      );
    }
    if (est.growth! > growthFactor && growthCI[0] > 1) {
      reasons.push(
        `K·Q(K) rises by ${est.growth!.toFixed(2)}× along the grid (allowed ${growthFactor.toFixed(2)}×), and its ${fmtPct(1 - 2 * alpha)} interval [${growthCI[0].toFixed(2)}, ${growthCI[1].toFixed(2)}] excludes 1`,
      );
    }
  }

  // 5. explicit bound
  let boundVals: number[] | null = null;
  if (opts.bound !== undefined) {
    const bound = opts.bound;
    const boundOn = opts.boundOn ?? 'every-run';
    const perRun = runs.map((rr) => Ks.map((K) => bound(K, { index: rr.index, x0: series[rr.index]!.x0 })));
    boundVals = Ks.map((_, i) => Math.min(...perRun.map((b) => b[i]!)));
    for (const [i, K] of Ks.entries()) {
      if (boundOn === 'quantile') {
        const bq = quantile(perRun.map((b) => b[i]!), 0.5);
        if (!(Q[i]! <= bq * (1 + BOUND_SLACK))) reasons.push(`bound violated at K = ${K}: Q(K) = ${Q[i]!.toExponential(4)} > bound ${bq.toExponential(4)}`);
      } else {
        for (const rr of runs) {
          const v = rr.minPrefix[i]!;
          const bv = perRun[rr.index]![i]!;
          if (!(v <= bv * (1 + BOUND_SLACK))) {
            reasons.push(`bound violated at K = ${K} by run ${rr.index} (key [${rr.key.join(', ')}]): min_{k<K} ||∇F||² = ${v.toExponential(4)} > ${bv.toExponential(4)}`);
          }
        }
      }
    }
  }

  return {
    decision: reasons.length === 0 ? 'accept' : 'reject',
    reasons,
    notes,
    problem: opts.problem.id,
    variant: variantName(opts.variant),
    Ks,
    quantiles: Q,
    reached,
    floor,
    slope: est.slope,
    slopeCI,
    slopeThreshold: threshold,
    growth: est.growth,
    growthCI,
    growthFactor,
    bound: boundVals,
    falseFailRate: 2 * alpha,
    params: { seeds: R, quantile: q, tol, alpha, bootstrap: B, key: keyData(opts.key) },
    runs,
  };
}

function fmtPct(p: number): string {
  return `${+(100 * p).toFixed(2)}%`;
}

function fmt(v: number | null, digits = 3): string {
  return v === null ? '—' : Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

/** A readable report of a check: the grid table, slope, growth, decision and how to replay it. */
export function formatRateCheck(c: RateCheck): string {
  const lines: string[] = [];
  lines.push(`rate check of ${c.variant} on ${c.problem}: ${c.decision.toUpperCase()}`);
  lines.push(`  seeds R = ${c.params.seeds}, quantile q = ${c.params.quantile}, key [${c.params.key.join(', ')}], floor ${c.floor.toExponential(2)}`);
  lines.push('  K        Q(K)          K·Q(K)        ' + (c.bound ? 'bound' : ''));
  c.Ks.forEach((K, i) => {
    const Qi = c.quantiles[i]!;
    lines.push(
      `  ${String(K).padEnd(8)} ${Qi.toExponential(4).padEnd(13)} ${(K * Qi).toExponential(4).padEnd(13)} ${c.bound ? c.bound[i]!.toExponential(4) : ''}${c.reached[i] ? '  (floor)' : ''}`,
    );
  });
  lines.push(`  slope ${fmt(c.slope)} CI [${fmt(c.slopeCI?.[0] ?? null)}, ${fmt(c.slopeCI?.[1] ?? null)}] vs threshold ${c.slopeThreshold.toFixed(3)}`);
  lines.push(`  growth ${fmt(c.growth, 2)} CI [${fmt(c.growthCI?.[0] ?? null, 2)}, ${fmt(c.growthCI?.[1] ?? null, 2)}] vs allowed ${c.growthFactor.toFixed(2)}`);
  for (const r of c.reasons) lines.push(`  reject: ${r}`);
  for (const n of c.notes) lines.push(`  note: ${n}`);
  lines.push(`  stated false-fail rate ${c.falseFailRate}`);
  return lines.join('\n');
}

