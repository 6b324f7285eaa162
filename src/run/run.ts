/**
 * The training loop of DESIGN.md's data path:
 * problem.sample(key_k, b_k) → batch-aware backward → optimizer.update(ḡ) →
 * controller.next(stats) → b_{k+1} → trace row. Exact F and ∇F are evaluated on
 * their own schedule and never count as samples.
 */
import { allFinite, finalEvaluation, sqNorm } from './vec.js';
import { batchGradStats, type BatchGradStats } from '../batching/engine.js';
import { statistics, type BatchStatistics } from '../batching/summary.js';
import type { Controller, ControllerContext, ControllerState } from '../batching/controllers.js';
import type { GradientTransformation, StepContext } from '../optim/transform.js';
import type { Batch, Problem } from '../problem/types.js';
import { fromArray, type Tensor } from '../tensor/tensor.js';
import { getBackend } from '../backend/index.js';
import { foldIn, split, type Key } from '../rng/index.js';
import { Trace, type TraceRow } from './trace.js';

export interface Budget {
  /** Stop after this many steps. */
  readonly steps?: number;
  /** Stop before a step that would exceed this many samples. */
  readonly samples?: number;
  /** Sample budget in epochs of a finite sum (samples = epochs · n). */
  readonly epochs?: number;
}

export interface RunMeta {
  readonly problem: string;
  readonly dim: number;
  readonly optimizer: string;
  readonly controller: string;
  readonly key: readonly number[];
  readonly budget: Budget;
  readonly backend: string;
  readonly backendMode: string;
  readonly replace: boolean;
  /** Free-form configuration recorded by callers (CLI, sweeps). */
  readonly config?: unknown;
}

export type RunStatus = 'completed' | 'diverged' | 'error';

export interface RunSummary {
  readonly status: RunStatus;
  readonly message: string;
  readonly steps: number;
  readonly samples: number;
  readonly finalB: number;
  /** F and ||∇F||² at the last iterate (null if not finite or not evaluated). */
  readonly finalF: number | null;
  readonly finalGradFNormSq: number | null;
  /** min over evaluated k of ||∇F(x_k)||². */
  readonly minGradFNormSq: number | null;
  readonly wallMs: number;
}

export interface Observer {
  onStart?(meta: RunMeta): void;
  onStep?(row: TraceRow): void;
  onEnd?(summary: RunSummary): void;
}

export interface RunOptions {
  readonly problem: Problem;
  readonly optimizer: GradientTransformation<any>;
  readonly controller: Controller<any>;
  readonly budget: Budget;
  readonly key: Key;
  readonly observers?: readonly Observer[];
  /** Evaluate F(x_k), ||∇F(x_k)||² every this many steps (default 1); the final iterate is always evaluated. */
  readonly evalEvery?: number;
  /** Draw batches with replacement (default true). */
  readonly replace?: boolean;
  /** Start here instead of problem.x0(key). */
  readonly x0?: Float64Array;
  /** Recorded in the meta line. */
  readonly config?: unknown;
}

export interface RunResult {
  readonly trace: Trace;
  readonly summary: RunSummary;
  /** The last iterate (the last finite one on divergence). */
  readonly x: Float64Array;
  readonly meta: RunMeta;
}

/** Split a flat x into the problem's parameter tensors (views, no copy). */
export function unflatten(problem: Problem, x: Float64Array): Tensor[] {
  return problem.blocks.map((blk) => fromArray(x.subarray(blk.offset, blk.offset + blk.size), blk.shape));
}

/** Mean loss, ḡ and per-sample statistics of one batch at x. */
export function batchStatsAt(problem: Problem, x: Float64Array, batch: Batch): BatchGradStats {
  return batchGradStats((ps, bt: Batch) => problem.perSampleLoss(ps, bt), unflatten(problem, x), batch, {
    names: problem.blocks.map((b) => b.name),
    ...(problem.regularizer ? { regularizer: (ps: readonly Tensor[]) => problem.regularizer!(ps) } : {}),
  });
}



function resolveBudget(problem: Problem, budget: Budget): { steps: number; samples: number } {
  const { steps, samples, epochs } = budget;
  if (steps === undefined && samples === undefined && epochs === undefined) {
    throw new Error('run: budget needs steps, samples or epochs');
  }
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new Error(`run: budget.steps must be an integer ≥ 1, got ${steps}`);
  if (samples !== undefined && !(samples >= 1)) throw new Error(`run: budget.samples must be ≥ 1, got ${samples}`);
  if (epochs !== undefined) {
    if (problem.n === null) throw new Error(`run: budget.epochs needs a finite-sum problem; ${problem.id} is a population problem`);
    if (!(epochs > 0)) throw new Error(`run: budget.epochs must be > 0, got ${epochs}`);
  }
  const s = Math.min(samples ?? Infinity, epochs !== undefined ? epochs * problem.n! : Infinity);
  return { steps: steps ?? Infinity, samples: s };
}

/**
 * Run an optimizer with a batch-size controller on a problem.
 *
 * A step is taken only if it fits in the sample budget. A non-finite loss,
 * gradient or iterate stops the run with status 'diverged' and keeps what it had
 * (no NaN row is written); an exception inside the loop gives status 'error'.
 * Configuration errors (bad budget, b > n without replacement) throw before any work.
 *
 * @example
 * const res = run({ problem: getProblem('nqm_d20_i0'), optimizer: adagradNorm(0.5),
 *   controller: testDriven(normTest(0.5), { b0: 2, bMax: 1024 }), budget: { steps: 100 }, key: key(0) });
 * res.summary.status; // 'completed'
 */
export function run(opts: RunOptions): RunResult {
  const { problem, optimizer, controller } = opts;
  const budget = resolveBudget(problem, opts.budget);
  const evalEvery = opts.evalEvery ?? 1;
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new Error(`run: evalEvery must be an integer ≥ 1, got ${evalEvery}`);
  const replace = opts.replace ?? true;
  const observers = opts.observers ?? [];
  const [kInit, kData] = split(opts.key, 2) as [Key, Key];
  let x = opts.x0 !== undefined ? Float64Array.from(opts.x0) : problem.x0(kInit);
  if (x.length !== problem.dim) throw new Error(`run: x0 has length ${x.length}, problem ${problem.id} has dim ${problem.dim}`);
  const backend = getBackend();
  const meta: RunMeta = {
    problem: problem.id,
    dim: problem.dim,
    optimizer: optimizer.name,
    controller: controller.name,
    key: [...(opts.key as unknown as number[])],
    budget: opts.budget,
    backend: backend.name,
    backendMode: backend.mode,
    replace,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
  };

  const ctx0: ControllerContext = { step: -1, samples: 0, x, problem, loss: NaN };
  let cState: ControllerState = controller.init(ctx0);
  checkBatch(problem, cState.b, replace);
  if (cState.b > budget.samples) {
    throw new Error(`run: the sample budget (${budget.samples}) is smaller than the first batch (${cState.b})`);
  }
  let oState = optimizer.init(x);
  const trace = new Trace();
  const t0 = Date.now();
  let samples = 0;
  let k = 0;
  let status: RunStatus = 'completed';
  let message = 'budget reached';
  let minG = Infinity;

  for (const o of observers) o.onStart?.(meta);
  try {
    while (k < budget.steps) {
      const b = cState.b;
      checkBatch(problem, b, replace);
      if (samples + b > budget.samples) break;
      const evalNow = k % evalEvery === 0;
      let F: number | null = null;
      let gF: number | null = null;
      if (evalNow) {
        F = problem.value(x);
        gF = sqNorm(problem.gradient(x));
        if (Number.isFinite(gF)) minG = Math.min(minG, gF);
      }
      const batch = problem.sample(foldIn(kData, k), b, { replace });
      const bs = batchStatsAt(problem, x, batch);
      const g = bs.meanGrad;
      if (!Number.isFinite(bs.loss) || !allFinite(g)) {
        status = 'diverged';
        message = `non-finite ${Number.isFinite(bs.loss) ? 'gradient' : 'loss'} at step ${k}`;
        break;
      }
      const stats: BatchStatistics | null = b >= 2 ? statistics(bs) : null;
      const sctx: StepContext = { step: k, batchSize: b, samples, loss: bs.loss, lrScale: cState.lrScale };
      const [u, o2] = optimizer.update(g, oState, x, sctx);
      const xNext = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) xNext[i] = x[i]! + u[i]!;
      const info = optimizer.inspect?.(o2) ?? {};
      samples += b;
      const finiteNext = allFinite(xNext);
      let nextState = cState;
      if (finiteNext) {
        const cctx: ControllerContext = { step: k, samples, x: xNext, problem, loss: bs.loss };
        nextState = controller.next(stats, cState, cctx)[1];
      }
      const last = nextState.last;
      const row: TraceRow = {
        k,
        b,
        samples,
        loss: bs.loss,
        gradNormSq: sqNorm(g),
        S_norm: stats === null ? null : stats.S_norm,
        statistic: last !== undefined && Number.isFinite(last.statistic) ? last.statistic : null,
        T: last !== undefined && !last.noInfo ? (Number.isFinite(last.T) ? last.T : null) : null,
        lr: info['lr'] ?? null,
        accumulator: info['accumulator'] ?? null,
        F,
        gradFNormSq: gF,
      };
      trace.push(row);
      for (const o of observers) o.onStep?.(row);
      k++;
      if (!finiteNext) {
        status = 'diverged';
        message = `non-finite iterate after step ${k - 1}`;
        break;
      }
      x = xNext;
      oState = o2;
      cState = nextState;
    }
  } catch (e) {
    status = 'error';
    message = e instanceof Error ? e.message : String(e);
  }
  const fin = finalEvaluation(problem, x, status, minG);
  const { finalF, finalG } = fin;
  minG = fin.minG;
  const summary: RunSummary = {
    status,
    message,
    steps: k,
    samples,
    finalB: cState.b,
    finalF,
    finalGradFNormSq: finalG,
    minGradFNormSq: Number.isFinite(minG) ? minG : null,
    wallMs: Date.now() - t0,
  };
  for (const o of observers) o.onEnd?.(summary);
  return { trace, summary, x, meta };
}

function checkBatch(problem: Problem, b: number, replace: boolean): void {
  if (!Number.isInteger(b) || b < 1) throw new Error(`run: batch size must be an integer ≥ 1, got ${b}`);
  if (!replace && problem.n !== null && b > problem.n) {
    throw new Error(`run: batch size ${b} exceeds n = ${problem.n} of ${problem.id} when sampling without replacement`);
  }
}
