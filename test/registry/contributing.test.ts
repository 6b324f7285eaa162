/** CONTRIBUTING.md's worked example runs: the sign-sgd file and row pass the optimizer contract and train. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/registry.js';
import { constant } from '../../src/batching/controllers.js';
import { OPTIMIZERS, buildFrom } from '../../src/registry/index.js';
import { key } from '../../src/rng/index.js';
import { run } from '../../src/run/run.js';
import { registryTablesFor } from '../../src/cli/tables.js';
import { SIGN_SGD_ROW } from '../fixtures/contributing/sign-sgd.js';
import { optimizerViolations } from './contracts.js';

const ctx = { problem: getProblem('nqm_d20_i0'), replace: true };

describe('CONTRIBUTING worked example: sign-sgd', () => {
  it('passes the optimizer contract that every registered row passes', () => {
    expect(optimizerViolations(SIGN_SGD_ROW.name, () => buildFrom(SIGN_SGD_ROW, {}, ctx))).toEqual([]);
  });

  it('its row is a valid table row: a README line with its defaults and reference, a name no other row takes', () => {
    expect(OPTIMIZERS.map((o) => o.name)).not.toContain('sign-sgd');
    const table = registryTablesFor({ optimizers: [...OPTIMIZERS, SIGN_SGD_ROW] });
    expect(table).toContain('| `sign-sgd` | signSGD: the sign of each coordinate: x_j ← x_j − α sign(g_j) | `lr`=0.01 | Bernstein et al. 2018 (arXiv:1802.04434) |');
  });

  it('trains: the gap F − F★ on nqm_d20_i0 halves in 200 steps at b = 16', () => {
    const p = ctx.problem;
    const res = run({ problem: p, optimizer: buildFrom(SIGN_SGD_ROW, { lr: 0.05 }, ctx), controller: constant(16), budget: { steps: 200 }, key: key(0), evalEvery: 199 });
    const F = res.trace.rows().map((r) => r.F).filter((v): v is number => v !== null);
    expect(res.summary.status).toBe('completed');
    const Fstar = p.constants.F_star!;
    expect(F[F.length - 1]! - Fstar).toBeLessThan(0.5 * (F[0]! - Fstar));
  });

  it('CONTRIBUTING.md shows this file verbatim', () => {
    const doc = readFileSync(new URL('../../CONTRIBUTING.md', import.meta.url), 'utf8');
    const src = readFileSync(new URL('../fixtures/contributing/sign-sgd.ts', import.meta.url), 'utf8').split('\n').slice(1).join('\n').trim();
    expect(doc.includes(src), 'update CONTRIBUTING.md from test/fixtures/contributing/sign-sgd.ts').toBe(true);
  });
});
