/** Issue 16 item 17: echoed input is cut to a short prefix (a multi-megabyte problem id is not written back whole). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-faults-echo-'));
const HUGE = 'x'.repeat(5_000_000);

describe('echoed input is truncated (issue 16, item 17)', () => {
  it('a 5 MB problem id without an underscore: exit 2, stderr under 1 kB, the id cut with its length', async () => {
    const r = await cli('run', '--problem', HUGE, '--variant', 'adadagrad-norm', '--steps', '5', '--out', join(dir, 'a.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(1000);
    expect(r.stderr).toMatch(/5000000 characters/);
  });

  it('a 5 MB id of a known family, and a huge optimizer name, are cut too', async () => {
    const r = await cli('run', '--problem', `nqm_d${'9'.repeat(5_000_000)}_i0`, '--variant', 'adadagrad-norm', '--steps', '5', '--out', join(dir, 'b.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(1000);
    const o = await cli('run', '--problem', 'nqm_d20_i0', '--optimizer', HUGE, '--controller', 'norm', '--steps', '5', '--out', join(dir, 'c.jsonl'));
    expect(o.code).toBe(2);
    expect(o.stderr.length).toBeLessThan(1000);
  });

  it('a sweep config with a huge problem id and a huge string value: exit 2, short stderr', async () => {
    const p = join(dir, 'sweep.json');
    writeFileSync(p, JSON.stringify({ grid: { problem: [HUGE], variant: ['adadagrad-norm'], seed: [0] }, hyper: { eta: HUGE }, budget: { steps: 5 } }));
    const r = await cli('sweep', '--config', p, '--out', join(dir, 's'));
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(1000);
  });
});
