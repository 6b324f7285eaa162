/**
 * Local gradient methods with adaptive local batch sizes (docs/MATH.md §6): M simulated
 * workers, H local steps per round, one synchronisation per round, and a norm
 * test that runs only at synchronisation.
 *
 * Round r (x̄_r the shared iterate, b_r the local batch size):
 *   for every worker m = 1..M:  x^m ← x̄_r; for h = 0..H−1: draw B^m_{r,h} (|B| = b_r),
 *                               x^m ← x^m + u, u from the worker's local optimizer;
 *   x̄_{r+1} = (1/M) Σ_m x^m;
 *   b_{r+1} = min(b_max, ⌈max(b_r, T_r)⌉)   (only while b_r < b_max; ||ḡ||² = 0 keeps b_r).
 *
 * T_r comes from each worker's FIRST local batch B^m_{r,0}, all drawn at the same point
 * x̄_r (so the statistics describe one point), with ḡ^m its mean gradient and
 * ḡ = (1/M) Σ_m ḡ^m. Two estimators:
 *
 * (a) 'pooled' — per-sample statistics pooled across workers (law of total variance):
 *       SS = Σ_m [ Σ_{i∈B^m} ||g_i − ḡ^m||² + b_r ||ḡ^m − ḡ||² ]   (= Σ_m [(b−1) S_norm^m + b ||ḡ^m − ḡ||²]),
 *       S  = SS / (M b_r − 1),
 *     the norm test on the pooled batch of M b_r samples asks for the global size
 *     S / (η² ||ḡ||²), so the local size is  T_r = S / (M η² ||ḡ||²).
 * (b) 'worker' — worker-level, no per-sample gradients: Var(ḡ^m) = σ²/b_r, so
 *       σ̂² = b_r · (1/(M−1)) Σ_m ||ḡ^m − ḡ||²,   T_r = σ̂² / (M η² ||ḡ||²)   (needs M ≥ 2).
 * Both cost no extra communication: they need the M worker gradients ḡ^m (and, for (a),
 * one scalar Σ_i ||g_i − ḡ^m||² per worker), sent with the synchronisation.
 *
 * Optimizer state: each worker keeps its OWN state of `localOptimizer`, carried across
 * rounds and never averaged. Reasons: only parameters are communicated (the cost model
 * of local SGD and of the companion paper: one all-reduce of x per round); averaging an
 * opaque state would need a second all-reduce and a per-optimizer rule for how to
 * average it (an AdaGrad accumulator, Adam's moments and its step count do not average
 * alike); and with M = 1 the method is then exactly the serial method.
 *
 * Randomness: [kInit, kData] = split(key, 2); x̄_0 = problem.x0(kInit); the batch of worker
 * m at round r, local step h is drawn with foldIn(kData, (r·M + m)·H + h) — a bijection of
 * (r, m, h) for fixed M, H, so runs are deterministic for a seed and no two draws share a
 * key. With M = 1, H = 1 this is foldIn(kData, r), the key `run` uses at step r, so
 * runLocal with M = H = 1 and the pooled estimator reproduces `run` with
 * testDriven(normTest(η), {b0, bMax}) bit for bit (same x, b, loss and trace columns).
 *
 * Gradients are computed by the same batch statistics engine as `run` on every local
 * step, for both estimators (so the iterates do not depend on the estimator given the
 * same batch sizes); the 'worker' estimator uses only the mean gradients.
 *
 * Trace: one TraceRow per round r (columns of trace.ts, read per round):
 *   k            round index r;
 *   b            local batch size b_r (each worker, each local step);
 *   samples      total samples after the round, Σ_{s≤r} M·H·b_s;
 *   loss         mean over workers of the first-batch losses at x̄_r (an estimate of F(x̄_r) from M b_r samples);
 *   gradNormSq   ||ḡ||², ḡ the mean of the workers' first-batch gradients at x̄_r;
 *   S_norm       the estimate of σ²(x̄_r): S (pooled) or σ̂² (worker);
 *   statistic    the local norm-test ratio (S/(M b_r)) / (η² ||ḡ||²) = T_r / b_r (≤ 1: the test held), null when no test ran;
 *   T            T_r, the local batch size asked for (null when no test ran or no information);
 *   lr, accumulator  the mean over workers of the local optimizer's read-back after the round;
 *   F, gradFNormSq   F(x̄_r), ||∇F(x̄_r)||² every `evalEvery` rounds (not counted as samples).
 *
 * Reference: T. T.-K. Lau, W. Li, C. Xu, H. Liu, M. Kolar, "Communication-efficient
 * adaptive batch size strategies for distributed local gradient methods",
 * arXiv 2406.13936 (the companion of AdAdaGrad, arXiv 2402.11215).
 *
 * @example
 * const res = runLocal({ problem: getProblem('nqm_d20_i0'), localOptimizer: sgd(0.1), workers: 4,
 *   localSteps: 8, b0: 2, bMax: 256, eta: 0.5, estimator: 'pooled', budget: { rounds: 50 }, key: key(0) });
 * res.trace.columns.b; // non-decreasing local batch sizes, one per round
 */
import { finalEvaluation, sqNorm } from './vec.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { compensatedSum } from '../batching/summary.js';
import { applyRule, constant } from '../batching/controllers.js';
import { step, type BatchSampler, type StepEnv, type StepState } from './step.js';
import { getBackend } from '../backend/index.js';
import { foldIn, split, type Key } from '../rng/index.js';
import { type Observer, type RunMeta, type RunStatus, type RunSummary } from './run.js';
import { Trace, type TraceRow } from './trace.js';
import { ConfigError } from './registry.js';

export type LocalEstimator = 'pooled' | 'worker';

export interface LocalBudget {
  /** Stop after this many rounds (synchronisations). */
  readonly rounds?: number;
  /** Stop before a round whose M·H·b_r samples would exceed this total. */
  readonly samples?: number;
  /** Sample budget in epochs of a finite sum (samples = epochs · n). */
  readonly epochs?: number;
}

export interface LocalOptions {
  readonly problem: Problem;
  /** Applied by every worker; each worker keeps its own state (see the module comment). */
  readonly localOptimizer: GradientTransformation<any>;
  /** M ≥ 1 workers (M ≥ 2 for the 'worker' estimator). */
  readonly workers: number;
  /** H ≥ 1 local steps per round. */
  readonly localSteps: number;
  /** Initial local batch size b_0 ≥ 2. */
  readonly b0: number;
  /** Cap on the local batch size, b_max ≥ b_0. */
  readonly bMax: number;
  /** Norm-test constant η > 0. */
  readonly eta: number;
  readonly estimator: LocalEstimator;
  readonly budget: LocalBudget;
  readonly key: Key;
  /** Evaluate F(x̄_r), ||∇F(x̄_r)||² every this many rounds (default 1); the final x̄ is always evaluated. */
  readonly evalEvery?: number;
  readonly observers?: readonly Observer[];
  /** Draw each worker's batches with replacement (default true). */
  readonly replace?: boolean;
  /** Start here instead of problem.x0(kInit). */
  readonly x0?: Float64Array;
  /** ||ḡ||² at or below this gives no information: b is kept (default 0). */
  readonly gradFloor?: number;
  /** Recorded in the meta line. */
  readonly config?: unknown;
}

export interface LocalResult {
  readonly trace: Trace;
  readonly summary: RunSummary;
  /** The last shared iterate x̄ (the last finite one on divergence). */
  readonly x: Float64Array;
  readonly meta: RunMeta;
}

/** What one worker reports from its first local batch at x̄_r. */
export interface WorkerFirstBatch {
  /** Local batch size b. */
  readonly b: number;
  /** ḡ^m. */
  readonly meanGrad: Float64Array;
  /** Σ_{i∈B^m} ||g_i − ḡ^m||² (only the pooled estimator reads it). */
  readonly sumSqDev: number;
}

/** An estimate of T_r at synchronisation. */
export interface LocalEstimate {
  /** ḡ = (1/M) Σ_m ḡ^m. */
  readonly meanGrad: Float64Array;
  /** ||ḡ||² (compensated sum). */
  readonly gradNormSq: number;
  /** The estimate of σ²(x̄_r): S (pooled) or σ̂² (worker). */
  readonly sigma2: number;
  /** The local batch size asked for, σ²-estimate / (M η² ||ḡ||²) (0 when noInfo). */
  readonly T: number;
  /** (σ²-estimate/(M b)) / (η² ||ḡ||²): ≤ 1 when the local norm test holds at b. */
  readonly statistic: number;
  /** ||ḡ||² at or below the floor. */
  readonly noInfo: boolean;
}

function meanOf(vs: readonly Float64Array[]): Float64Array {
  // Start from the first vector (not from 0), so that with M = 1 the mean is the vector itself, bit for bit.
  const M = vs.length;
  const out = Float64Array.from(vs[0]!);
  for (let m = 1; m < M; m++) {
    const v = vs[m]!;
    for (let j = 0; j < out.length; j++) out[j] = out[j]! + v[j]!;
  }
  for (let j = 0; j < out.length; j++) out[j] = out[j]! / M;
  return out;
}

function sqDist(a: Float64Array, c: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]! - c[j]!;
    s += t * t;
  }
  return s;
}

function finish(meanGrad: Float64Array, sigma2: number, M: number, b: number, eta: number, floor: number): LocalEstimate {
  const G = compensatedSum(meanGrad.map((v) => v * v));
  const e2 = eta * eta;
  if (!(G > floor)) return { meanGrad, gradNormSq: G, sigma2, T: 0, statistic: NaN, noInfo: true };
  return { meanGrad, gradNormSq: G, sigma2, T: sigma2 / (e2 * G) / M, statistic: sigma2 / (M * b) / (e2 * G), noInfo: false };
}

function checkWorkers(where: string, ws: readonly WorkerFirstBatch[], minM: number): number {
  if (ws.length < minM) throw new ConfigError('workers', `${where} needs at least ${minM} workers, got ${ws.length}`);
  const b = ws[0]!.b;
  if (ws.some((w) => w.b !== b)) throw new Error(`${where}: all workers must use the same local batch size`);
  return b;
}

/**
 * Estimator (a): pooled per-sample statistics (law of total variance).
 * S = Σ_m [Σ_i ||g_i − ḡ^m||² + b ||ḡ^m − ḡ||²] / (M b − 1), T = S / (M η² ||ḡ||²).
 *
 * @example
 * // M = 2, b = 2, d = 1: worker 1 saw g = 1, 3 (ḡ¹ = 2, SS¹ = 2); worker 2 saw 5, 7 (ḡ² = 6, SS² = 2)
 * // ḡ = 4, SS = 2 + 2 + 2·4 + 2·4 = 20, S = 20/3, T = (20/3)/(2 · 1 · 16) = 5/24 at η = 1
 * pooledEstimate([{ b: 2, meanGrad: [2], sumSqDev: 2 }, { b: 2, meanGrad: [6], sumSqDev: 2 }], 1).T; // 0.2083…
 */
export function pooledEstimate(ws: readonly WorkerFirstBatch[], eta: number, gradFloor = 0): LocalEstimate {
  const b = checkWorkers('pooledEstimate', ws, 1);
  const M = ws.length;
  if (!(M * b >= 2)) throw new Error(`pooledEstimate: needs M·b ≥ 2 samples, got ${M * b}`);
  const g = meanOf(ws.map((w) => w.meanGrad));
  let ss = 0;
  for (const w of ws) ss += w.sumSqDev + b * sqDist(w.meanGrad, g);
  return finish(g, ss / (M * b - 1), M, b, eta, gradFloor);
}

/**
 * Estimator (b): worker-level, no per-sample gradients.
 * σ̂² = b · (1/(M−1)) Σ_m ||ḡ^m − ḡ||², T = σ̂² / (M η² ||ḡ||²). Needs M ≥ 2.
 *
 * @example
 * // M = 2, b = 2, ḡ¹ = 2, ḡ² = 6: σ̂² = 2 · (4 + 4)/1 = 16, T = 16/(2 · 1 · 16) = 0.5 at η = 1
 * workerEstimate([{ b: 2, meanGrad: [2], sumSqDev: NaN }, { b: 2, meanGrad: [6], sumSqDev: NaN }], 1).T; // 0.5
 */
export function workerEstimate(ws: readonly WorkerFirstBatch[], eta: number, gradFloor = 0): LocalEstimate {
  const b = checkWorkers('workerEstimate', ws, 2);
  const M = ws.length;
  const g = meanOf(ws.map((w) => w.meanGrad));
  let s = 0;
  for (const w of ws) s += sqDist(w.meanGrad, g);
  return finish(g, (b * s) / (M - 1), M, b, eta, gradFloor);
}

function intField(field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(field, `must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

function resolveLocalBudget(problem: Problem, budget: LocalBudget): { rounds: number; samples: number } {
  const { rounds, samples, epochs } = budget;
  if (rounds === undefined && samples === undefined && epochs === undefined) {
    throw new ConfigError('budget', 'needs rounds, samples or epochs');
  }
  if (rounds !== undefined) intField('budget.rounds', rounds, 1);
  if (samples !== undefined && !(samples >= 1)) throw new ConfigError('budget.samples', `must be ≥ 1, got ${samples}`);
  if (epochs !== undefined) {
    if (problem.n === null) throw new ConfigError('budget.epochs', `needs a finite-sum problem; ${problem.id} is a population problem`);
    if (!(epochs > 0 && Number.isFinite(epochs))) throw new ConfigError('budget.epochs', `must be > 0, got ${epochs}`);
  }
  const s = Math.min(samples ?? Infinity, epochs !== undefined ? epochs * problem.n! : Infinity);
  return { rounds: rounds ?? Infinity, samples: s };
}



class Diverged extends Error {}

/**
 * Run the local method of docs/MATH.md §6 (see the module comment for the round, the two
 * estimators, the key derivation and the trace columns). Configuration errors throw a
 * ConfigError naming the field before any work; a non-finite loss, gradient or iterate
 * in round r stops the run with status 'diverged' and keeps rows 0..r−1 and x̄_r.
 */
export function runLocal(opts: LocalOptions): LocalResult {
  const { problem, localOptimizer: opt, estimator } = opts;
  const M = intField('workers', opts.workers, 1);
  const H = intField('localSteps', opts.localSteps, 1);
  const b0 = intField('b0', opts.b0, 2);
  const bMax = intField('bMax', opts.bMax, 2);
  if (bMax < b0) throw new ConfigError('bMax', `must be ≥ b0 (${b0}), got ${bMax}`);
  if (typeof opts.eta !== 'number' || !Number.isFinite(opts.eta) || opts.eta <= 0) {
    throw new ConfigError('eta', `must be a positive finite number, got ${String(opts.eta)}`);
  }
  const eta = opts.eta;
  if (estimator !== 'pooled' && estimator !== 'worker') {
    throw new ConfigError('estimator', `must be 'pooled' or 'worker', got ${String(estimator)}`);
  }
  if (estimator === 'worker' && M < 2) throw new ConfigError('workers', `the 'worker' estimator needs M ≥ 2 workers, got ${M}`);
  const evalEvery = intField('evalEvery', opts.evalEvery ?? 1, 1);
  const floor = opts.gradFloor ?? 0;
  if (!(floor >= 0)) throw new ConfigError('gradFloor', `must be ≥ 0, got ${floor}`);
  const budget = resolveLocalBudget(problem, opts.budget);
  const replace = opts.replace ?? true;
  if (!replace && problem.n !== null && bMax > problem.n) {
    throw new ConfigError('bMax', `${bMax} exceeds n = ${problem.n} of ${problem.id} when sampling without replacement`);
  }
  if (M * H * b0 > budget.samples) {
    throw new ConfigError('budget', `the sample budget (${budget.samples}) is smaller than the first round (M·H·b0 = ${M * H * b0})`);
  }
  const observers = opts.observers ?? [];
  const [kInit, kData] = split(opts.key, 2) as [Key, Key];
  let xbar = opts.x0 !== undefined ? Float64Array.from(opts.x0) : problem.x0(kInit);
  if (xbar.length !== problem.dim) throw new ConfigError('x0', `has length ${xbar.length}, problem ${problem.id} has dim ${problem.dim}`);

  const backend = getBackend();
  const meta: RunMeta = {
    problem: problem.id,
    dim: problem.dim,
    optimizer: opt.name,
    controller: `local-norm-${estimator}`,
    key: [...(opts.key as unknown as number[])],
    budget: {
      ...(opts.budget.rounds !== undefined ? { steps: opts.budget.rounds } : {}),
      ...(opts.budget.samples !== undefined ? { samples: opts.budget.samples } : {}),
      ...(opts.budget.epochs !== undefined ? { epochs: opts.budget.epochs } : {}),
    },
    backend: backend.name,
    backendMode: backend.mode,
    replace,
    config: {
      method: 'local', workers: M, localSteps: H, b0, bMax, eta, estimator, optimizerState: 'per-worker',
      budgetUnit: 'rounds', ...(opts.config !== undefined ? { user: opts.config } : {}),
    },
  };

  let states: unknown[] = Array.from({ length: M }, () => opt.init(xbar));
  // worker m's batch at round r, local step h (step index r·H + h) is drawn with foldIn(kData, (r·M + m)·H + h)
  const envs = Array.from({ length: M }, (_, m) => {
    const sampler: BatchSampler = {
      name: `local-worker-${m}`,
      draw: (q) => problem.sample(foldIn(kData, (Math.floor(q.step / H) * M + m) * H + (q.step % H)), q.b, { replace: q.replace }),
    };
    const rest: StepEnv = { problem, optimizer: opt, controller: constant(b0), key: kData, replace, sampler };
    // the pooled estimator reads Σ_i ||g_i − ḡ||² of each worker's first batch (S_norm, as run's norm test)
    return { first: { ...rest, statistics: ['S_norm'] } satisfies StepEnv, rest };
  });
  const trace = new Trace();
  const t0 = Date.now();
  let b = b0;
  let samples = 0;
  let r = 0;
  let status: RunStatus = 'completed';
  let message = 'budget reached';
  let minG = Infinity;

  for (const o of observers) o.onStart?.(meta);
  for (const o of observers) o.onIterate?.(xbar, 0, 0);
  try {
    while (r < budget.rounds) {
      if (samples + M * H * b > budget.samples) break;
      let F: number | null = null;
      let gF: number | null = null;
      if (r % evalEvery === 0) {
        F = problem.value(xbar);
        gF = sqNorm(problem.gradient(xbar));
        if (!Number.isFinite(F) || !Number.isFinite(gF)) throw new Diverged(`non-finite ${Number.isFinite(F) ? '||∇F||²' : 'F'} at round ${r}`);
        minG = Math.min(minG, gF);
      }
      const first: WorkerFirstBatch[] = [];
      const firstLoss: number[] = [];
      const finals: Float64Array[] = [];
      const newStates: unknown[] = [];
      const fixed = constant(b);
      for (let m = 0; m < M; m++) {
        let st: StepState = { x: xbar, optimizer: states[m], controller: null, b, lrScale: 1, samples };
        for (let h = 0; h < H; h++) {
          const env = h === 0 && estimator === 'pooled' ? envs[m]!.first : envs[m]!.rest;
          const out = step({ ...env, controller: fixed }, { ...st, samples: samples + h * M * b }, r * H + h);
          if (out.status === 'diverged') {
            throw new Diverged(`${out.message.replace(/ (at|after) step \d+$/, '')} at round ${r}, worker ${m}, local step ${h}`);
          }
          const rec = out.record;
          if (h === 0) {
            first.push({ b, meanGrad: rec.g, sumSqDev: rec.summary?.sumSqDev ?? NaN });
            firstLoss.push(rec.loss ?? NaN);
          }
          st = out.state;
        }
        finals.push(st.x);
        newStates.push(st.optimizer);
      }
      const xNext = meanOf(finals);
      const est = estimator === 'pooled' ? pooledEstimate(first, eta, floor) : workerEstimate(first, eta, floor);
      const tested = b < bMax;
      const bNext = tested && !est.noInfo ? applyRule(b, est.T, bMax, 1) : b;
      samples += M * H * b;
      const info: Record<string, number> = {};
      for (const st of newStates) {
        for (const [name, v] of Object.entries(opt.inspect?.(st) ?? {})) info[name] = (info[name] ?? 0) + v;
      }
      let loss = firstLoss[0]!;
      for (let m = 1; m < M; m++) loss += firstLoss[m]!;
      const row: TraceRow = {
        k: r,
        b,
        samples,
        loss: loss / M,
        gradNormSq: sqNorm(est.meanGrad),
        S_norm: est.sigma2,
        statistic: tested && Number.isFinite(est.statistic) ? est.statistic : null,
        T: tested && !est.noInfo && Number.isFinite(est.T) ? est.T : null,
        lr: info['lr'] !== undefined ? info['lr'] / M : null,
        accumulator: info['accumulator'] !== undefined ? info['accumulator'] / M : null,
        F,
        gradFNormSq: gF,
      };
      trace.push(row);
      for (const o of observers) o.onStep?.(row);
      xbar = xNext;
      for (const o of observers) o.onIterate?.(xbar, r + 1, samples);
      states = newStates;
      b = bNext;
      r++;
    }
  } catch (e) {
    if (e instanceof Diverged) status = 'diverged';
    else status = 'error';
    message = e instanceof Error ? e.message : String(e);
  }
  const fin = finalEvaluation(problem, xbar, status, minG);
  const { finalF, finalG } = fin;
  minG = fin.minG;
  const summary: RunSummary = {
    status,
    message,
    steps: r,
    samples,
    finalB: b,
    finalF,
    finalGradFNormSq: finalG,
    minGradFNormSq: Number.isFinite(minG) ? minG : null,
    wallMs: Date.now() - t0,
  };
  for (const o of observers) o.onEnd?.(summary);
  return { trace, summary, x: xbar, meta };
}
