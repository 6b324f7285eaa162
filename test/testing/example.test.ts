// The README example (test/fixtures/user-controller.ts) runs as written, through the package entry points.
import { describe, expect, it } from 'vitest';
import { checkClaim, formatRateCheck } from 'adadagrad/testing';
import { checkMyController, claim, doublingNormTest } from '../fixtures/user-controller.js';

// The two rate checks below run sampled batches on separable noisy quadratics (minutes each, the
// doubling controller drives b high): they are part of the slow suite (`npm run test:rates`,
// ADADAGRAD_RATES=full). The default run keeps the controller's own unit test.
const slow = process.env['ADADAGRAD_RATES'] === 'full';

describe('README example: a user controller property-tested for O(1/K)', () => {
  if (slow) it('passes its rate property (fixed fast-check seed 42; a failure prints seed and path)', () => {
    expect(() => checkMyController(1, 42)).not.toThrow();
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

  if (slow) it('is decided on one case with the report a user sees, its no-growth twin (constant b = 2) rejected', () => {
    const res = checkClaim(claim, { problem: 'nqm_d4_i0_a4.5', hyper: { lr: 0.7, beta0: 0.5, eta: 1, theta: 0.9, nu: 5.84, b0: 2, bMax: 2 ** 40 }, seeds: 10, seed: 3 }, { twinRepeats: 2 });
    expect(res.decision, formatRateCheck(res)).toBe('accept');
    expect(res.runs.every((r) => r.status === 'completed')).toBe(true);
    expect(res.twin?.b0).toBe(2);
    expect(res.twin?.power, formatRateCheck(res)).toBe(1);
  });
});
