/**
 * `adadagrad sweep`: expand a grid, keep the shard's slice, skip runs already in
 * DIR/results.jsonl, run the rest on worker_threads and append one line per
 * finished run from the parent thread.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigFileError, parseShard, parseSweepConfig, shardOf, type PlannedRun } from './config.js';
import type { RunRecord } from './execute.js';
import { sweepProgress, type ProgressSink } from './progress.js';
import { openResults, readResults, resultsPath } from './results.js';
import type { WorkerReply, WorkerRequest } from './sweepWorker.js';
import type { CliIO } from './io.js';

export interface SweepOptions {
  readonly config: string;
  readonly out: string;
  readonly workers?: number;
  readonly shard?: string;
  readonly traces?: boolean;
  readonly retryFailed?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/** Read and parse a JSON file; errors name the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(path, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigFileError(path, [{ path: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
}

/** The URL of a module to import from the worker's bootstrap, when running TypeScript sources under tsx. */
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
 * Start a sweep worker. From the build (`.js`) the worker file sits next to this
 * module. From TypeScript sources (tsx in development, vitest) Node 20 does not
 * pass `--import tsx` loaders to workers, so a small bootstrap registers tsx's
 * ESM hooks inside the worker and then imports `sweepWorker.ts`.
 */
export function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./sweepWorker.ts', here).href;
    const code = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true });
  }
  return new Worker(new URL('./sweepWorker.js', here));
}

interface PoolEvents {
  done(r: RunRecord): void;
}

/**
 * Run `todo` on `n` workers; resolves when all are done, or when stopped. `stop()`
 * stops dispatching (in-flight runs finish); `abort()` terminates the workers.
 */
function runPool(todo: readonly PlannedRun[], n: number, tracesDir: string | null, ev: PoolEvents): { finished: Promise<void>; stop(): void; abort(): void; inFlight(): number } {
  const queue = [...todo];
  const current = new Map<Worker, PlannedRun | null>();
  const closing = new Set<Worker>();
  let stopped = false;
  let resolveFn!: () => void;
  let rejectFn!: (e: Error) => void;
  const finished = new Promise<void>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  let settled = false;
  let startError: Error | null = null;

  const settleIfIdle = (): void => {
    if (settled) return;
    const busy = [...current.values()].some((r) => r !== null);
    if (busy || (!stopped && queue.length > 0)) return;
    settled = true;
    for (const w of current.keys()) {
      closing.add(w);
      void w.terminate();
    }
    if (startError !== null) rejectFn(startError);
    else resolveFn();
  };

  const dispatch = (w: Worker): void => {
    const next = stopped ? undefined : queue.shift();
    if (next === undefined) {
      current.set(w, null);
      settleIfIdle();
      return;
    }
    current.set(w, next);
    const msg: WorkerRequest = {
      type: 'run',
      runId: next.runId,
      config: next.config,
      ...(tracesDir !== null ? { tracePath: join(tracesDir, `${next.runId}.jsonl`) } : {}),
    };
    w.postMessage(msg);
  };

  const spawn = (): void => {
    const w = startWorker();
    current.set(w, null);
    let ready = false;
    let failure: Error | null = null;
    w.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') {
        ready = true;
        dispatch(w);
      } else if (m.type === 'done') {
        current.set(w, null);
        ev.done(m.record);
        dispatch(w);
      }
    });
    w.on('error', (e) => {
      failure = e;
    });
    w.on('exit', (code) => {
      if (closing.has(w) || settled) return;
      const r = current.get(w) ?? null;
      current.delete(w);
      const why = failure?.message ?? `exit code ${code}`;
      if (!ready) {
        // the worker could not even start: an environment problem, not a run's result; record nothing
        stopped = true;
        queue.length = 0;
        startError = new Error(`a sweep worker thread failed to start: ${why}`);
      } else if (r !== null) {
        // an unexpected exit during a run (uncaught error, out of memory): record it, replace the worker
        ev.done({ run_id: r.runId, config: r.config, status: 'error', summary: null, error: `worker thread failed: ${why}` });
        if (!stopped && queue.length > 0) spawn();
      }
      settleIfIdle();
    });
  };

  if (queue.length === 0) {
    settled = true;
    resolveFn();
  } else {
    for (let i = 0; i < n; i++) spawn();
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
        resolveFn();
      }
    },
    inFlight: () => [...current.values()].filter((r) => r !== null).length,
  };
}

/**
 * The sweep command. Returns the exit code: 0 all runs of the shard completed,
 * 1 some run failed (diverged or error), 2 bad input (before any work), 130 interrupted.
 */
export async function sweepCommand(opts: SweepOptions, io: CliIO): Promise<number> {
  const raw = readJsonFile(opts.config);
  const { sweep, runs } = parseSweepConfig(raw, opts.config);
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : { index: 1, count: 1 };
  const mine = shardOf(runs, shard);
  const file = resultsPath(opts.out);
  const sink: ProgressSink = { tty: io.errTTY, ...(io.errStream !== undefined ? { stream: io.errStream } : {}), line: (t) => io.err(`${t}\n`) };
  const label = `${sweep.name ?? 'sweep'}${shard.count > 1 ? ` shard ${shard.index}/${shard.count}` : ''}`;

  const prior = readResults(file);
  for (const w of prior.warnings) io.err(`warning: ${w}\n`);
  const latest = new Map<string, RunRecord>(prior.records.map((r) => [r.run_id, r]));
  const isDone = (r: PlannedRun): boolean => {
    const rec = latest.get(r.runId);
    return rec !== undefined && (rec.status === 'completed' || !opts.retryFailed);
  };
  const todo = mine.filter((r) => !isDone(r));

  if (opts.dryRun) {
    const plan = mine.map((r) => ({ run_id: r.runId, index: r.index, state: isDone(r) ? latest.get(r.runId)!.status : 'todo', config: r.config }));
    if (opts.json) io.out(`${JSON.stringify(plan, null, 2)}\n`);
    else {
      for (const p of plan) io.out(`${p.run_id} ${p.state.padEnd(9)} ${p.config.problem} ${p.config.variant ?? `${p.config.optimizer}/${p.config.controller}`} seed=${p.config.seed} hyper=${JSON.stringify(p.config.hyper)}\n`);
      io.out(`${label}: ${mine.length} run${mine.length === 1 ? '' : 's'} (${runs.length} in the grid), ${todo.length} to do\n`);
    }
    return 0;
  }

  mkdirSync(opts.out, { recursive: true });
  const tracesDir = opts.traces ? join(opts.out, 'runs') : null;
  if (tracesDir !== null) mkdirSync(tracesDir, { recursive: true });
  const out = openResults(file);
  if (out.repairedBytes > 0) io.err(`warning: ${file}: removed a torn last line (${out.repairedBytes} bytes) before appending\n`);

  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length));
  if (!opts.json) io.err(`${label}: ${mine.length} run${mine.length === 1 ? '' : 's'}${shard.count > 1 ? ` of ${runs.length}` : ''}, ${mine.length - todo.length} already done, ${todo.length === 0 ? 'nothing to run' : `${todo.length} to run on ${workers} worker${workers === 1 ? '' : 's'}`}\n`);
  const progress = sweepProgress(todo.length, sink, label);
  let ran = 0;
  const pool = runPool(todo, workers, tracesDir, {
    done(r) {
      out.append(r);
      latest.set(r.run_id, r);
      ran++;
      progress.done(r);
    },
  });

  let interrupted = false;
  let hardStop: 'SIGINT' | 'SIGTERM' | null = null;
  const onSigint = (): void => {
    if (!interrupted) {
      interrupted = true;
      progress.note(`interrupted: no new runs; waiting for ${pool.inFlight()} run(s) in flight (Ctrl-C again to stop them now)`);
      pool.stop();
    } else {
      hardStop = 'SIGINT';
      progress.note('stopping the runs in flight now');
      pool.abort();
    }
  };
  const onSigterm = (): void => {
    interrupted = true;
    hardStop = 'SIGTERM';
    pool.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    await pool.finished;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    progress.stop();
    out.close();
  }

  const missing = mine.filter((r) => !latest.has(r.runId)).length;
  const failed = mine.filter((r) => {
    const rec = latest.get(r.runId);
    return rec !== undefined && rec.status !== 'completed';
  });
  const report = {
    name: sweep.name ?? null,
    shard: `${shard.index}/${shard.count}`,
    runs: mine.length,
    skipped: mine.length - todo.length,
    ran,
    failed: failed.length,
    missing,
    interrupted,
    results: file,
  };
  if (opts.json) io.out(`${JSON.stringify(report)}\n`);
  else {
    io.err(`${label}: ran ${ran} now, ${report.skipped} skipped, ${failed.length} failed${missing > 0 ? `, ${missing} not run` : ''}; results in ${file}\n`);
    for (const f of failed) io.err(`  failed ${f.runId}: ${latest.get(f.runId)!.error ?? latest.get(f.runId)!.status}\n`);
  }
  if (interrupted) return hardStop === 'SIGTERM' ? 143 : 130;
  return failed.length > 0 ? 1 : 0;
}
