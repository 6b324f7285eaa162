/**
 * One training step (DESIGN.md's data path), the single loop body every loop is built
 * on (`run`, `runLocal`, the rate-check variants, the lemma harness):
 *
 *   B_k = sampler(k, samples so far, b_k)                      (gradient source 'sampled')
 *   ḡ_k = mean gradient of B_k at x_k  (+ the per-sample statistics the controller reads, only when needed)
 *   u_k = optimizer.update(ḡ_k; lrScale_k),  x_{k+1} = x_k + u_k
 *   (b_{k+1}, lrScale_{k+1}) = controller.next(stats of B_k | exact at x_{k+1})
 *
 * The gradient source is a parameter of the environment: 'sampled' (the batch mean
 * through the batch statistics engine), 'exact' (g_k = ∇F(x_k), the deterministic
 * method) or any {@link GradientSource} (e.g. a batch mean drawn exactly from its law).
 * The step is a pure function of (env, state, k) for the two built-in sources.
 *
 * Statistics: a controller with needs 'stats' that declares `reads` (src/batching/needs.ts)
 * gets only those, computed alone (a norm-test controller: S_norm, without the products
 * behind S_ip, S_orth and S_j), through a view that refuses undeclared reads
 * (src/batching/statsView.ts); without `reads` it gets all of them. `statistics:
 * 'always'` computes all of them for every b ≥ 2 (what traces and observers record).
 */
import { allFinite, sqNorm } from './vec.js';
import { batchGradStats, batchMeanGrad } from '../batching/engine.js';
import { availableStatistics, presentStats, type BatchStatistics, type GradSummary, type PartialStatistics } from '../batching/summary.js';
import { BATCH_STATS, checkStats, unionStats, type BatchStat } from '../batching/needs.js';
import type { StatsWorkspace } from '../batching/workspace.js';
import { statisticsView } from '../batching/statsView.js';
import { exactQuantities, type TestDecision } from '../batching/tests/index.js';
import type { Controller, ControllerContext, ControllerInitContext, ExactOracle } from '../batching/controllers.js';
import type { GradientTransformation, StepContext } from '../optim/transform.js';
import type { Batch, Problem } from '../problem/types.js';
import { fromArray, type Tensor } from '../tensor/tensor.js';
import { foldIn, type Key } from '../rng/index.js';

/** What a batch sampler is asked for at step k. */
export interface SampleRequest {
  readonly problem: Problem;
  /** The run's data key (the second half of split(key, 2)). */
  readonly key: Key;
  /** Step index k. */
  readonly step: number;
  /** Samples drawn before this step (Σ_{j<k} b_j). */
  readonly samples: number;
  /** b_k. */
  readonly b: number;
  readonly replace: boolean;
}

/**
 * Draws B_k. The default, {@link iidSampler}, draws i.i.d. (with or without replacement
 * inside the batch) by problem.sample(foldIn(key, k), b); an epoch sampler (reshuffle
 * every epoch, consecutive batches) can be written from `samples` (its position in the
 * epoch order) and `step`.
 */
export interface BatchSampler {
  readonly name: string;
  draw(req: SampleRequest): Batch;
}

/** problem.sample(foldIn(key, k), b, { replace }): the batches `run` has always drawn. */
export const iidSampler: BatchSampler = {
  name: 'iid',
  draw: (r) => r.problem.sample(foldIn(r.key, r.step), r.b, { replace: r.replace }),
};

/** What a gradient source is asked for at step k. */
export interface GradientRequest extends SampleRequest {
  readonly x: Float64Array;
  readonly sampler: BatchSampler;
  /** Whether the per-sample summary is wanted (a source that cannot give it returns null). */
  readonly withStats: boolean;
  /** The batch statistics wanted when withStats (needs.ts; absent: all). A source may give more. */
  readonly reads?: readonly BatchStat[];
}

/**
 * A gradient source's answer: g_k, the loss (null when the source gives none) and, when
 * asked and possible, the per-sample summary. A source that knows the law of the batch
 * statistics without the per-sample gradients (e.g. a Gaussian model's sample covariance
 * drawn from its Wishart law) or that pools them its own way (the official per-device
 * form) returns `stats` directly, with `summary` null; the step uses `stats` as given.
 */
export interface GradientResult {
  readonly g: Float64Array;
  readonly loss: number | null;
  readonly summary: GradSummary | null;
  readonly batch: Batch | null;
  /** The batch statistics, when the source computes them itself (taken as is; `summary` is then ignored). */
  readonly stats?: BatchStatistics | null;
}

export interface GradientSource {
  readonly name: string;
  gradient(req: GradientRequest): GradientResult;
}

/** Split a flat x into the problem's parameter tensors (views, no copy). */
export function unflatten(problem: Problem, x: Float64Array): Tensor[] {
  return problem.blocks.map((blk) => fromArray(x.subarray(blk.offset, blk.offset + blk.size), blk.shape));
}

/**
 * Mean loss, ḡ and per-sample statistics of one batch at x (those behind `stats` only, when
 * given; see needs.ts), into `workspace`'s buffers when given (src/batching/workspace.ts).
 */
export function batchStatsAt(problem: Problem, x: Float64Array, batch: Batch, stats?: readonly BatchStat[], workspace?: StatsWorkspace): ReturnType<typeof batchGradStats> {
  return batchGradStats((ps, bt: Batch) => problem.perSampleLoss(ps, bt), unflatten(problem, x), batch, {
    names: problem.blocks.map((b) => b.name),
    ...(stats !== undefined ? { stats } : {}),
    ...(workspace !== undefined ? { workspace } : {}),
    ...(problem.regularizer ? { regularizer: (ps: readonly Tensor[]) => problem.regularizer!(ps) } : {}),
  });
}

/** Mean loss and ḡ of one batch at x (bit for bit those of batchStatsAt), without statistics. */
export function batchMeanAt(problem: Problem, x: Float64Array, batch: Batch): { loss: number; meanGrad: Float64Array } {
  return batchMeanGrad((ps, bt: Batch) => problem.perSampleLoss(ps, bt), unflatten(problem, x), batch, {
    ...(problem.regularizer ? { regularizer: (ps: readonly Tensor[]) => problem.regularizer!(ps) } : {}),
  });
}

/** The batch mean of a sampled batch (the batch statistics engine). */
export const sampledSource: GradientSource = {
  name: 'sampled',
  gradient(r) {
    const batch = r.sampler.draw(r);
    if (r.withStats) {
      const bs = batchStatsAt(r.problem, r.x, batch, r.reads);
      return { g: bs.meanGrad, loss: bs.loss, summary: bs, batch };
    }
    const m = batchMeanAt(r.problem, r.x, batch);
    return { g: m.meanGrad, loss: m.loss, summary: null, batch };
  },
};

/** g_k = ∇F(x_k) and loss F(x_k): the deterministic method (no batch; b_k is only counted). */
export const exactSource: GradientSource = {
  name: 'exact',
  gradient: (r) => ({ g: r.problem.gradient(r.x), loss: r.problem.value(r.x), summary: null, batch: null }),
};

/** The exact oracle of a problem at x (what controllers with need 'exact' see). */
export function exactOracle(problem: Problem, x: Float64Array, replace = true): ExactOracle {
  return {
    x,
    value: () => problem.value(x),
    gradient: () => problem.gradient(x),
    quantities: (needs) => exactQuantities(problem, x, needs, { replace }),
    fStar: problem.constants.F_star ?? problem.constants.F_low,
  };
}

/** Everything fixed for a run: the problem, optimizer, controller, gradient source and sampler. */
export interface StepEnv {
  readonly problem: Problem;
  readonly optimizer: GradientTransformation<any>;
  readonly controller: Controller<any>;
  /** The data key: the second half of split(key, 2). */
  readonly key: Key;
  /** 'sampled' (default), 'exact', or a custom source. */
  readonly gradient?: 'sampled' | 'exact' | GradientSource;
  /** Default {@link iidSampler}. */
  readonly sampler?: BatchSampler;
  /** Draw batches with replacement (default true). */
  readonly replace?: boolean;
  /**
   * 'auto' (default): per-sample statistics only when the controller needs them (those it
   * reads); 'always': all of them for every b ≥ 2 (S_norm in traces); a list of batch
   * statistics (needs.ts): those, for every b ≥ 2, besides what the controller reads.
   */
  readonly statistics?: 'auto' | 'always' | readonly BatchStat[];
}

/** The loop state before step k. */
export interface StepState {
  /** x_k. */
  readonly x: Float64Array;
  readonly optimizer: unknown;
  readonly controller: unknown;
  /** b_k, chosen by the controller before B_k is drawn. */
  readonly b: number;
  /** The controller's learning-rate multiplier for step k. */
  readonly lrScale: number;
  /** Samples processed before step k. */
  readonly samples: number;
}

/** Everything step k computed. */
export interface StepRecord {
  readonly k: number;
  /** b_k. */
  readonly b: number;
  /** Samples after the step (Σ_{j≤k} b_j). */
  readonly samples: number;
  /** B_k (null for a source without batches). */
  readonly batch: Batch | null;
  /** x_k and x_{k+1} = x_k + u_k. */
  readonly x: Float64Array;
  readonly xNext: Float64Array;
  /** g_k, the gradient the optimizer was given, and ||g_k||². */
  readonly g: Float64Array;
  readonly gradNormSq: number;
  /** u_k. */
  readonly update: Float64Array;
  /** Mean loss of B_k (F(x_k) for the exact source; null when the source gives none). */
  readonly loss: number | null;
  /** The per-sample statistics of B_k (b_k ≥ 2 and computed; null otherwise): those asked for, the others absent. */
  readonly stats: PartialStatistics | null;
  /** The per-sample summary behind `stats`. */
  readonly summary: GradSummary | null;
  /** lrScale_k, the multiplier used at this step. */
  readonly lrScale: number;
  /** The optimizer's read-back after the update (lr, accumulator, …). */
  readonly optimizerInfo: Readonly<Record<string, number>>;
  /** The controller's test decision after this step (null when no test ran or the step diverged). */
  readonly decision: TestDecision | null;
  /** b_{k+1} (b_k when the step diverged). */
  readonly bNext: number;
}

/**
 * The outcome of a step: 'ok' with the next state, or 'diverged' — before the update
 * (non-finite loss, g_k or ||g_k||²: `record` is null) or after it (non-finite x_{k+1}
 * or accumulator: `record` is kept, `state` is the input state).
 */
export type StepOutcome =
  | { readonly status: 'ok'; readonly state: StepState; readonly record: StepRecord }
  | { readonly status: 'diverged'; readonly message: string; readonly state: StepState; readonly record: StepRecord | null };

function sourceOf(env: StepEnv): GradientSource {
  const g = env.gradient ?? 'sampled';
  return g === 'sampled' ? sampledSource : g === 'exact' ? exactSource : g;
}

function controllerInit(env: StepEnv, x: Float64Array): ControllerInitContext {
  return { n: env.problem.n, exact: env.controller.needs === 'exact' ? exactOracle(env.problem, x, env.replace ?? true) : null };
}

/** The state before step 0 at x_0: the optimizer's and controller's initial states and b_0. */
export function initStep(env: StepEnv, x0: Float64Array): { state: StepState; decision: TestDecision | null } {
  const d = env.controller.init(controllerInit(env, x0));
  return {
    state: { x: x0, optimizer: env.optimizer.init(x0), controller: d.state, b: d.b, lrScale: d.lrScale ?? 1, samples: 0 },
    decision: d.test ?? null,
  };
}

/** Whether step k would compute per-sample statistics (b ≥ 2 and asked for). */
export function wantsStats(env: StepEnv, b: number): boolean {
  return b >= 2 && (env.controller.needs === 'stats' || env.statistics === 'always' || Array.isArray(env.statistics));
}

/**
 * The batch statistics step k computes (null: none): all of them with `statistics:
 * 'always'` or a 'stats' controller that declares no `reads`, else the controller's `reads`.
 */
export function wantedStats(env: StepEnv, b: number): readonly BatchStat[] | null {
  if (!wantsStats(env, b)) return null;
  if (env.statistics === 'always') return BATCH_STATS;
  const own = env.controller.needs === 'stats' ? env.controller.reads ?? BATCH_STATS : [];
  return Array.isArray(env.statistics) ? unionStats(own, checkStats('step: statistics', env.statistics)) : own;
}

/** What the controller is given: its declared statistics through a view that refuses the others, or all of them. */
function controllerStats(controller: Controller<any>, stats: PartialStatistics | null): BatchStatistics | null {
  if (controller.needs !== 'stats' || stats === null) return null;
  if (controller.reads !== undefined) return statisticsView(stats, controller.reads, `controller ${controller.name}`);
  const have = presentStats(stats);
  if (have.length !== BATCH_STATS.length) {
    throw new Error(`controller ${controller.name} declares no \`reads\` (all statistics), but the step has only ${have.join(', ')}`);
  }
  return stats as BatchStatistics;
}

/** Step k: (env, state, k) → (state', StepRecord). See the module comment. */
export function step(env: StepEnv, state: StepState, k: number): StepOutcome {
  const { problem, optimizer, controller } = env;
  const { x, b, samples } = state;
  const reads = wantedStats(env, b);
  const withStats = reads !== null;
  const res = sourceOf(env).gradient({
    problem, key: env.key, step: k, samples, b, replace: env.replace ?? true, x, sampler: env.sampler ?? iidSampler, withStats,
    ...(reads !== null && reads !== BATCH_STATS ? { reads } : {}),
  });
  const g = res.g;
  if (res.loss !== null && !Number.isFinite(res.loss)) return { status: 'diverged', message: `non-finite loss at step ${k}`, state, record: null };
  // ||g||² is finite only if every g_j is, so allFinite runs only to name the failure (one pass over g, not two)
  const gradNormSq = sqNorm(g);
  if (!Number.isFinite(gradNormSq)) {
    const message = allFinite(g) ? `non-finite ||g||² at step ${k}` : `non-finite gradient at step ${k}`;
    return { status: 'diverged', message, state, record: null };
  }
  // a sampler may serve fewer than b_k samples (the short last batch of an epoch): no statistics below 2
  const stats: PartialStatistics | null = !withStats ? null
    : res.stats != null ? (res.stats.b >= 2 ? res.stats : null)
    : res.summary !== null && res.summary.b >= 2 ? availableStatistics(res.summary) : null;
  const loss = res.loss ?? NaN;
  const sctx: StepContext = { step: k, batchSize: b, samples, loss, lrScale: state.lrScale };
  const [u, o2] = optimizer.update(g, state.optimizer, x, sctx);
  const xNext = new Float64Array(x.length);
  let finiteNext = true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! + u[i]!;
    xNext[i] = v;
    if (v - v !== 0) finiteNext = false; // NaN or ±∞
  }
  const info = optimizer.inspect?.(o2) ?? {};
  const samplesNext = samples + (res.batch?.size ?? b); // the samples actually served
  const base = {
    k, b, samples: samplesNext, batch: res.batch, x, xNext, g, gradNormSq, update: u, loss: res.loss,
    stats, summary: withStats ? res.summary : null, lrScale: state.lrScale, optimizerInfo: info,
  };
  if (!finiteNext) {
    return { status: 'diverged', message: `non-finite iterate after step ${k}`, state, record: { ...base, decision: null, bNext: b } };
  }
  const acc = info['accumulator'];
  if (acc !== undefined && !Number.isFinite(acc)) {
    return { status: 'diverged', message: `non-finite accumulator after step ${k}`, state, record: { ...base, decision: null, bNext: b } };
  }
  const cctx: ControllerContext = {
    step: k, samples: samplesNext, b, loss, n: problem.n,
    exact: controller.needs === 'exact' ? exactOracle(problem, xNext, env.replace ?? true) : null,
  };
  const d = controller.next(controllerStats(controller, stats), state.controller, cctx);
  const next: StepState = { x: xNext, optimizer: o2, controller: d.state, b: d.b, lrScale: d.lrScale ?? 1, samples: samplesNext };
  return { status: 'ok', state: next, record: { ...base, decision: d.test ?? null, bNext: d.b } };
}
