// The registry (getProblem, suite), the public index and the `problems --json` listing.
import { describe, expect, it } from 'vitest';
import { key } from '../../src/rng/index.js';
import * as publicIndex from '../../problems/index.js';
import { FAMILIES, familyNames, getProblem, suite } from '../../problems/registry.js';
import { problemsJson, problemsListing } from '../../src/cli/problems.js';

const CHEAP = (f: string) => !f.startsWith('mnist');

describe('registry', () => {
  it('covers the ten items of the benchmark issue, one entry per family name', () => {
    const names = familyNames();
    expect(new Set(names).size).toBe(names.length);
    for (const f of ['nclogreg', 'robust-cauchy', 'sigmoid', 'twolayer-tanh', 'mnist-softmax', 'mnist-mlp', 'rosenbrock', 'beale', 'branin', 'nqm', 'lsq-interp', 'lsq-noisy', 'chain']) {
      expect(names).toContain(f);
    }
  });

  it('every default id matches its family pattern and prefix, and no other family claims it', () => {
    for (const fam of FAMILIES) {
      for (const id of fam.defaultIds) {
        expect(fam.idPattern.test(id), id).toBe(true);
        expect(id.split('_')[0]).toBe(fam.family);
        const claimers = FAMILIES.filter((g) => g.idPattern.test(id)).map((g) => g.family);
        expect(claimers).toEqual([fam.family]);
      }
    }
  });

  it('getProblem builds each default id of the synthetic and 2-D families with that id', () => {
    for (const fam of FAMILIES.filter((f) => CHEAP(f.family))) {
      for (const id of fam.defaultIds) {
        const p = getProblem(id);
        expect(p.id).toBe(id);
        expect(p.family).toBe(fam.family);
        expect(Number.isFinite(p.value(p.x0(key(0))))).toBe(true);
      }
    }
  });

  it('getProblem builds MNIST by id (a subset id for speed)', () => {
    const p = getProblem('mnist-softmax_d7850_n100_i0');
    expect(p.n).toBe(100);
    expect(p.dim).toBe(7850);
  });

  it('an unknown family lists the known families; a bad id of a known family shows the expected form', () => {
    expect(() => getProblem('nosuch_d2_i0')).toThrow(/unknown problem family 'nosuch'; known families: nclogreg, .*rosenbrock/);
    expect(() => getProblem('')).toThrow(/non-empty string; known families/);
    expect(() => getProblem(42 as unknown as string)).toThrow(/non-empty string/);
    expect(() => getProblem('rosenbrock_d2')).toThrow(/rosenbrock_d2_i<instance>/);
    expect(() => getProblem('mnist-softmax_d7850_n60000_i1')).toThrow(/only instance 0/);
  });
});

describe('suite', () => {
  it('lists every default id, in registry order', () => {
    const all = suite();
    expect(all.map((e) => e.id)).toEqual(FAMILIES.flatMap((f) => [...f.defaultIds]));
  });

  it('filters by family (one or several) and by tags (all must be present)', () => {
    expect(suite({ family: 'rosenbrock' }).map((e) => e.id)).toEqual(['rosenbrock_d2_i0']);
    expect(suite({ family: ['beale', 'branin'] }).map((e) => e.id)).toEqual(['beale_d2_i0', 'branin_d2_i0']);
    const twod = suite({ family: ['rosenbrock', 'beale', 'branin', 'nqm', 'nclogreg'], tags: ['population', 'nonconvex'] });
    expect(twod.map((e) => e.id)).toEqual(['rosenbrock_d2_i0', 'beale_d2_i0', 'branin_d2_i0']);
    for (const e of twod) expect(e.problem.tags).toEqual(expect.arrayContaining(['population', 'nonconvex']));
    expect(suite({ family: 'nclogreg', tags: ['population'] })).toEqual([]);
    expect(() => suite({ family: 'nclogreg', tags: ['no-such-tag'] })).toThrow(/no-such-tag: unknown problem tag; known tags/);
    expect(() => suite({ family: 'nosuch' })).toThrow(/unknown problem family; known families/);
  });

  it('entries build their problem once', () => {
    const [e] = suite({ family: 'branin' });
    expect(e!.problem).toBe(e!.problem);
    expect(e!.problem.id).toBe('branin_d2_i0');
  });
});

describe('public index (adadagrad/problems)', () => {
  it('exports the suite API, the families, the data readers and the error types', () => {
    for (const name of ['suite', 'getProblem', 'FAMILIES', 'ProblemArgumentError', 'nclogreg', 'mnistProblem', 'twodProblem', 'parseLibsvm', 'libsvmProblem', 'LibsvmParseError', 'loadMnist', 'parseIdx', 'IdxParseError', 'rosenbrockFamily']) {
      expect(publicIndex, name).toHaveProperty(name);
    }
  });
});

describe('problems --json listing', () => {
  it('rows carry id, family, dim, n, constants and tags, and survive JSON', () => {
    const rows = problemsListing({ family: ['rosenbrock', 'nclogreg', 'nqm'] });
    expect(rows.map((r) => r.id)).toEqual(['nclogreg_d50_n5000_i0', 'nclogreg_d20_n2000_i0_k1000', 'rosenbrock_d2_i0', 'nqm_d100_i0']);
    const back = JSON.parse(JSON.stringify(rows)) as typeof rows;
    expect(back).toEqual(rows);
    const ros = rows[2]!;
    expect(ros).toMatchObject({ family: 'rosenbrock', dim: 2, n: null, tags: expect.arrayContaining(['population']) });
    const c = ros.constants as { L: { value: number; kind: string; ball: { center: number[] } }; F_star: number };
    expect(c.L.kind).toBe('local');
    expect(c.L.ball.center).toEqual([0.25, 1.25]); // a Float64Array became a plain array
    expect(c.F_star).toBe(0);
    for (const r of rows) expect(Object.keys(r)).toEqual(['id', 'family', 'dim', 'n', 'constants', 'tags']);
  });

  it('the JSON text of the whole suite parses, one row per default id (MNIST included)', () => {
    const t0 = performance.now();
    const text = problemsJson();
    console.log(`problems --json over the whole suite: ${(performance.now() - t0).toFixed(0)} ms`);
    const rows = JSON.parse(text) as { id: string; constants: { L: { value: number | string } } }[];
    expect(rows.map((r) => r.id)).toEqual(suite().map((e) => e.id));
    // an unknown L (mnist-cnn) is +∞, written as the string "Infinity"
    for (const r of rows) expect(r.constants.L.value === 'Infinity' || (r.constants.L.value as number) > 0, r.id).toBe(true);
  });
});
