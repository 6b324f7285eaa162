// Forward values of the primitives against plain-loop references, float32 support, and shape/dtype errors naming the op.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, add, broadcastTo, concat, div, equal, exp, gather, grad, greater, greaterEqual, less, lessEqual, log, log1p,
  matmul, max, maximum, mul, neg, pow, relu, reshape, sigmoid, slice, softplus, sqrt, stopGradient, sub, sum, tanh,
  tensor, transpose, where, zeros, type Tensor,
} from '../../src/index.js';
import {
  axesOf, broadcastShapes, fcParams, float, indices, matmulDims, permutation, positive, shape, sliceOf, tensorOf,
  toTensor,
} from '../arbitraries.js';

const RUNS = 60;
const SHAPES = { maxRank: 4, maxSide: 4, maxSize: 64 } as const;

// ------------------------------------------------------------------ test-side index helpers

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let i = 0; i < shape.length; i++) f = f * shape[i]! + idx[i]!;
  return f;
}

/** The entry of an operand of `shape` that numpy broadcasting pairs with output index `outIdx`. */
function broadcastEntry(t: Tensor, outIdx: readonly number[]): number {
  const lead = outIdx.length - t.rank;
  return t.get(...t.shape.map((d, i) => (d === 1 ? 0 : outIdx[lead + i]!)));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-12, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Object.is(a, e)) continue;
    expect(Math.abs(a - e), `${what} entry ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

// ------------------------------------------------------------------ elementwise

describe('elementwise forward values', () => {
  const UNARY_REF: readonly [string, (x: Tensor) => Tensor, (x: number) => number, fc.Arbitrary<number>][] = [
    ['neg', neg, (x) => -x, float()],
    ['exp', exp, Math.exp, float({ min: -20, max: 20 })],
    ['log', log, Math.log, positive({ min: 1e-3, max: 1e3 })],
    ['log1p', log1p, Math.log1p, float({ min: -0.99, max: 100 })],
    ['sqrt', sqrt, Math.sqrt, positive({ min: 1e-3, max: 1e3 })],
    ['abs', abs, Math.abs, float()],
    ['tanh', tanh, Math.tanh, float()],
    ['sigmoid', sigmoid, (x) => 1 / (1 + Math.exp(-x)), float({ min: -30, max: 30 })],
    ['softplus', softplus, (x) => Math.log(1 + Math.exp(x)), float({ min: -30, max: 30 })],
    ['relu', relu, (x) => Math.max(x, 0), float()],
  ];
  for (const [name, fn, ref, elem] of UNARY_REF) {
    it(`${name} matches the scalar formula entry by entry`, () => {
      fc.assert(
        fc.property(shape(SHAPES).chain((s) => tensorOf(s, elem)), (x) => {
          const y = fn(x);
          expect(y.shape).toEqual(x.shape);
          expectClose(y.toFloat64Array(), Array.from(x.toFloat64Array(), ref), 1e-13, name);
        }),
        fcParams(RUNS),
      );
    });
  }

  it('sigmoid and softplus are stable at ±800 (values and gradients finite and exact)', () => {
    const x = tensor([-800, -40, 0, 40, 800]);
    const sg = sigmoid(x).toFloat64Array();
    expect([sg[0], sg[2], sg[4]]).toEqual([0, 0.5, 1]);
    expectClose(sg, [0, Math.exp(-40) / (1 + Math.exp(-40)), 0.5, 1 / (1 + Math.exp(-40)), 1], 1e-15, 'sigmoid');
    const ref40 = Math.exp(-40) / (1 + Math.exp(-40));
    expect(Math.abs(sg[1]! - ref40) / ref40).toBeLessThan(1e-14); // relative accuracy in the far left tail
    const sp = softplus(x).toFloat64Array();
    expect(sp[0]).toBe(0);
    expect(sp[2]).toBeCloseTo(Math.LN2, 15);
    expect(sp[3]).toBeCloseTo(40, 12);
    expect(sp[4]).toBe(800);
    expect(tanh(x).toArray()).toEqual([-1, -1, 0, 1, 1]);
    const gs = grad((t: Tensor) => sum(softplus(t)))(x) as Tensor;
    expect(gs.toArray()).toEqual(sigmoid(x).toArray());
    const gsig = (grad((t: Tensor) => sum(sigmoid(t)))(x) as Tensor).toFloat64Array();
    expect(gsig[0]).toBe(0);
    expect(gsig[2]).toBe(0.25);
    expect(gsig[4]).toBe(0);
    for (const v of [...sp, ...gsig]) expect(Number.isFinite(v)).toBe(true);
  });

  it('binary ops broadcast like numpy (checked against manual indexing)', () => {
    const ops: readonly [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
      ['add', add, (a, b) => a + b],
      ['sub', sub, (a, b) => a - b],
      ['mul', mul, (a, b) => a * b],
      ['div', div, (a, b) => a / b],
      ['maximum', maximum, Math.max],
      ['greater', greater, (a, b) => +(a > b)],
      ['greaterEqual', greaterEqual, (a, b) => +(a >= b)],
      ['less', less, (a, b) => +(a < b)],
      ['lessEqual', lessEqual, (a, b) => +(a <= b)],
      ['equal', equal, (a, b) => +(a === b)],
    ];
    // small integers make ties and equalities frequent
    const elem = fc.oneof(fc.integer({ min: -3, max: 3 }).map((v) => v + 0.5), float());
    const arb = broadcastShapes(2, SHAPES).chain(({ shapes: [sa, sb], out }) =>
      fc.tuple(tensorOf(sa!, elem), tensorOf(sb!, elem), fc.constant(out)),
    );
    fc.assert(
      fc.property(arb, ([a, b, out]) => {
        for (const [name, fn, ref] of ops) {
          const y = fn(a, b);
          expect(y.shape, name).toEqual(out);
          const expected = Array.from({ length: size(out) }, (_, f) => {
            const idx = unravel(f, out);
            return ref(broadcastEntry(a, idx), broadcastEntry(b, idx));
          });
          expectClose(y.toFloat64Array(), expected, 1e-15, name);
        }
      }),
      fcParams(RUNS),
    );
  });

  it('pow matches Math.pow under broadcasting, and its ∂/∂b is 0 (not NaN) where a = 0', () => {
    const arb = broadcastShapes(2, SHAPES).chain(({ shapes: [sa, sb] }) =>
      fc.tuple(tensorOf(sa!, positive()), tensorOf(sb!, float({ min: -3, max: 3 }))),
    );
    fc.assert(
      fc.property(arb, ([a, b]) => {
        const y = pow(a, b);
        const expected = Array.from({ length: y.size }, (_, f) => {
          const idx = unravel(f, y.shape);
          return Math.pow(broadcastEntry(a, idx), broadcastEntry(b, idx));
        });
        expectClose(y.toFloat64Array(), expected, 1e-14, 'pow');
      }),
      fcParams(RUNS),
    );
    const gb = grad((e: Tensor) => sum(pow(tensor([0, 2]), e)))(tensor([2, 3])) as Tensor;
    expect(gb.toArray()).toEqual([0, 8 * Math.log(2)]);
  });

  it('NaN propagates through every elementwise op (no op silently swallows a divergence)', () => {
    const x = tensor([NaN, 1]);
    for (const [name, fn] of UNARY_REF) expect(Number.isNaN(fn(x).toFloat64Array()[0]), name).toBe(true);
    for (const fn of [add, sub, mul, div, maximum, pow]) {
      expect(Number.isNaN(fn(x, tensor([2, 2])).toFloat64Array()[0]), fn.name).toBe(true);
      expect(Number.isNaN(fn(tensor([2, 2]), x).toFloat64Array()[0]), `${fn.name} (right)`).toBe(true);
    }
  });

  it('a number operand adopts the tensor dtype on either side', () => {
    const x = tensor([1, 2], undefined, 'float32');
    for (const y of [add(x, 1), add(1, x), sub(3, x), mul(x, 2), div(1, x), pow(x, 2), maximum(x, 1.5)]) {
      expect(y.dtype).toBe('float32');
    }
    expect(sub(3, x).toArray()).toEqual([2, 1]);
    expect(div(1, x).toArray()).toEqual([1, 0.5]);
    expect(add(2, 3).toArray()).toBe(5);
  });

  it('where selects with a broadcast condition (manual indexing)', () => {
    const arb = broadcastShapes(3, SHAPES).chain(({ shapes: [sc, sa, sb], out }) =>
      fc.tuple(tensorOf(sc!, fc.constantFrom(0, 1, -2)), tensorOf(sa!), tensorOf(sb!), fc.constant(out)),
    );
    fc.assert(
      fc.property(arb, ([c, a, b, out]) => {
        const y = where(c, a, b);
        expect(y.shape).toEqual(out);
        const expected = Array.from({ length: size(out) }, (_, f) => {
          const idx = unravel(f, out);
          return broadcastEntry(c, idx) !== 0 ? broadcastEntry(a, idx) : broadcastEntry(b, idx);
        });
        expect(Array.from(y.toFloat64Array())).toEqual(expected);
      }),
      fcParams(RUNS),
    );
    expect(where(tensor([1, 0]), 5, -5).toArray()).toEqual([5, -5]);
  });

  it('broadcastTo materialises the broadcast, including from rank 0', () => {
    expect(broadcastTo(tensor(5), [2]).toArray()).toEqual([5, 5]);
    expect(broadcastTo(tensor(5), [2, 2]).toArray()).toEqual([[5, 5], [5, 5]]);
    expect(broadcastTo(tensor([1, 2]), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(broadcastTo(tensor([[1], [2]]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(broadcastTo(tensor(7), []).toArray()).toBe(7);
    expect(grad((t: Tensor) => sum(broadcastTo(t, [3, 2])))(tensor(1)) as Tensor).toSatisfy((g: Tensor) => g.item() === 6);
  });
});

// ------------------------------------------------------------------ reductions

/** Reference reduction by a loop over every input entry. */
function reduceRef(x: Tensor, axes: readonly number[], keepdims: boolean, op: 'sum' | 'max'): { shape: number[]; data: number[] } {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const data = new Array<number>(size(kept)).fill(op === 'sum' ? 0 : -Infinity);
  const xs = x.toFloat64Array();
  for (let f = 0; f < x.size; f++) {
    const idx = unravel(f, x.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const o = ravel(idx, kept);
    data[o] = op === 'sum' ? data[o]! + xs[f]! : Math.max(data[o]!, xs[f]!);
  }
  return { shape: outShape, data };
}

const normalise = (axes: number[] | undefined, r: number): number[] =>
  axes === undefined ? [...Array(r).keys()] : [...new Set(axes.map((a) => (a < 0 ? a + r : a)))].sort((p, q) => p - q);

describe('reductions against loops', () => {
  it('sum and max over random axis subsets, with and without keepdims', () => {
    const arb = shape(SHAPES).chain((s) => fc.tuple(tensorOf(s), axesOf(s), fc.boolean()));
    fc.assert(
      fc.property(arb, ([x, axes, keep]) => {
        const norm = normalise(axes, x.rank);
        for (const op of ['sum', 'max'] as const) {
          const y = op === 'sum' ? sum(x, axes, keep) : max(x, axes, keep);
          const ref = reduceRef(x, norm, keep, op);
          expect(y.shape, op).toEqual(ref.shape);
          expectClose(y.toFloat64Array(), ref.data, 1e-13, op);
        }
      }),
      fcParams(RUNS),
    );
  });

  it('sum over an empty axis list is the identity; a zero-size axis sums to 0', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(sum(x, []).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(sum(zeros([0, 3]), 0).toArray()).toEqual([0, 0, 0]);
    expect(sum(zeros([3, 0]), 1).toArray()).toEqual([0, 0, 0]);
    expect(sum(tensor(2.5)).toArray()).toBe(2.5);
  });

  it('max propagates NaN and splits the gradient equally among ties', () => {
    expect(Number.isNaN(max(tensor([1, NaN, 3])).item())).toBe(true);
    const g = grad((t: Tensor) => max(t))(tensor([1, 3, 3, 2])) as Tensor;
    expect(g.toArray()).toEqual([0, 0.5, 0.5, 0]);
    const gm = grad((t: Tensor) => sum(maximum(t, tensor([2, 2]))))(tensor([2, 3])) as Tensor;
    expect(gm.toArray()).toEqual([0.5, 1]);
  });
});

// ------------------------------------------------------------------ linear algebra and shapes

describe('matmul and shape ops against references', () => {
  it('matmul equals the triple loop for random m, k, n (with exact zeros in a)', () => {
    const elem = fc.oneof(float(), fc.constant(0));
    const arb = matmulDims(7).chain(([m, k, n]) => fc.tuple(tensorOf([m, k], elem), tensorOf([k, n])));
    fc.assert(
      fc.property(arb, ([a, b]) => {
        const [m, k] = a.shape as [number, number];
        const n = b.shape[1]!;
        const y = matmul(a, b);
        expect(y.shape).toEqual([m, n]);
        const expected: number[] = [];
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
            expected.push(s);
          }
        }
        expectClose(y.toFloat64Array(), expected, 1e-13, 'matmul');
      }),
      fcParams(RUNS),
    );
  });

  it('transpose permutes indices: y[idx] = x[idx ∘ perm⁻¹]', () => {
    const arb = shape(SHAPES).chain((s) => fc.tuple(tensorOf(s), permutation(s.length)));
    fc.assert(
      fc.property(arb, ([x, perm]) => {
        const y = transpose(x, perm);
        expect(y.shape).toEqual(perm.map((p) => x.shape[p]!));
        for (let f = 0; f < y.size; f++) {
          const idx = unravel(f, y.shape);
          const src = new Array<number>(x.rank);
          perm.forEach((p, i) => (src[p] = idx[i]!));
          expect(y.toFloat64Array()[f]).toBe(x.get(...src));
        }
        expect(transpose(x).shape).toEqual([...x.shape].reverse());
      }),
      fcParams(RUNS),
    );
  });

  it('reshape keeps row-major order; −1 is inferred', () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    expect(reshape(x, [2, 3]).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(reshape(x, [-1, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(reshape(tensor([[1, 2], [3, 4]]), [4]).toArray()).toEqual([1, 2, 3, 4]);
    expect(reshape(tensor([7]), []).toArray()).toBe(7);
    expect(reshape(transpose(tensor([[1, 2], [3, 4]])), [4]).toArray()).toEqual([1, 3, 2, 4]);
  });

  it('slice equals manual windowing (also of slices)', () => {
    const arb = shape(SHAPES).chain((s) => fc.tuple(tensorOf(s), sliceOf(s, true)));
    fc.assert(
      fc.property(arb, ([x, { begin, size: sz }]) => {
        const y = slice(x, begin, sz);
        expect(y.shape).toEqual(sz);
        for (let f = 0; f < y.size; f++) {
          const idx = unravel(f, sz);
          expect(y.toFloat64Array()[f]).toBe(x.get(...idx.map((v, i) => v + begin[i]!)));
        }
      }),
      fcParams(RUNS),
    );
    const m = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(slice(m, [1, 1]).toArray()).toEqual([[5, 6], [8, 9]]);
    expect(slice(slice(m, [1, 0], [2, 3]), [0, 1], [-1, 1]).toArray()).toEqual([[5], [8]]);
  });

  it('gather picks rows (repeats allowed) from tensors of any rank ≥ 1', () => {
    const arb = shape({ ...SHAPES, minRank: 1 }).chain((s) => fc.tuple(tensorOf(s), indices(s[0]!, { minLength: 0 })));
    fc.assert(
      fc.property(arb, ([x, idx]) => {
        const y = gather(x, idx);
        expect(y.shape).toEqual([idx.length, ...x.shape.slice(1)]);
        const row = size(x.shape.slice(1));
        const xs = x.toFloat64Array();
        const expected = idx.flatMap((i) => Array.from(xs.subarray(i * row, (i + 1) * row)));
        expect(Array.from(y.toFloat64Array())).toEqual(expected);
        expect(gather(x, Int32Array.from(idx)).toArray()).toEqual(y.toArray());
      }),
      fcParams(RUNS),
    );
  });

  it('concat along each axis equals manual placement', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, tensor([[7], [8]])], 1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(concat([a, tensor([[7], [8]])], -1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(concat([tensor([1]), tensor([2, 3]), tensor([4])]).toArray()).toEqual([1, 2, 3, 4]);
    expect(concat([a]).toArray()).toEqual(a.toArray());
  });

  it('stopGradient keeps the values', () => {
    const x = tensor([[1, 2]]);
    expect(stopGradient(x).toArray()).toEqual([[1, 2]]);
    expect(stopGradient(x).node).toBeNull();
  });
});

// ------------------------------------------------------------------ float32

describe('float32', () => {
  const f32 = (v: number[], s?: number[]): Tensor => toTensor(v, s ?? [v.length], 'float32');

  it('every op keeps float32 and agrees with float64 to float32 precision', () => {
    const a = f32([0.5, -1.25, 2, 3], [2, 2]);
    const b = f32([1.5, 0.75, -2, 0.1], [2, 2]);
    const a64 = toTensor([0.5, -1.25, 2, 3], [2, 2]);
    const b64 = toTensor([1.5, 0.75, -2, 0.1], [2, 2]);
    const cases: [string, (x: Tensor, y: Tensor) => Tensor][] = [
      ['add', add], ['sub', sub], ['mul', mul], ['div', div], ['maximum', maximum], ['matmul', matmul],
      ['exp', (x) => exp(x)], ['tanh', (x) => tanh(x)], ['sigmoid', (x) => sigmoid(x)], ['softplus', (x) => softplus(x)],
      ['abs', (x) => abs(x)], ['relu', (x) => relu(x)], ['neg', (x) => neg(x)], ['log1p', (x) => log1p(abs(x))],
      ['sqrt', (x) => sqrt(abs(x))], ['log', (x) => log(abs(x))], ['pow', (x, y) => pow(abs(x), y)],
      ['sum', (x) => sum(x, 0)], ['max', (x) => max(x, 1, true)], ['broadcastTo', (x) => broadcastTo(x, [3, 2, 2])],
      ['reshape', (x) => reshape(x, [4])], ['transpose', (x) => transpose(x)], ['slice', (x) => slice(x, [0, 1], [2, 1])],
      ['gather', (x) => gather(x, [1, 1, 0])], ['concat', (x, y) => concat([x, y], 1)], ['where', (x, y) => where(greater(x, y), x, y)],
      ['stopGradient', (x) => stopGradient(x)],
    ];
    for (const [name, fn] of cases) {
      const y = fn(a, b);
      expect(y.dtype, name).toBe('float32');
      expect(y.nd.data, name).toBeInstanceOf(Float32Array);
      expectClose(y.toFloat64Array(), fn(a64, b64).toFloat64Array(), 1e-6, name);
    }
  });

  it('gradients of float32 functions are float32 and close to the float64 ones', () => {
    const f = (x: Tensor, w: Tensor): Tensor => sum(tanh(matmul(x, w)));
    const x = f32([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]);
    const w = f32([0.5, -1, 0.25, 0.75, -0.5, 1], [3, 2]);
    const g32 = grad(f, [0, 1])(x, w) as Tensor[];
    const g64 = grad(f, [0, 1])(toTensor(Array.from(x.toFloat64Array()), [2, 3]), toTensor(Array.from(w.toFloat64Array()), [3, 2])) as Tensor[];
    for (let i = 0; i < 2; i++) {
      expect(g32[i]!.dtype).toBe('float32');
      expectClose(g32[i]!.toFloat64Array(), g64[i]!.toFloat64Array(), 1e-6, `arg ${i}`);
    }
  });

  it('a float32/float64 mix throws an error naming the op and the shapes', () => {
    const a = f32([1, 2]);
    const b = tensor([1, 2]);
    const m32 = f32([1, 2, 3, 4], [2, 2]);
    const m64 = tensor([[1, 2], [3, 4]]);
    const cases: [string, () => unknown][] = [
      ['add', () => add(a, b)],
      ['sub', () => sub(b, a)],
      ['mul', () => mul(a, b)],
      ['div', () => div(a, b)],
      ['pow', () => pow(a, b)],
      ['maximum', () => maximum(b, a)],
      ['greater', () => greater(a, b)],
      ['where', () => where(tensor([1, 0]), a, b)],
      ['matmul', () => matmul(m32, m64)],
      ['concat', () => concat([a, b])],
    ];
    for (const [op, fn] of cases) {
      expect(fn, op).toThrow(new RegExp(`^${op}: .*float32.*float64|^${op}: .*float64.*float32`));
    }
    expect(() => add(a, b)).toThrow('add: dtype mismatch float32 [2] vs float64 [2]');
  });
});

// ------------------------------------------------------------------ shape errors

describe('shape errors name the op and the shapes', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['matmul mismatch', () => matmul(zeros([2, 3]), zeros([4, 5])), /^matmul: shapes \[2, 3\] and \[4, 5\] do not multiply/],
    ['matmul rank', () => matmul(zeros([2]), zeros([2, 2])), /^matmul: shapes \[2\] and \[2, 2\]/],
    ['add broadcast', () => add(zeros([2, 3]), zeros([4])), /^add: cannot broadcast shapes \[2, 3\] and \[4\]/],
    ['mul broadcast', () => mul(zeros([3, 1]), zeros([2, 2])), /^mul: cannot broadcast shapes \[3, 1\] and \[2, 2\]/],
    ['where broadcast', () => where(zeros([3]), zeros([2]), 0), /^where: cannot broadcast shapes \[3\] and \[2\] and \[\]/],
    ['broadcastTo', () => broadcastTo(zeros([2, 3]), [3]), /^broadcastTo: cannot broadcast \[2, 3\] to \[3\]/],
    ['broadcastTo incompatible', () => broadcastTo(zeros([2]), [3]), /^broadcastTo: cannot broadcast shapes \[2\] and \[3\]/],
    ['reshape size', () => reshape(zeros([2, 3]), [4]), /^reshape: cannot reshape \[2, 3\] \(size 6\) to \[4\]/],
    ['reshape −1', () => reshape(zeros([2, 3]), [-1, 4]), /^reshape: cannot reshape \[2, 3\] to \[-1, 4\]/],
    ['reshape two −1', () => reshape(zeros([2, 3]), [-1, -1]), /^reshape: cannot reshape \[2, 3\]/],
    ['slice out of range', () => slice(zeros([2, 3]), [1, 2], [1, 2]), /^slice: begin \[1, 2\] size \[1, 2\] out of range for shape \[2, 3\]/],
    ['slice negative begin', () => slice(zeros([2, 3]), [-1, 0]), /^slice: .*out of range for shape \[2, 3\]/],
    ['slice rank', () => slice(zeros([2, 3]), [0]), /^slice: begin\/size need 2 entries for shape \[2, 3\]/],
    ['gather out of range', () => gather(zeros([3, 2]), [0, 3]), /^gather: index 3 at position 1 out of range \[0, 3\)/],
    ['gather negative', () => gather(zeros([3, 2]), Int32Array.from([-1])), /^gather: index -1 at position 0 out of range \[0, 3\)/],
    ['gather non-integer', () => gather(zeros([3, 2]), [1.5]), /^gather: index 1.5 at position 0 out of range/],
    ['gather rank 0', () => gather(tensor(1), [0]), /^gather: needs rank ≥ 1, got shape \[\]/],
    ['concat mismatch', () => concat([zeros([2, 3]), zeros([2, 4])]), /^concat: shapes \[2, 3\], \[2, 4\] differ off axis 0/],
    ['concat rank', () => concat([zeros([2, 3]), zeros([3])]), /^concat: shapes \[2, 3\], \[3\] differ off axis 0/],
    ['concat axis', () => concat([zeros([2])], 1), /^concat: axis 1 out of range for rank 1/],
    ['concat empty', () => concat([]), /^concat: needs at least one tensor/],
    ['sum bad axis', () => sum(zeros([2, 3]), 2), /^sum: axis 2 out of range for shape \[2, 3\]/],
    ['sum negative axis', () => sum(zeros([2, 3]), [-3]), /^sum: axis -3 out of range for shape \[2, 3\]/],
    ['max bad axis', () => max(zeros([2, 3]), [0, 5]), /^max: axis 5 out of range for shape \[2, 3\]/],
    ['max empty', () => max(zeros([0, 3])), /^max: empty tensor \[0, 3\]/],
    ['transpose perm', () => transpose(zeros([2, 3]), [0, 0]), /^transpose: permutation \[0, 0\] does not fit shape \[2, 3\]/],
    ['transpose rank', () => transpose(zeros([2, 3]), [0, 1, 2]), /^transpose: permutation \[0, 1, 2\] does not fit shape \[2, 3\]/],
    ['non-tensor argument', () => exp([1, 2] as unknown as Tensor), /^exp: argument must be a Tensor/],
  ];
  for (const [name, fn, re] of cases) {
    it(name, () => {
      expect(fn).toThrow(re);
    });
  }
});
