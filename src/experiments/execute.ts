/** Run one job: `run` with the registry's optimizer and controller, and an observer that evaluates the exact quantities on the job's schedule. */
import { epochSampler } from '../run/samplers/epoch.js';
import type { Problem } from '../problem/types.js';
import { key } from '../rng/index.js';
import { makeController, makeOptimizer } from '../run/registry.js';
import { run, type Observer } from '../run/run.js';
import { gaussianStatsSource } from '../run/sources/gaussianStats.js';
import type { GradientSource } from '../run/step.js';
import { startNear } from '../testing/separable.js';
import { sqNorm } from '../run/vec.js';
import type { EvalPoint, EvalSchedule, RunJob, RunOutput } from './types.js';
import { executeLocalJob } from './executeLocal.js';

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
 * An observer that evaluates the iterates the run visits on the job's schedule: x₀
 * always, x_k at the listed steps (or all), and the first iterate at or past each
 * sample checkpoint. It only reads x, so the run's decisions are unchanged.
 */
export function evaluationObserver(problem: Problem, schedule: EvalSchedule, out: EvalPoint[]): Observer {
  const stepSet = schedule.steps === undefined || schedule.steps === 'all' ? null : new Set(schedule.steps);
  const allSteps = schedule.steps === 'all';
  const checkpoints = [...(schedule.samples ?? [])].sort((a, b) => a - b);
  let next = 0;
  return {
    onIterate(x, step, samples) {
      let due = step === 0 || allSteps || (stepSet !== null && stepSet.has(step));
      while (next < checkpoints.length && samples >= checkpoints[next]!) {
        due = true;
        next++;
      }
      if (due) out.push(evaluate(problem, x, step, samples, schedule));
    },
  };
}

/** A problem by id, built once per thread (the shared memoised lookup of problems/registry.ts). */
export async function problemById(id: string): Promise<Problem> {
  const { problemById: lookup } = await import('../../problems/registry.js');
  return lookup(id);
}

/** The job's problem: the registry's, started near x★ when the job says so (`startNear`). */
export function jobProblem(problem: Problem, job: RunJob): Problem {
  if (job.startNear === undefined) return problem;
  if (!(Number.isFinite(job.startNear) && job.startNear >= 0)) throw new Error(`job ${job.label}: startNear must be a finite number ≥ 0, got ${job.startNear}`);
  return startNear(problem, job.startNear);
}

/** The job's gradient source for `run` (undefined: run's default, sampled batches). */
export function jobGradientSource(problem: Problem, job: RunJob): GradientSource | undefined {
  switch (job.gradientSource) {
    case undefined:
    case 'sampled':
      return undefined;
    case 'gaussian-stats':
      return gaussianStatsSource(problem);
    default:
      throw new Error(`job ${job.label}: gradientSource must be 'sampled' or 'gaussian-stats', got ${JSON.stringify(job.gradientSource)}`);
  }
}

/** Run a job. Errors inside the run are reported in the output (status 'error'), not thrown. */
export async function executeJob(job: RunJob): Promise<RunOutput> {
  if (job.local !== undefined) {
    if (job.gradientSource !== undefined || job.startNear !== undefined || job.testPooling !== undefined) throw new Error(`job ${job.label}: gradientSource, startNear and testPooling are not options of a local-method job`);
    return executeLocalJob(job);
  }
  const t0 = Date.now();
  const problem = jobProblem(await problemById(job.problem), job);
  const evals: EvalPoint[] = [];
  const optimizer = makeOptimizer(job.optimizer, job.hyper);
  const controller = makeController(job.controller, job.hyper, problem);
  const gradient = jobGradientSource(problem, job);
  const res = run({
    problem, optimizer, controller, budget: job.budget, key: key(job.seed), replace: job.replace,
    ...(job.sampler !== undefined ? { sampler: epochSampler(job.sampler === 'epoch-short' ? 'short' : 'span') } : {}),
    ...(gradient !== undefined ? { gradient } : {}),
    ...(job.testPooling !== undefined ? { testPooling: job.testPooling } : {}),
    evaluate: false, observers: [evaluationObserver(problem, job.evals, evals)],
  });
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
