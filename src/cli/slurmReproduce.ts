/**
 * `adadagrad slurm reproduce`: the figures' runs as a Slurm array job (one
 * shard of the distinct runs per task, each run's output cached in DIR/runs/
 * as soon as it ends) and a dependent job that runs the plain `reproduce` with
 * the same figures and mode, which finds every run cached and draws the
 * figures. `slurm reproduce-task` is what each array task calls.
 */
import { join, resolve } from 'node:path';
import { RunCache } from '../experiments/cache.js';
import { runJobs } from '../experiments/pool.js';
import { selectFamilies } from '../experiments/reproduce.js';
import type { Mode } from '../experiments/types.js';
import { ConfigFileError, parseShard } from './config.js';
import type { CliIO } from './io.js';
import { defaultWorkers } from './slurmEnv.js';
import { parseToolkitCommand, toolkitCommand } from './slurmInvoke.js';
import { checkDir, checkResources, checkTasks } from './slurmOptions.js';
import { readPlan, type SlurmPlan, type SlurmResources } from './slurmPlan.js';
import { reproductionJobs, reproductionShard, selectorList } from './slurmReproduceShards.js';
import { writeAndSubmit } from './slurmSubmit.js';

export interface SlurmReproduceOptions extends SlurmResources {
  readonly figure?: string;
  readonly out: string;
  readonly tasks: number;
  readonly quick?: boolean;
  readonly full?: boolean;
  readonly command?: string;
  readonly submit?: boolean;
  readonly json?: boolean;
}

function modeOf(o: { quick?: boolean; full?: boolean }): Mode {
  if (o.quick === true && o.full === true) throw new ConfigFileError('command line', [{ path: '--quick/--full', message: '--quick and --full exclude each other' }]);
  return o.quick === true ? 'quick' : o.full === true ? 'full' : 'default';
}

function checkFigure(figure: string | undefined): void {
  try {
    selectFamilies(selectorList(figure));
  } catch (e) {
    throw new ConfigFileError('command line', [{ path: '[figure]', message: (e as Error).message }]);
  }
}

/** The command that writes (and submits) the reproduction's scripts. */
export async function slurmReproduceCommand(opts: SlurmReproduceOptions, io: CliIO): Promise<number> {
  checkTasks(opts.tasks);
  checkResources(opts);
  const mode = modeOf(opts);
  checkFigure(opts.figure);
  const dir = resolve(opts.out);
  checkDir(dir);
  const jobs = reproductionJobs(opts.figure, mode);
  if (opts.tasks > jobs.length) throw new ConfigFileError('command line', [{ path: '--tasks', message: `the selected figures need ${jobs.length} distinct runs; use at most ${jobs.length} tasks` }]);
  const prior = readPlan(dir);
  if (prior !== null) {
    if (prior.kind !== 'reproduce') throw new ConfigFileError('--out', [{ path: '--out', message: `${dir} holds a plan for a ${prior.kind}; use another --out` }]);
    if (prior.tasks !== opts.tasks) throw new ConfigFileError('--out', [{ path: '--tasks', message: `${dir} holds a plan with ${prior.tasks} tasks; use --tasks ${prior.tasks}, or another --out` }]);
  }
  const resources: SlurmResources = {
    ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
    ...(opts.cpusPerTask !== undefined ? { cpusPerTask: opts.cpusPerTask } : {}),
    ...(opts.mem !== undefined ? { mem: opts.mem } : {}),
  };
  const command = opts.command !== undefined ? parseToolkitCommand(opts.command) : toolkitCommand().command;
  const name = `adadagrad-reproduce-${mode}`;
  const plan: SlurmPlan = { version: 1, kind: 'reproduce', tasks: opts.tasks, name, command, resources, mode, ...(opts.figure !== undefined ? { figure: opts.figure } : {}) };
  return writeAndSubmit(
    plan,
    { kind: 'reproduce', dir, tasks: opts.tasks, name, command, resources, mode, ...(opts.figure !== undefined ? { figure: opts.figure } : {}) },
    { ...(opts.submit ? { submit: true } : {}), ...(opts.json ? { json: true } : {}) },
    io,
  );
}

export interface ReproduceTaskOptions {
  readonly figure?: string;
  readonly out: string;
  readonly shard: string;
  readonly quick?: boolean;
  readonly full?: boolean;
  readonly workers?: number;
  readonly json?: boolean;
}

/** One array task: run shard i/n of the distinct runs into DIR/runs/ (cached runs are skipped). Exit 0, 1 if a run did not complete. */
export async function reproduceTaskCommand(opts: ReproduceTaskOptions, io: CliIO): Promise<number> {
  const mode = modeOf(opts);
  checkFigure(opts.figure);
  const shard = parseShard(opts.shard);
  if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) throw new ConfigFileError('command line', [{ path: '--workers', message: `expected an integer ≥ 1, got ${opts.workers}` }]);
  const mine = reproductionShard(reproductionJobs(opts.figure, mode), shard.index, shard.count);
  const cache = new RunCache(join(opts.out, 'runs'));
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), mine.length));
  let cached = 0;
  let failed = 0;
  const t0 = Date.now();
  await runJobs(
    mine.map((m) => m.job),
    {
      workers,
      cache,
      onDone: (job, out, info) => {
        if (info.cached) cached++;
        if (out.status !== 'completed') failed++;
        if (!opts.json) io.err(`[${info.done}/${info.total}] ${job.label}: ${out.status}${info.cached ? ' (cached)' : ''}\n`);
      },
    },
  );
  const report = { shard: `${shard.index}/${shard.count}`, runs: mine.length, cached, ran: mine.length - cached, failed, seconds: (Date.now() - t0) / 1000, out: opts.out };
  if (opts.json) io.out(`${JSON.stringify(report)}\n`);
  else io.err(`reproduce shard ${report.shard}: ${mine.length} runs, ${cached} cached, ${report.ran} run now, ${failed} did not complete (${report.seconds.toFixed(0)} s)\n`);
  return failed > 0 ? 1 : 0;
}
