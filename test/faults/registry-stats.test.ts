/** Issue 16 item 16: `stats` reports overflow instead of a test that holds, and rejects a b_max below the current batch. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-faults-stats-'));
function grads(name: string, rows: unknown): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify(rows));
  return p;
}

describe('stats input faults (issue 16, item 16)', () => {
  it('entries near 1e308 overflow the statistics: exit 2 saying so, no report with holds: true', async () => {
    const r = await cli('stats', '--grads', grads('huge', [[1e308, 2], [-1e308, 4], [5e307, 0]]));
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/overflow float64/);
    expect(r.stdout).not.toMatch(/"holds": true/);
  });

  it('entries of 1e200 (finite, but their squares pass 1e308) overflow too', async () => {
    const r = await cli('stats', '--grads', grads('big', [[1e200, 1], [3e200, 2], [2e200, 0]]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/overflow float64 \(.*= Infinity/);
  });

  it('moderate entries still give a report (the control)', async () => {
    const r = await cli('stats', '--grads', grads('ok', [[1e50, 1], [3e50, 2], [2e50, 0]]));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).S_norm).toBeGreaterThan(0);
  });

  it('--bmax below the current batch is rejected, naming --bmax; --bmax equal to it is accepted', async () => {
    const g = grads('small', [[1, 2], [3, 4], [5, 0]]);
    const bad = await cli('stats', '--grads', g, '--bmax', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bmax: expected ≥ the current batch size b = 3/);
    const bad2 = await cli('stats', '--grads', g, '--batch', '64', '--bmax', '32');
    expect(bad2.code).toBe(2);
    const ok = await cli('stats', '--grads', g, '--bmax', '3');
    expect(ok.code, ok.stderr).toBe(0);
    for (const v of Object.values(JSON.parse(ok.stdout).next_batch as Record<string, number>)) expect(v).toBe(3);
  });
});
