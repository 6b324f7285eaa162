/**
 * Execute one resolved run configuration: build, run, and return the record a
 * sweep stores. This module is also the executor of the job pool for `sweep`
 * and `run` (`execute(spec, ctx)`, imported by each worker thread).
 */
import { getBackend } from '../backend/index.js';
import type { JobContext } from '../jobs/job.js';
import { key } from '../rng/index.js';
import { makeController, makeOptimizer } from '../run/registry.js';
import { jsonlObserver, type JsonlObserver } from '../run/jsonl.js';
import { run, type Observer, type RunStatus, type RunSummary } from '../run/run.js';
import type { TraceRow } from '../run/trace.js';
import { ProblemCache, type RunConfig } from './config.js';

/** The backend a run used: its name and thread count (1 unless the backend runs kernels on several threads). */
export interface BackendInfo {
  readonly name: string;
  readonly threads: number;
}

/** One line of `results.jsonl`: a finished run (completed, diverged or failed with an error). */
export interface RunRecord {
  readonly run_id: string;
  readonly config: RunConfig;
  readonly status: RunStatus;
  /** The run's summary; null when the run could not start (then `error` says why). */
  readonly summary: RunSummary | null;
  /** The error message of a failed run (status 'error' or 'diverged'). */
  readonly error?: string;
  /** The backend the run used (absent in files written before it was recorded). */
  readonly backend?: BackendInfo;
  /** The id of the sweep configuration the run belongs to (absent for files written before it was recorded). */
  readonly sweep?: string;
}

/** The backend in use in this thread. */
export function backendInfo(): BackendInfo {
  const b = getBackend();
  const m = /^(\d+)-threads?$/.exec(b.mode);
  return { name: b.name, threads: m !== null ? Number(m[1]) : 1 };
}

/** A trace write failed (a full disk): the run's result cannot be trusted to be on disk. */
export class TraceWriteError extends Error {
  constructor(readonly path: string, readonly code: string | undefined, cause: Error) {
    super(`${path}: ${cause.message}`);
    this.name = 'TraceWriteError';
  }
}

export interface ExecuteOptions {
  /** Write the run's trace as JSON Lines here (meta line first, summary line last). */
  readonly tracePath?: string;
  readonly observers?: readonly Observer[];
  readonly problems?: ProblemCache;
}

/**
 * Run one configuration. Never throws for a failing run: an exception before the
 * loop starts gives status 'error' with a null summary, and the run loop itself
 * reports divergence and in-loop exceptions in its summary. A failing trace
 * write throws {@link TraceWriteError}. Deterministic from the configuration
 * (the key is `key(config.seed)`).
 *
 * @example
 * executeRun('0123456789abcdef0123', { problem: 'nqm_d20_i0', optimizer: 'adagrad-norm', controller: 'norm',
 *   hyper: { eta: 0.5 }, budget: { steps: 50 }, seed: 0, evalEvery: 10, replace: true }).status; // returns 'completed'
 */
export function executeRun(id: string, config: RunConfig, opts: ExecuteOptions = {}): RunRecord {
  const trace: JsonlObserver | null = opts.tracePath !== undefined ? jsonlObserver(opts.tracePath) : null;
  let rec: RunRecord;
  try {
    const problem = (opts.problems ?? new ProblemCache()).get(config.problem);
    const optimizer = makeOptimizer(config.optimizer, config.hyper);
    const controller = makeController(config.controller, config.hyper, problem);
    const observers = [...(trace !== null ? [trace] : []), ...(opts.observers ?? [])];
    const res = run({
      problem,
      optimizer,
      controller,
      budget: config.budget,
      key: key(config.seed),
      observers,
      evalEvery: config.evalEvery,
      replace: config.replace,
      ...(config.testPooling !== undefined ? { testPooling: config.testPooling } : {}),
      config: { run_id: id, ...config },
    });
    const s = res.summary;
    rec = { run_id: id, config, status: s.status, summary: s, ...(s.status !== 'completed' ? { error: s.message } : {}) };
  } catch (e) {
    rec = { run_id: id, config, status: 'error', summary: null, error: e instanceof Error ? e.message : String(e) };
  }
  const failure = trace?.failure() ?? null;
  if (failure !== null) throw new TraceWriteError(opts.tracePath!, failure.code, failure);
  return { ...rec, backend: backendInfo() };
}

/** What the pool sends for one run of `sweep` or `run`. */
export interface RunSpec {
  readonly runId: string;
  readonly config: RunConfig;
  readonly tracePath?: string;
  /** The sweep's id, recorded in the record. */
  readonly sweep?: string;
  /** Post each step row as progress, at most every `progressMs` ms (and every `progressEvery`-th step). */
  readonly progressMs?: number;
  readonly progressEvery?: number;
}

/** A progress note of a run: a step row. */
export interface RunProgressNote {
  readonly row: TraceRow;
}

const problems = new ProblemCache();

/** The executor of `sweep` and `run` jobs (one per worker thread; problems are built once per thread). */
export function execute(spec: RunSpec, ctx: JobContext): RunRecord {
  const observers: Observer[] = [];
  if (spec.progressMs !== undefined || spec.progressEvery !== undefined) {
    let last = 0;
    observers.push({
      onStep(row: TraceRow) {
        const now = Date.now();
        if ((spec.progressMs !== undefined && now - last >= spec.progressMs) || (spec.progressEvery !== undefined && (row.k + 1) % spec.progressEvery === 0)) {
          last = now;
          ctx.progress({ row } satisfies RunProgressNote);
        }
      },
    });
  }
  const rec = executeRun(spec.runId, spec.config, { problems, observers, ...(spec.tracePath !== undefined ? { tracePath: spec.tracePath } : {}) });
  return spec.sweep !== undefined ? { ...rec, sweep: spec.sweep } : rec;
}
