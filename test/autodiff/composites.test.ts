// Forward values of the composites (square, mean, logsumexp, logSoftmax, oneHot, softmaxCrossEntropy) against references.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exp, grad, logSoftmax, logsumexp, mean, oneHot, softmaxCrossEntropy, square, sum, sumSquares, tensor, zeros,
  type Tensor,
} from '../../src/index.js';
import { axesOf, fcParams, float, labels, shape, tensorOf } from '../arbitraries.js';

const RUNS = 60;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-12, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    expect(Math.abs(a - e), `${what} entry ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

/** Rows of a [b, c] tensor as arrays. */
const rows = (t: Tensor): number[][] => t.toArray() as number[][];

describe('square, sumSquares, mean', () => {
  it('square is x², sumSquares is Σ x²', () => {
    fc.assert(
      fc.property(shape().chain((s) => tensorOf(s)), (x) => {
        const xs = Array.from(x.toFloat64Array());
        expect(Array.from(square(x).toFloat64Array())).toEqual(xs.map((v) => v * v));
        expectClose([sumSquares(x).item()], [xs.reduce((p, v) => p + v * v, 0)], 1e-14);
      }),
      fcParams(RUNS),
    );
  });

  it('mean over axes equals sum / count, with keepdims shapes', () => {
    fc.assert(
      fc.property(shape().chain((s) => fc.tuple(tensorOf(s), axesOf(s), fc.boolean())), ([x, axes, keep]) => {
        const r = x.rank;
        const norm = axes === undefined ? [...Array(r).keys()] : [...new Set(axes.map((a) => (a < 0 ? a + r : a)))];
        const count = norm.reduce((p, a) => p * x.shape[a]!, 1);
        const m = mean(x, axes, keep);
        const s = sum(x, axes, keep);
        expect(m.shape).toEqual(s.shape);
        expectClose(m.toFloat64Array(), Array.from(s.toFloat64Array(), (v) => v / count), 1e-14);
      }),
      fcParams(RUNS),
    );
    expect(mean(tensor([[1, 2], [3, 6]]), 1).toArray()).toEqual([1.5, 4.5]);
  });
});

describe('logsumexp and logSoftmax', () => {
  it('logsumexp matches log Σ exp on moderate values, over random axes', () => {
    fc.assert(
      fc.property(shape().chain((s) => fc.tuple(tensorOf(s), axesOf(s), fc.boolean())), ([x, axes, keep]) => {
        const ref = sum(exp(x), axes, keep);
        const y = logsumexp(x, axes, keep);
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.toFloat64Array(), Array.from(ref.toFloat64Array(), Math.log), 1e-13);
      }),
      fcParams(RUNS),
    );
  });

  it('logsumexp of large values neither overflows nor underflows', () => {
    expect(logsumexp(tensor([1000, 1000])).item()).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logsumexp(tensor([-1000, -1000])).item()).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logsumexp(tensor([800, 0])).item()).toBe(800);
    expect(logsumexp(tensor([[1e4, 1e4 - 1], [-1e4, -1e4]]), 1).toArray()).toEqual([1e4 + Math.log1p(Math.exp(-1)), -1e4 + Math.LN2]);
    const g = grad((t: Tensor) => logsumexp(t))(tensor([1000, 1000])) as Tensor;
    expect(g.toArray()).toEqual([0.5, 0.5]);
  });

  it('logsumexp of infinite entries: all −∞ gives −∞, a +∞ gives +∞ (not ∞ − ∞ = NaN)', () => {
    expect(logsumexp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(logsumexp(tensor([Infinity, 1])).item()).toBe(Infinity);
    expect(logsumexp(tensor([-Infinity, 0])).item()).toBe(0);
    expect(logsumexp(tensor([[-Infinity, -Infinity], [0, 0]]), 1).toArray()).toEqual([-Infinity, Math.LN2]);
    expect(logSoftmax(tensor([[-Infinity, 0, 0]])).toArray()).toEqual([[-Infinity, -Math.LN2, -Math.LN2]]);
    const g = grad((t: Tensor) => logsumexp(t))(tensor([-Infinity, 0])) as Tensor;
    expect(g.toArray()).toEqual([0, 1]);
  });

  it('logSoftmax rows exponentiate to probabilities summing to 1, also for huge logits', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 })).chain(([b, c]) =>
          tensorOf([b, c], fc.oneof(float({ min: -20, max: 20 }), float({ min: 500, max: 900 }))),
        ),
        (z) => {
          const lp = logSoftmax(z);
          expect(lp.shape).toEqual(z.shape);
          for (const row of rows(lp)) {
            expect(row.every((v) => v <= 1e-12 && Number.isFinite(v))).toBe(true);
            expect(row.reduce((p, v) => p + Math.exp(v), 0)).toBeCloseTo(1, 12);
          }
          // a negative axis names the same axis as its positive form
          expectClose(logSoftmax(z, 0).toFloat64Array(), logSoftmax(z, -2).toFloat64Array(), 0);
        },
      ),
      fcParams(RUNS),
    );
  });
});

describe('oneHot and softmaxCrossEntropy', () => {
  it('oneHot places one 1 per row, in the dtype of `like`', () => {
    const like = zeros([1], 'float32');
    const h = oneHot([2, 0, 2], 3, like);
    expect(h.dtype).toBe('float32');
    expect(h.toArray()).toEqual([[0, 0, 1], [1, 0, 0], [0, 0, 1]]);
    expect(oneHot(Int32Array.from([1]), 2, zeros([1])).toArray()).toEqual([[0, 1]]);
    expect(() => oneHot([3], 3, like)).toThrow(/^oneHot: label 3 at position 0 out of range \[0, 3\)/);
    expect(() => oneHot([0.5], 3, like)).toThrow(/^oneHot: label 0.5/);
  });

  it('softmaxCrossEntropy equals −log softmax(z)[y] computed naively', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }))
      .chain(([b, c]) => fc.tuple(tensorOf([b, c], float({ min: -20, max: 20 })), labels(b, c)));
    fc.assert(
      fc.property(arb, ([z, y]) => {
        const l = softmaxCrossEntropy(z, y);
        expect(l.shape).toEqual([y.length]);
        const expected = rows(z).map((row, i) => {
          const den = row.reduce((p, v) => p + Math.exp(v), 0);
          return -Math.log(Math.exp(row[y[i]!]!) / den);
        });
        expectClose(l.toFloat64Array(), expected, 1e-11);
      }),
      fcParams(RUNS),
    );
  });

  it('softmaxCrossEntropy is stable for logits of ±1000 and its gradient is softmax − onehot', () => {
    const z = tensor([[1000, 0, -1000], [0, 0, 0]]);
    const l = softmaxCrossEntropy(z, [1, 2]).toFloat64Array();
    expect(l[0]).toBe(1000);
    expect(l[1]).toBeCloseTo(Math.log(3), 14);
    const g = grad((t: Tensor) => sum(softmaxCrossEntropy(t, [1, 2])))(z) as Tensor;
    expectClose(g.toFloat64Array(), [1, -1, 0, 1 / 3, 1 / 3, 1 / 3 - 1], 1e-15);
  });

  it('rejects bad logits and labels, naming the op and the shape', () => {
    expect(() => softmaxCrossEntropy(zeros([3]), [0, 1, 2])).toThrow(/^softmaxCrossEntropy: logits must be \[b, c\], got \[3\]/);
    expect(() => softmaxCrossEntropy(zeros([2, 3]), [0])).toThrow(/^softmaxCrossEntropy: 1 labels for logits of shape \[2, 3\]/);
    expect(() => softmaxCrossEntropy(zeros([2, 3]), [0, 3])).toThrow(/^oneHot: label 3 at position 1 out of range \[0, 3\)/);
  });
});
