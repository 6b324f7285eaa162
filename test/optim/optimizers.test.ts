/** Optimizers of SPEC §4 against two-step examples computed by hand; chain; purity of init/update. */
import { describe, expect, it } from 'vitest';
import {
  adagrad, adagradNorm, adam, chain, momentum, scaleByAdagrad, scaleByAdagradNorm, scaleByAdam, scaleByLearningRate, sgd, trace,
  type GradientTransformation, type StepContext,
} from '../../src/optim/index.js';

const ctx = (step: number, lrScale = 1): StepContext => ({ step, batchSize: 4, samples: 4 * step, loss: 1, lrScale });

/** Two steps from x0 with gradients g1, g2 (the gradients are given, not computed from x). */
function twoSteps(opt: GradientTransformation<any>, x0: number[], g1: number[], g2: number[]) {
  const x = Float64Array.from(x0);
  const s0 = opt.init(x);
  const [u1, s1] = opt.update(Float64Array.from(g1), s0, x, ctx(0));
  const x1 = x.map((v, i) => v + u1[i]!);
  const [u2, s2] = opt.update(Float64Array.from(g2), s1, x1, ctx(1));
  const x2 = x1.map((v, i) => v + u2[i]!);
  return { u1: [...u1], u2: [...u2], x1: [...x1], x2: [...x2], s1, s2, info1: opt.inspect?.(s1) ?? {}, info2: opt.inspect?.(s2) ?? {} };
}

function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Math.abs(a - e) > rel * Math.max(1, Math.abs(e))) {
      throw new Error(`component ${i}: got ${a}, expected ${e} (tolerance ${rel} relative)`);
    }
  });
}

describe('optimizers: two steps by hand', () => {
  it('SGD: x ← x − α g', () => {
    // α = 0.1, x0 = (1, 2)
    // g1 = (3, −4): u1 = −0.1·(3, −4) = (−0.3, 0.4), x1 = (0.7, 2.4)
    // g2 = (1, 1):  u2 = (−0.1, −0.1),               x2 = (0.6, 2.3)
    const r = twoSteps(sgd(0.1), [1, 2], [3, -4], [1, 1]);
    expectClose(r.u1, [-0.3, 0.4]);
    expectClose(r.u2, [-0.1, -0.1]);
    expectClose(r.x2, [0.6, 2.3]);
    expect(r.info2['lr']).toBe(0.1);
  });

  it('heavy-ball momentum: m ← βm + g; x ← x − α m', () => {
    // α = 0.1, β = 0.5, m0 = 0
    // g1 = (3, −4): m1 = (3, −4),                         u1 = (−0.3, 0.4)
    // g2 = (1, 1):  m2 = 0.5·(3, −4) + (1, 1) = (2.5, −1), u2 = (−0.25, 0.1)
    const r = twoSteps(momentum(0.1, 0.5), [0, 0], [3, -4], [1, 1]);
    expectClose(r.u1, [-0.3, 0.4]);
    expectClose(r.u2, [-0.25, 0.1]);
    expectClose(r.x2, [-0.55, 0.5]);
  });

  it('AdaGrad-Norm: v_k = v_{k−1} + ||g_k||² (v_{−1} = β₀²), x ← x − α g/√v_k', () => {
    // α = 0.5, β₀ = 1: v_{−1} = 1
    // g1 = (2, 2): v0 = 1 + 8 = 9,   √v0 = 3, u1 = −0.5·(2, 2)/3 = (−1/3, −1/3)
    // g2 = (4, 0): v1 = 9 + 16 = 25, √v1 = 5, u2 = −0.5·(4, 0)/5 = (−0.4, 0)
    // (the current gradient is in the accumulator before the step: with v0 = 1 we would get u1 = (−1, −1))
    const r = twoSteps(adagradNorm(0.5, 1), [1, 1], [2, 2], [4, 0]);
    expectClose(r.u1, [-1 / 3, -1 / 3]);
    expectClose(r.u2, [-0.4, 0]);
    expect(r.info1['accumulator']).toBe(9);
    expect(r.info2['accumulator']).toBe(25);
    expect(r.info2['lr']).toBe(0.5);
  });

  it('AdaGrad-Norm with β₀ = 2: v_{−1} = 4', () => {
    // g1 = (3, 0): v0 = 4 + 9 = 13, u1 = −1·(3, 0)/√13;  g2 = (0, 6): v1 = 13 + 36 = 49, u2 = −(0, 6)/7
    const r = twoSteps(adagradNorm(1, 2), [0, 0], [3, 0], [0, 6]);
    expectClose(r.u1, [-3 / Math.sqrt(13), 0]);
    expectClose(r.u2, [0, -6 / 7]);
    expect(r.info2['accumulator']).toBe(49);
  });

  it('diagonal AdaGrad (ε = 0): v_j ← v_j + g_j², x_j ← x_j − α g_j/√v_j', () => {
    // α = 0.1, v_{−1} = 0
    // g1 = (3, −4): v = (9, 16),  u1 = −0.1·(3/3, −4/4) = (−0.1, 0.1)
    // g2 = (4, 3):  v = (25, 25), u2 = −0.1·(4/5, 3/5) = (−0.08, −0.06)
    const r = twoSteps(adagrad(0.1, 0), [0, 0], [3, -4], [4, 3]);
    expectClose(r.u1, [-0.1, 0.1]);
    expectClose(r.u2, [-0.08, -0.06]);
    expect(r.info2['accumulator']).toBe(50); // Σ_j v_j = 25 + 25
  });

  it("diagonal AdaGrad with PyTorch's defaults (v_{−1} = 0, ε = 1e-10): a zero coordinate gives 0, not NaN", () => {
    // g1 = (0, 2): v = (0, 4); u1 = −0.1·(0/(0 + 1e-10), 2/(2 + 1e-10)) = (0, −0.1·2/(2 + 1e-10))
    const r = twoSteps(adagrad(0.1), [0, 0], [0, 2], [0, 0]);
    expect(Object.is(r.u1[0], -0) || r.u1[0] === 0).toBe(true);
    expectClose(r.u1, [0, (-0.1 * 2) / (2 + 1e-10)], 1e-16);
    expect(r.u1[1]).not.toBe(-0.1); // ε is really added
    // initial accumulator v_{−1} = 1: u1_2 = −0.1·2/(√5 + 1e-10)
    const r2 = twoSteps(adagrad(0.1, 1e-10, 1), [0, 0], [0, 2], [0, 0]);
    expectClose(r2.u1, [0, (-0.1 * 2) / (Math.sqrt(5) + 1e-10)]);
  });

  it('Adam (ε = 0) with bias correction', () => {
    // α = 0.1, β₁ = 0.9, β₂ = 0.999
    // t = 1, g1 = (3, −4): m = 0.1·g1, v = 0.001·g1², m̂ = g1, v̂ = g1², u1 = −0.1·g1/|g1| = (−0.1, 0.1)
    // t = 2, g2 = (1, 2):  m = 0.9·(0.3, −0.4) + 0.1·(1, 2) = (0.37, −0.16), m̂ = m/(1 − 0.81) = m/0.19
    //                      v = 0.999·(0.009, 0.016) + 0.001·(1, 4) = (0.009991, 0.019984), v̂ = v/(1 − 0.998001) = v/0.001999
    //                      u2 = −0.1·m̂/√v̂
    const r = twoSteps(adam(0.1, 0.9, 0.999, 0), [0, 0], [3, -4], [1, 2]);
    expectClose(r.u1, [-0.1, 0.1]);
    expectClose(r.u2, [(-0.1 * (0.37 / 0.19)) / Math.sqrt(0.009991 / 0.001999), (-0.1 * (-0.16 / 0.19)) / Math.sqrt(0.019984 / 0.001999)], 1e-12);
    // ≈ (−0.0871, 0.0266): written out so that a wrong bias correction cannot hide in a shared formula
    expectClose(r.u2, [-0.08710, 0.02663], 1e-3);
  });

  it('Adam default ε = 1e-8 changes the first step only by about ε/|g|', () => {
    const r = twoSteps(adam(0.1), [0], [2], [2]);
    expectClose(r.u1, [(-0.1 * 2) / (2 + 1e-8)], 1e-16);
  });
});

describe('learning rate: constant, schedule and the controller’s lrScale', () => {
  it('u = −α·lrScale·g and the state records the α used', () => {
    const t = scaleByLearningRate(0.2);
    const [u, s] = t.update(Float64Array.of(1, -2), t.init(new Float64Array(2)), new Float64Array(2), ctx(0, 0.5));
    expectClose([...u], [-0.1, 0.2]);
    expect(s.lr).toBe(0.1);
  });
  it('a schedule of the step context', () => {
    const t = sgd((c) => 1 / (c.step + 1));
    const x = new Float64Array(1);
    const [u0, s0] = t.update(Float64Array.of(1), t.init(x), x, ctx(0));
    const [u3] = t.update(Float64Array.of(1), s0, x, ctx(3));
    expect(u0[0]).toBe(-1);
    expect(u3[0]).toBe(-0.25);
  });
});

describe('chain', () => {
  const x = Float64Array.of(0, 0);
  it('the update of one transform is the gradient of the next (order matters)', () => {
    // chain(adagradNorm(1), lr 0.5) on g = (2, 2): v = 1 + 8 = 9, u = −0.5·(2, 2)/3
    const a = chain(scaleByAdagradNorm(1), scaleByLearningRate(0.5));
    expectClose([...a.update(Float64Array.of(2, 2), a.init(x), x, ctx(0))[0]], [-1 / 3, -1 / 3]);
    // reversed: the accumulator sees −0.5·g = (−1, −1): v = 1 + 2 = 3, u = (−1, −1)/√3
    const b = chain(scaleByLearningRate(0.5), scaleByAdagradNorm(1));
    expectClose([...b.update(Float64Array.of(2, 2), b.init(x), x, ctx(0))[0]], [-1 / Math.sqrt(3), -1 / Math.sqrt(3)]);
  });

  it('the named optimizers are the chains they claim to be, step for step', () => {
    const pairs: [GradientTransformation<any>, GradientTransformation<any>][] = [
      [momentum(0.1, 0.5), chain(trace(0.5), scaleByLearningRate(0.1))],
      [adagradNorm(0.3, 2), chain(scaleByAdagradNorm(2), scaleByLearningRate(0.3))],
      [adagrad(0.3), chain(scaleByAdagrad(), scaleByLearningRate(0.3))],
      [adam(0.01), chain(scaleByAdam(), scaleByLearningRate(0.01))],
    ];
    const gs = [Float64Array.of(1, -2), Float64Array.of(0.5, 3), Float64Array.of(-1, 0)];
    for (const [p, q] of pairs) {
      let sp = p.init(x);
      let sq = q.init(x);
      for (const [k, g] of gs.entries()) {
        const [up, sp2] = p.update(g, sp, x, ctx(k));
        const [uq, sq2] = q.update(g, sq, x, ctx(k));
        expect([...up]).toEqual([...uq]);
        sp = sp2;
        sq = sq2;
      }
    }
  });

  it('an empty chain is the identity; inspect merges the parts’ read-backs; the name joins the parts', () => {
    const id = chain();
    const g = Float64Array.of(1, 2);
    expect([...id.update(g, id.init(x), x, ctx(0))[0]]).toEqual([1, 2]);
    const c = chain(scaleByAdagradNorm(1), scaleByLearningRate(0.5));
    const [, s] = c.update(Float64Array.of(2, 2), c.init(x), x, ctx(0));
    expect(c.inspect!(s)).toEqual({ accumulator: 9, lr: 0.5 });
    expect(c.name).toBe('adagrad-norm+lr');
  });
});

/** One row per optimizer under test (adding an optimizer adds one row). */
const TABLE: [string, () => GradientTransformation<any>][] = [
  ['sgd', () => sgd(0.1)],
  ['momentum', () => momentum(0.1, 0.9)],
  ['adagrad-norm', () => adagradNorm(0.5, 1)],
  ['adagrad', () => adagrad(0.1)],
  ['adam', () => adam(0.01)],
];

describe.each(TABLE)('%s: state is a value, never mutated in place', (_name, make) => {
  it('update leaves grad, params and the old state unchanged and is repeatable from the old state', () => {
    const opt = make();
    const x = Float64Array.of(0.5, -1, 2);
    let s = opt.init(x);
    for (let k = 0; k < 3; k++) {
      const g = Float64Array.of(1 + k, -2, 0.5 * k);
      const before = { g: Float64Array.from(g), x: Float64Array.from(x), s: structuredClone(s) };
      const [u, s2] = opt.update(g, s, x, ctx(k));
      expect(g).toEqual(before.g);
      expect(x).toEqual(before.x);
      expect(s).toEqual(before.s);
      // same inputs, same output: no hidden state
      const [uAgain] = opt.update(g, s, x, ctx(k));
      expect([...uAgain]).toEqual([...u]);
      expect(u).not.toBe(g);
      s = s2;
    }
  });
});
