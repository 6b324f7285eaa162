/** The README's table of optimizers, controllers and variants is the one rendered from the registry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryTables } from '../../src/cli/tables.js';
import { CONTROLLERS, OPTIMIZERS, VARIANTS } from '../../src/run/registry.js';
import { ROOT } from './helpers.js';

describe('registry tables', () => {
  it('have one row per optimizer, controller and variant, in registry order', () => {
    const rows = registryTables()
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => /^\| `([^`]+)`/.exec(l)![1]);
    expect(rows).toEqual([...OPTIMIZERS.map((o) => o.name), ...CONTROLLERS.map((c) => c.name), ...VARIANTS.map((v) => v.name)]);
  });

  it('README.md contains exactly the rendered table (regenerate with registryTables() when the registry changes)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.includes(registryTables()), 'paste the output of registryTables() from src/cli/tables.ts into README.md').toBe(true);
  });
});
