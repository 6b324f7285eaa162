/**
 * Two sweeps on one --out (#16 item 5). The sweep takes an exclusive lock file
 * DIR/sweep.lock holding its pid and host; a second sweep refuses while that pid
 * lives, and takes over a stale lock (a dead pid on this host) with a warning.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, completeLines, expectNoStack, scratch, spawnCli, sweepFile, tinySweep } from './helpers.js';

const base = scratch();

function lockOf(dir: string, pid: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sweep.lock'), JSON.stringify({ pid, host: hostname(), started: new Date().toISOString() }));
}

describe('#16.5 one sweep per output directory', () => {
  it('a sweep refuses a directory locked by a live process, naming its pid', async () => {
    const cfg = sweepFile(join(base, 'live'));
    const holder = spawn('sleep', ['30']);
    try {
      const out = join(base, 'live', 'out');
      lockOf(out, holder.pid!);
      const r = await cli('sweep', '--config', cfg, '--out', out, '--workers', '1');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(String(holder.pid));
      expect(r.stderr).toContain(join(out, 'sweep.lock'));
      expectNoStack(r.stderr);
      expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a stale lock (its pid is dead) is taken over with a warning, and released at the end', async () => {
    const cfg = sweepFile(join(base, 'stale'));
    const dead = spawn('true');
    await new Promise((res) => dead.on('close', res));
    const out = join(base, 'stale', 'out');
    lockOf(out, dead.pid!);
    const r = await cli('sweep', '--config', cfg, '--out', out, '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stale lock/);
    expect(completeLines(join(out, 'results.jsonl'))).toBe(6);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
  });

  it('two sweeps started together on one --out run every run once', async () => {
    const seeds = Array.from({ length: 8 }, (_, i) => i);
    const cfg = sweepFile(join(base, 'race'), tinySweep({ grid: { problem: ['nqm_d100_i0'], variant: ['adadagrad-norm', 'adadagrad'], seed: seeds }, budget: { steps: 100 } }));
    const out = join(base, 'race', 'out');
    const a = spawnCli(['sweep', '--config', cfg, '--out', out, '--workers', '1']);
    const b = spawnCli(['sweep', '--config', cfg, '--out', out, '--workers', '1']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const codes = [ra.code, rb.code].sort();
    expect(completeLines(join(out, 'results.jsonl')), `${ra.stderr}\n${rb.stderr}`).toBe(16);
    // one ran the sweep; the other either refused the lock or found every run done
    expect(codes[0]).toBe(0);
    expect([0, 2]).toContain(codes[1]);
    const refused = [ra, rb].find((r) => r.code === 2);
    if (refused !== undefined) expect(refused.stderr).toMatch(/sweep\.lock/);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').endsWith('\n')).toBe(true);
  });
});
