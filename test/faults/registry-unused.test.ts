/** Issue 16 item 20: a hyperparameter that neither the optimizer nor the controller reads is reported, naming the flag. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-faults-unused-'));

describe('unused hyperparameters are warned about (issue 16, item 20)', () => {
  it('--theta with the norm variant: a warning naming --theta; the run still completes', async () => {
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--variant', 'adadagrad-norm', '--theta', '0.5', '--steps', '5', '--out', join(dir, 'a.jsonl'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --theta \(hyper\.theta\) is not read by optimizer 'adagrad-norm' or controller 'norm'/);
  });

  it('--theta with aug-ip (which reads it) gives no warning (the control)', async () => {
    const r = await cli('run', '--problem', 'nqm_d20_i0', '--optimizer', 'adagrad-norm', '--controller', 'aug-ip', '--theta', '0.5', '--steps', '5', '--out', join(dir, 'b.jsonl'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
  });

  it('a config field nobody reads is named by its config path, and --hyper fields too', async () => {
    const cfg = join(dir, 'run.json');
    writeFileSync(cfg, JSON.stringify({ problem: 'nqm_d20_i0', variant: 'adadagrad-norm', hyper: { nu: 2 }, budget: { steps: 5 } }));
    const r = await cli('run', '--config', cfg, '--hyper', 'rho=3', '--out', join(dir, 'c.jsonl'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: hyper\.nu in .*run\.json is not read/);
    expect(r.stderr).toMatch(/warning: --hyper rho=\.\.\. \(hyper\.rho\) is not read/);
  });
});
