/**
 * The controller and optimizer contracts over every registered row (src/registry): a
 * new row is tested without writing a test. Each contract is shown to catch a near
 * miss: a controller that lowers b by one once, one that passes its cap by one, one
 * that mutates its state once, one whose sizes drift on a rerun; an optimizer that
 * mutates its state in place once, one that returns NaN on a zero coordinate (AdaGrad
 * with ε = 0, a real configuration), one that drops a coordinate, one that drifts on a rerun.
 */
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/registry.js';
import type { Controller } from '../../src/batching/controllers.js';
import type { GradientTransformation } from '../../src/optim/transform.js';
import type { Problem } from '../../src/problem/types.js';
import { CONTROLLERS, OPTIMIZERS, makeController, makeOptimizer, resolveValues, type HyperParams } from '../../src/registry/index.js';
import { controllerViolations, optimizerViolations, type ControllerUnderTest } from './contracts.js';

/** Hyperparameters that make every schedule move within 40 steps (fields a row does not read are ignored). */
const MOVING: HyperParams = { b0: 2, bMax: 32, perStage: 5, milestones: [5, 10, 15], every: 2, rho: 2, eta: 0.5, theta: 0.5, nu: 1 };
const PROBLEMS: readonly Problem[] = [getProblem('lsq-noisy_d5_n40_i0'), getProblem('nqm_d5_i0')];

function rowUnderTest(name: string): ControllerUnderTest {
  const d = CONTROLLERS.find((c) => c.name === name)!;
  return {
    name,
    monotone: d.monotone,
    make: (problem) => ({
      controller: makeController(name, MOVING, problem),
      cap: (resolveValues(d, MOVING, { problem, replace: true }) as Record<string, number>)[d.cap]!,
    }),
  };
}

describe('controller contract: every registered controller', () => {
  for (const d of CONTROLLERS) {
    it.each(PROBLEMS.map((p) => [p.id, p] as const))(`${d.name} on %s: sizes integer, 1 ≤ b ≤ ${d.cap}${d.monotone ? ', non-decreasing' : ''}, pure, deterministic`, (_id, p) => {
      expect(controllerViolations(rowUnderTest(d.name), p)).toEqual([]);
    });
  }
  it('the schedules move under the contract\'s hyperparameters (else monotonicity is not exercised)', () => {
    const p = PROBLEMS[0]!;
    for (const name of ['norm', 'oracle-norm', 'sebs', 'sebs-samples', 'linear', 'geometric', 'smith']) {
      const sizes: number[] = [];
      const c = rowUnderTest(name).make(p).controller;
      const probe = { ...c, next: (...a: unknown[]) => { const r = (c.next as (...x: unknown[]) => unknown)(...a); sizes.push(Array.isArray(r) ? (r[0] as number) : (r as { b: number }).b); return r; } } as unknown as Controller<any>;
      controllerViolations({ name, monotone: true, make: () => ({ controller: probe, cap: 32 }) }, p, { seeds: [0] });
      expect(new Set(sizes).size, `${name}: ${sizes.join(',')}`).toBeGreaterThan(1);
    }
  });
});

/** A wrapper that edits the result of `next` once, at step `at` (for the near misses). */
function editNext(c: Controller<any>, at: number, edit: (b: number, state: Record<string, unknown>) => { b: number; state: Record<string, unknown> } | 'mutate'): Controller<any> {
  const next = c.next as (...a: unknown[]) => unknown;
  return {
    ...c,
    next: (...args: unknown[]) => {
      const r = next(...args);
      const ctx = args[2] as { step: number };
      if (ctx.step !== at) return r;
      const b = Array.isArray(r) ? (r[0] as number) : (r as { b: number }).b;
      const state = (Array.isArray(r) ? r[1] : (r as { state: unknown }).state) as Record<string, unknown>;
      const e = edit(b, state);
      if (e === 'mutate') {
        (args[1] as Record<string, unknown>)['touched'] = at; // writes into the state it was given
        return r;
      }
      return Array.isArray(r) ? [e.b, e.state] : { ...(r as object), b: e.b, state: e.state };
    },
  } as unknown as Controller<any>;
}

describe('controller contract: near misses are caught', () => {
  const p = PROBLEMS[0]!;
  const base = rowUnderTest('norm');
  const faulty = (name: string, wrap: (c: Controller<any>) => Controller<any>, monotone = true): ControllerUnderTest => ({
    name,
    monotone,
    make: (problem) => {
      const m = base.make(problem);
      return { controller: wrap(m.controller), cap: m.cap };
    },
  });
  it('a controller that lowers b by one, once', () => {
    const v = controllerViolations(faulty('norm-dips', (c) => editNext(c, 20, (b, s) => ({ b: b - 1, state: { ...s, b: b - 1 } }))), p, { seeds: [0] });
    expect(v.some((m) => /declared non-decreasing/.test(m)), v.join('\n')).toBe(true);
  });
  it('the same dip is allowed for a row that does not declare monotone (the check reads the declaration)', () => {
    expect(controllerViolations(faulty('norm-dips', (c) => editNext(c, 20, (b, s) => ({ b: b - 1, state: { ...s, b: b - 1 } })), false), p, { seeds: [0] })).toEqual([]);
  });
  it('a controller that passes b_max by one, once', () => {
    const v = controllerViolations(faulty('norm-over', (c) => editNext(c, 30, (b, s) => ({ b: 33, state: { ...s, b: 33 } }))), p, { seeds: [0] });
    expect(v.some((m) => /exceeds the cap 32/.test(m)), v.join('\n')).toBe(true);
  });
  it('a controller that writes into the state it was given, once (SEBS, whose state is an object)', () => {
    const sebs = rowUnderTest('sebs');
    const row: ControllerUnderTest = { name: 'sebs-mutates', monotone: true, make: (problem) => { const m = sebs.make(problem); return { controller: editNext(m.controller, 12, () => 'mutate'), cap: m.cap }; } };
    const v = controllerViolations(row, p, { seeds: [0] });
    expect(v.some((m) => /mutated its input state at step 12/.test(m)), v.join('\n')).toBe(true);
  });
  it('a controller whose sizes depend on how often it was called before (a shared counter)', () => {
    let calls = 0;
    const v = controllerViolations(
      faulty('norm-counter', (c) => {
        const next = c.next as (...a: unknown[]) => unknown;
        return { ...c, next: (...a: unknown[]) => { calls++; const r = next(...a); return calls === 60 && Array.isArray(r) ? [(r[0] as number) + 1, { ...(r[1] as object), b: (r[0] as number) + 1 }] : calls === 60 ? { ...(r as object), b: (r as { b: number }).b + 1 } : r; } } as unknown as Controller<any>;
      }),
      p,
      { seeds: [0] },
    );
    expect(v.some((m) => /other sizes/.test(m)), v.join('\n')).toBe(true);
  });
});

describe('optimizer contract: every registered optimizer', () => {
  it.each(OPTIMIZERS.map((o) => o.name))('%s: shape, finite on finite input, pure, deterministic', (name) => {
    expect(optimizerViolations(name, () => makeOptimizer(name))).toEqual([]);
  });
});

describe('optimizer contract: near misses are caught', () => {
  const inPlace = (): GradientTransformation<any> => {
    const o = makeOptimizer('adagrad-norm');
    let t = 0;
    return {
      ...o,
      update: (g, s, x, ctx) => {
        const r = o.update(g, s, x, ctx);
        if (t++ === 5) {
          // write the new accumulator into the old state, as an in-place update would
          const walk = (a: unknown, b: unknown): boolean => {
            if (a instanceof Float64Array && b instanceof Float64Array) return (a.set(b), true);
            if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
              for (const k of Object.keys(a)) {
                const av = (a as Record<string, unknown>)[k];
                const bv = (b as Record<string, unknown>)[k];
                if (typeof av === 'number' && typeof bv === 'number' && av !== bv) return (((a as Record<string, unknown>)[k] = bv), true);
                if (walk(av, bv)) return true;
              }
            }
            return false;
          };
          walk(s, r[1]);
        }
        return r;
      },
    };
  };
  it('an optimizer that updates its state in place, once', () => {
    const v = optimizerViolations('adagrad-norm-in-place', inPlace);
    expect(v.some((m) => /mutated its input state at step 5/.test(m)), v.join('\n')).toBe(true);
  });
  it('AdaGrad with ε = 0 returns NaN on a zero coordinate (0/0), which the finite-on-finite check catches', () => {
    const v = optimizerViolations('adagrad-eps0', () => makeOptimizer('adagrad', { eps: 0 }));
    expect(v.some((m) => /non-finite update/.test(m)), v.join('\n')).toBe(true);
  });
  it('an optimizer that drops the last coordinate', () => {
    const v = optimizerViolations('sgd-short', () => {
      const o = makeOptimizer('sgd');
      return { ...o, update: (g, s, x, c) => { const [u, n] = o.update(g, s, x, c); return [u.subarray(0, u.length - 1), n]; } };
    });
    expect(v.some((m) => /not a Float64Array of length 6/.test(m)), v.join('\n')).toBe(true);
  });
  it('an optimizer whose updates depend on a shared counter', () => {
    let calls = 0;
    const v = optimizerViolations('sgd-counter', () => {
      const o = makeOptimizer('sgd');
      return { ...o, update: (g, s, x, c) => { const [u, n] = o.update(g, s, x, c); return [calls++ === 20 ? u.map((t) => t * (1 + 1e-15)) : u, n]; } };
    });
    expect(v.some((m) => /other updates/.test(m)), v.join('\n')).toBe(true);
  });
});
