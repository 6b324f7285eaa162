/**
 * The text of the `sbatch` scripts and the commands that submit them. Pure
 * functions of their inputs (no clock, no environment), so a script is the same
 * every time it is written for the same options.
 *
 * The array script runs shard `$SLURM_ARRAY_TASK_ID/N` (array 1-N: Slurm task
 * ids and the toolkit's shards are both 1-based) and then succeeds only when
 * every run of its shard has a result (`slurm status DIR --shard i`), so the
 * dependent job (`--dependency=afterok:<array id>`) starts once all shards are
 * complete. Runs that diverged are results, not missing runs; a task killed,
 * preempted or out of time leaves missing runs, fails, and the dependent job is
 * cancelled (`--kill-on-invalid-dep=yes`) rather than left pending forever.
 */
import type { ToolkitCommand } from './slurmInvoke.js';
import type { SlurmResources } from './slurmPlan.js';
import { finalScriptPath, logsDir, tasksScriptPath } from './slurmPlan.js';

/** Quote a word for bash: as is when it is plainly safe, else in single quotes. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_\/.:=+@%,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value on an `#SBATCH` line: sbatch splits these lines on blanks and honours
 * double quotes, so a value with blanks is double-quoted. Double quotes,
 * backslashes and line breaks in a value are refused (sbatch has no escape for
 * them inside a directive).
 */
export function directiveValue(s: string): string {
  if (/["\\\n\r]/.test(s)) throw new Error(`cannot put ${JSON.stringify(s)} on an #SBATCH line (no double quotes, backslashes or line breaks)`);
  return /\s/.test(s) ? `"${s}"` : s;
}

/** A path inside a Slurm filename pattern (--output): a literal % is written %%. */
export function filenamePattern(path: string): string {
  return path.replace(/%/g, '%%');
}

/** The #SBATCH lines of the resources (in a fixed order). */
function resourceLines(r: SlurmResources, cpus: boolean): string[] {
  const lines: string[] = [];
  if (r.partition !== undefined) lines.push(`#SBATCH --partition=${directiveValue(r.partition)}`);
  if (r.account !== undefined) lines.push(`#SBATCH --account=${directiveValue(r.account)}`);
  if (r.time !== undefined) lines.push(`#SBATCH --time=${directiveValue(r.time)}`);
  if (cpus && r.cpusPerTask !== undefined) lines.push(`#SBATCH --cpus-per-task=${r.cpusPerTask}`);
  if (r.mem !== undefined) lines.push(`#SBATCH --mem=${directiveValue(r.mem)}`);
  return lines;
}

/** The preamble every script shares: strict mode, the toolkit command, the directory. */
function preamble(command: ToolkitCommand, dir: string): string[] {
  return [
    'set -u',
    '# one kernel thread per worker (workers = the CPUs granted), unless set when submitting',
    'export ADADAGRAD_THREADS="${ADADAGRAD_THREADS:-1}"',
    `ADADAGRAD=(${command.map(shellQuote).join(' ')})`,
    `DIR=${shellQuote(dir)}`,
  ];
}

export interface TaskScriptSpec {
  readonly kind: 'sweep' | 'reproduce';
  /** Absolute output directory. */
  readonly dir: string;
  readonly tasks: number;
  /** Job name stem (the final job appends "-merge" or "-figures"). */
  readonly name: string;
  readonly command: ToolkitCommand;
  readonly resources: SlurmResources;
  readonly retryFailed?: boolean;
  readonly traces?: boolean;
  /** Reproductions: figure selector and mode flags. */
  readonly figure?: string;
  readonly mode?: 'quick' | 'default' | 'full';
}

const modeFlag = (mode: TaskScriptSpec['mode']): string => (mode === 'quick' ? ' --quick' : mode === 'full' ? ' --full' : '');

/** The array script: task i runs shard i/N, then checks that the shard is complete. */
export function taskScript(s: TaskScriptSpec): string {
  const n = s.tasks;
  const what = s.kind === 'sweep' ? 'sweep' : 'reproduction';
  const work =
    s.kind === 'sweep'
      ? `"\${ADADAGRAD[@]}" sweep --config "$DIR/slurm/config.json" --out "$DIR/shards/$i" --shard "$i/${n}" --workers "\${SLURM_CPUS_PER_TASK:-1}"${s.retryFailed ? ' --retry-failed' : ''}${s.traces ? ' --traces' : ''}`
      : `"\${ADADAGRAD[@]}" slurm reproduce-task${s.figure !== undefined ? ` ${shellQuote(s.figure)}` : ''} --out "$DIR" --shard "$i/${n}"${modeFlag(s.mode)} --workers "\${SLURM_CPUS_PER_TASK:-1}"`;
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${directiveValue(s.name)}`,
    `#SBATCH --array=1-${n}`,
    `#SBATCH --output=${directiveValue(`${filenamePattern(logsDir(s.dir))}/shard-%a-job-%A.out`)}`,
    ...resourceLines(s.resources, true),
    `# Written by adadagrad slurm ${s.kind}: array task i runs shard i/${n} of the ${what} (1-based, like`,
    '# SLURM_ARRAY_TASK_ID), then succeeds only if every run of the shard has a result.',
    '# Resubmitting skips what is done: finished runs are found by run id.',
    ...preamble(s.command, s.dir),
    'i="${SLURM_ARRAY_TASK_ID:?not inside a Slurm array task}"',
    work,
    `echo "adadagrad ${s.kind} shard $i/${n} exited with $?"`,
    'exec "${ADADAGRAD[@]}" slurm status "$DIR" --shard "$i"',
    '',
  ].join('\n');
}

/** The dependent job: merge the shards into DIR/results.jsonl, or draw the figures from the cached runs. */
export function finalScript(s: TaskScriptSpec): string {
  const n = s.tasks;
  const body =
    s.kind === 'sweep'
      ? ['shards=()', `for i in $(seq 1 ${n}); do shards+=("$DIR/shards/$i"); done`, 'exec "${ADADAGRAD[@]}" merge "${shards[@]}" --out "$DIR"']
      : [`exec "\${ADADAGRAD[@]}" reproduce${s.figure !== undefined ? ` ${shellQuote(s.figure)}` : ''} --out "$DIR"${modeFlag(s.mode)} --workers "\${SLURM_CPUS_PER_TASK:-1}"`];
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${directiveValue(`${s.name}-${s.kind === 'sweep' ? 'merge' : 'figures'}`)}`,
    `#SBATCH --output=${directiveValue(`${filenamePattern(logsDir(s.dir))}/${s.kind === 'sweep' ? 'merge' : 'figures'}-job-%j.out`)}`,
    ...resourceLines(s.resources, false),
    '#SBATCH --kill-on-invalid-dep=yes',
    `# Written by adadagrad slurm ${s.kind}: submitted with --dependency=afterok:<array job id>, it runs`,
    s.kind === 'sweep' ? `# once all ${n} shards are complete and merges them into DIR/results.jsonl.` : `# once all ${n} shards are complete and draws the figures from the cached runs (DIR/runs/).`,
    ...preamble(s.command, s.dir),
    ...body,
    '',
  ].join('\n');
}

/**
 * The array range of a submission: `1-N` when every shard runs, else the
 * incomplete shards (`2,5-7`).
 */
export function arrayRange(shards: readonly number[], tasks: number): string {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  if (sorted.length === tasks && sorted[0] === 1 && sorted[sorted.length - 1] === tasks) return `1-${tasks}`;
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === k ? String(sorted[k]) : `${sorted[k]}-${sorted[j]}`);
    k = j + 1;
  }
  return parts.join(',');
}

/** The sbatch argument lists of a submission; the final job's takes the array job id. */
export interface Submission {
  /** Null when no shard needs to run (only the final job is submitted, without a dependency). */
  readonly tasks: readonly string[] | null;
  readonly final: (arrayJobId: string | null) => readonly string[];
}

/** The sbatch calls: the array (for the given shards), then the final job depending on it. */
export function submission(dir: string, shards: readonly number[], tasks: number): Submission {
  const range = arrayRange(shards, tasks);
  return {
    tasks: shards.length === 0 ? null : ['sbatch', '--parsable', ...(range !== `1-${tasks}` ? [`--array=${range}`] : []), tasksScriptPath(dir)],
    final: (id) => ['sbatch', '--parsable', ...(id !== null ? [`--dependency=afterok:${id}`] : []), finalScriptPath(dir)],
  };
}

/** The submission as shell lines to copy (the array job id is taken from `sbatch --parsable`, cluster name cut off). */
export function submissionText(sub: Submission): string {
  const q = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
  if (sub.tasks === null) return `${q(sub.final(null))}\n`;
  const final = q(sub.final(null)).replace(/^sbatch --parsable /, 'sbatch --parsable --dependency=afterok:"${array%%;*}" ');
  return `array=$(${q(sub.tasks)})\n${final}\n`;
}
