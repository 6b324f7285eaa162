// conv2d, maxPool2d, avgPool2d and flatten: values against the defining sums, VJPs against central differences, errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, checkGrad, conv2d, flatten, maxPool2d, mul, sum, type CheckGradOptions } from '../../src/index.js';
import { cast, type Tensor } from '../../src/tensor/tensor.js';
import { distinctTensorOf, fcParams, float, tensorOf } from '../arbitraries.js';
import { conv2dRef, convOpts, pool2dRef, windowCase, type WindowCase } from '../convArbitraries.js';

const TOL: CheckGradOptions = { eps: 1e-5, rtol: 1e-5, atol: 1e-6 };
const RUNS = 60;

/** Relative-to-scale closeness of two arrays; returns the worst entry for the message. */
function maxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return a.length === b.length ? e : Infinity;
}

/** f(xs) = Σ op(xs) ∘ w with a random cotangent w, checked against central differences. */
function expectVjp(name: string, op: (...xs: Tensor[]) => Tensor, args: readonly Tensor[], g: fc.GeneratorValue): void {
  const w = g(tensorOf, op(...args).shape, float({ min: -2, max: 2 }));
  const report = checkGrad((...xs: Tensor[]) => sum(mul(op(...xs), w)), args, TOL);
  expect(report.checked).toBe(args.reduce((p, a) => p + a.size, 0));
  expect(report.ok, `${name}: ${JSON.stringify(report)}`).toBe(true);
}

const convArgs = (c: WindowCase) =>
  fc.tuple(fc.constant(c), tensorOf([c.n, c.c, c.h, c.w]), tensorOf([c.cout, c.c, c.kh, c.kw]), tensorOf([c.cout]));

describe('conv2d', () => {
  it('equals the defining sum for every stride, padding and dilation (float64 exactly up to rounding, float32 to 1e-5)', () => {
    fc.assert(
      fc.property(windowCase().chain(convArgs), ([c, x, w, bias]) => {
        const ref = conv2dRef(x.toFloat64Array(), w.toFloat64Array(), bias.toFloat64Array(), c);
        const y = conv2d(x, w, bias, convOpts(c));
        expect(y.shape).toEqual([c.n, c.cout, c.oh, c.ow]);
        expect(maxErr(y.toFloat64Array(), ref)).toBeLessThan(1e-12);
        const y32 = conv2d(cast(x, 'float32'), cast(w, 'float32'), cast(bias, 'float32'), convOpts(c));
        expect(y32.dtype).toBe('float32');
        expect(maxErr(y32.toFloat64Array(), ref)).toBeLessThan(1e-5);
      }),
      fcParams(RUNS),
    );
  });

  it('VJP matches central differences in the input, the weight and the bias', () => {
    fc.assert(
      fc.property(windowCase({ maxSide: 5 }).chain(convArgs), fc.gen(), ([c, x, w, bias], g) => {
        expectVjp('conv2d', (a, b, d) => conv2d(a!, b!, d!, convOpts(c)), [x, w, bias], g);
      }),
      fcParams(RUNS),
    );
  });

  it('VJP without a bias', () => {
    fc.assert(
      fc.property(windowCase({ maxSide: 4 }).chain(convArgs), fc.gen(), ([c, x, w], g) => {
        expectVjp('conv2d (no bias)', (a, b) => conv2d(a!, b!, null, convOpts(c)), [x, w], g);
      }),
      fcParams(RUNS / 2),
    );
  });

  it('bad shapes and options give errors naming the op and the shapes', () => {
    const x = tensorOfZeros([2, 3, 5, 5]);
    const w = tensorOfZeros([4, 3, 3, 3]);
    expect(() => conv2d(tensorOfZeros([2, 2, 5, 5]), w)).toThrow(/conv2d: input \[2, 2, 5, 5\] does not fit weight \[4, 3, 3, 3\]/);
    expect(() => conv2d(tensorOfZeros([3, 5, 5]), w)).toThrow(/conv2d: input \[3, 5, 5\]/);
    expect(() => conv2d(x, tensorOfZeros([4, 3, 3]))).toThrow(/conv2d: weight must be \[c_out, c_in, kh, kw\], got \[4, 3, 3\]/);
    expect(() => conv2d(x, w, tensorOfZeros([3]))).toThrow(/conv2d: bias \[3\] does not fit weight \[4, 3, 3, 3\]/);
    expect(() => conv2d(x, tensorOfZeros([4, 3, 7, 7]))).toThrow(/conv2d: window 7×7 .* does not fit input \[2, 3, 5, 5\]/);
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(/conv2d: stride must be an integer ≥ 1/);
    expect(() => conv2d(x, w, null, { padding: -1 })).toThrow(/conv2d: padding must be an integer ≥ 0/);
    expect(() => conv2d(x, cast(w, 'float32'))).toThrow(/conv2d: dtype mismatch/);
  });
});

function tensorOfZeros(shape: number[]): Tensor {
  return fc.sample(tensorOf(shape, fc.constant(0)), { numRuns: 1, seed: 1 })[0]!;
}

describe('pooling', () => {
  const poolArgs = (distinct: boolean) => (c: WindowCase) =>
    fc.tuple(fc.constant(c), distinct ? distinctTensorOf([c.n, c.c, c.h, c.w], { spacing: 0.05 }) : tensorOf([c.n, c.c, c.h, c.w]));
  for (const [name, fn, op] of [['maxPool2d', maxPool2d, 'max'], ['avgPool2d', avgPool2d, 'avg']] as const) {
    const opts = (c: WindowCase) => ({ kernel: [c.kh, c.kw] as [number, number], stride: [c.sh, c.sw] as [number, number], padding: [c.ph, c.pw] as [number, number] });
    it(`${name} equals its defining formula (float64 and float32)`, () => {
      fc.assert(
        fc.property(windowCase({}, true).chain(poolArgs(false)), ([c, x]) => {
          const ref = pool2dRef(op, x.toFloat64Array(), c);
          const y = fn(x, opts(c));
          expect(y.shape).toEqual([c.n, c.c, c.oh, c.ow]);
          expect(maxErr(y.toFloat64Array(), ref)).toBeLessThan(1e-12);
          expect(maxErr(fn(cast(x, 'float32'), opts(c)).toFloat64Array(), ref)).toBeLessThan(1e-5);
        }),
        fcParams(RUNS),
      );
    });
    it(`${name} VJP matches central differences (no ties: distinct inputs)`, () => {
      fc.assert(
        fc.property(windowCase({ maxSide: 5 }, true).chain(poolArgs(true)), fc.gen(), ([c, x], g) => {
          expectVjp(name, (a) => fn(a!, opts(c)), [x], g);
        }),
        fcParams(RUNS),
      );
    });
  }

  it('the stride defaults to the window; bad options give errors naming the op and the shapes', () => {
    const x = tensorOfZeros([1, 2, 6, 6]);
    expect(maxPool2d(x, { kernel: 2 }).shape).toEqual([1, 2, 3, 3]);
    expect(avgPool2d(x, { kernel: [3, 2] }).shape).toEqual([1, 2, 2, 3]);
    expect(() => maxPool2d(tensorOfZeros([2, 6, 6]), { kernel: 2 })).toThrow(/maxPool2d: input must be \[n, c, h, w\] \(NCHW\), got \[2, 6, 6\]/);
    expect(() => avgPool2d(x, { kernel: 7 })).toThrow(/avgPool2d: window 7×7 .* does not fit input \[1, 2, 6, 6\]/);
    expect(() => maxPool2d(x, { kernel: 2, padding: 2 })).toThrow(/maxPool2d: padding 2×2 exceeds half the window 2×2/);
  });
});

describe('flatten', () => {
  it('keeps the batch axis and the row-major order; VJP matches central differences', () => {
    fc.assert(
      fc.property(windowCase().chain((c) => tensorOf([c.n, c.c, c.h, c.w])), fc.gen(), (x, g) => {
        const y = flatten(x);
        expect(y.shape).toEqual([x.shape[0], x.size / x.shape[0]!]);
        expect([...y.toFloat64Array()]).toEqual([...x.toFloat64Array()]);
        expectVjp('flatten', (a) => flatten(a!), [x], g);
      }),
      fcParams(RUNS / 2),
    );
    expect(() => flatten(tensorOfZeros([]))).toThrow(/flatten: needs rank ≥ 1/);
  });
});
