/**
 * proofs-check harness: an instrumented copy of run()'s loop that records every
 * per-step quantity a proof uses (x_k, g_k, v_k, ∇F(x_k), F(x_k), x_{k+1}), margins,
 * Monte Carlo resampling with stated confidence, and the report types.
 *
 * The loop mirrors src/run/run.ts step for step (same key split, same batch keys
 * foldIn(kData, k), batchStatsAt for ḡ, optimizer.update, controller.next on
 * x_{k+1}), so a check on these trajectories is a check on what run() computes;
 * test/proofs/proofs.test.ts asserts that the two agree.
 */
import {
  adagrad, adagradNorm, batchStatsAt, foldIn, key as makeKey, split, statistics,
  type Controller, type ControllerState, type GradientTransformation, type Key, type StepContext, type TestDecision,
} from '../src/index.js';
import { problemById as sharedProblemById } from '../problems/registry.js';
import type { Batch, Problem } from '../src/problem/types.js';
import { normalCdf } from '../problems/common/special.js';

// ───────────────────────────── modes and reports ─────────────────────────────

/** Quick mode (CI) runs fewer seeds, steps and resamples; the full mode more. */
export interface Mode {
  readonly quick: boolean;
}

/** Relative rounding tolerance of every pathwise check: a margin ≥ −PATH_TOL passes. */
export const PATH_TOL = 1e-10;
/** Family-wise false-fail rate of each Monte Carlo lemma (Bonferroni over its intervals). */
export const MC_ALPHA = 0.01;
const TINY = 1e-300;

export type LemmaKind = 'pathwise' | 'expectation';
export type Status = 'holds' | 'violated';

/** What a check covered. */
export interface Checked {
  readonly runs: number;
  /** Steps (pathwise) or points/intervals (expectation) at which the inequality was evaluated. */
  readonly steps: number;
  /** Fresh batches drawn for Monte Carlo (expectation lemmas). */
  readonly resamples?: number;
  /** Steps left out, with the reason (e.g. outside the region of a local L). */
  readonly skipped?: number;
  readonly skippedReason?: string;
  /** Monte Carlo lemmas: min over intervals of M/(25·γ̂²), the CLT rule of thumb (≥ 1 wanted; see cltAdequacy). */
  readonly cltAdequacy?: number;
}

export interface NegativeCheck {
  readonly description: string;
  /** True when the same check, run with the assumption dropped, reports a violation. */
  readonly caught: boolean;
  readonly worst_margin: number;
  readonly worst_at: string;
  readonly checked: Checked;
}

export interface LemmaReport {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly kind: LemmaKind;
  readonly checked: Checked;
  /** ≥ 0 (pathwise: ≥ −tolerance) means the inequality holds everywhere it was checked. */
  readonly worst_margin: number;
  readonly worst_at: string;
  readonly status: Status;
  /** How the margin is defined and what passes. */
  readonly criterion: string;
  readonly negative_check: NegativeCheck;
  readonly notes: readonly string[];
  readonly seconds: number;
}

/** One lemma: its statement and a check that returns the report. */
export interface Lemma {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly kind: LemmaKind;
  check(mode: Mode): Omit<LemmaReport, 'seconds' | 'id' | 'title' | 'statement' | 'kind'>;
}

// ───────────────────────────── margins ─────────────────────────────

/**
 * Margin of lhs ≤ rhs: (rhs − lhs)/max(|lhs|, |rhs|, scales…). It is ≥ 0 exactly
 * when the inequality holds; the extra scales (the sizes of the terms that were
 * summed) keep rounding in large terms from looking like a violation.
 */
export function leMargin(lhs: number, rhs: number, ...scales: number[]): number {
  const s = Math.max(Math.abs(lhs), Math.abs(rhs), ...scales.map(Math.abs), TINY);
  const m = (rhs - lhs) / s;
  return Number.isNaN(m) ? -Infinity : m;
}

/** Margin of lhs = rhs: −|lhs − rhs|/max(|lhs|, |rhs|, scales…) (≤ 0; passes at ≥ −tolerance). */
export function eqMargin(lhs: number, rhs: number, ...scales: number[]): number {
  const s = Math.max(Math.abs(lhs), Math.abs(rhs), ...scales.map(Math.abs), TINY);
  const m = -Math.abs(lhs - rhs) / s;
  return Number.isNaN(m) ? -Infinity : m;
}

/** Keeps the worst (smallest) margin and where it occurred. */
export class Worst {
  margin = Infinity;
  at = '';
  count = 0;
  add(m: number, at: string | (() => string)): void {
    this.count++;
    if (m < this.margin || (Number.isNaN(m) && this.margin !== -Infinity)) {
      this.margin = Number.isNaN(m) ? -Infinity : m;
      this.at = typeof at === 'string' ? at : at();
    }
  }
}

export function pathwiseStatus(worst: number): Status {
  return worst >= -PATH_TOL ? 'holds' : 'violated';
}
export function mcStatus(worst: number): Status {
  return worst >= 0 ? 'holds' : 'violated';
}

// ───────────────────────────── statistics ─────────────────────────────

/** Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, two Newton steps on Φ). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  for (let i = 0; i < 2; i++) {
    const e = normalCdf(x) - p;
    x -= e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  }
  return x;
}

/**
 * The z multiplier of a Bonferroni-corrected interval: `intervals` intervals, each
 * one-sided (sides = 1) or two-sided (sides = 2), family-wise error `alpha`.
 */
export function bonferroniZ(alpha: number, intervals: number, sides: 1 | 2): number {
  return normalQuantile(1 - alpha / (sides * Math.max(1, intervals)));
}

/** Mean and sample standard deviation (Welford). */
export function meanSd(xs: ArrayLike<number>): { mean: number; sd: number; n: number } {
  let m = 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const dm = x - m;
    m += dm / (i + 1);
    s += dm * (x - m);
  }
  return { mean: m, sd: xs.length > 1 ? Math.sqrt(s / (xs.length - 1)) : NaN, n: xs.length };
}

/** Upper quantile of Binomial(n, p): the smallest c with P(X > c) ≤ alpha. */
export function binomialUpper(n: number, p: number, alpha: number): number {
  let pmf = Math.pow(1 - p, n);
  let cdf = pmf;
  for (let c = 0; c < n; c++) {
    if (1 - cdf <= alpha) return c;
    pmf = (pmf * (n - c) * p) / ((c + 1) * (1 - p));
    cdf += pmf;
  }
  return n;
}

/**
 * Draw M fresh batches of size b at a fixed x (keys foldIn(k, m)) and return ḡ of each,
 * computed by the same path as run() (batchStatsAt(...).meanGrad).
 */
export function resampleMeanGrads(problem: Problem, x: Float64Array, b: number, M: number, k: Key, replace = true): Float64Array[] {
  const out: Float64Array[] = [];
  for (let m = 0; m < M; m++) {
    const batch = problem.sample(foldIn(k, m), b, { replace });
    out.push(batchStatsAt(problem, x, batch).meanGrad);
  }
  return out;
}

/**
 * Resample at a fixed x until the CLT rule of thumb holds for every statistic:
 * draw M₀ batches (keys foldIn(k, m)), and while min_j M/(25·γ̂_j²) < 1 double M, up to
 * M_max. `stats` maps ḡ to the statistics whose means are estimated.
 */
export function resampleAdequate(
  problem: Problem, x: Float64Array, b: number, k: Key, replace: boolean, M0: number, Mmax: number,
  stats: (g: Float64Array) => number[],
): { values: number[][]; M: number; adequacy: number } {
  let values: number[][] = [];
  let M = 0;
  let target = M0;
  let adequacy = 0;
  for (;;) {
    const gs = resampleMeanGradsFrom(problem, x, b, M, target, k, replace);
    for (const g of gs) {
      const st = stats(g);
      if (values.length === 0) values = st.map(() => []);
      st.forEach((v, j) => values[j]!.push(v));
    }
    M = target;
    adequacy = Math.min(...values.map((ys) => cltAdequacy(ys)));
    if (adequacy >= 1 || M >= Mmax) break;
    target = Math.min(Mmax, 2 * M);
  }
  return { values, M, adequacy };
}

function resampleMeanGradsFrom(problem: Problem, x: Float64Array, b: number, from: number, to: number, k: Key, replace: boolean): Float64Array[] {
  const out: Float64Array[] = [];
  for (let m = from; m < to; m++) out.push(batchStatsAt(problem, x, problem.sample(foldIn(k, m), b, { replace })).meanGrad);
  return out;
}

// ───────────────────────────── problems ─────────────────────────────

const problemCache = new Map<string, Problem>();

/** A problem by id (cached), optionally with `noiseAlong` supplied (see {@link withNoiseAlong}). */
export function problemById(id: string, opts: { noiseAlong?: boolean } = {}): Problem {
  const cacheKey = `${id}|${opts.noiseAlong ? 'along' : ''}`;
  let p = problemCache.get(cacheKey);
  if (p === undefined) {
    p = sharedProblemById(id);
    if (opts.noiseAlong) p = withNoiseAlong(p);
    problemCache.set(cacheKey, p);
  }
  return p;
}

/**
 * The problem with an exact `noiseAlong(x, v) = E⟨∇f(x; ξ) − ∇F(x), v⟩² = vᵀΣ(x)v`, which the
 * exact ip/orth tests need. The problem's own `noiseAlong` is used when it has one;
 * otherwise a fallback: finite sums by a full pass over the per-sample gradients,
 * the NQM from its spectrum (Σ = H), the DeepOBS 2-D problems from their noise scale (Σ = s²I).
 */
export function withNoiseAlong(p: Problem): Problem {
  if (p.noiseAlong !== undefined) return p;
  const along = fallbackNoiseAlong(p);
  if (along === null) throw new Error(`withNoiseAlong: no exact noise along a direction for ${p.id}`);
  return { ...p, noiseAlong: along };
}

/** The harness's own vᵀΣ(x)v (see {@link withNoiseAlong}), null where it has none; an independent cross-check of the problems' noiseAlong. */
export function fallbackNoiseAlong(p: Problem): ((x: Float64Array, v: Float64Array) => number) | null {
  const info = (p as { info?: Record<string, unknown> }).info ?? {};
  let along: ((x: Float64Array, v: Float64Array) => number) | null = null;
  if (p.n !== null && p.perSampleGrads !== undefined) {
    const n = p.n;
    const all: Batch = { size: n, indices: Int32Array.from({ length: n }, (_, i) => i) };
    along = (x, v) => {
      const G = p.perSampleGrads!(x, all);
      const d = p.dim;
      const dots = new Float64Array(n);
      let mean = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += G[i * d + j]! * v[j]!;
        dots[i] = s;
        mean += s / n;
      }
      let acc = 0;
      for (let i = 0; i < n; i++) acc += (dots[i]! - mean) ** 2;
      return acc / n;
    };
  } else if (p.family === 'nqm' && info['spectrum'] instanceof Float64Array) {
    const h = info['spectrum'];
    along = (_x, v) => {
      let s = 0;
      for (let j = 0; j < v.length; j++) s += h[j]! * v[j]! * v[j]!;
      return s;
    };
  } else if (typeof info['noiseStd'] === 'number') {
    const s2 = (info['noiseStd'] as number) ** 2;
    along = (_x, v) => s2 * sqNorm(v);
  }
  return along;
}

/** Whether x is in the region where the problem's L holds (always, for a global L). */
export function inLRegion(p: Problem, x: Float64Array): boolean {
  const L = p.constants.L;
  if (L.kind === 'global') return true;
  if (L.ball === undefined) return false;
  const c = L.ball.center;
  let r = 0;
  for (let j = 0; j < x.length; j++) r += (x[j]! - (c ? c[j]! : 0)) ** 2;
  return Math.sqrt(r) <= L.ball.radius;
}

/** F* when known, else the proven lower bound F_low (which keeps upper bounds on F − F* valid). */
export function fStarOrLow(p: Problem): number {
  return p.constants.F_star ?? p.constants.F_low;
}

// ───────────────────────────── vector helpers ─────────────────────────────

export function sqNorm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

// ───────────────────────────── optimizers ─────────────────────────────

/**
 * An optimizer under check, with the constants its lemma is stated with: α and
 * v_{−1} (β₀² for AdaGrad-Norm; the initial accumulator per coordinate for AdaGrad).
 * `perCoord` says whether the accumulator is a vector (diagonal AdaGrad).
 */
export interface OptSpec {
  readonly label: string;
  readonly perCoord: boolean;
  readonly alpha: number;
  /** The claimed v_{−1}. */
  readonly v0: number;
  /** ε of diagonal AdaGrad (0 for AdaGrad-Norm). */
  readonly eps: number;
  make(): GradientTransformation<any>;
}

export function adagradNormSpec(alpha: number, beta0: number): OptSpec {
  return { label: `adagrad-norm(α=${alpha},β₀=${beta0})`, perCoord: false, alpha, v0: beta0 * beta0, eps: 0, make: () => adagradNorm(alpha, beta0) };
}
export function adagradSpec(alpha: number, eps: number, initial: number): OptSpec {
  return { label: `adagrad(α=${alpha},ε=${eps},v₋₁=${initial})`, perCoord: true, alpha, v0: initial, eps, make: () => adagrad(alpha, eps, initial) };
}

// ───────────────────────────── the instrumented loop ─────────────────────────────

/** Everything a proof uses at step k. */
export interface Step {
  readonly k: number;
  readonly b: number;
  readonly x: Float64Array;
  readonly xNext: Float64Array;
  /** g_k: the batch mean gradient (or ∇F(x_k) in exact-gradient runs). */
  readonly g: Float64Array;
  /** ∇F(x_k). */
  readonly gradF: Float64Array;
  readonly F: number;
  readonly FNext: number;
  readonly gNormSq: number;
  readonly gradFNormSq: number;
  /** The update u_k = x_{k+1} − x_k as returned by the optimizer. */
  readonly u: Float64Array;
  /**
   * The accumulator the step actually used, read off the step: √v_k = α||g_k||/||u_k||
   * (AdaGrad-Norm, length 1) or √v_kj + ε = α|g_kj|/|u_kj| per coordinate (AdaGrad,
   * carried over where g_kj = 0). This is the v_k of the lemmas.
   */
  readonly v: Float64Array;
  /** Σ_j of the accumulator in the optimizer's state after the update (its `inspect`), for a cross-check. */
  readonly vState: number;
  /** σ²(x_k), when recorded. */
  readonly sigma2: number | null;
  /** The controller's last decision after this step (the oracle's exact test at x_{k+1}). */
  readonly decision: TestDecision | null;
}

export interface ControllerSpec {
  readonly label: string;
  make(): Controller<any>;
  /** b_max of the controller, when it has one (for capped-step bookkeeping). */
  readonly bMax?: number;
}

export interface RunSpec {
  readonly problemId: string;
  readonly opt: OptSpec;
  readonly controller: ControllerSpec;
  readonly steps: number;
  readonly seed: number;
  readonly replace?: boolean;
  /** 'exact' uses g_k = ∇F(x_k) (no samples). Default 'stochastic'. */
  readonly gradient?: 'stochastic' | 'exact';
  /** Record σ²(x_k) at every step. */
  readonly recordNoise?: boolean;
  /** Use the problem with an exact noiseAlong (for ip/orth oracles). */
  readonly noiseAlong?: boolean;
}

export interface Trajectory {
  readonly spec: RunSpec;
  readonly problem: Problem;
  readonly steps: Step[];
  /** b_0 chosen by the controller at x_0 (before any step). */
  readonly status: 'completed' | 'diverged';
  /** The initial decision of the controller (oracle: the exact test at x_0). */
  readonly decision0: TestDecision | null;
  readonly label: string;
}

const trajCache = new Map<string, Trajectory>();

export function runLabel(s: RunSpec): string {
  return `${s.problemId} ${s.opt.label} ${s.gradient === 'exact' ? 'exact-gradient' : s.controller.label}${s.replace === false ? ' w/o-repl' : ''} seed=${s.seed}`;
}

/** Memoised {@link simulate}: lemmas that share a run share its trajectory. */
export function trajectory(s: RunSpec): Trajectory {
  const k = `${runLabel(s)}|${s.steps}|${s.recordNoise ? 'n' : ''}|${s.noiseAlong ? 'a' : ''}`;
  let t = trajCache.get(k);
  if (t === undefined) {
    t = simulate(s);
    trajCache.set(k, t);
  }
  return t;
}

/** Forget memoised trajectories (between independent invocations). */
export function clearCaches(): void {
  trajCache.clear();
}

function effectiveAccumulator(opt: OptSpec, g: Float64Array, u: Float64Array, prev: Float64Array): Float64Array {
  if (!opt.perCoord) {
    const gn = Math.sqrt(sqNorm(g));
    const un = Math.sqrt(sqNorm(u));
    if (gn === 0 || un === 0) return Float64Array.from(prev);
    const r = (opt.alpha * gn) / un;
    return Float64Array.of(r * r);
  }
  const v = new Float64Array(g.length);
  for (let j = 0; j < g.length; j++) {
    if (g[j] === 0 || u[j] === 0) {
      v[j] = prev[j]!;
      continue;
    }
    const r = (opt.alpha * Math.abs(g[j]!)) / Math.abs(u[j]!) - opt.eps;
    v[j] = r * r;
  }
  return v;
}

/**
 * Run the optimizer with the controller and record every step. Mirrors run():
 * [kInit, kData] = split(key(seed)), x_0 = problem.x0(kInit), B_k from
 * foldIn(kData, k), ḡ from batchStatsAt, controller.next with x_{k+1}.
 */
export function simulate(s: RunSpec): Trajectory {
  const problem = problemById(s.problemId, { noiseAlong: s.noiseAlong ?? false });
  const exact = s.gradient === 'exact';
  const replace = s.replace ?? true;
  const [kInit, kData] = split(makeKey(s.seed), 2) as [Key, Key];
  let x: Float64Array = problem.x0(kInit);
  const optimizer = s.opt.make();
  const controller = s.controller.make();
  let cState: ControllerState = controller.init({ step: -1, samples: 0, x, problem, loss: NaN });
  const decision0 = cState.last ?? null;
  let oState = optimizer.init(x);
  const steps: Step[] = [];
  let samples = 0;
  let F = problem.value(x);
  let gradF: Float64Array = problem.gradient(x);
  let vPrev: Float64Array = new Float64Array(s.opt.perCoord ? problem.dim : 1).fill(s.opt.v0);
  let status: Trajectory['status'] = 'completed';
  for (let k = 0; k < s.steps; k++) {
    const b = exact ? 0 : cState.b;
    let g: Float64Array;
    let loss = F;
    let stats = null;
    if (exact) {
      g = Float64Array.from(gradF);
    } else {
      const batch = problem.sample(foldIn(kData, k), b, { replace });
      const bs = batchStatsAt(problem, x, batch);
      g = bs.meanGrad;
      loss = bs.loss;
      stats = b >= 2 ? statistics(bs) : null;
    }
    const sigma2 = s.recordNoise ? problem.noise!(x).sigma2 : null;
    const ctx: StepContext = { step: k, batchSize: b, samples, loss, lrScale: cState.lrScale };
    const [u, o2] = optimizer.update(g, oState, x, ctx);
    const xNext = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xNext[i] = x[i]! + u[i]!;
    samples += b;
    const finite = xNext.every(Number.isFinite) && g.every(Number.isFinite);
    if (!finite) {
      status = 'diverged';
      break;
    }
    const FNext = problem.value(xNext);
    const gradFNext = problem.gradient(xNext);
    let decision: TestDecision | null = null;
    if (!exact) {
      const next = controller.next(stats, cState, { step: k, samples, x: xNext, problem, loss });
      cState = next[1];
      decision = cState.last ?? null;
    }
    const v = effectiveAccumulator(s.opt, g, u, vPrev);
    steps.push({
      k, b, x, xNext, g, gradF, F, FNext, u, v, sigma2, decision,
      gNormSq: sqNorm(g),
      gradFNormSq: sqNorm(gradF),
      vState: optimizer.inspect?.(o2)['accumulator'] ?? NaN,
    });
    vPrev = v;
    oState = o2;
    x = xNext;
    F = FNext;
    gradF = gradFNext;
  }
  return { spec: s, problem, steps, status, decision0, label: runLabel(s) };
}

/** Seeds 0..n−1 offset by a lemma-specific base (so lemmas do not share seeds by accident). */
export function seeds(base: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => base + i);
}

/** The key of Monte Carlo resampling at point `i` of a lemma. */
export function mcKey(lemma: number, i: number): Key {
  return foldIn(foldIn(makeKey(9_000_000 + lemma), 7), i);
}

/** A few evenly spaced step indices of a trajectory (always including the first and the last). */
export function pickSteps(n: number, count: number): number[] {
  if (n <= 0) return [];
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (n - 1)) / Math.max(1, count - 1)));
  return [...out].sort((a, b) => a - b);
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

// ───────────────────────────── accumulator lemmas (L3–L5) ─────────────────────────────

/**
 * Walk a trajectory's accumulator one component at a time (one component for
 * AdaGrad-Norm, d for AdaGrad): calls `visit(c, k, gk2, vk)` for every step k with
 * g_kc² (||g_k||² for AdaGrad-Norm) and the v_kc the step used.
 */
export function forEachAccumulator(t: Trajectory, visit: (c: number, k: number, g2: number, v: number) => void): void {
  const comps = t.spec.opt.perCoord ? t.problem.dim : 1;
  for (let c = 0; c < comps; c++) {
    for (const s of t.steps) {
      const g2 = t.spec.opt.perCoord ? s.g[c]! * s.g[c]! : s.gNormSq;
      visit(c, s.k, g2, s.v[c]!);
    }
  }
}

/** A tally for a pathwise lemma: worst margin, runs, steps checked, steps skipped. */
export interface PathTally {
  readonly worst: Worst;
  runs: number;
  steps: number;
  skipped: number;
}
export function pathTally(): PathTally {
  return { worst: new Worst(), runs: 0, steps: 0, skipped: 0 };
}

/**
 * Student-t quantile t_ν(p) by the Cornish–Fisher expansion in z = Φ⁻¹(p)
 * (Abramowitz & Stegun 26.7.5); accurate to ~1e-3 for ν ≥ 5 at the tail levels used here.
 */
export function tQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4;
}

/** A Monte Carlo point of an expectation lemma: where, and the interval. */
export interface McPoint {
  readonly where: string;
  readonly mean: number;
  readonly halfWidth: number;
  /** The value the lemma predicts (equality) or bounds (inequality). */
  readonly target: number;
  /** Scale of the margin (usually |target|). */
  readonly scale: number;
}

/** Margin of "E Y = target" at a two-sided interval: ≥ 0 iff target ∈ [mean − h, mean + h]. */
export function mcEqMargin(p: McPoint): number {
  return (p.halfWidth - Math.abs(p.mean - p.target)) / Math.max(Math.abs(p.scale), 1e-300);
}
/** Margin of "E Y ≤ target" at a one-sided interval: ≥ 0 iff the lower confidence bound is ≤ target. */
export function mcLeMargin(p: McPoint): number {
  return (p.target - (p.mean - p.halfWidth)) / Math.max(Math.abs(p.scale), 1e-300);
}

/** Sample skewness γ̂ = m₃/m₂^{3/2}. */
export function skewness(xs: ArrayLike<number>): number {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]! / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - m;
    m2 += (d * d) / n;
    m3 += (d * d * d) / n;
  }
  return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
}

/**
 * How well the sample count covers the skewness, for the CLT behind a z-interval:
 * M/(25·γ̂²), ≥ 1 by the rule of thumb of Sugden, Smith & Jones (2000,
 * "Cochran's rule for simple random sampling", JRSS B). Infinity when γ̂ = 0.
 */
export function cltAdequacy(xs: ArrayLike<number>): number {
  const g = skewness(xs);
  return g === 0 ? Infinity : xs.length / (25 * g * g);
}
