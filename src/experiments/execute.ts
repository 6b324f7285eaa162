/** Run one job: `run` with the registry's optimizer and controller, and the exact quantities evaluated on the job's schedule. */
import type { Controller, ControllerContext, ControllerState } from '../batching/controllers.js';
import type { BatchStatistics } from '../batching/summary.js';
import type { Problem } from '../problem/types.js';
import { key } from '../rng/index.js';
import { makeController, makeOptimizer } from '../run/registry.js';
import { run } from '../run/run.js';
import type { EvalPoint, EvalSchedule, RunJob, RunOutput } from './types.js';

function sqNorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

interface TestSet {
  testAccuracy(x: Float64Array): number;
}

function hasTest(p: Problem): p is Problem & TestSet {
  return typeof (p as Partial<TestSet>).testAccuracy === 'function';
}

/** The exact quantities at x (those the schedule asks for). */
export function evaluate(problem: Problem, x: Float64Array, step: number, samples: number, s: EvalSchedule): EvalPoint {
  const F = s.value === false ? null : finite(problem.value(x));
  const G = s.gradient === false ? null : finite(sqNorm(problem.gradient(x)));
  if (s.test === true && hasTest(problem)) {
    return { step, samples, F, G, testAccuracy: finite(problem.testAccuracy(x)) };
  }
  return { step, samples, F, G };
}

/**
 * Wrap a controller so that it evaluates the iterates it is shown: `init` sees x₀
 * and `next` sees x_{k+1} with the samples used so far — exactly the iterates
 * the run visits (x₀ always). The wrapped controller's decisions are unchanged.
 */
export function probeController<S extends ControllerState>(inner: Controller<S>, problem: Problem, schedule: EvalSchedule, out: EvalPoint[]): Controller<S> {
  const stepSet = schedule.steps === undefined || schedule.steps === 'all' ? null : new Set(schedule.steps);
  const allSteps = schedule.steps === 'all';
  const checkpoints = [...(schedule.samples ?? [])].sort((a, b) => a - b);
  let next = 0;
  const maybe = (step: number, samples: number, x: Float64Array): void => {
    let due = step === 0 || allSteps || (stepSet !== null && stepSet.has(step));
    while (next < checkpoints.length && samples >= checkpoints[next]!) {
      due = true;
      next++;
    }
    if (due) out.push(evaluate(problem, x, step, samples, schedule));
  };
  return {
    name: inner.name,
    needsStats: inner.needsStats,
    init(ctx: ControllerContext): S {
      maybe(0, 0, ctx.x);
      return inner.init(ctx);
    },
    next(stats: BatchStatistics | null, st: S, ctx: ControllerContext): [number, S] {
      maybe(ctx.step + 1, ctx.samples, ctx.x);
      return inner.next(stats, st, ctx);
    },
  };
}

/** A problem by id, built once per thread (the shared memoised lookup of problems/registry.ts). */
export async function problemById(id: string): Promise<Problem> {
  const { problemById: lookup } = await import('../../problems/registry.js');
  return lookup(id);
}

/** Run a job. Errors inside the run are reported in the output (status 'error'), not thrown. */
export async function executeJob(job: RunJob): Promise<RunOutput> {
  const t0 = Date.now();
  const problem = await problemById(job.problem);
  const evals: EvalPoint[] = [];
  const optimizer = makeOptimizer(job.optimizer, job.hyper);
  const controller = probeController(makeController(job.controller, job.hyper, problem), problem, job.evals, evals);
  const res = run({ problem, optimizer, controller, budget: job.budget, key: key(job.seed), replace: job.replace, evalEvery: 1 << 30 });
  // The last iterate, when the schedule did not reach it (a budget that ends between checkpoints).
  const last = evals[evals.length - 1];
  if (res.summary.status === 'completed' && job.evals.samples !== undefined && (last === undefined || last.step < res.summary.steps)) {
    evals.push(evaluate(problem, res.x, res.summary.steps, res.summary.samples, job.evals));
  }
  const c = res.trace.columns;
  const trace =
    job.trace === false
      ? null
      : { b: c.b.map((v) => v ?? NaN), samples: c.samples.map((v) => v ?? NaN), loss: c.loss.map((v) => (v === null || !Number.isFinite(v) ? null : v)) };
  return {
    status: res.summary.status,
    message: res.summary.message,
    steps: res.summary.steps,
    samples: res.summary.samples,
    finalB: res.summary.finalB,
    wallMs: Date.now() - t0,
    evals,
    trace,
  };
}
