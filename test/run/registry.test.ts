/** Invalid hyperparameters and unknown names are rejected with a message naming the field; defaults reach the builders. */
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import { normTest, oracle, testDriven } from '../../src/batching/index.js';
import { adagrad, adagradNorm, adam, momentum, sgd } from '../../src/optim/index.js';
import { CONTROLLERS, ConfigError, OPTIMIZERS, VARIANTS, makeController, makeOptimizer, resolveVariant, type HyperParams } from '../../src/run/index.js';
import { PARAMS, boundsOf, describeBounds, resolveValues, unusedParams } from '../../src/registry/index.js';

const problem = getProblem('lsq-interp_d5_n40_i0');

/** The thrown error must be a ConfigError whose field and message name `field`. */
function expectConfigError(f: () => unknown, field: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).field).toBe(field);
  expect((caught as ConfigError).message.startsWith(`${field}:`)).toBe(true);
}

describe('registry: makeOptimizer', () => {
  it.each(OPTIMIZERS.map((o) => o.name))('%s rejects lr ≤ 0, NaN and ∞', (name) => {
    for (const lr of [0, -0.1, NaN, Infinity]) expectConfigError(() => makeOptimizer(name, { lr }), 'lr');
  });
  it('rejects bad β₀, momentum β, Adam β₁/β₂ and ε', () => {
    expectConfigError(() => makeOptimizer('adagrad-norm', { beta0: 0 }), 'beta0');
    expectConfigError(() => makeOptimizer('momentum', { beta: 1 }), 'beta');
    expectConfigError(() => makeOptimizer('adam', { b1: -0.1 }), 'b1');
    expectConfigError(() => makeOptimizer('adam', { b2: 1 }), 'b2');
    expectConfigError(() => makeOptimizer('adagrad', { eps: -1 }), 'eps');
  });
  it('unknown optimizer names are rejected, listing the known ones', () => {
    expectConfigError(() => makeOptimizer('adagard'), 'optimizer');
    expect(() => makeOptimizer('adagard')).toThrow(/known: sgd, momentum, adagrad-norm, adagrad, adam/);
  });
  it('every row builds with its defaults, and the built optimizer carries the row name', () => {
    for (const o of OPTIMIZERS) expect(makeOptimizer(o.name).name).toBe(o.name);
  });
});

describe('registry: makeController', () => {
  const testNames = ['norm', 'coord-norm', 'oracle-norm'];
  it.each(testNames)('%s rejects η ≤ 0', (name) => {
    for (const eta of [0, -1, NaN]) expectConfigError(() => makeController(name, { eta }, problem), 'eta');
  });
  it.each(['ip', 'aug-ip'])('%s rejects θ ≤ 0', (name) => expectConfigError(() => makeController(name, { theta: 0 }, problem), 'theta'));
  it.each(['orth', 'aug-ip'])('%s rejects ν ≤ 0', (name) => expectConfigError(() => makeController(name, { nu: -2 }, problem), 'nu'));

  const sized = ['norm', 'ip', 'aug-ip', 'coord-norm', 'oracle-norm', 'linear', 'smith', 'cabs', 'gns', 'adadamp'];
  it.each(sized)('%s rejects b0 < 2 and non-integer b0', (name) => {
    for (const b0 of [1, 0, -3, 2.5]) expectConfigError(() => makeController(name, { b0 }, problem), 'b0');
  });
  it.each([...sized, 'geometric', 'sebs', 'sebs-samples'])('%s rejects b_max < b0', (name) => {
    expectConfigError(() => makeController(name, { b0: 16, bMax: 8 }, problem), 'bMax');
  });
  it('rejects a bad interval, workers, quantile, growth factor, milestones', () => {
    expectConfigError(() => makeController('norm', { interval: 0 }, problem), 'interval');
    expectConfigError(() => makeController('norm', { workers: 0 }, problem), 'workers');
    expectConfigError(() => makeController('coord-norm', { quantile: 1.5 }, problem), 'quantile');
    expectConfigError(() => makeController('geometric', { rho: 1 }, problem), 'rho');
    expectConfigError(() => makeController('smith', { factor: 0.5 }, problem), 'factor');
    expectConfigError(() => makeController('smith', { milestones: [100, 0] }, problem), 'milestones[1]');
  });
  it('unknown controller names are rejected', () => {
    expectConfigError(() => makeController('nrom', {}, problem), 'controller');
  });
  it('every row builds with its defaults on a problem large enough for them, named for its builder', () => {
    const big = getProblem('nqm_d5_i0');
    for (const c of CONTROLLERS) {
      const built = makeController(c.name, {}, big);
      expect(built.name.length, c.name).toBeGreaterThan(0);
      const v = resolveValues(c, {}, { problem: big, replace: true }) as Record<string, unknown>;
      for (const k of Object.keys(c.params)) expect(v[k], `${c.name}.${k}`).toBeDefined();
    }
  });
  it('hyperparameters reach the controller (b0 and b_max), and the default b_max is n', () => {
    const c = makeController('norm', { b0: 6, bMax: 30, eta: 0.5 } satisfies HyperParams, problem);
    // a context with the fields of both the old and the new controller interface
    const init = c.init as unknown as (ctx: object) => { b: number };
    expect(init({ n: problem.n, exact: null, step: -1, samples: 0, x: new Float64Array(5), problem, loss: NaN }).b).toBe(6);
    expect((resolveValues(CONTROLLERS.find((d) => d.name === 'norm')!, {}, { problem, replace: true }) as { bMax: number }).bMax).toBe(40);
  });
});

describe('the parameter table', () => {
  it('every field a row reads is declared once, and its default satisfies the row\'s bounds', () => {
    for (const d of [...OPTIMIZERS, ...CONTROLLERS]) {
      for (const [k, u] of Object.entries(d.params)) {
        expect(PARAMS.some((p) => p.name === k), `${d.name}.${k}`).toBe(true);
        if (typeof u!.default === 'number') {
          const b = boundsOf(k, u);
          expect(() => resolveValues({ ...d, params: { [k]: u }, checks: [] }, {}, { problem, replace: true }), `${d.name}.${k} default ${u!.default} vs ${describeBounds(b)}`).not.toThrow();
        }
      }
    }
  });
  it('unusedParams names the fields neither entry reads', () => {
    expect(unusedParams('adagrad-norm', 'norm', { theta: 0.5, eta: 0.5, lr: 1 })).toEqual(['theta']);
    expect(unusedParams('adam', 'constant', { b1: 0.8, b0: 4 })).toEqual([]);
  });
});

describe('variants', () => {
  it('AdAdaGrad-Norm and AdAdaGrad resolve to their pairings; unknown variants name the field', () => {
    expect(resolveVariant('adadagrad-norm')).toMatchObject({ optimizer: 'adagrad-norm', controller: 'norm' });
    expect(resolveVariant('adadagrad')).toMatchObject({ optimizer: 'adagrad', controller: 'coord-norm' });
    for (const v of VARIANTS) {
      expect(OPTIMIZERS.some((o) => o.name === v.optimizer)).toBe(true);
      expect(CONTROLLERS.some((c) => c.name === v.controller)).toBe(true);
    }
    expectConfigError(() => resolveVariant('adadagrad-nrom'), 'variant');
  });
});

describe('direct constructors name the field too', () => {
  it.each([
    ['lr', () => sgd(0)],
    ['lr', () => momentum(-1)],
    ['beta', () => momentum(0.1, 1)],
    ['lr', () => adagradNorm(0)],
    ['beta0', () => adagradNorm(0.1, 0)],
    ['lr', () => adagrad(NaN)],
    ['lr', () => adam(-0.001)],
    ['eta', () => normTest(0)],
    ['b0', () => testDriven(normTest(0.1), { b0: 1, bMax: 8 })],
    ['bMax', () => testDriven(normTest(0.1), { b0: 8, bMax: 4 })],
    ['b0', () => oracle(normTest(0.1), { b0: 0, bMax: 8 })],
  ] as const)('%s', (field, make) => {
    expect(make).toThrow(new RegExp(`\\b${field}\\b`));
  });
});
