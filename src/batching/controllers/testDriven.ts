/**
 * Test-driven controllers (AdAdaGrad and its baselines; docs/MATH.md §3): the practical test
 * on the batch just used (testDriven) or the exact test at the iterate (oracle) sets
 * b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉); batch sizes never decrease.
 */
import type { BatchSizeTest, TestDecision } from '../tests/index.js';
import { needExact, posInt, type Controller, type ControllerInitContext } from './types.js';

export interface TestDrivenOptions {
  readonly b0: number;
  readonly bMax: number;
  /** Run the test every τ steps, at k = 0, τ, 2τ, … (default 1). */
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
 * Test-driven controller (AdAdaGrad and its baselines; docs/MATH.md §3): at the steps
 * k = 0, τ, 2τ, … (as in the official code: the test runs on the batch of every
 * τ-th step, starting with the first), while b_k < b_max, the practical test on the
 * batch just used sets b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉); batch sizes never
 * decrease. With M workers every size is rounded up to a multiple of M, and b_max is
 * lowered to the largest multiple of M ≤ b_max (a b_max with no multiple of M in
 * [b0, b_max] is rejected). ||ḡ||² at or below the test's floor gives no
 * information: b is kept. Needs the batch statistics.
 */
export function testDriven(test: BatchSizeTest, o: TestDrivenOptions): Controller<null> {
  const bMax = checkTestDriven('testDriven', o);
  const tau = o.interval ?? 1;
  const w = o.workers ?? 1;
  return {
    name: `test-${test.name}`,
    needs: 'stats',
    reads: test.reads,
    init: () => ({ b: Math.min(bMax, roundUp(o.b0, w)), state: null }),
    next(stats, _st, ctx) {
      if (stats === null || ctx.b >= bMax || ctx.step % tau !== 0) return { b: ctx.b, state: null };
      const d = test.sample(stats);
      const b = d.noInfo ? ctx.b : applyRule(ctx.b, d.T, bMax, w);
      return { b, state: null, test: d };
    },
  };
}

/**
 * Oracle controller: the exact test at x (from the problem's σ²(x), ∇F(x)) picks
 * b_k before B_k is drawn, b_k = min(b_max, ⌈max(b_{k−1}, T(x_k))⌉), so the exact
 * test holds at every step unless capped by b_max (the regime of the theorems).
 * Needs exact quantities.
 */
export function oracle(test: BatchSizeTest, o: TestDrivenOptions): Controller<null> {
  const bMax = checkTestDriven('oracle', o);
  const w = o.workers ?? 1;
  const pick = (b: number, ctx: ControllerInitContext): { b: number; state: null; test: TestDecision } => {
    const q = needExact('oracle', ctx).quantities(test.needs);
    const d0 = test.exact(q, b);
    if (d0.noInfo) return { b, state: null, test: d0 };
    const nb = applyRule(b, d0.T, bMax, w);
    return { b: nb, state: null, test: test.exact(q, nb) };
  };
  return {
    name: `oracle-${test.name}`,
    needs: 'exact',
    init: (ctx) => pick(Math.min(bMax, roundUp(o.b0, w)), ctx),
    next: (_s, _st, ctx) => pick(ctx.b, ctx),
  };
}
