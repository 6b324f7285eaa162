/**
 * Bad input and bad output paths (#16 items 8, 10, 12; #18 item 7): deeply
 * nested JSON, --out under /proc, file-system errors on --out for every command
 * that writes, and `run` without --out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectNoStack, scratch, spawnCli, sweepFile } from './helpers.js';

const base = scratch();
const cfg = sweepFile(base);

function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** A read-only directory: a read-only tmpfs when we are root (root ignores modes), else mode 0555. */
function readOnlyDir(): { dir: string; cleanup: () => void } {
  const dir = join(base, 'ro');
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=16k', 'tmpfs', dir]);
    return { dir, cleanup: () => execFileSync('umount', ['-l', dir]) };
  }
  execFileSync('chmod', ['0555', dir]);
  return { dir, cleanup: () => execFileSync('chmod', ['0755', dir]) };
}

const ro = readOnlyDir();
afterAll(() => ro.cleanup());

/** Expect exit 2 with one message line that names `path`, and no stack. */
function expectPathError(r: { code: number; stderr: string }, path: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(path);
  // (a spawned CLI first names its backend on a line of its own)
  expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('adadagrad: backend '))).toHaveLength(1);
  expectNoStack(r.stderr);
}

describe('bad input', () => {
  it('#16.8 deeply nested JSON in a run config, a sweep config and stats --grads exits 2 with a message', async () => {
    const deep = nested(5000);
    const run = join(base, 'deep-run.json');
    writeFileSync(run, `{"problem":"nqm_d20_i0","variant":"adadagrad-norm","budget":{"steps":3},"hyper":{"milestones":${deep}}}`);
    const sweep = join(base, 'deep-sweep.json');
    writeFileSync(sweep, `{"grid":{"problem":["nqm_d20_i0"],"variant":["adadagrad-norm"],"seed":[0]},"budget":{"steps":3},"hyper":{"milestones":${deep}}}`);
    const grads = join(base, 'deep-grads.json');
    writeFileSync(grads, deep);
    for (const args of [
      ['run', '--config', run, '--out', join(base, 'deep.jsonl')],
      ['sweep', '--config', sweep, '--out', join(base, 'deep-out')],
      ['stats', '--grads', grads],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/nested/);
      expectNoStack(r.stderr);
    }
  });
});

describe('bad output paths', () => {
  const file = join(base, 'a-file');
  writeFileSync(file, 'x');
  const dir = join(base, 'a-dir');
  mkdirSync(dir, { recursive: true });
  const dangling = join(base, 'dangling');
  symlinkSync(join(base, 'no-such-target'), dangling);
  const runArgs = ['run', '--problem', 'nqm_d20_i0', '--variant', 'adadagrad-norm', '--steps', '3'];

  it('#16.12 run: --out a directory (EISDIR), under a file (ENOTDIR), read-only (EACCES/EROFS)', async () => {
    expectPathError(await cli(...runArgs, '--out', dir), dir);
    expectPathError(await cli(...runArgs, '--out', join(file, 'trace.jsonl')), join(file, 'trace.jsonl'));
    expectPathError(await cli(...runArgs, '--out', join(ro.dir, 'trace.jsonl')), join(ro.dir, 'trace.jsonl'));
  });

  it('#16.12 sweep: --out a file (EEXIST), under a file (ENOTDIR), a dangling symlink, read-only, or x.jsonl — before any work', async () => {
    for (const out of [file, join(file, 'sub'), dangling, join(ro.dir, 'sweep')]) {
      expectPathError(await cli('sweep', '--config', cfg, '--out', out, '--workers', '1'), out);
    }
    const jsonl = join(base, 'x.jsonl');
    expectPathError(await cli('sweep', '--config', cfg, '--out', jsonl, '--workers', '1'), jsonl);
    expect(existsSync(jsonl)).toBe(false);
  });

  it('#16.12 merge, plot and reproduce: --out a file (EEXIST) or under a file (ENOTDIR)', async () => {
    const input = join(base, 'merge-in');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'results.jsonl'), '');
    for (const out of [file, join(file, 'sub')]) {
      expectPathError(await cli('merge', input, '--out', out), out);
      expectPathError(await cli('plot', input, '--out', out), out);
      expectPathError(await cli('reproduce', 'fig5', '--quick', '--out', out), out);
    }
    expect(readdirSync(input)).toEqual(['results.jsonl']);
  });

  it('#16.10 --out under /proc fails fast instead of hanging in mkdir', async () => {
    const out = '/proc/adadagrad-no-such/deeper/out';
    const { child, done } = spawnCli(['sweep', '--config', cfg, '--out', out, '--workers', '1']);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const r = await done;
    clearTimeout(timer);
    expect(r.signal, 'killed after 30 s: the sweep hung').toBeNull();
    expectPathError(r, out);
  });
});

describe('#18.7 run without --out', () => {
  it('prints the summary (and --json) without writing a trace', async () => {
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--variant', 'adadagrad-norm', '--eta', '0.5', '--steps', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; out: unknown; summary: { steps: number } };
    expect(out.status).toBe('completed');
    expect(out.out).toBeNull();
    expect(out.summary.steps).toBe(5);
    const plain = await cli('run', '--problem', 'nqm_d20_i0', '--variant', 'adadagrad-norm', '--eta', '0.5', '--steps', '5');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/completed/);
  });

  it('the help marks the required options and shows --out of run as optional', async () => {
    const sweep = await cli('sweep', '--help');
    expect(sweep.stdout).toMatch(/--config <file\.json>\s+.*\(required\)/);
    expect(sweep.stdout).toMatch(/--out <dir>\s+.*\(required\)/);
    const run = await cli('run', '--help');
    expect(run.stdout).toMatch(/--out <file\.jsonl>\s+\(optional\)/);
  });
});
