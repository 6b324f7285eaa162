/** The README's table of optimizers, controllers and variants is the one rendered from the registry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryTables } from '../../src/cli/tables.js';
import { CONTROLLERS, OPTIMIZERS, PARAMS, VARIANTS } from '../../src/registry/index.js';
import { ROOT } from './helpers.js';

describe('registry tables', () => {
  it('have one row per optimizer, controller, variant and hyperparameter, in registry order', () => {
    const rows = registryTables()
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => /^\| `([^`]+)`/.exec(l)![1]);
    expect(rows).toEqual([...OPTIMIZERS.map((o) => o.name), ...CONTROLLERS.map((c) => c.name), ...VARIANTS.map((v) => v.name), ...PARAMS.map((p) => p.name)]);
  });

  it('README.md contains exactly the rendered table (regenerate with registryTables() when the registry changes)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.includes(registryTables()), 'paste the output of registryTables() from src/cli/tables.ts into README.md').toBe(true);
  });

  it('show each row\'s defaults, formula and reference, and θ, ν with their sources', () => {
    const t = registryTables();
    expect(t).toContain('| `adagrad-norm` | AdaGrad-Norm');
    expect(t).toMatch(/\| `norm` \|.*`eta`=0\.1, `b0`=2, `bMax`=n \(65536 for a population\)/);
    expect(t).toMatch(/\| `theta` \|.*Bollapragada.*official AdAdaGrad code defaults to 0\.1/);
    expect(t).toMatch(/\| `nu` \|.*5\.84 is Bollapragada.*official AdAdaGrad code defaults to 0\.1, its README example uses 1\.0/);
    for (const d of [...OPTIMIZERS, ...CONTROLLERS]) expect(t, d.name).toContain(d.reference);
  });
});
