/**
 * Issue 16 item 14: configurations that are wrong for their problem are rejected before
 * the first step (exit 2, naming the field), not found out after work has started.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/registry.js';
import { ConfigError, makeController } from '../../src/registry/index.js';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-faults-registry-'));
const out = (name: string): string => join(dir, `${name}.jsonl`);

describe('config errors caught before the first step (issue 16, item 14)', () => {
  it('--b0 1e300 with a constant batch: exit 2 naming --b0, no trace written', async () => {
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--optimizer', 'sgd', '--controller', 'constant', '--b0', '1e300', '--steps', '5', '--out', out('b0'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--b0 \(hyper\.b0\): (expected|must be) an integer ≥ 1 and ≤ 16777216, got 1e\+300/);
    expect(existsSync(out('b0'))).toBe(false);
  });

  it('--no-replace with b_max > n: exit 2 naming --bmax and n, no trace written', async () => {
    const r = await cli('run', '--problem', 'lsq-noisy_d5_n40_i0', '--variant', 'adadagrad-norm', '--bmax', '64', '--no-replace', '--steps', '50', '--out', out('noreplace'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--bmax \(hyper\.bMax\): must be ≤ n = 40 .* without replacement, got 64/);
    expect(existsSync(out('noreplace'))).toBe(false);
  });

  it('--no-replace with a constant batch above n names --b0; the same batch with replacement is accepted', async () => {
    const bad = await cli('run', '--problem', 'lsq-noisy_d5_n40_i0', '--optimizer', 'sgd', '--controller', 'constant', '--b0', '41', '--no-replace', '--steps', '2', '--out', out('const'));
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/--b0 \(hyper\.b0\): must be ≤ n = 40/);
    const ok = await cli('run', '--problem', 'lsq-noisy_d5_n40_i0', '--optimizer', 'sgd', '--controller', 'constant', '--b0', '41', '--steps', '2', '--out', out('const-ok'));
    expect(ok.code, ok.stderr).toBe(0);
  });

  it.each(['geometric', 'sebs', 'sebs-samples'])('%s with b0 > b_max: exit 2 naming --bmax', async (controller) => {
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--optimizer', 'sgd', '--controller', controller, '--b0', '16', '--bmax', '8', '--steps', '5', '--out', out(controller));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--bmax \(hyper\.bMax\): must be ≥ b0 \(16\), got 8/);
  });

  it('a sweep whose grid puts b_max above n without replacement fails before any run, naming the grid cell', async () => {
    const { writeFileSync } = await import('node:fs');
    const cfg = join(dir, 'sweep.json');
    writeFileSync(cfg, JSON.stringify({ grid: { problem: ['lsq-noisy_d5_n40_i0'], variant: ['adadagrad-norm'], seed: [0], hyper: { bMax: [32, 64] } }, budget: { steps: 5 }, replace: false }));
    const r = await cli('sweep', '--config', cfg, '--out', join(dir, 'sweep-out'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/grid\.hyper\.bMax\[1\]: must be ≤ n = 40/);
    expect(existsSync(join(dir, 'sweep-out', 'results.jsonl'))).toBe(false);
  });

  it('the library check: makeController with replace: false rejects a cap above n as a ConfigError on the field', () => {
    const p = getProblem('lsq-noisy_d5_n40_i0');
    expect(() => makeController('norm', { bMax: 41 }, p, { replace: false })).toThrow(ConfigError);
    expect(() => makeController('norm', { bMax: 41 }, p, { replace: false })).toThrow(/^bMax: must be ≤ n = 40/);
    expect(() => makeController('norm', { bMax: 40 }, p, { replace: false })).not.toThrow();
  });
});
