/**
 * Writing a Slurm plan and its scripts into DIR, and submitting them with
 * `sbatch` (both `slurm sweep` and `slurm reproduce` end here). Submitting is
 * idempotent: only shards with missing runs are submitted again, the final job
 * alone when every shard is complete, nothing when the final job's output is
 * there too; a submission is refused while an earlier one from DIR is still
 * queued or running (two tasks would run one shard twice).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { CliIO } from './io.js';
import { finalScriptPath, logsDir, planPath, shardDir, slurmDir, submissionsPath, tasksScriptPath, type SlurmPlan } from './slurmPlan.js';
import { finalScript, submission, submissionText, taskScript, type TaskScriptSpec } from './slurmScript.js';
import { slurmStatus, type SlurmStatus } from './slurmStatus.js';

/** A Slurm client call that failed (sbatch missing, rejected the script, …). */
export class SlurmSubmitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmSubmitError';
  }
}

/** Run a Slurm client; stdout trimmed. Throws naming the command when it cannot run or fails. */
export function slurmClient(argv: readonly string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.error !== undefined) throw new SlurmSubmitError(`${argv[0]}: cannot run it (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); is Slurm installed here? Without --submit the commands are printed instead`);
  if (r.status !== 0) throw new SlurmSubmitError(`${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** The job id in `sbatch --parsable` output (`id` or `id;cluster`). */
export function parsableJobId(out: string): string {
  const id = out.split('\n').pop()!.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new SlurmSubmitError(`sbatch --parsable printed ${JSON.stringify(out)}, not a job id`);
  return id;
}

interface SubmissionRecord {
  readonly at: string;
  readonly array: string | null;
  readonly shards: readonly number[];
  readonly final: string;
}

/** Job ids of earlier submissions from DIR. */
function submittedJobIds(dir: string): string[] {
  const p = submissionsPath(dir);
  if (!existsSync(p)) return [];
  const ids: string[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as SubmissionRecord;
      if (r.array !== null) ids.push(r.array);
      ids.push(r.final);
    } catch {
      // a torn line: ignore
    }
  }
  return ids;
}

/**
 * Earlier jobs from DIR that Slurm still has queued or running: every job squeue
 * lists (array tasks one by one) whose job id or array job id was recorded.
 * Without squeue (or when it fails) nothing is known to be queued.
 */
function stillQueued(dir: string): string[] {
  const ids = new Set(submittedJobIds(dir));
  if (ids.size === 0) return [];
  const r = spawnSync('squeue', ['--noheader', '--array', '--format=%A|%F|%i|%T'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split('|'))
    .filter((f) => f.length === 4 && (ids.has(f[0]!) || ids.has(f[1]!)))
    .map((f) => `${f[2]} ${f[3]}`);
}

export interface WriteSubmitOptions {
  readonly submit?: boolean;
  readonly json?: boolean;
  /** Also rerun shards whose runs are recorded as failed (sweeps with --retry-failed). */
  readonly retryFailed?: boolean;
}

/** What was written and (with --submit) submitted. */
export interface SlurmPlanReport {
  readonly dir: string;
  readonly kind: SlurmPlan['kind'];
  readonly tasks: number;
  readonly runs: number;
  readonly shards_to_run: readonly number[];
  readonly scripts: { readonly tasks: string; readonly final: string };
  readonly command: readonly string[];
  readonly commands: string;
  readonly submitted: { readonly array: string | null; readonly final: string } | null;
  readonly nothing_to_do: boolean;
}

/** The shards a submission runs: those with missing runs (and, retrying, failed ones). */
function shardsToRun(st: SlurmStatus, retryFailed: boolean): number[] {
  return st.shards.filter((s) => s.missing.length > 0 || (retryFailed && s.failed.length > 0)).map((s) => s.shard);
}

/** Write the plan and scripts into DIR, then print or submit. Exit code 0, or throws. */
export function writeAndSubmit(plan: SlurmPlan, spec: TaskScriptSpec, opts: WriteSubmitOptions, io: CliIO): number {
  const dir = spec.dir;
  mkdirSync(slurmDir(dir), { recursive: true });
  mkdirSync(logsDir(dir), { recursive: true });
  if (plan.kind === 'sweep') for (let i = 1; i <= plan.tasks; i++) mkdirSync(shardDir(dir, i), { recursive: true });
  writeFileSync(planPath(dir), `${JSON.stringify(plan, null, 2)}\n`);
  const tasksText = taskScript(spec);
  const finalText = finalScript(spec);
  writeFileSync(tasksScriptPath(dir), tasksText);
  writeFileSync(finalScriptPath(dir), finalText);
  chmodSync(tasksScriptPath(dir), 0o755);
  chmodSync(finalScriptPath(dir), 0o755);

  const st = slurmStatus(dir);
  const shards = shardsToRun(st, opts.retryFailed === true);
  const finalDone = plan.kind === 'sweep' ? st.merged === st.runs : st.figures === true;
  const nothing = shards.length === 0 && finalDone;
  const sub = submission(dir, shards, plan.tasks);
  const commands = nothing ? '' : submissionText(sub);
  let submitted: SlurmPlanReport['submitted'] = null;

  if (opts.submit && !nothing) {
    const queued = stillQueued(dir);
    if (queued.length > 0) throw new SlurmSubmitError(`jobs of an earlier submission from ${dir} are still queued or running (${queued.join('; ')}); wait for them or scancel them, then submit again`);
    const array = sub.tasks === null ? null : parsableJobId(slurmClient(sub.tasks));
    const final = parsableJobId(slurmClient(sub.final(array)));
    submitted = { array, final };
    const rec: SubmissionRecord = { at: new Date().toISOString(), array, shards, final };
    appendFileSync(submissionsPath(dir), `${JSON.stringify(rec)}\n`);
  }

  const report: SlurmPlanReport = {
    dir,
    kind: plan.kind,
    tasks: plan.tasks,
    runs: st.runs,
    shards_to_run: shards,
    scripts: { tasks: tasksScriptPath(dir), final: finalScriptPath(dir) },
    command: plan.command,
    commands,
    submitted,
    nothing_to_do: nothing,
  };
  if (opts.json) {
    io.out(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const what = plan.kind === 'sweep' ? 'merged results' : 'figures';
  if (nothing) {
    io.out(`nothing to do: all ${st.runs} runs of ${dir} are done and the ${what} are written (adadagrad slurm status ${dir})\n`);
    return 0;
  }
  const range = shards.length === plan.tasks ? `all ${plan.tasks} shards` : shards.length === 0 ? 'no shard (all complete)' : `shard${shards.length === 1 ? '' : 's'} ${shards.join(', ')} of ${plan.tasks}`;
  if (submitted !== null) {
    io.out(`submitted ${range}${submitted.array !== null ? ` as array job ${submitted.array}` : ''} and the ${plan.kind === 'sweep' ? 'merge' : 'figures'} job ${submitted.final}${submitted.array !== null ? ` (afterok:${submitted.array})` : ''}; logs in ${logsDir(dir)}; check with adadagrad slurm status ${dir}\n`);
    return 0;
  }
  io.out(`# ${tasksScriptPath(dir)}\n${tasksText}\n# ${finalScriptPath(dir)}\n${finalText}\n# to submit ${range} (or run this command again with --submit):\n${commands}`);
  return 0;
}
