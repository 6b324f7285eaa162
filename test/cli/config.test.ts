/**
 * Configuration files: invalid ones are rejected before any work with the path of
 * the offending field and exit code 2; valid ones expand deterministically.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, runId } from '../../src/cli/canonical.js';
import { ConfigFileError, expandSweep, parseRunConfig, parseSweepConfig, shardOf, sweepConfigSchema } from '../../src/cli/config.js';
import { cli, tmp, writeJson } from './helpers.js';

const base = tmp();
const good = {
  name: 'ok',
  grid: { problem: ['nqm_d100_i0'], optimizer: ['sgd', 'adagrad-norm'], controller: ['norm'], seed: [0] },
  hyper: { eta: 0.5 },
  budget: { steps: 5 },
};

/** Sweep with an invalid config: exit 2, the message names `field`, and nothing was written. */
async function rejectsSweep(name: string, config: unknown, field: string, what: RegExp): Promise<void> {
  const cfg = writeJson(join(base, `${name}.json`), config);
  const out = join(base, `${name}-out`);
  const r = await cli('sweep', '--config', cfg, '--out', out);
  expect(r.code, r.stderr).toBe(2);
  const line = r.stderr.split('\n').find((l) => l.trim().startsWith(`${field}:`));
  expect(line, `no line naming ${field} in:\n${r.stderr}`).toBeDefined();
  expect(line!).toMatch(what);
  expect(existsSync(out), 'no output before validation passes').toBe(false);
}

describe('invalid sweep configurations', () => {
  it('wrong types name the field and what was expected', async () => {
    await rejectsSweep('types', { ...good, budget: { steps: 'ten' } }, 'budget.steps', /expected an integer ≥ 1, got "ten"/);
    await rejectsSweep('types2', { ...good, grid: { ...good.grid, seed: 0 } }, 'grid.seed', /expected a non-empty array of integer seeds/);
    await rejectsSweep('types3', { ...good, hyper: { eta: '0.5' } }, 'hyper.eta', /expected a positive number/);
  });

  it('an unknown optimizer names its position in the grid and lists the known ones', async () => {
    await rejectsSweep('unknown-opt', { ...good, grid: { ...good.grid, optimizer: ['sgd', 'adamw'] } }, 'grid.optimizer[1]', /unknown optimizer 'adamw'; expected one of sgd, momentum, adagrad-norm, adagrad, adam/);
    await rejectsSweep('unknown-variant', { ...good, grid: { problem: ['nqm_d100_i0'], variant: ['adadagrad-nrm'], seed: [0] } }, 'grid.variant[0]', /unknown variant 'adadagrad-nrm'/);
  });

  it('a negative η is rejected, fixed or in the grid', async () => {
    await rejectsSweep('neg-eta', { ...good, hyper: { eta: -0.5 } }, 'hyper.eta', /expected a positive number, got -0.5/);
    await rejectsSweep('neg-eta-grid', { ...good, hyper: {}, grid: { ...good.grid, hyper: { eta: [0.5, -1] } } }, 'grid.hyper.eta[1]', /expected a positive number, got -1/);
  });

  it('a missing or unknown problem names the field', async () => {
    const { problem: _p, ...noProblem } = good.grid;
    await rejectsSweep('no-problem', { ...good, grid: noProblem }, 'grid.problem', /required/);
    await rejectsSweep('bad-problem', { ...good, grid: { ...good.grid, problem: ['nqm_d100_i0', 'nosuch_d2_i0'] } }, 'grid.problem[1]', /unknown problem family 'nosuch'/);
  });

  it('hyperparameters that only the registry can judge are checked for every run before any starts', async () => {
    // b0 = 1 is a valid integer but the norm test needs b0 ≥ 2
    await rejectsSweep('b0', { ...good, grid: { ...good.grid, hyper: { b0: [4, 1] } } }, 'grid.hyper.b0[1]', /integer ≥ 2/);
    await rejectsSweep('epochs', { ...good, budget: { epochs: 1 } }, 'budget.epochs', /population problem/);
    await rejectsSweep('unknown-field', { ...good, hyper: { etaa: 0.5 } }, 'hyper.etaa', /unknown field; expected one of lr, /);
    await rejectsSweep('dup-seed', { ...good, grid: { ...good.grid, seed: [0, 1, 0] } }, 'grid.seed[2]', /duplicate/);
    await rejectsSweep('both', { ...good, grid: { ...good.grid, variant: ['adadagrad'] } }, 'grid.variant', /not both/);
    await rejectsSweep('no-budget', { ...good, budget: {} }, 'budget', /at least one of steps, samples, epochs/);
  });

  it('a file that is not JSON, or missing, is bad input', async () => {
    const r = await cli('sweep', '--config', join(base, 'missing.json'), '--out', join(base, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the file \(ENOENT\)/);
    const bad = join(base, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, '{"grid": ');
    const r2 = await cli('sweep', '--config', bad, '--out', join(base, 'x'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/not valid JSON/);
  });

  it('invalid flags are bad input', async () => {
    const cfg = writeJson(join(base, 'good.json'), good);
    for (const args of [['--shard', '4/3'], ['--shard', 'x'], ['--workers', 'two'], ['--workers', '0']]) {
      const r = await cli('sweep', '--config', cfg, '--out', join(base, 'flags-out'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(existsSync(join(base, 'flags-out'))).toBe(false);
  });
});

describe('run configurations', () => {
  it('resolve a variant and fill the defaults', () => {
    expect(parseRunConfig({ problem: 'nqm_d100_i0', variant: 'adadagrad-norm', hyper: { eta: 0.5 }, budget: { steps: 10 } })).toEqual({
      problem: 'nqm_d100_i0',
      variant: 'adadagrad-norm',
      optimizer: 'adagrad-norm',
      controller: 'norm',
      hyper: { eta: 0.5 },
      budget: { steps: 10 },
      seed: 0,
      evalEvery: 1,
      replace: true,
    });
  });

  it('name the field of each problem', () => {
    const issues = (raw: unknown): string[] => {
      try {
        parseRunConfig(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigFileError);
        return (e as ConfigFileError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      throw new Error('accepted an invalid configuration');
    };
    expect(issues({ optimizer: 'sgd', controller: 'norm', budget: { steps: 1 } })).toContain('problem: required: expected a problem id');
    expect(issues({ problem: 'nqm_d100_i0', optimizer: 'adamw', controller: 'norm', budget: { steps: 1 } })[0]).toMatch(/^optimizer: unknown optimizer 'adamw'/);
    expect(issues({ problem: 'nqm_d100_i0', optimizer: 'sgd', controller: 'norm', hyper: { eta: -1 }, budget: { steps: 1 } })).toContain('hyper.eta: expected a positive number, got -1');
    expect(issues({ problem: 'nqm_d100_i0', optimizer: 'sgd', budget: { steps: 1 } })[0]).toMatch(/^controller: required/);
    expect(issues({ problem: 'nqm_d100_i0', variant: 'adadagrad', hyper: { bMax: 8, b0: 16 }, budget: { steps: 1 } })[0]).toMatch(/^hyper.bMax: must be ≥ b0/);
  });

  it('on the command line, name the flag', async () => {
    const out = join(base, 'flag-run.jsonl');
    const r = await cli('run', '--problem', 'nqm_d100_i0', '--variant', 'adadagrad-norm', '--eta', '-1', '--steps', '3', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--eta \(hyper\.eta\): expected a positive number, got -1/);
    const r2 = await cli('run', '--problem', 'nqm_d100_i0', '--optimizer', 'adamw', '--controller', 'norm', '--steps', '3', '--out', out);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--optimizer \(optimizer\): unknown optimizer 'adamw'/);
    const r3 = await cli('run', '--problem', 'nqm_d100_i0', '--variant', 'adadagrad-norm', '--out', out);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--steps\/--samples\/--epochs \(budget\): required/);
    const r4 = await cli('run', '--problem', 'nqm_d100_i0', '--variant', 'adadagrad-norm', '--steps', 'x', '--out', out);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/--steps.*expected a number, got 'x'/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('grid expansion and run ids', () => {
  it('expands in the documented order: problem → method → grid.hyper (alphabetical) → seed', () => {
    const s = sweepConfigSchema.parse({
      grid: { problem: ['p1', 'p2'], optimizer: ['sgd', 'adam'], controller: ['norm', 'ip'], seed: [7, 3], hyper: { lr: [0.1, 0.2], eta: [0.5] } },
      budget: { steps: 1 },
    });
    const runs = expandSweep(s);
    expect(runs).toHaveLength(2 * 2 * 2 * 2 * 2);
    const key = (i: number): string => {
      const c = runs[i]!.config;
      return `${c.problem} ${c.optimizer} ${c.controller} lr=${c.hyper.lr} eta=${c.hyper.eta} seed=${c.seed}`;
    };
    expect(key(0)).toBe('p1 sgd norm lr=0.1 eta=0.5 seed=7');
    expect(key(1)).toBe('p1 sgd norm lr=0.1 eta=0.5 seed=3');
    expect(key(2)).toBe('p1 sgd norm lr=0.2 eta=0.5 seed=7');
    expect(key(4)).toBe('p1 sgd ip lr=0.1 eta=0.5 seed=7');
    expect(key(8)).toBe('p1 adam norm lr=0.1 eta=0.5 seed=7');
    expect(key(16)).toBe('p2 sgd norm lr=0.1 eta=0.5 seed=7');
    expect(runs.map((r) => r.index)).toEqual(runs.map((_, i) => i));
  });

  it('run_id hashes the canonical configuration: key order does not matter, any value does', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    const c = { problem: 'nqm_d100_i0', optimizer: 'sgd', controller: 'norm', hyper: { eta: 0.5, lr: 0.1 }, budget: { steps: 5 }, seed: 0, evalEvery: 1, replace: true };
    const reordered = { seed: 0, replace: true, hyper: { lr: 0.1, eta: 0.5 }, evalEvery: 1, controller: 'norm', budget: { steps: 5 }, optimizer: 'sgd', problem: 'nqm_d100_i0' };
    expect(runId(reordered)).toBe(runId(c));
    expect(runId(c)).toMatch(/^[0-9a-f]{20}$/);
    expect(runId({ ...c, seed: 1 })).not.toBe(runId(c));
    expect(runId({ ...c, hyper: { eta: 0.5, lr: 0.1000001 } })).not.toBe(runId(c));
  });

  it('shards partition the sweep for every n', () => {
    const { runs } = parseSweepConfig({ ...good, grid: { ...good.grid, seed: [0, 1, 2, 3, 4, 5, 6] } });
    for (const n of [1, 2, 3, 5, 14, 20]) {
      const parts = Array.from({ length: n }, (_, i) => shardOf(runs, { index: i + 1, count: n }).map((r) => r.runId));
      const all = parts.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(runs.map((r) => r.runId).sort());
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});
