/**
 * The controller interface (docs/MATH.md §3 and §5). A controller is a pure (init, next)
 * pair: `next` is called after step k and returns b_{k+1}, chosen before B_{k+1}
 * is drawn, and optionally a multiplier on the learning rate of step k+1 (stagewise
 * SGD, Smith et al.). A controller declares what it needs to decide:
 *   'stats'  the per-sample statistics of the batch just used (b_k ≥ 2);
 *   'exact'  exact quantities at the new iterate x_{k+1} (F, ∇F, σ²; evaluations not counted as samples);
 *   'none'   only the step counters.
 * A 'stats' controller may also say which batch statistics it reads (`reads`, see
 * src/batching/needs.ts; absent: all of them). The loop computes per-sample statistics
 * only when they are needed, only those declared, and gives a controller only what it
 * declared: reading an undeclared statistic throws.
 */
import type { BatchStatistics } from '../summary.js';
import type { BatchStat } from '../needs.js';
import type { BatchSizeTest, ExactQuantities, TestDecision } from '../tests/index.js';

export type ControllerNeed = 'stats' | 'exact' | 'none';

/** Exact quantities at one iterate x, for controllers that declare need 'exact'. */
export interface ExactOracle {
  /** The iterate the quantities are taken at (x_0 at init, x_{k+1} after step k). */
  readonly x: Float64Array;
  /** F(x). */
  value(): number;
  /** ∇F(x). */
  gradient(): Float64Array;
  /** ∇F(x), σ²(x) and what `needs` asks for (throws when the problem cannot compute them). */
  quantities(needs: BatchSizeTest['needs']): ExactQuantities;
  /** F* when known, else the proven lower bound F_low. */
  readonly fStar: number;
}

/** What `init` sees. */
export interface ControllerInitContext {
  /** Number of samples n of a finite sum (null: a population problem). */
  readonly n: number | null;
  /** Exact quantities at x_0 (need 'exact' only; null otherwise). */
  readonly exact: ExactOracle | null;
}

/** What `next` sees after step k. */
export interface ControllerContext extends ControllerInitContext {
  /** Index k of the step just taken. */
  readonly step: number;
  /** Samples processed so far, including step k. */
  readonly samples: number;
  /** b_k, the batch size of the step just taken. */
  readonly b: number;
  /** Mean loss of the batch just used (NaN when the gradient source gives none). */
  readonly loss: number;
  /** Exact quantities at x_{k+1} (need 'exact' only; null otherwise). */
  readonly exact: ExactOracle | null;
}

/** A controller's decision: the next batch size, its learning-rate multiplier (default 1) and its new state. */
export interface ControllerDecision<S> {
  readonly b: number;
  /** Multiplier on the optimizer's learning rate for the next step (default 1). */
  readonly lrScale?: number;
  readonly state: S;
  /** The test decision behind b, for traces (test-driven and oracle controllers). */
  readonly test?: TestDecision;
}

export interface Controller<S = unknown> {
  readonly name: string;
  readonly needs: ControllerNeed;
  /**
   * With needs 'stats': the batch statistics `next` reads besides b, ḡ and ||ḡ||²
   * (a test-driven controller: its test's `reads`). Absent: all of them.
   */
  readonly reads?: readonly BatchStat[];
  init(ctx: ControllerInitContext): ControllerDecision<S>;
  /** stats: the statistics of B_k when needs = 'stats' and b_k ≥ 2, null otherwise. */
  next(stats: BatchStatistics | null, state: S, ctx: ControllerContext): ControllerDecision<S>;
}

export function posInt(where: string, field: string, v: number, min = 1): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${where}: ${field} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

export function posNum(where: string, field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${where}: ${field} must be a positive finite number, got ${String(v)}`);
  }
}

/** The oracle argument of a controller that declared need 'exact' (a clear error otherwise). */
export function needExact(where: string, ctx: ControllerInitContext): ExactOracle {
  if (ctx.exact === null) throw new Error(`${where}: needs exact quantities, but the loop gave none`);
  return ctx.exact;
}
