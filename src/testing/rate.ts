/**
 * checkRate: does a variant reach ||∇F(x_k)||² = O(1/K) (docs/MATH.md §7), and could
 * the check have told it apart from a method without the claimed property?
 *
 * ## What it does
 * For a variant (an optimizer + batch-size controller pair run by `run`, or any
 * function returning the series ||∇F(x_k)||²), a problem, a geometric grid
 * K₁ < … < K_m and R seeds:
 *
 * 1. One run per seed r of length K_m (key `runKey(key, r)`). The statistic
 *    s_r(K) is read off at every K of the grid:
 *    - 'window-mean' (default): W_r(K) = mean of ||∇F(x_k)||² over ⌊K/2⌋ ≤ k < K.
 *      The analyses bound S(K) = Σ_{k<K} ||∇F(x_k)||² ≤ C, so W(K) ≤ 2C/K: the
 *      claim implies W(K) = O(1/K). A mean over K/2 iterates cannot be faked by
 *      a few lucky low values, unlike the minimum; and for ||∇F(x_k)||² ∝ k^(−γ)
 *      it decays exactly like K^(−γ), also at γ = 1 (where S(K) ∝ log K).
 *    - 'min': m_r(K) = min_{k<K} ||∇F(x_k)||², the statistic of the O(1/K)
 *      statements themselves (kept for comparison; in low dimension it falls
 *      fast by luck: the issue that made 'window-mean' the default).
 *    S_r(K) itself is reported (`sums`) but not decided on.
 * 2. Q(K) = the q-quantile of s_r(K) over the R seeds (type-7 interpolation).
 * 3. Floor: Q(K) ≤ floor counts as "reached" (default floor =
 *    1e-20 · median_r ||∇F(x_0)||²). Only grid points above the floor enter the fit.
 * 4. slope = least-squares slope of log Q(K) on log K over the informative points;
 *    growth = max_{i<j} (K_j Q(K_j))/(K_i Q(K_i)), the largest rise of K·Q.
 * 5. Uncertainty: a bootstrap over seeds (B resamples of the R runs, the same
 *    resample at every K) gives percentile intervals for slope and growth.
 * 6. Decision:
 *    - 'reject' when a run stopped early; or the slope is above −1 + tol AND its
 *      interval excludes −1; or the growth is above growthFactor AND its interval
 *      excludes 1; or an explicit bound (on min_{k<K}, docs/MATH.md §8 L7) is violated.
 *    - 'inconclusive' (never a silent accept) when nothing rejects but some run's
 *      batch reached b_max (default: n of a finite sum) before K_max: from there
 *      the gradient is exact or the batch rule is switched off, and the check no
 *      longer tests the claim.
 *    - 'accept' otherwise.
 * 7. The no-growth twin (`twin`, default 'auto'): when the variant is an
 *    optimizer + controller pair whose batch grows, the same optimizer, problem,
 *    grid and seeds with the batch rule switched off (constant b₀, its first
 *    batch) is checked `twinRepeats` times (repeat 0 with the check's own key,
 *    the others with fresh keys). Its rejection rate is the check's power
 *    against the nearest alternative (`twin.power`, with a Clopper–Pearson 95%
 *    interval); below 0.9 the result carries `separable: false` and a warning:
 *    these instances cannot tell the claimed method from one without the property.
 *    A function variant gets a twin only when one is passed (`twin: variant`).
 *
 * ## How the thresholds were chosen
 * - tol = 0.25: a rejected variant must decay slower than K^(−0.75), midway
 *   between the claimed −1 and the −1/2 of AdaGrad-Norm with a constant batch
 *   where the noise does not vanish.
 * - growthFactor defaults to (K_m/K₁)^tol, the rise of K·Q at the threshold slope.
 * - q = 0.9 (high-probability claims), R ≥ 1/(1 − q); α = 0.01 per criterion,
 *   B = 1000 resamples; the stated false-fail rate is 2α.
 * The measured false-fail rate, the power against K^(−γ) alternatives and the
 * twins' power are in test/rates/calibration.json (`npm run rates:calibrate`).
 *
 * ## Cost
 * R runs of K_m steps for the check, plus twinRepeats · R runs of the twin
 * (constant b₀, so usually much cheaper than the growing variant).
 * `onProgress` (or `progress: true`, which prints to stderr) reports each run.
 *
 * @example
 * const res = checkRate({
 *   variant: { optimizer: () => adagradNorm(1, 0.5), controller: () => oracle(normTest(0.5), { b0: 2, bMax: 2 ** 52 }), source: 'nqm-exact' },
 *   problem: getProblem('nqm_d64_i0_a2'), Ks: geometricGrid(32, 1024), seeds: 10, key: key(1), bMax: 2 ** 52,
 * });
 * res.decision; // 'accept'
 * res.twin?.power; // 1: constant b = 2 is rejected on every repeat
 */
import type { Controller } from '../batching/controllers.js';
import { constant } from '../batching/controllers.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { foldIn, integers, keyData, split, type Key } from '../rng/index.js';
import { run } from '../run/run.js';
import { clopperPearsonInterval, geometricGrid, olsSlope, quantile } from './stats.js';
import { batchMeanDraws } from './meanDraw.js';
import { nqmBatchMeanSource } from './variants.js';
import { gaussianStatsSource, hasGaussianLaw } from '../run/sources/gaussianStats.js';

/** A variant given as an optimizer and a controller. */
export interface PairVariant {
  readonly name?: string;
  /** A fresh optimizer (called once per run). */
  readonly optimizer: () => GradientTransformation<any>;
  /** A fresh controller for the problem (called once per run). */
  readonly controller: (problem: Problem) => Controller<any>;
  /** Draw batches with replacement (default true; `run` only). */
  readonly replace?: boolean;
  /**
   * Where the batch gradient comes from (every source runs through the library's `run`):
   * 'run' (default) samples b draws; 'nqm-exact' draws the batch mean of the noisy
   * quadratic model exactly (`nqmBatchMeanSource`, O(d) per step whatever b is;
   * controllers without batch statistics);
   * 'mean-draw' runs `run` on `batchMeanDraws(problem)` (families nqm, nqm-rot: the batch
   * mean of b samples drawn as one sample; controllers without batch statistics);
   * 'gaussian-stats' runs `run` with `gaussianStatsSource(problem)` (families nqm, nqm-rot,
   * population form: ḡ, the batch statistics and the mean loss of b per-sample gradients drawn
   * from their exact law in O(d²) whatever b is, so controllers that read batch statistics
   * can run at the batch sizes the grid needs);
   * 'auto' (default): 'gaussian-stats' where the problem's sampler has that law
   * (`hasGaussianLaw`), 'run' otherwise. The check records the source it used.
   */
  readonly source?: 'auto' | 'run' | 'nqm-exact' | 'mean-draw' | 'gaussian-stats';
  /** The constant batch of the no-growth twin: the controller's b₀ (default: the first batch the controller picked). */
  readonly twinBatch?: number;
}

/** What a function variant may return instead of a bare series. */
export interface VariantSeries {
  /** ||∇F(x_k)||² for k = 0 … K − 1 (NaN where not evaluated). Shorter than K means the run stopped. */
  readonly gradFNormSq: Float64Array;
  /** The batch size b_k of each step, when known (for the saturation check and the twin). */
  readonly batchSizes?: Float64Array;
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

export type RateStatistic = 'window-mean' | 'min';

/** Progress of a check: one call per finished run. */
export interface RateProgress {
  readonly phase: 'check' | 'twin';
  /** Twin repeat (0 … twinRepeats − 1); 0 in the check phase. */
  readonly repeat: number;
  readonly run: number;
  readonly runs: number;
  readonly seconds: number;
}

export interface CheckRateOptions {
  readonly variant: RateVariant;
  readonly problem: Problem;
  /** The grid of K (increasing integers ≥ 2; default geometricGrid(32, 1024)). */
  readonly Ks?: readonly number[];
  /** Number of seeds R (default 16; must be ≥ 1/(1 − q)). */
  readonly seeds?: number;
  /** The quantile over seeds (default 0.9). */
  readonly quantile?: number;
  /** The statistic per run (default 'window-mean'). */
  readonly statistic?: RateStatistic;
  /** A rejected variant's slope must exceed −1 + tol (default tol 0.25). */
  readonly tol?: number;
  /** Largest allowed rise of K·Q(K) along the grid (default (K_m/K₁)^tol). */
  readonly growthFactor?: number;
  /** An explicit bound on min_{k<K} ||∇F(x_k)||², per run. */
  readonly bound?: (K: number, run: BoundRun) => number;
  /** Check the bound on every run (pathwise bounds, the default) or on the quantile. */
  readonly boundOn?: 'every-run' | 'quantile';
  /** Absolute floor; overrides floorRel. */
  readonly floor?: number;
  /** Floor relative to the median of ||∇F(x₀)||² over seeds (default 1e-20). */
  readonly floorRel?: number;
  /** One-sided level of each interval criterion (default 0.01). */
  readonly alpha?: number;
  /** Bootstrap resamples (default 1000). */
  readonly bootstrap?: number;
  /**
   * A batch of this size or more before K_max makes the check 'inconclusive'
   * (default: n for a finite sum, none for a population problem). Pass the controller's b_max.
   */
  readonly bMax?: number;
  /** The no-growth twin: 'auto' (default; pair variants whose batch grows), 'off', or an explicit variant. */
  readonly twin?: 'auto' | 'off' | RateVariant;
  /** Independent checks of the twin (default 5). */
  readonly twinRepeats?: number;
  /** Called after every run (check and twin). */
  readonly onProgress?: (p: RateProgress) => void;
  /** Print progress to stderr (ignored when onProgress is given). */
  readonly progress?: boolean;
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
  /** m_r(K) = min_{k<K} ||∇F(x_k)||² at each K of the grid (Infinity where the run did not reach K). */
  readonly minPrefix: readonly number[];
  /** The decided statistic s_r(K) at each K. */
  readonly statistic: readonly number[];
  /** S_r(K) = Σ_{k<K} ||∇F(x_k)||² at each K. */
  readonly sums: readonly number[];
  /** Largest batch of the run (null when the variant does not report batch sizes). */
  readonly maxBatch: number | null;
  /** First step whose batch reached bMax (null: never). */
  readonly saturatedAt: number | null;
}

/** The no-growth twin's checks. */
export interface TwinReport {
  readonly variant: string;
  /** Its constant batch. */
  readonly b0: number | null;
  readonly repeats: number;
  readonly rejected: number;
  /** rejected / repeats: the power of the check against the no-growth alternative. */
  readonly power: number;
  /** Two-sided 95% Clopper–Pearson interval of the power. */
  readonly powerCI: readonly [number, number];
  readonly decisions: readonly RateCheck['decision'][];
  readonly slopes: readonly (number | null)[];
  /** Q(K) of repeat 0 (same seeds as the check). */
  readonly quantiles: readonly number[];
  readonly seconds: number;
}

export interface RateCheck {
  readonly decision: 'accept' | 'reject' | 'inconclusive';
  /** Why it rejected, or why it is inconclusive (empty on accept). */
  readonly reasons: readonly string[];
  /** Remarks that did not decide anything (floor reached, twin warnings). */
  readonly notes: readonly string[];
  readonly problem: string;
  readonly variant: string;
  /** The gradient source of a pair variant ('run', 'nqm-exact', 'mean-draw', 'gaussian-stats'); 'function' for a series variant. */
  readonly source: string;
  readonly statistic: RateStatistic;
  readonly Ks: readonly number[];
  /** Q(K): the q-quantile over seeds of the statistic. */
  readonly quantiles: readonly number[];
  /** The q-quantile over seeds of S(K) = Σ_{k<K} ||∇F(x_k)||². */
  readonly sums: readonly number[];
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
  /** The check's stated false-fail rate for a variant that decays at least like 1/K: 2α. */
  readonly falseFailRate: number;
  /** Runs whose batch reached bMax before K_max. */
  readonly saturated: readonly { readonly run: number; readonly step: number }[];
  readonly bMax: number | null;
  /** The no-growth twin (null: none built; see notes). */
  readonly twin: TwinReport | null;
  /** false when the twin was rejected in fewer than 90% of its repeats; null without a twin. */
  readonly separable: boolean | null;
  readonly seconds: number;
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

const DEFAULTS = { seeds: 16, quantile: 0.9, tol: 0.25, alpha: 0.01, bootstrap: 1000, floorRel: 1e-20, twinRepeats: 5 } as const;
/** Relative slack for bound comparisons (rounding in F(x₀), L and the accumulator). */
const BOUND_SLACK = 1e-9;
/** A twin rejected in fewer than this share of its repeats makes the check "not a check". */
export const TWIN_POWER_GOAL = 0.9;

/** The key of run r of a check made with `key` (for replaying one run). */
export function runKey(k: Key, r: number): Key {
  const [kRuns] = split(k, 2) as [Key, Key];
  return foldIn(kRuns, r);
}

/** The key of twin repeat i ≥ 1 of a check made with `key` (repeat 0 uses `key` itself). */
export function twinKey(k: Key, i: number): Key {
  return i === 0 ? k : foldIn(k, 0x7a1 + i);
}

function variantName(v: RateVariant): string {
  if (typeof v === 'function') return v.name !== '' ? v.name : 'function';
  return v.name ?? 'optimizer+controller';
}

interface Series {
  readonly g: Float64Array;
  readonly b: Float64Array | null;
  readonly x0: Float64Array | null;
  readonly status: string;
  readonly message: string;
}

/** The exact batch-mean source of the noisy quadratic model (families nqm, also wrapped by withNoiseAlong or startNear). */
function nqmSource(problem: Problem, k: Key): ReturnType<typeof nqmBatchMeanSource> {
  const info = (problem as { info?: Readonly<Record<string, unknown>> }).info;
  const h = info?.['spectrum'];
  const xStar = info?.['xStar'];
  if (problem.family !== 'nqm' || !(h instanceof Float64Array) || !(xStar instanceof Float64Array)) {
    throw new Error(`checkRate: source 'nqm-exact' needs a noisy quadratic model (family nqm with info.spectrum, info.xStar), got ${problem.id}`);
  }
  return nqmBatchMeanSource(h, xStar, k);
}

/** The gradient source a pair variant runs with on `problem` ('auto' resolved; see PairVariant.source). */
export function sourceFor(variant: PairVariant, problem: Problem): 'run' | 'nqm-exact' | 'mean-draw' | 'gaussian-stats' {
  const s = variant.source ?? 'auto';
  return s === 'auto' ? (hasGaussianLaw(problem) ? 'gaussian-stats' : 'run') : s;
}

/** Run a variant for K steps with key k and return its ||∇F(x_k)||² series (and batch sizes where known). */
export function variantSeries(variant: RateVariant, problem: Problem, K: number, k: Key): Series {
  if (typeof variant === 'function') {
    const out = variant(problem, K, k);
    if (out instanceof Float64Array) return { g: out, b: null, x0: null, status: out.length >= K ? 'completed' : 'stopped', message: '' };
    return {
      g: out.gradFNormSq,
      b: out.batchSizes ?? null,
      x0: out.x0 ?? null,
      status: out.status ?? (out.gradFNormSq.length >= K ? 'completed' : 'stopped'),
      message: out.message ?? '',
    };
  }
  const [kInit, kRun] = split(k, 2) as [Key, Key];
  const x0 = problem.x0(kInit);
  const source = sourceFor(variant, problem);
  const res = run({
    problem: source === 'mean-draw' ? batchMeanDraws(problem) : problem,
    // 'nqm-exact': the batch mean of b draws in O(d) (the source of nqmExactBatch, with its key)
    ...(source === 'nqm-exact' ? { gradient: nqmSource(problem, kRun) } : {}),
    ...(source === 'gaussian-stats' ? { gradient: gaussianStatsSource(problem) } : {}),
    optimizer: variant.optimizer(),
    controller: variant.controller(problem),
    budget: { steps: K },
    key: kRun,
    x0,
    evalEvery: 1,
    replace: variant.replace ?? true,
  });
  return { g: res.trace.column('gradFNormSq'), b: res.trace.column('b'), x0, status: res.summary.status, message: res.summary.message };
}

/** min_{k<K}, the mean over ⌊K/2⌋ ≤ k < K, and the sum over k < K of the series, at each K (NaN entries skipped). */
export function seriesStatistics(g: Float64Array, Ks: readonly number[]): { min: number[]; windowMean: number[]; sum: number[] } {
  const min: number[] = [];
  const windowMean: number[] = [];
  const sum: number[] = [];
  // prefix sums (NaN-free) and counts, for the window means
  const ps = new Float64Array(g.length + 1);
  const pc = new Float64Array(g.length + 1);
  let m = Infinity;
  const pm = new Float64Array(g.length);
  for (let k = 0; k < g.length; k++) {
    const v = g[k]!;
    const ok = !Number.isNaN(v);
    ps[k + 1] = ps[k]! + (ok ? v : 0);
    pc[k + 1] = pc[k]! + (ok ? 1 : 0);
    if (ok) m = Math.min(m, v);
    pm[k] = m;
  }
  for (const K of Ks) {
    if (g.length < K) {
      min.push(Infinity);
      windowMean.push(Infinity);
      sum.push(Infinity);
      continue;
    }
    min.push(pm[K - 1]!);
    const lo = Math.floor(K / 2);
    const c = pc[K]! - pc[lo]!;
    windowMean.push(c > 0 ? (ps[K]! - ps[lo]!) / c : Infinity);
    sum.push(ps[K]!);
  }
  return { min, windowMean, sum };
}

interface Stats {
  slope: number | null;
  growth: number | null;
}

/** Slope and growth over the points of Q above the floor. */
function fitStats(Ks: readonly number[], Q: readonly number[], floor: number): Stats {
  const xs: number[] = [];
  const ys: number[] = [];
  const kq: number[] = [];
  for (let i = 0; i < Ks.length; i++) {
    if (!(Q[i]! > floor) || !Number.isFinite(Q[i]!)) continue;
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
    if (!Number.isInteger(K) || K < 2) throw new Error(`checkRate: Ks must be integers ≥ 2, got ${K}`);
    if (i > 0 && !(K > Ks[i - 1]!)) throw new Error(`checkRate: Ks must be increasing, got ${Ks.join(', ')}`);
  }
}

function stderrProgress(label: string): (p: RateProgress) => void {
  return (p) => {
    const what = p.phase === 'check' ? 'check' : `twin ${p.repeat + 1}`;
    process.stderr.write(`checkRate ${label}: ${what} run ${p.run + 1}/${p.runs} (${p.seconds.toFixed(1)} s)\n`);
  };
}

/**
 * Decide whether ||∇F(x_k)||² of a variant decays at least like 1/K, and
 * measure the power of the check against the variant's no-growth twin (see the
 * file header for the procedure and how the thresholds were chosen).
 */
export function checkRate(opts: CheckRateOptions): RateCheck {
  const t0 = Date.now();
  const Ks = [...(opts.Ks ?? geometricGrid(32, 1024))];
  checkGrid(Ks);
  const R = opts.seeds ?? DEFAULTS.seeds;
  const q = opts.quantile ?? DEFAULTS.quantile;
  const tol = opts.tol ?? DEFAULTS.tol;
  const alpha = opts.alpha ?? DEFAULTS.alpha;
  const B = opts.bootstrap ?? DEFAULTS.bootstrap;
  const statistic = opts.statistic ?? 'window-mean';
  const twinRepeats = opts.twinRepeats ?? DEFAULTS.twinRepeats;
  if (!(q > 0 && q < 1)) throw new Error(`checkRate: quantile must be in (0, 1), got ${q}`);
  if (!Number.isInteger(R) || R < Math.ceil(1 / (1 - q) - 1e-9)) {
    throw new Error(`checkRate: seeds must be an integer ≥ 1/(1 − q) = ${Math.ceil(1 / (1 - q) - 1e-9)} for q = ${q}, got ${R}`);
  }
  if (!(tol >= 0 && tol < 1)) throw new Error(`checkRate: tol must be in [0, 1), got ${tol}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new Error(`checkRate: alpha must be in (0, 0.5), got ${alpha}`);
  if (!Number.isInteger(B) || B < Math.ceil(2 / alpha)) throw new Error(`checkRate: bootstrap must be an integer ≥ 2/alpha = ${Math.ceil(2 / alpha)}, got ${B}`);
  if (statistic !== 'window-mean' && statistic !== 'min') throw new Error(`checkRate: statistic must be 'window-mean' or 'min', got ${String(statistic)}`);
  if (!Number.isInteger(twinRepeats) || twinRepeats < 1) throw new Error(`checkRate: twinRepeats must be an integer ≥ 1, got ${twinRepeats}`);
  const bMax = opts.bMax ?? opts.problem.n ?? null;
  if (bMax !== null && !(bMax >= 1)) throw new Error(`checkRate: bMax must be ≥ 1, got ${bMax}`);
  const Kmax = Ks[Ks.length - 1]!;
  const growthFactor = opts.growthFactor ?? Math.pow(Kmax / Ks[0]!, tol);
  if (!(growthFactor >= 1)) throw new Error(`checkRate: growthFactor must be ≥ 1, got ${growthFactor}`);
  const threshold = -1 + tol;
  const [, kBoot] = split(opts.key, 2) as [Key, Key];
  const name = variantName(opts.variant);
  const progress = opts.onProgress ?? (opts.progress === true ? stderrProgress(`${name} on ${opts.problem.id}`) : undefined);

  // 1. one run per seed, statistics on the grid
  const reasons: string[] = [];
  const notes: string[] = [];
  const runs: RateRunRecord[] = [];
  const series: Series[] = [];
  const saturated: { run: number; step: number }[] = [];
  for (let r = 0; r < R; r++) {
    const kr = runKey(opts.key, r);
    let s: Series;
    try {
      s = variantSeries(opts.variant, opts.problem, Kmax, kr);
    } catch (e) {
      s = { g: new Float64Array(0), b: null, x0: null, status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    series.push(s);
    const st = seriesStatistics(s.g, Ks);
    let maxBatch: number | null = null;
    let satAt: number | null = null;
    if (s.b !== null && s.b.length > 0) {
      maxBatch = 0;
      for (let k = 0; k < s.b.length; k++) {
        const bk = s.b[k]!;
        maxBatch = Math.max(maxBatch, bk);
        if (satAt === null && bMax !== null && bk >= bMax && k < Kmax) satAt = k;
      }
    }
    if (satAt !== null) saturated.push({ run: r, step: satAt });
    runs.push({
      index: r, key: keyData(kr), status: s.status, message: s.message, steps: s.g.length,
      minPrefix: st.min, statistic: statistic === 'min' ? st.min : st.windowMean, sums: st.sum, maxBatch, saturatedAt: satAt,
    });
    if (s.g.length < Kmax) reasons.push(`run ${r} stopped after ${s.g.length} of ${Kmax} steps (${s.status}${s.message ? `: ${s.message}` : ''})`);
    progress?.({ phase: 'check', repeat: 0, run: r, runs: R, seconds: (Date.now() - t0) / 1000 });
  }

  // 2. quantiles and floor
  const Q = Ks.map((_, i) => quantile(runs.map((rr) => rr.statistic[i]!), q));
  const sums = Ks.map((_, i) => quantile(runs.map((rr) => rr.sums[i]!), q));
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
        for (let t = 0; t < R; t++) col[t] = runs[idx[t]!]!.statistic[i]!;
        return quantile(col, q);
      });
      const st = fitStats(Ks, Qb, floor);
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

  // 5. explicit bound (on min_{k<K}, whatever the statistic)
  let boundVals: number[] | null = null;
  if (opts.bound !== undefined) {
    const bound = opts.bound;
    const boundOn = opts.boundOn ?? 'every-run';
    const perRun = runs.map((rr) => Ks.map((K) => bound(K, { index: rr.index, x0: series[rr.index]!.x0 })));
    boundVals = Ks.map((_, i) => Math.min(...perRun.map((b) => b[i]!)));
    const Qmin = Ks.map((_, i) => quantile(runs.map((rr) => rr.minPrefix[i]!), q));
    for (const [i, K] of Ks.entries()) {
      if (boundOn === 'quantile') {
        const bq = quantile(perRun.map((b) => b[i]!), 0.5);
        if (!(Qmin[i]! <= bq * (1 + BOUND_SLACK))) reasons.push(`bound violated at K = ${K}: the ${q}-quantile of min_{k<K} ||∇F||² = ${Qmin[i]!.toExponential(4)} > bound ${bq.toExponential(4)}`);
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

  // 6. decision
  let decision: RateCheck['decision'] = reasons.length === 0 ? 'accept' : 'reject';
  if (decision === 'accept' && saturated.length > 0) {
    decision = 'inconclusive';
    const first = saturated.reduce((a, s) => (s.step < a.step ? s : a));
    reasons.push(
      `${saturated.length} of ${R} runs reached b_max = ${bMax} before K_max = ${Kmax} (first: run ${first.run} at step ${first.step}): from there the batch rule is switched off or the gradient is exact, so the grid does not test the claim`,
    );
  }

  // 7. the no-growth twin
  const grows = runs.some((rr) => rr.maxBatch !== null && series[rr.index]!.b !== null && rr.maxBatch > series[rr.index]!.b![0]!);
  let twin: TwinReport | null = null;
  const twinOpt = opts.twin ?? 'auto';
  let twinVariant: RateVariant | null = null;
  let b0: number | null = null;
  if (twinOpt !== 'off' && twinOpt !== 'auto') twinVariant = twinOpt;
  else if (twinOpt === 'auto' && typeof opts.variant !== 'function' && grows) {
    const v = opts.variant;
    b0 = v.twinBatch ?? series.find((s) => s.b !== null && s.b.length > 0)!.b![0]!;
    const bConst = b0;
    twinVariant = { ...v, name: `${name}, no-growth twin (constant b = ${bConst})`, controller: () => constant(bConst) };
  } else if (twinOpt === 'auto') {
    notes.push(
      typeof opts.variant === 'function'
        ? 'no no-growth twin: a function variant (pass twin: <variant> to measure the power of this check)'
        : 'no no-growth twin: the batch never grew on these runs',
    );
  }
  if (twinVariant !== null) {
    const tt = Date.now();
    const decisions: RateCheck['decision'][] = [];
    const slopes: (number | null)[] = [];
    let quantiles0: readonly number[] = [];
    for (let i = 0; i < twinRepeats; i++) {
      const tw = checkRate({
        ...opts,
        Ks,
        seeds: R,
        variant: twinVariant,
        key: twinKey(opts.key, i),
        twin: 'off',
        floor,
        ...(progress !== undefined ? { onProgress: (p: RateProgress) => progress({ ...p, phase: 'twin', repeat: i, seconds: (Date.now() - t0) / 1000 }) } : {}),
      });
      decisions.push(tw.decision);
      slopes.push(tw.slope);
      if (i === 0) quantiles0 = tw.quantiles;
    }
    const rejected = decisions.filter((d) => d === 'reject').length;
    twin = {
      variant: variantName(twinVariant),
      b0,
      repeats: twinRepeats,
      rejected,
      power: rejected / twinRepeats,
      powerCI: clopperPearsonInterval(rejected, twinRepeats, 0.05),
      decisions,
      slopes,
      quantiles: quantiles0,
      seconds: (Date.now() - tt) / 1000,
    };
    if (twin.power < TWIN_POWER_GOAL) {
      notes.push(
        `WARNING: the no-growth twin (${twin.variant}) was rejected in only ${rejected} of ${twinRepeats} repeats: on these instances the check cannot tell the claimed rate from a method without it, so an accept here is not evidence (use problems where the noise does not vanish, with no linear convergence over the grid, and batches that stay below b_max)`,
      );
    }
  }

  return {
    decision,
    reasons,
    notes,
    problem: opts.problem.id,
    variant: name,
    source: typeof opts.variant === 'function' ? 'function' : sourceFor(opts.variant, opts.problem),
    statistic,
    Ks,
    quantiles: Q,
    sums,
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
    saturated,
    bMax,
    twin,
    separable: twin === null ? null : twin.power >= TWIN_POWER_GOAL,
    seconds: (Date.now() - t0) / 1000,
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

/** A readable report of a check: the grid table, slope, growth, decision, the twin's power and how to replay it. */
export function formatRateCheck(c: RateCheck): string {
  const lines: string[] = [];
  const stat = c.statistic === 'min' ? 'min_{k<K} ||∇F||²' : 'mean_{K/2≤k<K} ||∇F||²';
  lines.push(`rate check of ${c.variant} on ${c.problem}: ${c.decision.toUpperCase()}`);
  lines.push(`  seeds R = ${c.params.seeds}, quantile q = ${c.params.quantile}, statistic ${stat}, key [${c.params.key.join(', ')}], floor ${c.floor.toExponential(2)}, ${c.seconds.toFixed(1)} s`);
  lines.push('  K        Q(K)          K·Q(K)        S(K)          ' + (c.bound ? 'bound' : ''));
  c.Ks.forEach((K, i) => {
    const Qi = c.quantiles[i]!;
    lines.push(
      `  ${String(K).padEnd(8)} ${Qi.toExponential(4).padEnd(13)} ${(K * Qi).toExponential(4).padEnd(13)} ${c.sums[i]!.toExponential(4).padEnd(13)} ${c.bound ? c.bound[i]!.toExponential(4) : ''}${c.reached[i] ? '  (floor)' : ''}`,
    );
  });
  lines.push(`  slope ${fmt(c.slope)} CI [${fmt(c.slopeCI?.[0] ?? null)}, ${fmt(c.slopeCI?.[1] ?? null)}] vs threshold ${c.slopeThreshold.toFixed(3)}`);
  lines.push(`  growth ${fmt(c.growth, 2)} CI [${fmt(c.growthCI?.[0] ?? null, 2)}, ${fmt(c.growthCI?.[1] ?? null, 2)}] vs allowed ${c.growthFactor.toFixed(2)}`);
  const maxB = c.runs.map((r) => r.maxBatch).filter((b): b is number => b !== null);
  if (maxB.length > 0) lines.push(`  largest batch ${Math.max(...maxB)}${c.bMax !== null ? ` (b_max ${c.bMax})` : ''}`);
  if (c.twin !== null) {
    const t = c.twin;
    lines.push(`  twin ${t.variant}: rejected ${t.rejected}/${t.repeats}, power ${t.power.toFixed(2)} [${t.powerCI[0].toFixed(2)}, ${t.powerCI[1].toFixed(2)}], slopes ${t.slopes.map((s) => fmt(s, 2)).join(' ')}, ${t.seconds.toFixed(1)} s`);
  }
  for (const r of c.reasons) lines.push(`  ${c.decision === 'inconclusive' ? 'inconclusive' : 'reject'}: ${r}`);
  for (const n of c.notes) lines.push(`  note: ${n}`);
  lines.push(`  stated false-fail rate ${c.falseFailRate}`);
  return lines.join('\n');
}
