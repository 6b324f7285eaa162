/**
 * The training loop of DESIGN.md's data path: budget + evaluation schedule +
 * observers around the one training step of ./step.ts
 * (problem.sample(key_k, b_k) → batch-aware backward → optimizer.update(ḡ) →
 * controller.next → b_{k+1}), one trace row per step. Exact F and ∇F are evaluated
 * on their own schedule and never count as samples.
 */
import { finalEvaluation, sqNorm } from './vec.js';
import type { Controller } from '../batching/controllers.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { getBackend } from '../backend/index.js';
import { split, type Key } from '../rng/index.js';
import { Trace, type TraceRow } from './trace.js';
import { initStep, step, type BatchSampler, type GradientSource, type StepEnv, type StepRecord, type StepState } from './step.js';
import { officialPooledSource } from './sources/officialPooled.js';
import { checkPoolingSplit, type PoolingSplit } from '../batching/tests/officialPooled.js';

export { unflatten, batchStatsAt } from './step.js';

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
  /** Where the test statistics were computed, when the run said (see {@link TestPooling}). */
  readonly testPooling?: TestPooling;
  /** Free-form configuration recorded by callers (CLI, sweeps). */
  readonly config?: unknown;
}

export type RunStatus = 'completed' | 'diverged' | 'error';

export interface RunSummary {
  readonly status: RunStatus;
  readonly message: string;
  readonly steps: number;
  /** Samples actually used (≤ the sample budget: the loop stops before a step that would overshoot it). */
  readonly samples: number;
  /** The sample budget in force (samples, or epochs · n), when there was one. */
  readonly sampleBudget?: number;
  readonly finalB: number;
  /** F and ||∇F||² at the last iterate (null if not finite or not evaluated). */
  readonly finalF: number | null;
  readonly finalGradFNormSq: number | null;
  /** min over evaluated k of ||∇F(x_k)||². */
  readonly minGradFNormSq: number | null;
  readonly wallMs: number;
}

/**
 * Watches a run. `onStep` gets the trace row and, from `run`, the step's full record
 * (x_k, x_{k+1}, g_k, the batch, the statistics when computed; runLocal's rows are per
 * round and come without one); `onIterate` gets every iterate the run visits, x_0 and
 * each finite x_{k+1} the run continues from, with the steps and samples used to reach it.
 */
export interface Observer {
  onStart?(meta: RunMeta): void;
  onIterate?(x: Float64Array, steps: number, samples: number): void;
  onStep?(row: TraceRow, record?: StepRecord): void;
  onEnd?(summary: RunSummary): void;
}

/**
 * Where the test statistics are computed. 'unbiased' (the default, and what a run
 * without this option does): the statistics of the whole batch, which is the unbiased
 * pooled estimator however the batch is split over devices. 'official': the official
 * AdAdaGrad code's M-device form, each device's micro-batches of at most `microBatch`
 * samples pooled by the law of total variance with equal weights (biased upward by
 * about 1 + (M − 1)/(M b_m); src/run/sources/officialPooled.ts).
 */
export interface TestPooling extends PoolingSplit {
  readonly form?: 'official' | 'unbiased';
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
  /** false: no evaluation on a schedule (F and ||∇F||² columns null; observers may evaluate); the summary still evaluates the final iterate. Default true. */
  readonly evaluate?: boolean;
  /** Evaluate instead at the first step after each multiple of this many samples (and at k = 0); excludes evalEvery. */
  readonly evalEverySamples?: number;
  /** 'sampled' (default), 'exact' (g_k = ∇F(x_k)) or a custom source (see step.ts). */
  readonly gradient?: 'sampled' | 'exact' | GradientSource;
  /** The batch sampler (default i.i.d. through problem.sample; see step.ts). */
  readonly sampler?: BatchSampler;
  /** 'auto' (default): per-sample statistics only when the controller needs them (S_norm is null otherwise); 'always': for every b ≥ 2. */
  readonly statistics?: 'auto' | 'always';
  /** Draw batches with replacement (default true). */
  readonly replace?: boolean;
  /** Where the test statistics are computed (default: the whole batch; see {@link TestPooling}). Needs the 'sampled' source. */
  readonly testPooling?: TestPooling;
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

/** When to evaluate F and ∇F: every `every` steps, or at the first step after each multiple of `everySamples` samples. */
export class EvalSchedule {
  private nextSamples = 0;
  constructor(private readonly every: number, private readonly everySamples: number | null) {}

  static of(o: { evalEvery?: number; evalEverySamples?: number }, where = 'run'): EvalSchedule {
    if (o.evalEvery !== undefined && o.evalEverySamples !== undefined) throw new Error(`${where}: give evalEvery or evalEverySamples, not both`);
    const every = o.evalEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new Error(`${where}: evalEvery must be an integer ≥ 1, got ${every}`);
    const es = o.evalEverySamples;
    if (es !== undefined && !(Number.isFinite(es) && es > 0)) throw new Error(`${where}: evalEverySamples must be a positive number, got ${es}`);
    return new EvalSchedule(every, es ?? null);
  }

  /** Whether to evaluate at x_k, with `samples` used before step k (call once per step, in order). */
  due(k: number, samples: number): boolean {
    if (this.everySamples === null) return k % this.every === 0;
    if (samples < this.nextSamples) return false;
    this.nextSamples = (Math.floor(samples / this.everySamples) + 1) * this.everySamples;
    return true;
  }
}

/** The trace row of a step record: the per-step columns of trace.ts, F and ||∇F||² when evaluated. */
export function traceRow(rec: StepRecord, F: number | null, gradFNormSq: number | null): TraceRow {
  const d = rec.decision;
  return {
    k: rec.k,
    b: rec.b,
    samples: rec.samples,
    loss: rec.loss ?? NaN,
    gradNormSq: rec.gradNormSq,
    S_norm: rec.stats?.S_norm ?? null,
    statistic: d !== null && Number.isFinite(d.statistic) ? d.statistic : null,
    T: d !== null && !d.noInfo ? (Number.isFinite(d.T) ? d.T : null) : null,
    lr: rec.optimizerInfo['lr'] ?? null,
    accumulator: rec.optimizerInfo['accumulator'] ?? null,
    F,
    gradFNormSq,
  };
}

/**
 * Run an optimizer with a batch-size controller on a problem: the step of ./step.ts
 * under a budget, an evaluation schedule and observers.
 *
 * Budget: a step is taken only if it fits in the sample budget, so the run never
 * overshoots it; the summary's `samples` is the budget actually used and
 * `sampleBudget` the budget in force (the unused remainder is smaller than the next
 * batch). Statistics: per-sample statistics are computed only when the controller
 * needs them (or `statistics: 'always'`); S_norm is null otherwise. They are those of
 * the whole batch unless `testPooling` asks for the official M-device pooled form.
 * Divergence: a non-finite loss, g_k or ||g_k||² (no row), a non-finite x_{k+1} or
 * accumulator (the row is kept), or a non-finite F(x_k) or ||∇F(x_k)||² at an
 * evaluation (no row) stops the run with status 'diverged' at that step; nothing
 * non-finite is written as null. An exception inside the loop gives status 'error'.
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
  const schedule = EvalSchedule.of(opts);
  const evaluate = opts.evaluate ?? true;
  const replace = opts.replace ?? true;
  const observers = opts.observers ?? [];
  const [kInit, kData] = split(opts.key, 2) as [Key, Key];
  const x0 = opts.x0 !== undefined ? Float64Array.from(opts.x0) : problem.x0(kInit);
  if (x0.length !== problem.dim) throw new Error(`run: x0 has length ${x0.length}, problem ${problem.id} has dim ${problem.dim}`);
  const backend = getBackend();
  let meta: RunMeta = {
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
  const pooling = resolvePooling(opts);
  if (opts.testPooling !== undefined) meta = { ...meta, testPooling: opts.testPooling };
  const env: StepEnv = {
    problem, optimizer, controller, key: kData, replace,
    ...(pooling !== null ? { gradient: officialPooledSource(pooling) } : opts.gradient !== undefined ? { gradient: opts.gradient } : {}),
    ...(opts.sampler !== undefined ? { sampler: opts.sampler } : {}),
    ...(opts.statistics !== undefined ? { statistics: opts.statistics } : {}),
  };

  let state: StepState = initStep(env, x0).state;
  checkBatch(problem, state.b, replace);
  if (pooling !== null && state.b >= 2 && state.b < 2 * pooling.devices && (controller.needs === 'stats' || opts.statistics === 'always')) {
    throw new Error(`run: testPooling.devices = ${pooling.devices} needs a first batch of at least ${2 * pooling.devices} (2 samples per device), got ${state.b}`);
  }
  if (state.b > budget.samples) {
    throw new Error(`run: the sample budget (${budget.samples}) is smaller than the first batch (${state.b})`);
  }
  const trace = new Trace();
  const t0 = Date.now();
  let k = 0;
  let samples = 0;
  let status: RunStatus = 'completed';
  let message = 'budget reached';
  let minG = Infinity;

  for (const o of observers) o.onStart?.(meta);
  for (const o of observers) o.onIterate?.(x0, 0, 0);
  try {
    while (k < budget.steps) {
      const b = state.b;
      checkBatch(problem, b, replace);
      if (state.samples + b > budget.samples) break;
      let F: number | null = null;
      let gF: number | null = null;
      if (evaluate && schedule.due(k, state.samples)) {
        F = problem.value(state.x);
        gF = sqNorm(problem.gradient(state.x));
        if (!Number.isFinite(F) || !Number.isFinite(gF)) {
          status = 'diverged';
          message = `non-finite ${Number.isFinite(F) ? '||∇F||²' : 'F'} at step ${k}`;
          break;
        }
        minG = Math.min(minG, gF);
      }
      const out = step(env, state, k);
      if (out.record !== null) {
        const row = traceRow(out.record, F, gF);
        trace.push(row);
        for (const o of observers) o.onStep?.(row, out.record);
        k++;
        samples = out.record.samples;
      }
      if (out.status === 'diverged') {
        status = 'diverged';
        message = out.message;
        break;
      }
      state = out.state;
      for (const o of observers) o.onIterate?.(state.x, k, state.samples);
    }
  } catch (e) {
    status = 'error';
    message = e instanceof Error ? e.message : String(e);
  }
  const x = state.x;
  const fin = finalEvaluation(problem, x, status, minG);
  const { finalF, finalG } = fin;
  minG = fin.minG;
  const summary: RunSummary = {
    status,
    message,
    steps: k,
    samples,
    ...(Number.isFinite(budget.samples) ? { sampleBudget: budget.samples } : {}),
    finalB: state.b,
    finalF,
    finalGradFNormSq: finalG,
    minGradFNormSq: Number.isFinite(minG) ? minG : null,
    wallMs: Date.now() - t0,
  };
  for (const o of observers) o.onEnd?.(summary);
  return { trace, summary, x, meta };
}

/** The official split of `opts.testPooling`, or null for the default (whole-batch) statistics. */
function resolvePooling(opts: RunOptions): PoolingSplit | null {
  const tp = opts.testPooling;
  if (tp === undefined) return null;
  checkPoolingSplit('run: testPooling', tp);
  const form = tp.form ?? 'unbiased';
  if (form !== 'official' && form !== 'unbiased') throw new Error(`run: testPooling.form must be 'official' or 'unbiased', got ${String(form)}`);
  if (form === 'unbiased') return null;
  if (opts.gradient !== undefined && opts.gradient !== 'sampled') {
    throw new Error(`run: testPooling 'official' computes the statistics of sampled batches; it cannot be combined with the gradient source '${typeof opts.gradient === 'string' ? opts.gradient : opts.gradient.name}'`);
  }
  return { devices: tp.devices, ...(tp.microBatch !== undefined ? { microBatch: tp.microBatch } : {}) };
}

function checkBatch(problem: Problem, b: number, replace: boolean): void {
  if (!Number.isInteger(b) || b < 1) throw new Error(`run: batch size must be an integer ≥ 1, got ${b}`);
  if (!replace && problem.n !== null && b > problem.n) {
    throw new Error(`run: batch size ${b} exceeds n = ${problem.n} of ${problem.id} when sampling without replacement`);
  }
}
