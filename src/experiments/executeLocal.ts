/**
 * Run a job of the local method (SPEC §6): `runLocal` with M workers, H local steps, the
 * registry's optimizer as every worker's local optimizer and the norm test on the local
 * batch, evaluated on the job's schedule. A round is a step of the output: `steps` counts
 * rounds, trace row r is round r (b_r the local batch, samples after the round, the mean
 * first-batch loss), and an evaluation at step r is x̄_r.
 */
// through the package's public entry point, as a user would
import { key, makeOptimizer, runLocal } from '../index.js';
import { evaluate, evaluationObserver, problemById } from './execute.js';
import type { EvalPoint, RunJob, RunOutput } from './types.js';

export async function executeLocalJob(job: RunJob): Promise<RunOutput> {
  const local = job.local;
  if (local === undefined) throw new Error('executeLocalJob: the job has no `local` field');
  const t0 = Date.now();
  const problem = await problemById(job.problem);
  const h = job.hyper as Record<string, unknown>;
  const num = (name: string): number => {
    const v = h[name];
    if (typeof v !== 'number') throw new Error(`executeLocalJob: hyper.${name} must be a number, got ${String(v)}`);
    return v;
  };
  const evals: EvalPoint[] = [];
  const res = runLocal({
    problem,
    localOptimizer: makeOptimizer(job.optimizer, job.hyper),
    workers: local.workers,
    localSteps: local.localSteps,
    b0: num('b0'),
    bMax: num('bMax'),
    eta: num('eta'),
    estimator: local.estimator,
    budget: { ...(job.budget.steps !== undefined ? { rounds: job.budget.steps } : {}), ...(job.budget.samples !== undefined ? { samples: job.budget.samples } : {}), ...(job.budget.epochs !== undefined ? { epochs: job.budget.epochs } : {}) },
    key: key(job.seed),
    replace: job.replace,
    // the exact quantities come from the schedule's observer; the run's own evaluation only every 10⁹ rounds
    evalEvery: 1_000_000_000,
    observers: [evaluationObserver(problem, job.evals, evals)],
  });
  const last = evals[evals.length - 1];
  if (res.summary.status === 'completed' && (last === undefined || last.step < res.summary.steps)) {
    evals.push(evaluate(problem, res.x, res.summary.steps, res.summary.samples, job.evals));
  }
  const c = res.trace.columns;
  const trace =
    job.trace === false
      ? null
      : { b: c.b.map((v) => v ?? NaN), samples: c.samples.map((v) => v ?? NaN), loss: c.loss.map((v) => (v === null || !Number.isFinite(v) ? null : v)) };
  return { status: res.summary.status, message: res.summary.message, steps: res.summary.steps, samples: res.summary.samples, finalB: res.summary.finalB, wallMs: Date.now() - t0, evals, trace };
}
