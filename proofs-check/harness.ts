/**
 * proofs-check harness: trajectories of run()'s own step (src/run/step.ts) with every
 * per-step quantity a proof uses (x_k, g_k, v_k, ∇F(x_k), F(x_k), x_{k+1}), margins,
 * Monte Carlo resampling with stated confidence, and the report types.
 *
 * `simulate` drives the same step function as run() (same key split, same batch keys
 * foldIn(kData, k), the same ḡ, optimizer.update, controller.next on x_{k+1}), so a
 * check on these trajectories is a check on what run() computes;
 * test/proofs/proofs.test.ts asserts that the two agree.
 */
import {
  adagrad, adagradNorm, batchStatsAt, constant, foldIn, key as makeKey, split,
  type Controller, type GradientTransformation, type Key, type TestDecision,
} from '../src/index.js';
import { initStep, step as runStep, type StepEnv } from '../src/run/step.js';
import { sqNorm } from '../src/run/vec.js';
import { problemById as sharedProblemById } from '../problems/registry.js';
import type { Batch, Problem } from '../src/problem/types.js';
import { Worst } from './lemmaReport.js';

export * from './lemmaReport.js';
export * from './statistics.js';
export * from './resample.js';

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

export { sqNorm, dot } from '../src/run/vec.js';

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
 * Run the optimizer with the controller and record every step, on run()'s own step
 * (src/run/step.ts): [kInit, kData] = split(key(seed)), x_0 = problem.x0(kInit), B_k
 * from foldIn(kData, k), ḡ from the batch statistics engine, controller.next with
 * x_{k+1}. Exact-gradient runs use the step's 'exact' source (g_k = ∇F(x_k)) with a
 * constant controller (the spec's controller only gives decision0; b is recorded as 0).
 */
export function simulate(s: RunSpec): Trajectory {
  const problem = problemById(s.problemId, { noiseAlong: s.noiseAlong ?? false });
  const exact = s.gradient === 'exact';
  const [kInit, kData] = split(makeKey(s.seed), 2) as [Key, Key];
  const x0: Float64Array = problem.x0(kInit);
  const controller = s.controller.make();
  const decision0 = initStep({ problem, optimizer: s.opt.make(), controller, key: kData }, x0).decision;
  const env: StepEnv = {
    problem, optimizer: s.opt.make(), controller: exact ? constant(1) : controller, key: kData,
    replace: s.replace ?? true, gradient: exact ? 'exact' : 'sampled',
  };
  let state = initStep(env, x0).state;
  const steps: Step[] = [];
  let F = problem.value(state.x);
  let gradF: Float64Array = problem.gradient(state.x);
  let vPrev: Float64Array = new Float64Array(s.opt.perCoord ? problem.dim : 1).fill(s.opt.v0);
  let status: Trajectory['status'] = 'completed';
  for (let k = 0; k < s.steps; k++) {
    const sigma2 = s.recordNoise ? problem.noise!(state.x).sigma2 : null;
    const out = runStep(env, state, k);
    if (out.status === 'diverged') {
      status = 'diverged';
      break;
    }
    const r = out.record;
    const FNext = problem.value(r.xNext);
    const gradFNext = problem.gradient(r.xNext);
    const v = effectiveAccumulator(s.opt, r.g, r.update, vPrev);
    steps.push({
      k, b: exact ? 0 : r.b, x: r.x, xNext: r.xNext, g: r.g, gradF, F, FNext, u: r.update, v, sigma2,
      decision: exact ? null : r.decision,
      gNormSq: sqNorm(r.g),
      gradFNormSq: sqNorm(gradF),
      vState: r.optimizerInfo['accumulator'] ?? NaN,
    });
    vPrev = v;
    state = out.state;
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
