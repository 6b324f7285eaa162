/**
 * Run the reproductions' jobs on the job pool (src/jobs/pool.ts): worker
 * threads (or this thread), longest first, reusing cached outputs; each output
 * is cached as soon as it arrives, so a crash loses only the runs in flight.
 */
import { availableParallelism } from 'node:os';
import { runJobs as runPoolJobs } from '../jobs/pool.js';
import { jobHash, RunCache } from './cache.js';
import type { RunJob, RunOutput } from './types.js';

export interface PoolOptions {
  /** Worker threads (default: available parallelism, at most the number of jobs); 1 runs in this thread. */
  readonly workers?: number;
  readonly cache?: RunCache;
  /** A rough cost of each job, to start the longest first. */
  readonly cost?: (job: RunJob) => number;
  /** Called after each job (cached or computed). */
  readonly onDone?: (job: RunJob, output: RunOutput, info: { cached: boolean; done: number; total: number }) => void;
}

/** The executor module of these jobs. */
const EXECUTOR = new URL(`./worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/** Outputs in the order of `jobs`. A job that throws rejects the whole call (after the others in flight finish). */
export async function runJobs(jobs: readonly RunJob[], opts: PoolOptions = {}): Promise<RunOutput[]> {
  const cache = opts.cache ?? new RunCache(null);
  const byId = new Map<string, RunJob>();
  const wrapped = jobs.map((job) => {
    const id = jobHash(job);
    byId.set(id, job);
    return { id, label: job.label, spec: job, ...(opts.cost !== undefined ? { cost: opts.cost(job) } : {}) };
  });
  return runPoolJobs<RunJob, RunOutput>(wrapped, {
    executor: EXECUTOR,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    inThread: (opts.workers ?? availableParallelism()) === 1,
    cache: { get: (id) => cache.get(byId.get(id)!), put: (id, out) => cache.put(byId.get(id)!, out) },
    ...(opts.onDone !== undefined ? { onDone: (j: { spec: RunJob }, out: RunOutput, info: { cached: boolean; done: number; total: number }) => opts.onDone!(j.spec, out, info) } : {}),
  });
}
