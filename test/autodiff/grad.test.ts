// grad / valueAndGrad API, an independent finite-difference cross-check, and checkGrad's ability to fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, checkGrad, div, exp, grad, log, logsumexp, matmul, mean, mul, pow, softmaxCrossEntropy, sqrt, square, stopGradient, sum,
  tanh, tensor, valueAndGrad, type Tensor,
} from '../../src/index.js';
import { record } from '../../src/autodiff/tape.js';
import { fcParams, float, labels, positive, tensorOf, toTensor } from '../arbitraries.js';

/**
 * A central-difference gradient written independently of checkGrad, so that a bug
 * in checkGrad cannot hide a bug in a VJP rule.
 */
function numericGrad(f: (x: Tensor) => Tensor, x: Tensor, h = 1e-6): Float64Array {
  const base = x.toFloat64Array();
  const out = new Float64Array(base.length);
  for (let j = 0; j < base.length; j++) {
    const plus = base.slice();
    const minus = base.slice();
    plus[j] = base[j]! + h;
    minus[j] = base[j]! - h;
    out[j] = (f(toTensor(Array.from(plus), x.shape)).item() - f(toTensor(Array.from(minus), x.shape)).item()) / (2 * h);
  }
  return out;
}

function expectGradClose(analytic: Tensor, numeric: Float64Array, tol = 1e-6): void {
  const a = analytic.toFloat64Array();
  expect(a.length).toBe(numeric.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - numeric[i]!), `entry ${i}: analytic ${v} vs numeric ${numeric[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(numeric[i]!)),
    );
  });
}

describe('grad and valueAndGrad', () => {
  it('argnums: one gradient for a number, an array for an array; other arguments pass through', () => {
    const f = (x: Tensor, y: Tensor, scale: number): Tensor => mul(sum(mul(x, y)), scale);
    const x = tensor([1, 2]);
    const y = tensor([3, 4]);
    expect((grad(f)(x, y, 2) as Tensor).toArray()).toEqual([6, 8]);
    expect((grad(f, 1)(x, y, 2) as Tensor).toArray()).toEqual([2, 4]);
    const both = grad(f, [0, 1])(x, y, 2) as Tensor[];
    expect(both.map((t) => t.toArray())).toEqual([[6, 8], [2, 4]]);
    const [v, gs] = valueAndGrad(f, [1])(x, y, 2);
    expect(v.item()).toBe(22);
    expect(v.node).toBeNull();
    expect((gs as Tensor[]).length).toBe(1);
  });

  it('the same tensor passed twice gets a gradient per argument', () => {
    const x = tensor([2]);
    const gs = grad((a: Tensor, b: Tensor) => sum(mul(a, b)), [0, 1])(x, x) as Tensor[];
    expect(gs.map((g) => g.item())).toEqual([2, 2]);
  });

  it('accepts outputs of size 1 of any rank', () => {
    const g = grad((x: Tensor) => matmul(x, tensor([[1], [1]])))(tensor([[3, 4]])) as Tensor;
    expect(g.toArray()).toEqual([[1, 1]]);
  });

  it('rejects a non-scalar output, a non-tensor output or argument, and bad argnums', () => {
    expect(() => grad((x: Tensor) => mul(x, 2))(tensor([1, 2]))).toThrow('valueAndGrad: f must return a scalar, got shape [2]');
    expect(() => grad((() => 3) as unknown as (x: Tensor) => Tensor)(tensor([1]))).toThrow('valueAndGrad: f must return a Tensor');
    expect(() => grad((x: Tensor, _n: number) => sum(x), 1)(tensor([1]), 3)).toThrow(
      'valueAndGrad: argument 1 must be a Tensor to be differentiated',
    );
    expect(() => grad((x: Tensor) => sum(x), 2)(tensor([1]))).toThrow('valueAndGrad: argnum 2 out of range for 1 argument(s)');
    expect(() => grad((x: Tensor) => sum(x), [0.5])(tensor([1]))).toThrow('valueAndGrad: argnum 0.5 out of range');
  });
});

describe('analytic gradients against an independent finite difference (not checkGrad)', () => {
  it('sum(tanh(x W)) with respect to x and to W', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
      .chain(([m, k, n]) => fc.tuple(tensorOf([m, k], float({ min: -2, max: 2 })), tensorOf([k, n], float({ min: -2, max: 2 }))));
    fc.assert(
      fc.property(arb, ([x, w]) => {
        const f = (a: Tensor, b: Tensor): Tensor => sum(tanh(matmul(a, b)));
        const [gx, gw] = grad(f, [0, 1])(x, w) as Tensor[];
        expectGradClose(gx!, numericGrad((t) => f(t, w), x));
        expectGradClose(gw!, numericGrad((t) => f(x, t), w));
      }),
      fcParams(30),
    );
  });

  it('mean softmax cross-entropy with respect to the logits', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }))
      .chain(([b, c]) => fc.tuple(tensorOf([b, c]), labels(b, c)));
    fc.assert(
      fc.property(arb, ([z, y]) => {
        const f = (t: Tensor): Tensor => mean(softmaxCrossEntropy(t, y));
        expectGradClose(grad(f)(z) as Tensor, numericGrad(f, z));
      }),
      fcParams(30),
    );
  });

  it('a mix of pow, div, log, sqrt, exp and logsumexp', () => {
    fc.assert(
      fc.property(tensorOf([2, 3], positive({ min: 0.5, max: 2 })), (x) => {
        const f = (t: Tensor): Tensor =>
          add(logsumexp(div(pow(t, 1.5), add(sqrt(t), 1))), sum(mul(log(t), exp(mul(t, -1)))));
        expectGradClose(grad(f)(x) as Tensor, numericGrad(f, x));
      }),
      fcParams(30),
    );
  });

  it('agrees with closed forms: d/dx Σ x² = 2x, d/dx Σ eˣ = eˣ', () => {
    const x = tensor([-1.5, 0, 2.25]);
    expect((grad((t: Tensor) => sum(square(t)))(x) as Tensor).toArray()).toEqual([-3, 0, 4.5]);
    expect((grad((t: Tensor) => sum(exp(t)))(x) as Tensor).toArray()).toEqual(Array.from(x.toFloat64Array(), Math.exp));
  });
});

/** A primitive x ↦ x³ whose VJP rule is deliberately wrong (3x instead of 3x²) at the listed entries. */
function cubeWithWrongRule(wrongAt: readonly number[]) {
  return (x: Tensor): Tensor => {
    const xs = x.toFloat64Array();
    const out = Float64Array.from(xs, (v) => v * v * v);
    return record('custom:wrongCube', [x], out, x.shape, (ct) => {
      const g = Float64Array.from(xs, (v, i) => (wrongAt.includes(i) ? 3 * v : 3 * v * v));
      return [mul(ct, toTensor(Array.from(g), x.shape))];
    });
  };
}

describe('checkGrad', () => {
  it('passes on correct gradients and reports every coordinate checked', () => {
    const r = checkGrad((x: Tensor, y: Tensor) => sum(mul(tanh(x), y)), [tensor([0.3, -1.2]), tensor([1, 2])]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(4);
    expect(r.maxAbsError).toBeLessThan(1e-8);
    expect(() => checkGrad(cubeWithWrongRule([]), [tensor([0.5, 2])])).toThrow(/must return a scalar/);
  });

  it('fails on a deliberately wrong VJP rule and points at the wrong coordinate', () => {
    const f = (x: Tensor): Tensor => sum(cubeWithWrongRule([2])(x));
    const x = tensor([0.5, 2, -3, 1.5]);
    expect(checkGrad(sum as (x: Tensor) => Tensor, [x]).ok).toBe(true);
    const correct = checkGrad((t: Tensor) => sum(cubeWithWrongRule([])(t)), [x]);
    expect(correct.ok).toBe(true);
    const r = checkGrad(f, [x]);
    expect(r.ok).toBe(false);
    expect(r.worst).toMatchObject({ argnum: 0, index: 2, analytic: -9 });
    expect(r.worst!.numeric).toBeCloseTo(27, 5);
    expect(r.maxAbsError).toBeCloseTo(36, 5);
  });

  it('fails when autodiff and the function disagree (a stopGradient hides half the derivative)', () => {
    const r = checkGrad((x: Tensor) => sum(mul(x, stopGradient(x))), [tensor([1, 2])]);
    expect(r.ok).toBe(false);
    expect(r.worst!.numeric / r.worst!.analytic).toBeCloseTo(2, 6);
  });

  it('fails when the gradient is NaN', () => {
    const r = checkGrad((x: Tensor) => sum(sqrt(x)), [tensor([0, 1])]);
    expect(r.ok).toBe(false);
  });

  it('honours argnums and maxChecks, and casts float32 arguments to float64', () => {
    const f = (x: Tensor, y: Tensor): Tensor => sum(mul(cubeWithWrongRule([0])(x), y));
    const x = tensor([2, 1, 1, 1, 1, 1]);
    const y = tensor([1, 1, 1, 1, 1, 1]);
    expect(checkGrad(f, [x, y], { argnums: [1] })).toMatchObject({ ok: true, checked: 6 });
    expect(checkGrad(f, [x, y], { argnums: [0] }).ok).toBe(false);
    // maxChecks spreads the checked coordinates evenly: 0 and 3 of 6
    expect(checkGrad(f, [x, y], { argnums: [0], maxChecks: 2 })).toMatchObject({ ok: false, checked: 2 });
    const r32 = checkGrad((t: Tensor) => sum(tanh(t)), [toTensor([0.1, 0.2], [2], 'float32')]);
    expect(r32.ok).toBe(true);
  });
});

