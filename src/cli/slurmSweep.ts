/**
 * `adadagrad slurm sweep`: a sweep as a Slurm array job (one shard per task)
 * and a merge job that depends on it. Writes DIR/slurm/ (plan, a copy of the
 * configuration, the two scripts), then prints the scripts and the sbatch
 * commands, or submits them with --submit.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigFileError, parseSweepConfig } from './config.js';
import type { CliIO } from './io.js';
import { parseToolkitCommand, toolkitCommand } from './slurmInvoke.js';
import { configCopyPath, readPlan, slurmDir, type SlurmPlan, type SlurmResources } from './slurmPlan.js';
import { checkResources, checkTasks, checkDir } from './slurmOptions.js';
import { writeAndSubmit } from './slurmSubmit.js';
import { readJsonFile } from './sweep.js';
import { mkdirSync, existsSync } from 'node:fs';

export interface SlurmSweepOptions extends SlurmResources {
  readonly config: string;
  readonly out: string;
  readonly tasks: number;
  readonly retryFailed?: boolean;
  readonly traces?: boolean;
  /** The toolkit command for the scripts (default: this installation, see slurmInvoke.ts). */
  readonly command?: string;
  readonly submit?: boolean;
  readonly json?: boolean;
}

/** The command; exit 0, or throws (bad input: ConfigFileError → exit 2). */
export async function slurmSweepCommand(opts: SlurmSweepOptions, io: CliIO): Promise<number> {
  checkTasks(opts.tasks);
  checkResources(opts);
  const dir = resolve(opts.out);
  checkDir(dir);
  const raw = readJsonFile(opts.config);
  const { sweep, runs } = parseSweepConfig(raw, opts.config);
  if (opts.tasks > runs.length) {
    throw new ConfigFileError('command line', [{ path: '--tasks', message: `the sweep has ${runs.length} runs; ${opts.tasks} tasks would leave some without work (use at most ${runs.length})` }]);
  }
  const prior = readPlan(dir);
  if (prior !== null) {
    const where = `${dir} holds a plan`;
    if (prior.kind !== 'sweep') throw new ConfigFileError('--out', [{ path: '--out', message: `${where} for a ${prior.kind}, not a sweep; use another --out` }]);
    if (prior.tasks !== opts.tasks) throw new ConfigFileError('--out', [{ path: '--tasks', message: `${where} with ${prior.tasks} tasks; shards are only resumable with the same number (use --tasks ${prior.tasks}, or another --out)` }]);
    if (existsSync(configCopyPath(dir))) {
      const before = new Set(parseSweepConfig(readJsonFile(configCopyPath(dir)), configCopyPath(dir)).runs.map((r) => r.runId));
      if (before.size !== runs.length || runs.some((r) => !before.has(r.runId))) {
        throw new ConfigFileError('--out', [{ path: '--config', message: `${where} for a different sweep (other runs than ${opts.config} plans); use another --out` }]);
      }
    }
  }
  const resources: SlurmResources = {
    ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
    ...(opts.cpusPerTask !== undefined ? { cpusPerTask: opts.cpusPerTask } : {}),
    ...(opts.mem !== undefined ? { mem: opts.mem } : {}),
  };
  const command = opts.command !== undefined ? parseToolkitCommand(opts.command) : toolkitCommand().command;
  const name = `adadagrad-${sweep.name ?? 'sweep'}`;
  const plan: SlurmPlan = {
    version: 1,
    kind: 'sweep',
    tasks: opts.tasks,
    name,
    command,
    resources,
    ...(opts.retryFailed ? { retryFailed: true } : {}),
    ...(opts.traces ? { traces: true } : {}),
  };
  mkdirSync(slurmDir(dir), { recursive: true });
  writeFileSync(configCopyPath(dir), `${JSON.stringify(raw, null, 2)}\n`);
  return writeAndSubmit(
    plan,
    { kind: 'sweep', dir, tasks: opts.tasks, name, command, resources, ...(opts.retryFailed ? { retryFailed: true } : {}), ...(opts.traces ? { traces: true } : {}) },
    { ...(opts.submit ? { submit: true } : {}), ...(opts.json ? { json: true } : {}), ...(opts.retryFailed ? { retryFailed: true } : {}) },
    io,
  );
}
