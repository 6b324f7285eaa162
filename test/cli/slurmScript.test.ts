/**
 * The sbatch scripts of `adadagrad slurm`: their #SBATCH lines, and what they
 * run, found by executing them with bash against a stub toolkit command that
 * records its arguments (so quoting of paths with spaces and the 1-based shard
 * index are checked by their effect, not by their spelling).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard, parseSweepConfig, shardOf } from '../../src/cli/config.js';
import { arrayRange, directiveValue, finalScript, shellQuote, submission, submissionText, taskScript, type TaskScriptSpec } from '../../src/cli/slurmScript.js';
import { FIXTURE, tmp } from './helpers.js';

const base = join(tmp('adadagrad-slurm-script-'), 'with space');
mkdirSync(base, { recursive: true });
const dir = join(base, "out dir's");
const stub = join(base, 'stub tool');
const record = join(base, 'calls.txt');
writeFileSync(stub, `#!/bin/bash\nfor a in "$@"; do printf '%s\\x1f' "$a"; done >> "$CALLS"\necho >> "$CALLS"\n`);
chmodSync(stub, 0o755);

const spec = (over: Partial<TaskScriptSpec> = {}): TaskScriptSpec => ({
  kind: 'sweep',
  dir,
  tasks: 3,
  name: 'adadagrad-small',
  command: [stub, '--flag with space'],
  resources: { partition: 'short', account: 'proj-1', time: '00:30:00', cpusPerTask: 2, mem: '4G' },
  ...over,
});

/** Run a script with bash in a fake array task; returns the stub's calls (argument lists). */
function execute(script: string, env: Record<string, string>): string[][] {
  const path = join(base, 'script.sh');
  writeFileSync(path, script);
  writeFileSync(record, '');
  execFileSync('bash', [path], { env: { PATH: process.env['PATH'] ?? '', CALLS: record, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return readFileSync(record, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\x1f').slice(0, -1));
}

const directives = (script: string): string[] => script.split('\n').filter((l) => l.startsWith('#SBATCH '));

describe('the array script', () => {
  const script = taskScript(spec());

  it('asks for array 1-N, logs under DIR/logs per task, and the resources', () => {
    expect(directives(script)).toEqual([
      '#SBATCH --job-name=adadagrad-small',
      '#SBATCH --array=1-3',
      `#SBATCH --output="${dir}/logs/shard-%a-job-%A.out"`,
      '#SBATCH --partition=short',
      '#SBATCH --account=proj-1',
      '#SBATCH --time=00:30:00',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=4G',
    ]);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('task i of 1..N runs shard i/N into DIR/shards/i with SLURM_CPUS_PER_TASK workers, then checks shard i; the shards partition the sweep', () => {
    const { runs } = parseSweepConfig(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const seen: string[] = [];
    for (const i of [1, 2, 3]) {
      const calls = execute(script, { SLURM_ARRAY_TASK_ID: String(i), SLURM_CPUS_PER_TASK: '2' });
      expect(calls).toEqual([
        ['--flag with space', 'sweep', '--config', join(dir, 'slurm', 'config.json'), '--out', join(dir, 'shards', String(i)), '--shard', `${i}/3`, '--workers', '2'],
        ['--flag with space', 'slurm', 'status', dir, '--shard', String(i)],
      ]);
      const shard = parseShard(calls[0]![7]!);
      seen.push(...shardOf(runs, shard).map((r) => r.runId));
    }
    expect(seen.sort()).toEqual(runs.map((r) => r.runId).sort());
  });

  it('without --cpus-per-task a task runs one worker; --retry-failed and --traces pass through', () => {
    const calls = execute(taskScript(spec({ retryFailed: true, traces: true })), { SLURM_ARRAY_TASK_ID: '2' });
    expect(calls[0]!.slice(-4)).toEqual(['--workers', '1', '--retry-failed', '--traces']);
  });

  it('tasks compute with one kernel thread per worker unless ADADAGRAD_THREADS was set when submitting', () => {
    const threads = (env: Record<string, string>): string[][] => execute(taskScript(spec({ command: ['bash', '-c', 'printf "%s\\x1f\\n" "$ADADAGRAD_THREADS" >> "$CALLS"', 'tool'] })), { SLURM_ARRAY_TASK_ID: '1', ...env });
    expect(threads({})).toEqual([['1'], ['1']]);
    expect(threads({ ADADAGRAD_THREADS: '2' })).toEqual([['2'], ['2']]);
  });

  it('refuses to run outside an array task', () => {
    expect(() => execute(script, {})).toThrow();
  });

  it('a reproduction task runs reproduce-task on its shard with the figure and mode', () => {
    const calls = execute(taskScript(spec({ kind: 'reproduce', figure: 'fig1,rates', mode: 'quick' })), { SLURM_ARRAY_TASK_ID: '3', SLURM_CPUS_PER_TASK: '4' });
    expect(calls[0]).toEqual(['--flag with space', 'slurm', 'reproduce-task', 'fig1,rates', '--out', dir, '--shard', '3/3', '--quick', '--workers', '4']);
  });
});

describe('the final job', () => {
  it('merges the N shard directories into DIR, cancelled if the array fails; no array, no CPU request', () => {
    const script = finalScript(spec());
    expect(directives(script)).toEqual([
      '#SBATCH --job-name=adadagrad-small-merge',
      `#SBATCH --output="${dir}/logs/merge-job-%j.out"`,
      '#SBATCH --partition=short',
      '#SBATCH --account=proj-1',
      '#SBATCH --time=00:30:00',
      '#SBATCH --mem=4G',
      '#SBATCH --kill-on-invalid-dep=yes',
    ]);
    expect(execute(script, {})).toEqual([['--flag with space', 'merge', join(dir, 'shards/1'), join(dir, 'shards/2'), join(dir, 'shards/3'), '--out', dir]]);
  });

  it('a reproduction draws the figures with the plain reproduce', () => {
    const calls = execute(finalScript(spec({ kind: 'reproduce', mode: 'full' })), {});
    expect(calls).toEqual([['--flag with space', 'reproduce', '--out', dir, '--full', '--workers', '1']]);
  });
});

describe('the submission', () => {
  it('submits the whole array, then the final job with afterok on the array id (cluster name cut off)', () => {
    const bin = join(base, 'fake bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sbatch'), `#!/bin/bash\nfor a in "$@"; do printf '%s\\x1f' "$a"; done >> "$CALLS"\necho >> "$CALLS"\necho "4242;cluster1"\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const text = submissionText(submission(dir, [1, 2, 3], 3));
    const calls = execute(text, { PATH: `${bin}:${process.env['PATH'] ?? ''}` });
    expect(calls).toEqual([
      ['--parsable', join(dir, 'slurm', 'tasks.sbatch')],
      ['--parsable', '--dependency=afterok:4242', join(dir, 'slurm', 'final.sbatch')],
    ]);
  });

  it('a resubmission asks only for the incomplete shards; with none, only the final job, without a dependency', () => {
    const some = submission(dir, [2, 3], 3);
    expect(some.tasks).toEqual(['sbatch', '--parsable', '--array=2-3', join(dir, 'slurm', 'tasks.sbatch')]);
    expect(some.final('77')).toEqual(['sbatch', '--parsable', '--dependency=afterok:77', join(dir, 'slurm', 'final.sbatch')]);
    const none = submission(dir, [], 3);
    expect(none.tasks).toBeNull();
    expect(none.final(null)).toEqual(['sbatch', '--parsable', join(dir, 'slurm', 'final.sbatch')]);
  });

  it('array ranges: 1-N for all, else runs of consecutive shards', () => {
    expect(arrayRange([1, 2, 3], 3)).toBe('1-3');
    expect(arrayRange([8, 1, 2, 3, 5, 7], 8)).toBe('1-3,5,7-8');
    expect(arrayRange([2], 3)).toBe('2');
  });
});

describe('quoting', () => {
  it('bash words survive spaces and single quotes; #SBATCH values with double quotes are refused', () => {
    expect(shellQuote('plain/path-1.json')).toBe('plain/path-1.json');
    const word = "it's a path";
    expect(execFileSync('bash', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
    expect(directiveValue('a b')).toBe('"a b"');
    expect(() => directiveValue('a"b')).toThrow(/double quotes/);
  });
});
