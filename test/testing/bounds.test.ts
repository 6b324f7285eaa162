// The L7 bound of SPEC §8: the constant B̄ by hand, F_low when F* is unknown, and refusal of a local L.
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import { adagradNormL7Bound, adagradNormL7Constant } from '../../src/testing/index.js';

describe('adagradNormL7Constant', () => {
  it('is max(β₀, αL) + (2/α)(F(x₀) − F*) + 2αL·log₊(αL/β₀)', () => {
    // α = 1, β₀ = 0.5, L = 2, F₀ − F* = 2: 2 + 4 + 4·log 4
    expect(adagradNormL7Constant({ alpha: 1, beta0: 0.5, L: 2, F0: 3, Fstar: 1 })).toBeCloseTo(6 + 4 * Math.log(4), 12);
    // αL ≤ β₀: no log term, max is β₀
    expect(adagradNormL7Constant({ alpha: 0.1, beta0: 1, L: 2, F0: 1, Fstar: 0 })).toBeCloseTo(1 + 20, 12);
  });
});

describe('adagradNormL7Bound', () => {
  it('gives (B̄² − β₀²)/K with F* when known and F_low otherwise', () => {
    const nqm = getProblem('nqm_d4_i0');
    const x0 = new Float64Array(4).fill(1);
    const b = adagradNormL7Bound(nqm, { alpha: 0.5, beta0: 0.2 });
    const B = adagradNormL7Constant({ alpha: 0.5, beta0: 0.2, L: nqm.constants.L.value, F0: nqm.value(x0), Fstar: nqm.constants.F_star! });
    expect(b(10, { index: 0, x0 })).toBeCloseTo((B * B - 0.04) / 10, 12);
    const nc = getProblem('nclogreg_d3_n20_i0');
    expect(nc.constants.F_star).toBeUndefined();
    const x = new Float64Array(3);
    const Bn = adagradNormL7Constant({ alpha: 0.5, beta0: 0.2, L: nc.constants.L.value, F0: nc.value(x), Fstar: nc.constants.F_low });
    expect(adagradNormL7Bound(nc, { alpha: 0.5, beta0: 0.2 })(7, { index: 0, x0: x })).toBeCloseTo((Bn * Bn - 0.04) / 7, 12);
  });
  it('refuses a local L and a run without x₀', () => {
    expect(() => adagradNormL7Bound(getProblem('rosenbrock_d2_i0'), { alpha: 0.5, beta0: 0.2 })).toThrow(/local smoothness/);
    expect(() => adagradNormL7Bound(getProblem('nqm_d4_i0'), { alpha: 0.5, beta0: 0.2 })(10, { index: 0, x0: null })).toThrow(/x₀/);
  });
});
