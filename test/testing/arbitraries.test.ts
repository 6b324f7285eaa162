// The rate arbitraries: bounded and NaN-free, ids that build, shrinking to small instances, and assertRate's failure report.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adagradNorm, sgd, constant, isKey } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';
import {
  assertRate, boundedDouble, exactGradient, nqmExactBatch, hyperArb, logUniform, problemIdArb, rateCaseArb, suiteIdArb, keyArb, type RateClaim,
} from '../../src/testing/index.js';

const SEED = 20240217;

describe('numeric arbitraries', () => {
  it('stay inside their bounds and are never NaN or ±∞', () => {
    fc.assert(
      fc.property(boundedDouble({ min: -2, max: 3 }), logUniform({ min: 1e-3, max: 10 }), (a, b) => {
        return Number.isFinite(a) && a >= -2 && a <= 3 && Number.isFinite(b) && b >= 1e-3 && b <= 10;
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
  it('hyperparameters respect their ranges and b_max ≥ b₀', () => {
    fc.assert(
      fc.property(hyperArb({ b0: { min: 2, max: 64 }, bMax: { min: 2, max: 32 } }), (h) => {
        const finite = Object.values(h).every((v) => Number.isFinite(v));
        return finite && h.lr >= 0.1 && h.lr <= 1 && h.alpha === h.lr && h.eta >= 0.25 && h.eta <= 1 && h.nu >= 1 && h.nu <= 5.84 && h.bMax >= h.b0 && Number.isInteger(h.b0);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
  it('rejects unbounded or reversed ranges', () => {
    expect(() => boundedDouble({ min: 1, max: 0 })).toThrow(/bad range/);
    expect(() => boundedDouble({ min: 0, max: Infinity })).toThrow(/bad range/);
    expect(() => logUniform({ min: 0, max: 1 })).toThrow(/positive/);
  });
  it('keys are valid keys', () => {
    fc.assert(fc.property(keyArb(), (k) => isKey(k)), { seed: SEED, numRuns: 100 });
  });
});

describe('problem arbitraries', () => {
  it('generate ids that getProblem builds, inside the requested bounds', () => {
    const arb = problemIdArb({ family: ['nqm', 'lsq-noisy', 'nclogreg', 'lsq-interp', 'robust-cauchy', 'sigmoid', 'chain'], d: { min: 2, max: 6 }, n: { min: 8, max: 40 }, kappa: { min: 1, max: 50 } });
    fc.assert(
      fc.property(arb, (id) => {
        const p = getProblem(id);
        return p.id.startsWith(id.split('_')[0]!) && p.dim >= 2 && p.dim <= 6 && (p.n === null || (p.n >= 8 && p.n <= 40));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
  it('draw from the default suite', () => {
    const ids = fc.sample(suiteIdArb({ family: 'nqm' }), { seed: SEED, numRuns: 5 });
    expect(new Set(ids)).toEqual(new Set(['nqm_d100_i0']));
  });
  it('shrink towards the smallest instance and the fewest seeds', () => {
    // A property that fails on every case shrinks to the minimum of every range.
    let last = '';
    const arb = rateCaseArb({ problems: problemIdArb({ family: 'nqm', d: { min: 3, max: 30 } }), seeds: { min: 10, max: 20 } });
    expect(() =>
      fc.assert(
        fc.property(arb, (c) => {
          last = JSON.stringify(c);
          return false;
        }),
        { seed: SEED, numRuns: 1 },
      ),
    ).toThrow();
    const shrunk = JSON.parse(last) as { problem: string; seeds: number };
    expect(shrunk.problem).toBe('nqm_d3_i0_a0.2');
    expect(shrunk.seeds).toBe(10);
  });
});

describe('assertRate', () => {
  const deterministic: RateClaim = {
    id: 'det',
    expected: 'accept',
    statement: 'deterministic AdaGrad-Norm decays like 1/K',
    variant: (c) => exactGradient(() => adagradNorm(c.hyper.lr + 0.5, c.hyper.beta0)),
    check: () => ({ Ks: [16, 32, 64, 128], bootstrap: 200 }),
  };
  const cases = rateCaseArb({ problems: problemIdArb({ family: 'nqm', d: { min: 2, max: 8 } }) });

  it('passes a true claim', () => {
    expect(() => assertRate(deterministic, cases, { seed: SEED, numRuns: 3 })).not.toThrow();
  });

  it('reports seed, path, the shrunk case (smallest d, fewest seeds) and the check when a claim is wrong', () => {
    // SGD with a constant step and batch on nqm plateaus: claiming O(1/K) must fail.
    const wrong: RateClaim = {
      id: 'sgd-constant',
      expected: 'accept',
      statement: 'SGD with a constant step and batch is O(1/K) (false)',
      variant: (c) => nqmExactBatch(() => sgd(c.hyper.lr), () => constant(2)),
      check: () => ({ Ks: [16, 32, 64, 128, 256], bootstrap: 200 }),
    };
    const noisy = rateCaseArb({ problems: problemIdArb({ family: 'nqm', d: { min: 16, max: 24 }, spectrum: { min: 0.2, max: 0.5 } }), hyper: { lr: { min: 0.3, max: 1 } } });
    let message = '';
    try {
      assertRate(wrong, noisy, { seed: SEED, numRuns: 1 });
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    expect(message).toMatch(/seed: 20240217, path: "[0-9:]+"/);
    expect(message).toMatch(/claim sgd-constant expected ACCEPT, the check decided REJECT/);
    expect(message).toMatch(/replay this case alone/);
    // shrunk to the smallest instance of the space and the fewest seeds
    expect(message).toMatch(/Counterexample: \[\{"problem":"nqm_d16_i0_a0.2",.*"seeds":10,/);
  });
});
