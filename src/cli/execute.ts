/** Execute one resolved run configuration: build, run, and return the record a sweep stores. */
import { key } from '../rng/index.js';
import { makeController, makeOptimizer } from '../run/registry.js';
import { jsonlObserver } from '../run/jsonl.js';
import { run, type Observer, type RunStatus, type RunSummary } from '../run/run.js';
import { ProblemCache, type RunConfig } from './config.js';

/** One line of `results.jsonl`: a finished run (completed, diverged or failed with an error). */
export interface RunRecord {
  readonly run_id: string;
  readonly config: RunConfig;
  readonly status: RunStatus;
  /** The run's summary; null when the run could not start (then `error` says why). */
  readonly summary: RunSummary | null;
  /** The error message of a failed run (status 'error' or 'diverged'). */
  readonly error?: string;
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
 * reports divergence and in-loop exceptions in its summary. Deterministic from
 * the configuration (the key is `key(config.seed)`).
 *
 * @example
 * executeRun('0123456789abcdef0123', { problem: 'nqm_d20_i0', optimizer: 'adagrad-norm', controller: 'norm',
 *   hyper: { eta: 0.5 }, budget: { steps: 50 }, seed: 0, evalEvery: 10, replace: true }).status; // returns 'completed'
 */
export function executeRun(id: string, config: RunConfig, opts: ExecuteOptions = {}): RunRecord {
  try {
    const problem = (opts.problems ?? new ProblemCache()).get(config.problem);
    const optimizer = makeOptimizer(config.optimizer, config.hyper);
    const controller = makeController(config.controller, config.hyper, problem);
    const observers = [...(opts.tracePath !== undefined ? [jsonlObserver(opts.tracePath)] : []), ...(opts.observers ?? [])];
    const res = run({
      problem,
      optimizer,
      controller,
      budget: config.budget,
      key: key(config.seed),
      observers,
      evalEvery: config.evalEvery,
      replace: config.replace,
      config: { run_id: id, ...config },
    });
    const s = res.summary;
    return { run_id: id, config, status: s.status, summary: s, ...(s.status !== 'completed' ? { error: s.message } : {}) };
  } catch (e) {
    return { run_id: id, config, status: 'error', summary: null, error: e instanceof Error ? e.message : String(e) };
  }
}
