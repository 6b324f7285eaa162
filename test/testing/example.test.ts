// The README example (test/fixtures/user-controller.ts) runs as written, through the package entry points,
// and a near miss of its controller (the same doubling rule capped at b = 64) is rejected by the same check.
import { describe, expect, it } from 'vitest';
import { adagradNorm } from 'adadagrad';
import { checkClaim, formatRateCheck, type RateClaim } from 'adadagrad/testing';
import { checkMyController, claim, doublingNormTest } from '../fixtures/user-controller.js';

const CASE = { problem: 'nqm_d8_i0_a3.34', hyper: { lr: 0.7, beta0: 0.5, eta: 1, theta: 0.9, nu: 5.84, b0: 2, bMax: 2 ** 52 }, seeds: 10, seed: 3 };

describe('README example: a user controller property-tested for O(1/K)', () => {
  it('passes its rate property (3 generated cases, fixed fast-check seed 42; a failure prints seed and path)', () => {
    expect(() => checkMyController(3, 42)).not.toThrow();
  });

  it('grows b when the norm test fails and keeps it otherwise', () => {
    const c = doublingNormTest(0.5, 16);
    const st = c.init({ n: null, exact: null });
    const stats = (S: number, G: number) => ({ b: st.b, S_norm: S, gradNormSq: G }) as never;
    const ctx = (b: number) => ({ step: 0, samples: b, b, loss: NaN, n: null, exact: null });
    expect(c.next(stats(10, 1), st.state, ctx(st.b)).b).toBe(4); // 10/2 > 0.25 · 1: fails, doubles
    expect(c.next(stats(0.1, 1), st.state, ctx(st.b)).b).toBe(2); // holds: keeps b
    expect(c.next(stats(1e9, 1), st.state, ctx(16)).b).toBe(16); // capped at bMax
  });

  it('is decided on one case with the report a user sees, its no-growth twin (constant b = 2) rejected', () => {
    const res = checkClaim(claim, CASE, { twinRepeats: 2 });
    expect(res.decision, formatRateCheck(res)).toBe('accept');
    expect(res.source).toBe('gaussian-stats');
    expect(res.runs.every((r) => r.status === 'completed')).toBe(true);
    expect(res.twin?.b0).toBe(2);
    expect(res.twin?.power, formatRateCheck(res)).toBe(1);
  });

  it('near miss: the same controller with its batch silently capped at 64 (a user bug) is rejected on the same case', () => {
    const capped: RateClaim = {
      ...claim,
      id: 'doubling-norm-capped-64',
      variant: (c) => ({ optimizer: () => adagradNorm(c.hyper.lr, c.hyper.beta0), controller: () => doublingNormTest(c.hyper.eta, 64), twinBatch: 2 }),
    };
    const res = checkClaim(capped, CASE, { twinRepeats: 1 });
    expect(res.decision, formatRateCheck(res)).toBe('reject');
  });
});
