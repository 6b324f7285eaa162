/**
 * Batch-size controllers (docs/MATH.md §3 and §5): pure (init, next) pairs. `next` is
 * called after step k with the statistics of B_k and the new iterate x_{k+1},
 * and returns b_{k+1}, chosen before B_{k+1} is drawn. A controller may also
 * scale the learning rate (stagewise SGD, Smith et al.) through `lrScale`.
 */
import type { Problem } from '../problem/types.js';
import type { BatchStatistics } from './summary.js';
import { exactQuantities, type BatchSizeTest, type TestDecision } from './sizeTests.js';

export interface ControllerContext {
  /** Index of the step just taken (−1 at init). */
  readonly step: number;
  /** Samples processed so far. */
  readonly samples: number;
  /** The iterate at which the next batch will be drawn. */
  readonly x: Float64Array;
  readonly problem: Problem;
  /** Mean loss of the batch just used (NaN at init). */
  readonly loss: number;
}

export interface ControllerState {
  /** The batch size for the next step. */
  readonly b: number;
  /** Multiplier on the optimizer's learning rate for the next step. */
  readonly lrScale: number;
  /** The last test decision, for traces. */
  readonly last?: TestDecision;
  readonly [extra: string]: unknown;
}

export interface Controller<S extends ControllerState = ControllerState> {
  readonly name: string;
  /** Whether `next` needs per-sample statistics (b ≥ 2). */
  readonly needsStats: boolean;
  init(ctx: ControllerContext): S;
  /** stats is null when b_k < 2 (no per-sample statistics). */
  next(stats: BatchStatistics | null, state: S, ctx: ControllerContext): [number, S];
}

function posInt(where: string, field: string, v: number, min = 1): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${where}: ${field} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}
function posNum(where: string, field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${where}: ${field} must be a positive finite number, got ${String(v)}`);
  }
}

/** A constant batch size b. */
export function constant(b: number): Controller {
  posInt('constant', 'b', b);
  return {
    name: 'constant',
    needsStats: false,
    init: () => ({ b, lrScale: 1 }),
    next: (_s, st) => [st.b, st],
  };
}

export interface TestDrivenOptions {
  readonly b0: number;
  readonly bMax: number;
  /** Run the test every τ steps (default 1). */
  readonly interval?: number;
  /** Round the batch size up to a multiple of this (default 1). */
  readonly workers?: number;
}

function roundUp(v: number, m: number): number {
  return Math.ceil(v / m) * m;
}

/**
 * b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉), rounded up to a multiple of `workers` (docs/MATH.md §3).
 * When bMax is itself a multiple of `workers` (testDriven and oracle pass the largest
 * multiple ≤ the user's b_max), every result is a multiple of `workers`.
 */
export function applyRule(b: number, T: number, bMax: number, workers: number): number {
  const want = Math.max(b, Number.isFinite(T) ? Math.ceil(T) : bMax);
  return Math.min(bMax, roundUp(want, workers));
}

/**
 * Validate the sizes and return the effective cap: the largest multiple of `workers`
 * that is ≤ bMax (so that every size is a multiple of workers and never passes bMax).
 */
function checkTestDriven(where: string, o: TestDrivenOptions): number {
  posInt(where, 'b0', o.b0, 2);
  posInt(where, 'bMax', o.bMax, 2);
  if (o.bMax < o.b0) throw new Error(`${where}: bMax (${o.bMax}) must be ≥ b0 (${o.b0})`);
  posInt(where, 'interval', o.interval ?? 1);
  const w = o.workers ?? 1;
  posInt(where, 'workers', w);
  const cap = Math.floor(o.bMax / w) * w;
  if (cap < roundUp(o.b0, w)) {
    throw new Error(`${where}: bMax (${o.bMax}) leaves no multiple of workers (${w}) between b0 (${o.b0}) and bMax`);
  }
  return cap;
}

/**
 * Test-driven controller (AdAdaGrad and its baselines; docs/MATH.md §3): every τ steps,
 * while b_k < b_max, the practical test on the batch just used sets
 * b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉); batch sizes never decrease. With M workers
 * every size is rounded up to a multiple of M, and b_max is lowered to the largest
 * multiple of M ≤ b_max (a b_max with no multiple of M in [b0, b_max] is rejected).
 * ||ḡ||² at or below the test's floor gives no information: b is kept.
 */
export function testDriven(test: BatchSizeTest, o: TestDrivenOptions): Controller {
  const bMax = checkTestDriven('testDriven', o);
  const tau = o.interval ?? 1;
  const w = o.workers ?? 1;
  return {
    name: `test-${test.name}`,
    needsStats: true,
    init: () => ({ b: Math.min(bMax, roundUp(o.b0, w)), lrScale: 1 }),
    next(stats, st, ctx) {
      if (stats === null || st.b >= bMax || (ctx.step + 1) % tau !== 0) return [st.b, { ...st, last: undefined }];
      const d = test.sample(stats);
      const b = d.noInfo ? st.b : applyRule(st.b, d.T, bMax, w);
      return [b, { ...st, b, last: d }];
    },
  };
}

/**
 * Oracle controller: the exact test at x (from the problem's σ²(x), ∇F(x)) picks
 * b_k before B_k is drawn, b_k = min(b_max, ⌈max(b_{k−1}, T(x_k))⌉), so the exact
 * test holds at every step unless capped by b_max (the regime of the theorems).
 */
export function oracle(test: BatchSizeTest, o: TestDrivenOptions): Controller {
  const bMax = checkTestDriven('oracle', o);
  const w = o.workers ?? 1;
  const pick = (b: number, ctx: ControllerContext): [number, TestDecision] => {
    const q = exactQuantities(ctx.problem, ctx.x, test.needs);
    const d0 = test.exact(q, b);
    if (d0.noInfo) return [b, d0];
    const nb = applyRule(b, d0.T, bMax, w);
    return [nb, test.exact(q, nb)];
  };
  return {
    name: `oracle-${test.name}`,
    needsStats: false,
    init(ctx) {
      const [b, last] = pick(Math.min(bMax, roundUp(o.b0, w)), ctx);
      return { b, lrScale: 1, last };
    },
    next(_s, st, ctx) {
      const [b, last] = pick(st.b, ctx);
      return [b, { ...st, b, last }];
    },
  };
}

export interface SebsOptions {
  readonly b1: number;
  /** Growth factor ρ > 1. */
  readonly rho: number;
  /** Number of stages S. */
  readonly stages: number;
  /** 'iterations': M steps per stage (SEBS paper); 'samples': N samples per stage (stagewise ramp-up). */
  readonly rule: 'iterations' | 'samples';
  /** M (steps) or N (samples) per stage. */
  readonly perStage: number;
  readonly bMax?: number;
}

/**
 * SEBS — stagewise enlargement of batch size (Zhao, Xie, Li 2020): stage s uses
 * b_s = ρ^{s−1} b₁ with a constant learning rate, for M steps per stage or for N
 * samples per stage; after the last stage the size stays.
 */
export function sebs(o: SebsOptions): Controller {
  posInt('sebs', 'b1', o.b1);
  if (!(o.rho > 1)) throw new Error(`sebs: rho must be > 1, got ${o.rho}`);
  posInt('sebs', 'stages', o.stages);
  posNum('sebs', 'perStage', o.perStage);
  if (o.rule !== 'iterations' && o.rule !== 'samples') throw new Error(`sebs: rule must be 'iterations' or 'samples', got ${String(o.rule)}`);
  const bMax = o.bMax ?? Infinity;
  const size = (s: number): number => Math.min(bMax, Math.round(o.b1 * Math.pow(o.rho, s)));
  return {
    name: `sebs-${o.rule}`,
    needsStats: false,
    init: () => ({ b: size(0), lrScale: 1, stage: 0 }),
    next(_s, st, ctx) {
      const progress = o.rule === 'iterations' ? ctx.step + 1 : ctx.samples;
      const stage = Math.min(o.stages - 1, Math.floor(progress / o.perStage));
      const b = Math.max(st.b, size(stage));
      return [b, { ...st, b, stage }];
    },
  };
}

export interface StagewiseSgdOptions {
  readonly b1: number;
  readonly rho: number;
  readonly stages: number;
  /** T₁: iterations of the first stage; stage s lasts ρ^{s−1} T₁. */
  readonly firstStageSteps: number;
}

/**
 * Stagewise SGD, the matched baseline of SEBS: constant batch b₁, learning rate
 * α/ρ^{s−1} in stage s, which lasts T_s = ρ^{s−1} T₁ iterations — the same
 * samples per stage as SEBS with M = T₁, with ρ^{s−1} times the updates.
 */
export function stagewiseSgd(o: StagewiseSgdOptions): Controller {
  posInt('stagewiseSgd', 'b1', o.b1);
  if (!(o.rho > 1)) throw new Error(`stagewiseSgd: rho must be > 1, got ${o.rho}`);
  posInt('stagewiseSgd', 'stages', o.stages);
  posInt('stagewiseSgd', 'firstStageSteps', o.firstStageSteps);
  const ends: number[] = [];
  let acc = 0;
  for (let s = 0; s < o.stages; s++) {
    acc += Math.round(o.firstStageSteps * Math.pow(o.rho, s));
    ends.push(acc);
  }
  return {
    name: 'stagewise-sgd',
    needsStats: false,
    init: () => ({ b: o.b1, lrScale: 1, stage: 0 }),
    next(_s, st, ctx) {
      const done = ctx.step + 1;
      let stage = ends.findIndex((e) => done < e);
      if (stage < 0) stage = o.stages - 1;
      return [o.b1, { ...st, stage, lrScale: Math.pow(o.rho, -stage) }];
    },
  };
}

/** Linear ramp: b = min(b_max, b₀ + Δ·⌊progress/every⌋), progress in steps or samples. */
export function linearRamp(o: { b0: number; delta: number; bMax: number; every?: number; unit?: 'steps' | 'samples' }): Controller {
  posInt('linear', 'b0', o.b0);
  posInt('linear', 'delta', o.delta);
  posInt('linear', 'bMax', o.bMax);
  if (o.bMax < o.b0) throw new Error(`linear: bMax (${o.bMax}) must be ≥ b0 (${o.b0})`);
  const every = o.every ?? 1;
  posNum('linear', 'every', every);
  return {
    name: 'linear',
    needsStats: false,
    init: () => ({ b: o.b0, lrScale: 1 }),
    next(_s, st, ctx) {
      const progress = (o.unit ?? 'steps') === 'steps' ? ctx.step + 1 : ctx.samples;
      const b = Math.max(st.b, Math.min(o.bMax, o.b0 + o.delta * Math.floor(progress / every)));
      return [b, { ...st, b }];
    },
  };
}

/** Geometric growth: b_{k+1} = min(b_max, ⌈ρ b_k⌉) (b_max defaults to n for finite sums). */
export function geometric(o: { b0: number; rho: number; bMax?: number }): Controller {
  posInt('geometric', 'b0', o.b0);
  if (!(o.rho > 1)) throw new Error(`geometric: rho must be > 1, got ${o.rho}`);
  return {
    name: 'geometric',
    needsStats: false,
    init: () => ({ b: o.b0, lrScale: 1 }),
    next(_s, st, ctx) {
      const bMax = o.bMax ?? ctx.problem.n ?? Infinity;
      const b = Math.min(bMax, Math.ceil(o.rho * st.b));
      return [b, { ...st, b }];
    },
  };
}

/**
 * "Don't decay the learning rate, increase the batch size" (Smith, Kindermans,
 * Ying, Le 2018): at each milestone (in steps) multiply b by f instead of dividing
 * the learning rate by f, until b·f would exceed b_max; then divide the learning rate.
 */
export function smith(o: { b0: number; factor: number; milestones: readonly number[]; bMax: number }): Controller {
  posInt('smith', 'b0', o.b0);
  if (!(o.factor > 1)) throw new Error(`smith: factor must be > 1, got ${o.factor}`);
  posInt('smith', 'bMax', o.bMax);
  const ms = [...o.milestones].sort((a, b) => a - b);
  return {
    name: 'smith',
    needsStats: false,
    init: () => ({ b: o.b0, lrScale: 1 }),
    next(_s, st, ctx) {
      if (!ms.includes(ctx.step + 1)) return [st.b, st];
      const nb = Math.round(st.b * o.factor);
      if (nb <= o.bMax) return [nb, { ...st, b: nb }];
      return [st.b, { ...st, lrScale: st.lrScale / o.factor }];
    },
  };
}

/**
 * CABS — coupled adaptive batch size (Balles, Romero, Hennig 2017):
 * b_{k+1} = ⌈α · tr(Σ̂)/F̂(x_k)⌉ with the biased trace tr(Σ̂) = (1/b) Σ_i ||g_i − ḡ||²
 * and F̂ the batch loss, clipped to [b_min, b_max]. NOTE: not monotone.
 */
export function cabs(o: { lr: number; bMin: number; bMax: number; b0: number }): Controller {
  posNum('cabs', 'lr', o.lr);
  posInt('cabs', 'bMin', o.bMin, 2);
  posInt('cabs', 'bMax', o.bMax, 2);
  posInt('cabs', 'b0', o.b0, 2);
  return {
    name: 'cabs',
    needsStats: true,
    init: () => ({ b: o.b0, lrScale: 1 }),
    next(stats, st, ctx) {
      if (stats === null || !(ctx.loss > 0)) return [st.b, st];
      const trace = (stats.S_norm * (stats.b - 1)) / stats.b;
      const b = Math.min(o.bMax, Math.max(o.bMin, Math.ceil((o.lr * trace) / ctx.loss)));
      return [b, { ...st, b }];
    },
  };
}

/**
 * Gradient-noise-scale controller (McCandlish, Kaplan, Amodei 2018): b ∝ an EMA of
 * B_simple = S_norm/||ḡ||², b = clip(⌈scale · EMA⌉, b_min, b_max). NOTE: not monotone.
 */
export function gns(o: { b0: number; bMin: number; bMax: number; beta?: number; scale?: number }): Controller {
  posInt('gns', 'b0', o.b0, 2);
  posInt('gns', 'bMin', o.bMin, 2);
  posInt('gns', 'bMax', o.bMax, 2);
  const beta = o.beta ?? 0.9;
  const scale = o.scale ?? 1;
  return {
    name: 'gns',
    needsStats: true,
    init: () => ({ b: o.b0, lrScale: 1, ema: NaN }),
    next(stats, st) {
      if (stats === null || !Number.isFinite(stats.B_simple)) return [st.b, st];
      const prev = st['ema'] as number;
      const ema = Number.isNaN(prev) ? stats.B_simple : beta * prev + (1 - beta) * stats.B_simple;
      const b = Math.min(o.bMax, Math.max(o.bMin, Math.ceil(scale * ema)));
      return [b, { ...st, b, ema }];
    },
  };
}

/**
 * AdaDamp (Sievert, Charles 2019): b_k = ⌈b₀ (F(x₀) − F*)/(F(x_k) − F*)⌉, with the
 * exact F from the problem (evaluations not counted as samples) and F* the
 * problem's F* (or F_low), clipped to [b₀, b_max].
 */
export function adaDamp(o: { b0: number; bMax: number }): Controller {
  posInt('adaDamp', 'b0', o.b0);
  posInt('adaDamp', 'bMax', o.bMax);
  const fstar = (p: Problem): number => p.constants.F_star ?? p.constants.F_low;
  return {
    name: 'adadamp',
    needsStats: false,
    init: (ctx) => ({ b: o.b0, lrScale: 1, gap0: ctx.problem.value(ctx.x) - fstar(ctx.problem) }),
    next(_s, st, ctx) {
      const gap = ctx.problem.value(ctx.x) - fstar(ctx.problem);
      const gap0 = st['gap0'] as number;
      const b = gap > 0 ? Math.min(o.bMax, Math.max(o.b0, Math.ceil((o.b0 * gap0) / gap))) : o.bMax;
      return [b, { ...st, b }];
    },
  };
}
