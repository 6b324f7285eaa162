/**
 * The body of `adadagrad run` once its configuration is resolved: the run is
 * one job on the job pool's single worker thread, so this thread stays free to
 * answer SIGINT/SIGTERM (a synchronous run loop in this thread could not). On a
 * signal the worker is stopped and the trace gets a final
 * `{"type":"summary","status":"interrupted"}` line. Without --out nothing is
 * written: the summary goes to stdout (as JSON with --json).
 */
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { startJobs } from '../jobs/pool.js';
import type { RunConfig } from './config.js';
import type { RunProgressNote, RunRecord, RunSpec } from './execute.js';
import { CliError, ensureWritableFile, WriteError, type CliIO } from './io.js';
import { runProgress } from './progress.js';
import { RUN_EXECUTOR } from './sweep.js';

export interface RunJobOptions {
  /** The trace file (JSON Lines); none when absent. */
  readonly out?: string;
  readonly json?: boolean;
  /** Without a TTY, log a line every n steps. */
  readonly logEvery: number;
}

/** The number of steps in a trace: k + 1 of its last step line (0 when there is none). */
function stepsInTrace(path: string): number {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const n = Math.min(size, 1 << 16);
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, size - n);
      const lines = buf.toString('utf8').split('\n').filter((l) => l !== '');
      for (let i = lines.length - 1; i >= 0; i--) {
        try {
          const v = JSON.parse(lines[i]!) as { type?: string; k?: number };
          if (v.type === 'step' && typeof v.k === 'number') return v.k + 1;
          if (v.type === 'meta') return 0;
        } catch {
          // a partial first line of the window: look further back
        }
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    // no trace yet
  }
  return 0;
}

/** Run one configuration on a worker thread; returns the exit code (0 completed, 1 failed, 2 could not start, 130/143 interrupted). */
export async function runJob(id: string, config: RunConfig, opts: RunJobOptions, io: CliIO): Promise<number> {
  if (opts.out !== undefined) ensureWritableFile(opts.out);
  const progress = runProgress(config.budget, { tty: io.errTTY, ...(io.errStream !== undefined ? { stream: io.errStream } : {}), line: (t) => io.err(`${t}\n`) }, opts.logEvery);
  const spec: RunSpec = {
    runId: id,
    config,
    ...(opts.out !== undefined ? { tracePath: opts.out } : {}),
    ...(io.errTTY ? { progressMs: 100 } : { progressEvery: opts.logEvery }),
  };
  let record: RunRecord | null = null;
  const pool = startJobs<RunSpec, RunRecord>([{ id, label: id, spec }], {
    executor: RUN_EXECUTOR,
    workers: 1,
    onStart: () => progress.onStart?.({} as never),
    onProgress: (_job, note) => progress.onStep?.((note as RunProgressNote).row),
    onDone: (_job, r) => {
      record = r;
    },
  });
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  const stopOn = (s: 'SIGINT' | 'SIGTERM') => (): void => {
    signal ??= s;
    pool.abort();
  };
  const onSigint = stopOn('SIGINT');
  const onSigterm = stopOn('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    await pool.finished;
  } catch (e) {
    progress.stop();
    const je = e as { code?: string; path?: string; message: string };
    if (je.code !== undefined && je.path !== undefined) throw new WriteError(je.path, je.code, '; the trace is incomplete');
    throw new CliError(je.message, 1);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  if (signal !== null) {
    progress.stop();
    let where = '';
    if (opts.out !== undefined) {
      const steps = stepsInTrace(opts.out);
      try {
        appendFileSync(opts.out, `${JSON.stringify({ type: 'summary', status: 'interrupted', message: `interrupted by ${signal}`, steps })}\n`);
        where = `; trace (${steps} steps) in ${opts.out}`;
      } catch (e) {
        where = `; could not mark the trace ${opts.out} as interrupted (${(e as Error).message})`;
      }
    }
    io.err(`adadagrad run: interrupted by ${signal}${where}\n`);
    return signal === 'SIGINT' ? 130 : 143;
  }
  const rec = record as RunRecord | null;
  if (rec === null) throw new CliError('the run produced no result', 1);
  if (rec.summary === null) {
    progress.stop();
    throw new CliError(`the run could not start: ${rec.error}`, 2);
  }
  progress.onEnd?.(rec.summary);
  progress.stop();
  if (opts.json) io.out(`${JSON.stringify({ run_id: id, out: opts.out ?? null, status: rec.status, config, summary: rec.summary, backend: rec.backend })}\n`);
  else io.out(`${id} ${rec.status}: ${rec.summary.message}${opts.out !== undefined ? `; trace in ${opts.out}` : ''}\n`);
  return rec.status === 'completed' ? 0 : 1;
}
