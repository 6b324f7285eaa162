// Counts in messages agree in number: one run, one worker, one figure; a finished sweep has nothing to run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp, writeJson } from './helpers.js';

describe('singular and plural in messages', () => {
  it('sweep of one run, rerun, then plot of its one trace', async () => {
    const dir = tmp();
    const config = writeJson(join(dir, 'one.json'), {
      name: 'one', grid: { problem: ['nqm_d100_i0'], variant: ['adadagrad-norm'], seed: [0] },
      hyper: { eta: 0.5, lr: 0.5, bMax: 256 }, budget: { steps: 20 }, evalEvery: 5,
    });
    const out = join(dir, 'sweep');
    const first = await cli('sweep', '--config', config, '--out', out, '--workers', '1', '--traces');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('one: 1 run, 0 already done, 1 to run on 1 worker\n');

    const again = await cli('sweep', '--config', config, '--out', out, '--workers', '1', '--traces');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('one: 1 run, 1 already done, nothing to run\n');

    const figs = join(dir, 'figs');
    const plot = await cli('plot', out, '--out', figs);
    expect(plot.code, plot.stderr).toBe(0);
    expect(plot.stdout).toContain(`1 figure from 1 run in ${figs}/`);
    const html = readFileSync(join(figs, 'index.html'), 'utf8');
    expect(html).toContain('1 traced run from');
    expect(html).toContain('One run on nqm_d100_i0');
    expect(html).toContain('one run per method, so each line is that run');
    expect(html).not.toContain('band over');
  });
});
