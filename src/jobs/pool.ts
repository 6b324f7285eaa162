/**
 * The job pool: run jobs on worker threads (or in this thread), longest first,
 * reusing cached outputs, handing each output to the caller as soon as it
 * arrives (so a crash loses only the jobs in flight). One pool serves `sweep`,
 * `run` and `reproduce`; what a job does is the executor module's business.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobCache } from './cache.js';
import { JobError, errorData, type ExecutorModule, type Job } from './job.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

export interface PoolOptions<S, O> {
  /** The executor module (exports `execute(spec, ctx)`). */
  readonly executor: URL;
  /** Worker threads (default: available parallelism, at most the number of jobs to run). */
  readonly workers?: number;
  /** Run every job in this thread, one after the other (no worker threads). */
  readonly inThread?: boolean;
  readonly cache?: JobCache<O>;
  /** A job starts (is sent to a worker). */
  readonly onStart?: (job: Job<S>) => void;
  /** A job is done (cached or computed). A throw stops the pool: no new jobs; `finished` rejects with it. */
  readonly onDone?: (job: Job<S>, output: O, info: { cached: boolean; done: number; total: number }) => void;
  /** A progress note from a running job. */
  readonly onProgress?: (job: Job<S>, note: unknown) => void;
  /**
   * A worker thread died during a job (uncaught error, out of memory). Return an
   * output to record for it (the worker is replaced and the pool goes on), or
   * null to fail the pool. Default: fail.
   */
  readonly onCrash?: (job: Job<S>, why: string) => O | null;
}

/** A started pool. */
export interface PoolRun<O> {
  /** Outputs in the order of the jobs (undefined for jobs not run: stopped or aborted). Rejects on the first failure, once the jobs in flight are done. */
  readonly finished: Promise<(O | undefined)[]>;
  /** Start no new jobs; the jobs in flight finish. */
  stop(): void;
  /** Start no new jobs and terminate the workers now. */
  abort(): void;
  inFlight(): number;
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

/**
 * Start a pool worker for `executor`. From the build (`.js`) the worker file sits
 * next to this module. From TypeScript sources (tsx in development, vitest)
 * Node 20 does not pass `--import tsx` loaders to workers, so a small bootstrap
 * registers tsx's ESM hooks inside the worker and then imports `worker.ts`.
 */
export function startWorker(executor: URL): Worker {
  const here = import.meta.url;
  const workerData: WorkerInit = { executor: executor.href };
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href;
    const code = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL('./worker.js', here), { workerData });
}

/**
 * Start running `jobs`. Cached outputs are handed to `onDone` first (in job
 * order); the rest run longest first (by `cost`), at most `workers` at a time.
 */
export function startJobs<S, O>(jobs: readonly Job<S>[], opts: PoolOptions<S, O>): PoolRun<O> {
  const outputs: (O | undefined)[] = new Array(jobs.length);
  const total = jobs.length;
  let done = 0;
  let failure: Error | null = null;
  let stopped = false;

  const deliver = (i: number, out: O, cached: boolean): void => {
    outputs[i] = out;
    if (!cached) opts.cache?.put(jobs[i]!.id, out, jobs[i]!.spec);
    done++;
    opts.onDone?.(jobs[i]!, out, { cached, done, total });
  };
  const fail = (e: unknown): void => {
    failure ??= e instanceof Error ? e : new Error(String(e));
    stopped = true;
  };

  const queue: number[] = [];
  try {
    jobs.forEach((job, i) => {
      const hit = opts.cache?.get(job.id) ?? null;
      if (hit !== null) deliver(i, hit, true);
      else queue.push(i);
    });
  } catch (e) {
    fail(e);
    queue.length = 0;
  }
  if (queue.some((i) => jobs[i]!.cost !== undefined)) queue.sort((a, b) => (jobs[b]!.cost ?? 0) - (jobs[a]!.cost ?? 0));

  const jobFailure = (i: number, e: { message: string; code?: string; path?: string; stack?: string }): JobError =>
    Object.assign(new JobError(`job '${jobs[i]!.label}' failed: ${e.message}`, jobs[i]!.id, e.code, e.path), e.stack !== undefined ? { detail: e.stack } : {});

  if (opts.inThread === true) {
    let inFlight = 0;
    const finished = (async () => {
      if (failure !== null) throw failure;
      const mod = (await import(opts.executor.href)) as ExecutorModule<S, O>;
      for (const i of queue) {
        if (stopped) break;
        opts.onStart?.(jobs[i]!);
        inFlight = 1;
        let out: O;
        try {
          out = await mod.execute(jobs[i]!.spec, { progress: (note) => opts.onProgress?.(jobs[i]!, note) });
        } catch (e) {
          fail(jobFailure(i, errorData(e)));
          break;
        } finally {
          inFlight = 0;
        }
        try {
          deliver(i, out, false);
        } catch (e) {
          fail(e);
        }
      }
      if (failure !== null) throw failure;
      return outputs;
    })();
    return { finished, stop: () => void (stopped = true), abort: () => void (stopped = true), inFlight: () => inFlight };
  }

  const n = Math.max(1, Math.min(opts.workers ?? availableParallelism(), queue.length));
  const current = new Map<Worker, number | null>();
  const closing = new Set<Worker>();
  let settled = false;
  let resolveFn!: (o: (O | undefined)[]) => void;
  let rejectFn!: (e: Error) => void;
  const finished = new Promise<(O | undefined)[]>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });

  const settleIfIdle = (): void => {
    if (settled) return;
    const busy = [...current.values()].some((r) => r !== null);
    if (busy || (!stopped && queue.length > 0)) return;
    settled = true;
    for (const w of current.keys()) {
      closing.add(w);
      void w.terminate();
    }
    if (failure !== null) rejectFn(failure);
    else resolveFn(outputs);
  };

  const dispatch = (w: Worker): void => {
    const next = stopped ? undefined : queue.shift();
    if (next === undefined) {
      current.set(w, null);
      settleIfIdle();
      return;
    }
    current.set(w, next);
    opts.onStart?.(jobs[next]!);
    w.postMessage({ type: 'job', index: next, spec: jobs[next]!.spec } satisfies ToWorker);
  };

  const finish = (i: number, out: O): void => {
    if (failure !== null) return; // failing: later outputs are not delivered
    try {
      deliver(i, out, false);
    } catch (e) {
      fail(e);
    }
  };

  const spawn = (): void => {
    const w = startWorker(opts.executor);
    current.set(w, null);
    let ready = false;
    let error: Error | null = null;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready = true;
        dispatch(w);
      } else if (m.type === 'progress') {
        if (failure === null) opts.onProgress?.(jobs[m.index]!, m.note);
      } else if (m.type === 'done') {
        current.set(w, null);
        finish(m.index, m.output as O);
        dispatch(w);
      } else if (m.type === 'failed') {
        current.set(w, null);
        fail(jobFailure(m.index, m.error));
        dispatch(w);
      }
    });
    w.on('error', (e) => {
      error = e instanceof Error ? e : new Error(String(e));
    });
    w.on('exit', (code) => {
      if (closing.has(w) || settled) return;
      const i = current.get(w) ?? null;
      current.delete(w);
      const why = error?.message ?? `exit code ${code}`;
      if (!ready) {
        // the worker could not even start: an environment problem, not a job's result
        fail(new Error(`a worker thread failed to start: ${why}`));
        queue.length = 0;
      } else if (i !== null) {
        const out = opts.onCrash?.(jobs[i]!, `worker thread failed: ${why}`) ?? null;
        if (out === null) fail(new JobError(`job '${jobs[i]!.label}': worker thread failed: ${why}`, jobs[i]!.id));
        else {
          finish(i, out);
          if (!stopped && queue.length > 0) spawn();
        }
      }
      settleIfIdle();
    });
  };

  if (queue.length === 0 || failure !== null) {
    settled = true;
    if (failure !== null) rejectFn(failure);
    else resolveFn(outputs);
  } else {
    for (let k = 0; k < n; k++) spawn();
  }
  return {
    finished,
    stop() {
      stopped = true;
      settleIfIdle();
    },
    abort() {
      stopped = true;
      queue.length = 0;
      for (const w of current.keys()) {
        closing.add(w);
        void w.terminate();
      }
      current.clear();
      if (!settled) {
        settled = true;
        if (failure !== null) rejectFn(failure);
        else resolveFn(outputs);
      }
    },
    inFlight: () => [...current.values()].filter((r) => r !== null).length,
  };
}

/** Run every job; outputs in job order. Rejects on the first failure (after the jobs in flight finish). */
export async function runJobs<S, O>(jobs: readonly Job<S>[], opts: PoolOptions<S, O>): Promise<O[]> {
  const outs = await startJobs(jobs, opts).finished;
  const missing = outs.findIndex((o, i) => o === undefined && i < jobs.length);
  if (missing >= 0 || outs.length < jobs.length) throw new Error(`job '${jobs[Math.max(0, missing)]!.label}' was not run`);
  return outs as O[];
}
