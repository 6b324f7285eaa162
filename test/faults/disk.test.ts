/**
 * A full disk (#16 item 9), on a real 64 KiB tmpfs mounted for this file (the
 * tests run as root; without root the mount fails and so does this file —
 * the appender's own handling is also checked below with an injected ENOSPC write).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResults, readResults } from '../../src/cli/results.js';
import type { RunRecord } from '../../src/cli/execute.js';
import { cli, expectNoStack, scratch, sweepFile, tinySweep } from './helpers.js';

const base = scratch();
const mnt = join(base, 'mnt');
const cfg = sweepFile(base, tinySweep({ grid: { problem: ['nqm_d20_i0'], variant: ['adadagrad-norm', 'adadagrad'], seed: [0, 1, 2, 3, 4, 5] } }));

beforeAll(() => {
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
});
afterAll(() => {
  execFileSync('umount', ['-l', mnt]);
});

/** Fill the tmpfs so that only `pages` pages (4 KiB each) stay free. */
function fillLeaving(pages: number): string {
  const filler = join(mnt, 'filler');
  rmSync(filler, { force: true });
  const s = statfsSync(mnt);
  const free = s.bavail * s.bsize;
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - pages * 4096)));
  return filler;
}

function wholeLines(path: string): number {
  const text = readFileSync(path, 'utf8');
  expect(text === '' || text.endsWith('\n'), 'no torn last line').toBe(true);
  const lines = text.split('\n').filter((l) => l !== '');
  for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  return lines.length;
}

describe('#16.9 a full disk', () => {
  it('sweep: stops cleanly naming the file, keeps whole lines only, and resumes once there is space', async () => {
    const out = join(mnt, 'sweep');
    mkdirSync(out);
    const filler = fillLeaving(2); // one page for the lock file, one for results.jsonl (about 5 of the 12 lines)
    const r = await cli('sweep', '--config', cfg, '--out', out, '--workers', '1');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(join(out, 'results.jsonl'));
    expect(r.stderr).toMatch(/no space left on device|ENOSPC/i);
    expectNoStack(r.stderr);
    const kept = wholeLines(join(out, 'results.jsonl'));
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(12);
    rmSync(filler);
    const again = await cli('sweep', '--config', cfg, '--out', out, '--workers', '1', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ runs: 12, skipped: kept, ran: 12 - kept });
    expect(wholeLines(join(out, 'results.jsonl'))).toBe(12);
  });

  it('run: a full disk mid-run is an I/O failure naming the trace file, not "the run could not start"', async () => {
    const filler = fillLeaving(1);
    const trace = join(mnt, 'trace.jsonl');
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--variant', 'adadagrad-norm', '--eta', '0.5', '--steps', '200', '--out', trace);
    rmSync(filler);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(trace);
    expect(r.stderr).toMatch(/no space left on device|ENOSPC/i);
    expect(r.stderr).not.toMatch(/could not start/);
    expectNoStack(r.stderr);
  });

  it('the results appender: a failing write leaves no torn line and names the file (injected ENOSPC)', () => {
    const dir = scratch();
    const path = join(dir, 'results.jsonl');
    let budget = 2;
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const out = openResults(path, {
      write: (fd, data, off, len) => {
        if (budget-- > 0) return execWrite(fd, data, off, len);
        execWrite(fd, data, off, Math.min(len, 10)); // a partial write, then the error
        throw enospc;
      },
    });
    const rec = (i: number): RunRecord => ({ run_id: `${i}`.padStart(20, '0'), config: {} as RunRecord['config'], status: 'completed', summary: null });
    out.append(rec(1));
    out.append(rec(2));
    expect(() => out.append(rec(3))).toThrow(path);
    out.close();
    expect(wholeLines(path)).toBe(2);
    expect(readResults(path).torn).toBe(false);
  });
});

import { writeSync } from 'node:fs';
function execWrite(fd: number, data: Uint8Array, off: number, len: number): number {
  return writeSync(fd, data, off, len);
}
