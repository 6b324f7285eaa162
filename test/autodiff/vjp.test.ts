// Every primitive's and composite's VJP matches central differences, as properties over generated shapes and values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, add, broadcastTo, checkGrad, concat, div, exp, gather, grad, log, log1p, logSoftmax, logsumexp, matmul, max,
  maximum, mean, mul, neg, pow, relu, reshape, sigmoid, slice, softmaxCrossEntropy, softplus, sqrt, square,
  stopGradient, sub, sum, sumSquares, tanh, transpose, where, type CheckGradOptions,
} from '../../src/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import {
  awayFrom, axesOf, broadcastShapes, broadcastableTo, distinctTensorOf, distinctValues, fcParams, float, indices,
  labels, matmulDims, permutation, positive, shape, sliceOf, tensorOf, toTensor,
} from '../arbitraries.js';

/**
 * Tolerances of the gradient properties. The step is 1e-5·max(1, |x|): the
 * truncation error (~h²·f''') and the rounding error (~1e-16·|f|/h) both stay far
 * below atol + rtol·|g| for the bounded inputs of test/arbitraries.ts, while a
 * wrong rule gives errors of the order of the gradient itself.
 */
const TOL: CheckGradOptions = { eps: 1e-5, rtol: 1e-5, atol: 1e-6 };
const RUNS = 100;

const fmt = (t: Tensor): string => `${t.toString()} ${JSON.stringify(t.toArray())}`;

/**
 * Check the gradient of `op` at `args` under a random cotangent w drawn from `g`:
 * f(...xs) = Σ op(...xs) ∘ w, so every output entry is weighted differently and
 * contributes. Fails (printing the report and the inputs) when checkGrad fails.
 */
function expectVjpMatches(
  name: string,
  op: (...xs: Tensor[]) => Tensor,
  args: readonly Tensor[],
  g: fc.GeneratorValue,
  opts: CheckGradOptions = TOL,
): void {
  const out = op(...args);
  const w = g(tensorOf, out.shape, float({ min: -2, max: 2 }));
  const f = (...xs: Tensor[]): Tensor => sum(mul(op(...xs), w));
  const report = checkGrad(f, args, opts);
  expect(report.checked).toBe(args.reduce((p, a) => p + a.size, 0));
  expect(report.ok, `${name}: ${JSON.stringify(report)}\n args: ${args.map(fmt).join('\n       ')}\n w: ${fmt(w)}`).toBe(true);
}

const SHAPES = { maxRank: 3, maxSide: 4, maxSize: 24 } as const;

// ------------------------------------------------------------------ elementwise unary

/** One row per unary primitive: its function and a domain away from poles and kinks. */
const UNARY: readonly { name: string; fn: (x: Tensor) => Tensor; elem: fc.Arbitrary<number> }[] = [
  { name: 'neg', fn: neg, elem: float() },
  { name: 'exp', fn: exp, elem: float({ min: -3, max: 3 }) },
  { name: 'log', fn: log, elem: positive() },
  { name: 'log1p', fn: log1p, elem: float({ min: -0.8, max: 5 }) },
  { name: 'sqrt', fn: sqrt, elem: positive() },
  { name: 'abs', fn: abs, elem: awayFrom() },
  { name: 'tanh', fn: tanh, elem: float({ min: -3, max: 3 }) },
  { name: 'sigmoid', fn: sigmoid, elem: float({ min: -8, max: 8 }) },
  { name: 'softplus', fn: softplus, elem: float({ min: -8, max: 8 }) },
  { name: 'relu', fn: relu, elem: awayFrom() },
];

describe('unary VJPs match finite differences', () => {
  for (const { name, fn, elem } of UNARY) {
    it(name, () => {
      fc.assert(
        fc.property(shape(SHAPES).chain((s) => tensorOf(s, elem)), fc.gen(), (x, g) => {
          expectVjpMatches(name, fn, [x], g);
        }),
        fcParams(RUNS),
      );
    });
  }
});

// ------------------------------------------------------------------ elementwise binary, broadcasting

/** One row per binary op: elements of each operand (away from poles, kinks and ties). */
const BINARY: readonly {
  name: string;
  fn: (a: Tensor, b: Tensor) => Tensor;
  ea: fc.Arbitrary<number>;
  eb: fc.Arbitrary<number>;
}[] = [
  { name: 'add', fn: add, ea: float(), eb: float() },
  { name: 'sub (composite)', fn: sub, ea: float(), eb: float() },
  { name: 'mul', fn: mul, ea: float(), eb: float() },
  { name: 'div', fn: div, ea: float(), eb: awayFrom({ margin: 0.5, max: 3 }) },
  { name: 'pow', fn: pow, ea: positive({ min: 0.2, max: 3 }), eb: float({ min: -2, max: 2 }) },
];

describe('binary VJPs match finite differences under broadcasting', () => {
  for (const { name, fn, ea, eb } of BINARY) {
    it(name, () => {
      const arb = broadcastShapes(2, SHAPES).chain(({ shapes: [sa, sb] }) => fc.tuple(tensorOf(sa!, ea), tensorOf(sb!, eb)));
      fc.assert(
        fc.property(arb, fc.gen(), ([a, b], g) => {
          expectVjpMatches(name, fn, [a, b], g);
        }),
        fcParams(RUNS),
      );
    });
  }

  it('maximum (all entries of both operands distinct, so no ties)', () => {
    const arb = broadcastShapes(2, SHAPES).chain(({ shapes: [sa, sb] }) => {
      const na = sa!.reduce((p, d) => p * d, 1);
      const nb = sb!.reduce((p, d) => p * d, 1);
      return distinctValues(na + nb).map((v) => [toTensor(v.slice(0, na), sa!), toTensor(v.slice(na), sb!)] as const);
    });
    fc.assert(
      fc.property(arb, fc.gen(), ([a, b], g) => {
        expectVjpMatches('maximum', maximum, [a, b], g);
      }),
      fcParams(RUNS),
    );
  });

  it('a number operand on either side gets no gradient; the tensor side does', () => {
    const ops: readonly [string, (x: Tensor) => Tensor][] = [
      ['add(x, 2.5)', (x) => add(x, 2.5)],
      ['sub(1, x)', (x) => sub(1, x)],
      ['mul(-3, x)', (x) => mul(-3, x)],
      ['div(x, 4)', (x) => div(x, 4)],
      ['pow(x, 3)', (x) => pow(x, 3)],
      ['pow(2, x)', (x) => pow(2, x)],
      ['maximum(x, 0.5)', (x) => maximum(x, 0.5)],
    ];
    fc.assert(
      fc.property(shape(SHAPES).chain((s) => tensorOf(s, awayFrom({ from: 0.5, margin: 1e-2, max: 2 }))), fc.gen(), (x, g) => {
        for (const [name, fn] of ops) expectVjpMatches(name, fn, [x], g);
      }),
      fcParams(20),
    );
  });

  it('where: gradients flow to the chosen operand only, with a broadcast condition', () => {
    const arb = broadcastShapes(3, SHAPES).chain(({ shapes: [sc, sa, sb] }) =>
      fc.tuple(tensorOf(sc!, fc.constantFrom(0, 1)), tensorOf(sa!), tensorOf(sb!)),
    );
    fc.assert(
      fc.property(arb, fc.gen(), ([cond, a, b], g) => {
        expectVjpMatches('where', (x, y) => where(cond, x!, y!), [a, b], g);
      }),
      fcParams(RUNS),
    );
  });

  it('broadcastTo sums the cotangent back over the broadcast axes', () => {
    const arb = shape(SHAPES).chain((target) => broadcastableTo(target).chain((s) => fc.tuple(tensorOf(s), fc.constant(target))));
    fc.assert(
      fc.property(arb, fc.gen(), ([x, target], g) => {
        expectVjpMatches('broadcastTo', (t) => broadcastTo(t, target), [x], g);
      }),
      fcParams(RUNS),
    );
  });
});

// ------------------------------------------------------------------ reductions

describe('reduction VJPs match finite differences over random axis subsets', () => {
  const withAxes = (elem?: (s: number[]) => fc.Arbitrary<Tensor>) =>
    shape(SHAPES).chain((s) => fc.tuple(elem ? elem(s) : tensorOf(s), axesOf(s), fc.boolean()));

  it('sum', () => {
    fc.assert(
      fc.property(withAxes(), fc.gen(), ([x, axes, keep], g) => {
        expectVjpMatches(`sum axes=${String(axes)} keepdims=${keep}`, (t) => sum(t, axes, keep), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('max (distinct entries, no ties)', () => {
    fc.assert(
      fc.property(withAxes((s) => distinctTensorOf(s)), fc.gen(), ([x, axes, keep], g) => {
        expectVjpMatches(`max axes=${String(axes)} keepdims=${keep}`, (t) => max(t, axes, keep), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('mean (composite)', () => {
    fc.assert(
      fc.property(withAxes(), fc.gen(), ([x, axes, keep], g) => {
        expectVjpMatches(`mean axes=${String(axes)} keepdims=${keep}`, (t) => mean(t, axes, keep), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('logsumexp (composite), including large offsets', () => {
    const elem = fc.oneof(float(), float({ min: 100, max: 110 }));
    fc.assert(
      fc.property(withAxes((s) => tensorOf(s, elem)), fc.gen(), ([x, axes, keep], g) => {
        expectVjpMatches(`logsumexp axes=${String(axes)} keepdims=${keep}`, (t) => logsumexp(t, axes, keep), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('logSoftmax (composite) along a random axis', () => {
    const arb = shape({ ...SHAPES, minRank: 1 }).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: -s.length, max: s.length - 1 })));
    fc.assert(
      fc.property(arb, fc.gen(), ([x, axis], g) => {
        expectVjpMatches(`logSoftmax axis=${axis}`, (t) => logSoftmax(t, axis), [x], g);
      }),
      fcParams(RUNS),
    );
  });
});

// ------------------------------------------------------------------ linear algebra and shapes

describe('linear-algebra and shape VJPs match finite differences', () => {
  it('matmul with random m, k, n (both operands)', () => {
    const arb = matmulDims(5).chain(([m, k, n]) => fc.tuple(tensorOf([m, k]), tensorOf([k, n])));
    fc.assert(
      fc.property(arb, fc.gen(), ([a, b], g) => {
        expectVjpMatches('matmul', matmul, [a, b], g);
      }),
      fcParams(RUNS),
    );
  });

  it('reshape to a permuted shape with an inserted 1 and possibly a −1', () => {
    const arb = shape(SHAPES).chain((s) =>
      fc.tuple(tensorOf(s), permutation(s.length), fc.integer({ min: 0, max: s.length }), fc.option(fc.nat())).map(
        ([x, perm, at, neg1]) => {
          const target = perm.map((i) => s[i]!);
          target.splice(at, 0, 1);
          if (neg1 !== null) target[neg1 % target.length] = -1;
          return [x, target] as const;
        },
      ),
    );
    fc.assert(
      fc.property(arb, fc.gen(), ([x, target], g) => {
        expectVjpMatches(`reshape to [${target.join(', ')}]`, (t) => reshape(t, target), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('transpose with a random permutation (and the default reversal)', () => {
    const arb = shape(SHAPES).chain((s) => fc.tuple(tensorOf(s), fc.option(permutation(s.length))));
    fc.assert(
      fc.property(arb, fc.gen(), ([x, perm], g) => {
        expectVjpMatches(`transpose [${String(perm)}]`, (t) => transpose(t, perm ?? undefined), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('slice with a random window', () => {
    const arb = shape(SHAPES).chain((s) => fc.tuple(tensorOf(s), sliceOf(s)));
    fc.assert(
      fc.property(arb, fc.gen(), ([x, { begin, size }], g) => {
        expectVjpMatches(`slice [${begin.join(', ')}] [${size.join(', ')}]`, (t) => slice(t, begin, size), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('gather with repeated indices accumulates into the repeated rows', () => {
    const arb = shape({ ...SHAPES, minRank: 1 }).chain((s) => fc.tuple(tensorOf(s), indices(s[0]!)));
    fc.assert(
      fc.property(arb, fc.gen(), ([x, idx], g) => {
        expectVjpMatches(`gather [${idx.join(', ')}]`, (t) => gather(t, idx), [x], g);
        expectVjpMatches('gather (Int32Array)', (t) => gather(t, Int32Array.from(idx)), [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('concat of 1–3 tensors along a random axis (all operands)', () => {
    const arb = shape({ minRank: 1, maxRank: 3, maxSide: 3 }).chain((base) =>
      fc.integer({ min: 0, max: base.length - 1 }).chain((axis) =>
        fc
          .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })
          .chain((sides) => fc.tuple(...sides.map((d) => tensorOf(base.map((b, i) => (i === axis ? d : b))))))
          .map((xs) => [xs, axis] as const),
      ),
    );
    fc.assert(
      fc.property(arb, fc.boolean(), fc.gen(), ([xs, axis], negAxis, g) => {
        const ax = negAxis ? axis - xs[0]!.rank : axis;
        expectVjpMatches(`concat axis=${ax}`, (...ts) => concat(ts, ax), xs, g);
      }),
      fcParams(RUNS),
    );
  });
});

// ------------------------------------------------------------------ composites

describe('composite VJPs (no rules of their own) match finite differences', () => {
  it('square and sumSquares', () => {
    fc.assert(
      fc.property(shape(SHAPES).chain((s) => tensorOf(s)), fc.gen(), (x, g) => {
        expectVjpMatches('square', square, [x], g);
        expectVjpMatches('sumSquares', sumSquares, [x], g);
      }),
      fcParams(RUNS),
    );
  });

  it('softmaxCrossEntropy with random batch, classes and labels', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([b, c]) => fc.tuple(tensorOf([b, c], float({ min: -10, max: 10 })), labels(b, c)));
    fc.assert(
      fc.property(arb, fc.gen(), ([z, y], g) => {
        expectVjpMatches(`softmaxCrossEntropy labels=[${y.join(', ')}]`, (t) => softmaxCrossEntropy(t, y), [z], g);
      }),
      fcParams(RUNS),
    );
  });

  it('a small network: tanh(x W1 + b1) W2 through logSoftmax, all parameters at once', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
      .chain(([b, d, h, c]) =>
        fc.tuple(tensorOf([b, d]), tensorOf([d, h], float({ min: -1, max: 1 })), tensorOf([h]), tensorOf([h, c], float({ min: -1, max: 1 })), labels(b, c)),
      );
    fc.assert(
      fc.property(arb, ([x, w1, b1, w2, y]) => {
        const loss = (W1: Tensor, B1: Tensor, W2: Tensor): Tensor => mean(softmaxCrossEntropy(matmul(tanh(add(matmul(x, W1), B1)), W2), y));
        const report = checkGrad(loss, [w1, b1, w2], TOL);
        expect(report.ok, JSON.stringify(report)).toBe(true);
      }),
      fcParams(RUNS),
    );
  });
});

describe('stopGradient', () => {
  it('blocks the gradient: d/dx Σ x·stop(x) = stop(x) = x', () => {
    fc.assert(
      fc.property(shape(SHAPES).chain((s) => tensorOf(s)), (x) => {
        const gx = grad((t: Tensor) => sum(mul(t, stopGradient(t))))(x) as Tensor;
        expect(gx.toArray()).toEqual(x.toArray());
        const g0 = grad((t: Tensor) => sum(stopGradient(t)))(x) as Tensor;
        expect(g0.toFloat64Array().every((v) => v === 0)).toBe(true);
      }),
      fcParams(RUNS),
    );
  });
});
