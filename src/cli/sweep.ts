/**
 * `adadagrad sweep`: expand a grid, keep the shard's slice, skip runs already in
 * DIR/results.jsonl, run the rest on the job pool's worker threads and append
 * one line per finished run from the parent thread. The directory is locked
 * (DIR/sweep.lock) for the duration, so two sweeps never run the same runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashId } from '../jobs/hash.js';
import type { Job } from '../jobs/job.js';
import { acquireLock, LockedError, type DirLock } from '../jobs/lock.js';
import { startJobs } from '../jobs/pool.js';
import { ConfigFileError, parseShard, parseSweepConfig, shardOf, type PlannedRun } from './config.js';
import type { BackendInfo, RunRecord, RunSpec } from './execute.js';
import { sweepProgress, type ProgressSink } from './progress.js';
import { openResults, readResults, resultsPath, RESULTS_FILE } from './results.js';
import { defaultWorkers } from './slurmEnv.js';
import { CliError, ensureDir, OutputPathError, parseJsonText, WriteError, type CliIO } from './io.js';

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

/** Read and parse a JSON file; errors (unreadable, not JSON, nested too deeply) name the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(path, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  return parseJsonText(text, (message) => new ConfigFileError(path, [{ path: '', message }]));
}

/** The executor module of sweep and run jobs. */
export const RUN_EXECUTOR = new URL(`./execute.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/**
 * The backend the pool's workers will use: `$ADADAGRAD_BACKEND` when set, else the
 * default choice (the fastest that loads: wasm, else js), with its thread count.
 * Workers do not see a `setBackend` of this thread, only the environment.
 */
export async function workerBackend(): Promise<BackendInfo> {
  const env = process.env['ADADAGRAD_BACKEND'];
  if (env !== undefined && env !== '') {
    if (env !== 'wasm') return { name: env, threads: 1 };
    const { resolveThreads } = await import('../backend/wasm/backend.js');
    return { name: env, threads: resolveThreads() };
  }
  const { defaultBackendChoice } = await import('../backend/index.js');
  const b = defaultBackendChoice().backend;
  const m = /^(\d+)-threads?$/.exec(b.mode);
  return { name: b.name, threads: m !== null ? Number(m[1]) : 1 };
}

const showBackend = (b: BackendInfo): string => `${b.name} (${b.threads} thread${b.threads === 1 ? '' : 's'})`;

/**
 * The sweep command. Returns the exit code: 0 all runs of the shard completed,
 * 1 some run failed (diverged or error) or a write failed (a full disk),
 * 2 bad input (before any work), 130 interrupted.
 */
export async function sweepCommand(opts: SweepOptions, io: CliIO): Promise<number> {
  const raw = readJsonFile(opts.config);
  const { sweep, runs } = parseSweepConfig(raw, opts.config);
  const sweepId = hashId(sweep);
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : { index: 1, count: 1 };
  const mine = shardOf(runs, shard);
  if (opts.out.endsWith('.jsonl')) throw new OutputPathError(opts.out, `--out of a sweep is a directory (it holds ${RESULTS_FILE} and runs/), not a .jsonl file`);
  const file = resultsPath(opts.out);
  const sink: ProgressSink = { tty: io.errTTY, ...(io.errStream !== undefined ? { stream: io.errStream } : {}), line: (t) => io.err(`${t}\n`) };
  const label = `${sweep.name ?? 'sweep'}${shard.count > 1 ? ` shard ${shard.index}/${shard.count}` : ''}`;

  let lock: DirLock | null = null;
  if (!opts.dryRun) {
    ensureDir(opts.out);
    try {
      lock = acquireLock(opts.out, (w) => io.err(`warning: ${w}\n`));
    } catch (e) {
      if (e instanceof LockedError) throw new CliError(e.message, 2);
      throw new OutputPathError(opts.out, (e as Error).message);
    }
  }
  try {
    return await sweepLocked();
  } finally {
    lock?.release();
  }

  async function sweepLocked(): Promise<number> {
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
        io.out(`${label}: ${mine.length} runs (${runs.length} in the grid), ${todo.length} to do\n`);
      }
      return 0;
    }

    // one backend per results file: a resume under another backend would mix them
    const backend = await workerBackend();
    const others = prior.records.filter((r) => r.backend !== undefined && (r.backend.name !== backend.name || r.backend.threads !== backend.threads));
    if (others.length > 0 && todo.length > 0) {
      throw new CliError(
        `${file} holds ${others.length} run(s) made with backend ${showBackend(others[0]!.backend!)}, but this sweep would run on ${showBackend(backend)}; resume with ADADAGRAD_BACKEND=${others[0]!.backend!.name}${others[0]!.backend!.name === 'wasm' ? ` ADADAGRAD_THREADS=${others[0]!.backend!.threads}` : ''}, or use another --out`,
        2,
      );
    }
    const unknown = prior.records.filter((r) => r.backend === undefined).length;
    if (unknown > 0 && todo.length > 0) io.err(`warning: ${file}: ${unknown} run(s) do not record their backend (written before backends were recorded); new runs use ${showBackend(backend)}\n`);

    const tracesDir = opts.traces ? join(opts.out, 'runs') : null;
    if (tracesDir !== null) ensureDir(tracesDir);
    const out = openResults(file);
    if (out.repairedBytes > 0) io.err(`warning: ${file}: removed a torn last line (${out.repairedBytes} bytes) before appending\n`);
    if (out.addedNewline) io.err(`warning: ${file}: the last record lacked its newline; added it\n`);

    const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), todo.length));
    if (!opts.json) io.err(`${label}: ${mine.length} runs${shard.count > 1 ? ` of ${runs.length}` : ''}, ${mine.length - todo.length} already done, ${todo.length} to run on ${todo.length === 0 ? 0 : workers} worker${workers === 1 ? '' : 's'}\n`);
    const progress = sweepProgress(todo.length, sink, label);
    let ran = 0;
    const jobs: Job<RunSpec>[] = todo.map((r) => ({
      id: r.runId,
      label: r.runId,
      spec: { runId: r.runId, config: r.config, sweep: sweepId, ...(tracesDir !== null ? { tracePath: join(tracesDir, `${r.runId}.jsonl`) } : {}) },
    }));
    const pool = startJobs<RunSpec, RunRecord>(jobs, {
      executor: RUN_EXECUTOR,
      workers,
      onDone(_job, r) {
        out.append(r);
        latest.set(r.run_id, r);
        ran++;
        progress.done(r);
      },
      // an unexpected exit during a run (uncaught error, out of memory): record it, replace the worker
      onCrash: (job, why) => ({ run_id: job.id, config: job.spec.config, status: 'error', summary: null, error: why, backend, sweep: sweepId }),
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
    } catch (e) {
      if (e instanceof WriteError) throw new WriteError(e.path, e.code, `; ${out.appended()} run(s) recorded now, ${prior.records.length} before, all intact; free space and run the same command to resume`);
      const je = e as { code?: string; path?: string; message: string };
      if (je.code !== undefined && je.path !== undefined) throw new WriteError(je.path, je.code, `; ${out.appended()} run(s) recorded in ${file}, all intact; free space and run the same command to resume`);
      throw e;
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
      backend,
    };
    if (opts.json) io.out(`${JSON.stringify(report)}\n`);
    else {
      io.err(`${label}: ran ${ran} now, ${report.skipped} skipped, ${failed.length} failed${missing > 0 ? `, ${missing} not run` : ''}; results in ${file}\n`);
      for (const f of failed) io.err(`  failed ${f.runId}: ${latest.get(f.runId)!.error ?? latest.get(f.runId)!.status}\n`);
    }
    if (interrupted) return hardStop === 'SIGTERM' ? 143 : 130;
    return failed.length > 0 ? 1 : 0;
  }
}
