// Tensor construction, views over ndarrays, contiguity, dtype handling and construction errors.
import fc from 'fast-check';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { cast, fromArray, full, ones, scalar, shapeSize, Tensor, tensor, zeros } from '../../src/index.js';
import { fcParams, float, shape, tensorOf, values } from '../arbitraries.js';

describe('construction', () => {
  it('tensor() reads numbers, nested arrays and typed arrays', () => {
    expect(tensor(1.5).shape).toEqual([]);
    expect(tensor(1.5).toArray()).toBe(1.5);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.rank).toBe(2);
    expect(m.size).toBe(6);
    expect(m.get(1, 2)).toBe(6);
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor(Float32Array.from([1, 2])).dtype).toBe('float64');
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([1, 2], undefined, 'float32').nd.data).toBeInstanceOf(Float32Array);
  });

  it('tensor(values, shape).toArray() round-trips nested arrays (property)', () => {
    fc.assert(
      fc.property(shape({ maxRank: 4, minSide: 0 }).chain((s) => fc.tuple(fc.constant(s), values(shapeSize(s)))), ([s, v]) => {
        const t = tensor(v, s);
        expect(t.shape).toEqual(s);
        expect(Array.from(t.toFloat64Array())).toEqual(v);
        const again = tensor(t.toArray() as number | unknown[]);
        if (shapeSize(s) > 0) expect(again.shape).toEqual(s);
        expect(Array.from(again.toFloat64Array())).toEqual(v);
      }),
      fcParams(100),
    );
  });

  it('rejects ragged arrays, non-numbers and shapes that do not fit', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array');
    expect(() => tensor([[1], 2])).toThrow('tensor: ragged nested array');
    expect(() => tensor([1, [2]])).toThrow('tensor: ragged nested array');
    expect(() => tensor([[], [1]])).toThrow('tensor: ragged nested array');
    expect(() => tensor(['a'] as unknown as number[])).toThrow('tensor: expected numbers or arrays, got string');
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values do not fill shape [2, 2]');
    expect(() => tensor([1, 2], [2.5])).toThrow('tensor: invalid shape [2.5]');
    expect(() => fromArray(new Float64Array(3), [2, 2])).toThrow('fromArray: 3 values do not fill shape [2, 2]');
    expect(() => zeros([-1])).toThrow('full: invalid shape [-1]');
  });

  it('fromArray wraps the buffer without copying', () => {
    const d = new Float64Array([1, 2, 3, 4]);
    const t = fromArray(d, [2, 2]);
    expect(t.contiguous()).toBe(d);
    expect(fromArray(new Float32Array(3)).shape).toEqual([3]);
    expect(fromArray(new Float32Array(3)).dtype).toBe('float32');
  });

  it('zeros, ones, full and scalar', () => {
    expect(zeros([2, 1]).toArray()).toEqual([[0], [0]]);
    expect(ones([2]).toArray()).toEqual([1, 1]);
    expect(full([2], 7, 'float32').toArray()).toEqual([7, 7]);
    expect(full([2], 7, 'float32').dtype).toBe('float32');
    expect(zeros([]).toArray()).toBe(0);
    expect(scalar(3, 'float32').dtype).toBe('float32');
    expect(scalar(3).item()).toBe(3);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 0, 3])).toBe(0);
  });
});

describe('views and contiguity', () => {
  it('a transposed ndarray view is non-contiguous; contiguous() copies in row-major order', () => {
    const base = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(ndarray(base, [2, 3]).transpose(1, 0));
    expect(t.shape).toEqual([3, 2]);
    expect(t.isContiguous()).toBe(false);
    expect(Array.from(t.contiguous())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.get(2, 1)).toBe(6);
  });

  it('an offset row view is contiguous and shares the buffer', () => {
    const base = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(ndarray(base, [3, 2]).lo(1, 0));
    expect(t.isContiguous()).toBe(true);
    const c = t.contiguous();
    expect(Array.from(c)).toEqual([3, 4, 5, 6]);
    expect(c.buffer).toBe(base.buffer);
  });

  it('a column view is non-contiguous and copied', () => {
    const base = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(ndarray(base, [3, 2]).pick(null, 1));
    expect(t.isContiguous()).toBe(false);
    expect(Array.from(t.contiguous())).toEqual([2, 4, 6]);
  });

  it('toFloat64Array is a fresh copy', () => {
    const t = tensor([1, 2]);
    const a = t.toFloat64Array();
    a[0] = 9;
    expect(t.toArray()).toEqual([1, 2]);
  });
});

describe('dtype and accessors', () => {
  it('cast converts (rounding to float32) and is a no-op for the same dtype', () => {
    fc.assert(
      fc.property(shape().chain((s) => tensorOf(s, float({ min: -1e6, max: 1e6 }))), (x) => {
        expect(cast(x, 'float64')).toBe(x);
        const y = cast(x, 'float32');
        expect(y.dtype).toBe('float32');
        expect(y.shape).toEqual(x.shape);
        expect(Array.from(y.toFloat64Array())).toEqual(Array.from(x.toFloat64Array(), Math.fround));
        expect(cast(y, 'float64').dtype).toBe('float64');
      }),
      fcParams(50),
    );
  });

  it('item needs size 1; get needs one index per axis', () => {
    expect(tensor([[4]]).item()).toBe(4);
    expect(() => tensor([1, 2]).item()).toThrow('item: tensor has shape [2], expected size 1');
    expect(() => tensor([[1, 2]]).get(0)).toThrow('get: expected 2 indices, got 1');
    expect(tensor([[1, 2]]).toString()).toBe('Tensor([1, 2], float64)');
  });
});
