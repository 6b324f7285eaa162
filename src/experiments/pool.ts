/**
 * Run jobs on worker threads (or in this thread), longest first, reusing cached
 * outputs; each output is cached as soon as it arrives, so a crash loses only the
 * runs in flight.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RunCache } from './cache.js';
import { executeJob } from './execute.js';
import type { RunJob, RunOutput } from './types.js';
import type { FromWorker, ToWorker } from './worker.js';

export interface PoolOptions {
  /** Worker threads (default: available parallelism, at most the number of jobs); 1 runs in this thread. */
  readonly workers?: number;
  readonly cache?: RunCache;
  /** A rough cost of each job, to start the longest first. */
  readonly cost?: (job: RunJob) => number;
  /** Called after each job (cached or computed). */
  readonly onDone?: (job: RunJob, output: RunOutput, info: { cached: boolean; done: number; total: number }) => void;
}

function tsxApiUrl(): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve('tsx/esm/api');
    } catch {
      // fall through
    }
  }
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
}

/** Start a worker: from the build the .js file beside this module; from sources a bootstrap registers tsx first. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href;
    const code = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true });
  }
  return new Worker(new URL('./worker.js', here));
}

/** Outputs in the order of `jobs`. A job that throws rejects the whole call (after the others in flight finish). */
export async function runJobs(jobs: readonly RunJob[], opts: PoolOptions = {}): Promise<RunOutput[]> {
  const cache = opts.cache ?? new RunCache(null);
  const outputs: (RunOutput | undefined)[] = new Array(jobs.length);
  const todo: number[] = [];
  let done = 0;
  jobs.forEach((job, i) => {
    const hit = cache.get(job);
    if (hit !== null) {
      outputs[i] = hit;
      done++;
      opts.onDone?.(job, hit, { cached: true, done, total: jobs.length });
    } else todo.push(i);
  });
  if (opts.cost !== undefined) {
    const c = opts.cost;
    todo.sort((a, b) => c(jobs[b]!) - c(jobs[a]!));
  }
  const finish = (i: number, out: RunOutput): void => {
    outputs[i] = out;
    cache.put(jobs[i]!, out);
    done++;
    opts.onDone?.(jobs[i]!, out, { cached: false, done, total: jobs.length });
  };

  const nWorkers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length));
  if (todo.length === 0) return outputs as RunOutput[];
  if (nWorkers === 1) {
    for (const i of todo) finish(i, await executeJob(jobs[i]!));
    return outputs as RunOutput[];
  }

  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let failure: Error | null = null;
    const feed = (w: Worker): void => {
      if (failure !== null || next >= todo.length) {
        void w.terminate();
        return;
      }
      const i = todo[next++]!;
      w.postMessage({ type: 'job', index: i, job: jobs[i]! } satisfies ToWorker);
    };
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      if (failure !== null) reject(failure);
      else resolve();
    };
    let alive = nWorkers;
    for (let n = 0; n < nWorkers; n++) {
      const w = startWorker();
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') feed(w);
        else if (m.type === 'done') {
          finish(m.index, m.output);
          feed(w);
        } else {
          failure ??= new Error(`job '${jobs[m.index]!.label}' failed in a worker: ${m.error}`);
          feed(w);
        }
      });
      w.on('error', (e) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
      });
      w.on('exit', () => {
        alive--;
        if (alive === 0) {
          if (failure === null && outputs.some((o) => o === undefined)) failure = new Error('a worker exited before its jobs were done');
          settle();
        }
      });
    }
  });
  return outputs as RunOutput[];
}
