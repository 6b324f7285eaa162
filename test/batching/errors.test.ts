// Bad input to the batch-statistics surface: clear errors, not wrong numbers.
import { describe, expect, it } from 'vitest';
import { batchGradStats, statistics, statsFromPerSampleGrads } from '../../src/batching/index.js';
import { add, matmul, reshape, sum, tensor, zeros, type Tensor } from '../../src/index.js';

const X = tensor([[1, 2], [3, 4], [5, 6]]);
const w0 = zeros([2, 1]);
const perSample = ([w]: readonly Tensor[]): Tensor => reshape(matmul(X, w!), [3]);

describe('batchGradStats rejects bad input', () => {
  it('losses of the wrong shape: [b, 1], a scalar, [b, 2]', () => {
    expect(() => batchGradStats(([w]) => matmul(X, w!), [w0], null)).toThrow(/per-sample losses of shape \[b\], got \[3, 1\]/);
    expect(() => batchGradStats(([w]) => sum(matmul(X, w!)), [w0], null)).toThrow(/shape \[b\], got \[\]/);
    expect(() => batchGradStats(([w]) => matmul(X, add(w!, zeros([2, 2]))), [w0], null)).toThrow(/shape \[b\], got \[3, 2\]/);
  });

  it('a loss function that does not return a tensor', () => {
    expect(() => batchGradStats((() => 3) as unknown as (ps: readonly Tensor[]) => Tensor, [w0], null)).toThrow(/shape \[b\], got number/);
  });

  it('a non-scalar regularizer', () => {
    expect(() => batchGradStats(perSample, [w0], null, { regularizer: ([w]) => w! })).toThrow(/regularizer must return a scalar, got \[2, 1\]/);
    expect(() =>
      batchGradStats(perSample, [w0], null, { regularizer: (() => 0.5) as unknown as (ps: readonly Tensor[]) => Tensor }),
    ).toThrow(/regularizer must return a scalar, got number/);
  });

  it('a scalar regularizer of shape [1] or [] is accepted', () => {
    expect(() => batchGradStats(perSample, [w0], null, { regularizer: ([w]) => sum(w!) })).not.toThrow();
    expect(() => batchGradStats(perSample, [w0], null, { regularizer: ([w]) => reshape(sum(w!), [1]) })).not.toThrow();
  });

  it('names that do not match the parameters, and a parameter that is not a tensor', () => {
    expect(() => batchGradStats(perSample, [w0], null, { names: ['a', 'b'] })).toThrow(/2 names for 1 parameter tensors/);
    expect(() => batchGradStats(perSample, [[0, 0] as unknown as Tensor], null)).toThrow(/parameter 0 is not a Tensor/);
  });

  it('an empty batch', () => {
    const E = zeros([0, 2]);
    expect(() => batchGradStats(([w]) => reshape(matmul(E, w!), [0]), [w0], null)).toThrow(/empty batch/);
  });
});

describe('statistics needs b ≥ 2', () => {
  it('one per-sample gradient (explicit)', () => {
    expect(() => statistics(statsFromPerSampleGrads([[1, 2, 3]]))).toThrow(/need a batch of b ≥ 2 per-sample gradients, got b = 1/);
  });

  it('a batch of one sample (engine)', () => {
    const X1 = tensor([[1, 2]]);
    const s = batchGradStats(([w]) => reshape(matmul(X1, w!), [1]), [w0], null);
    expect(s.b).toBe(1);
    expect(() => statistics(s)).toThrow(/b ≥ 2/);
  });
});

describe('statsFromPerSampleGrads rejects bad input', () => {
  it('non-finite gradients, with their position', () => {
    expect(() => statsFromPerSampleGrads([[1, 2], [NaN, 4]])).toThrow(/non-finite value NaN at row 1, column 0/);
    expect(() => statsFromPerSampleGrads([[1, Infinity], [3, 4]])).toThrow(/non-finite value Infinity at row 0, column 1/);
    expect(() => statsFromPerSampleGrads({ data: Float64Array.of(1, 2, 3, -Infinity), b: 2, d: 2 })).toThrow(/non-finite value -Infinity at row 1, column 1/);
    expect(() => statsFromPerSampleGrads(tensor([[1, 2], [3, NaN]]))).toThrow(/non-finite/);
  });

  it('bad block ranges: a gap, an overlap, out of order, empty, past d, not covering d', () => {
    const G = [[1, 2, 3, 4], [5, 6, 7, 8]];
    expect(() => statsFromPerSampleGrads(G, [[0, 1], [2, 4]])).toThrow(/blocks must tile \[0, 4\) in order/); // gap
    expect(() => statsFromPerSampleGrads(G, [[0, 2], [1, 4]])).toThrow(/blocks must tile/); // overlap
    expect(() => statsFromPerSampleGrads(G, [[2, 4], [0, 2]])).toThrow(/blocks must tile/); // order
    expect(() => statsFromPerSampleGrads(G, [[0, 0], [0, 4]])).toThrow(/blocks must tile/); // empty block
    expect(() => statsFromPerSampleGrads(G, [[0, 5]])).toThrow(/blocks must tile/); // past d
    expect(() => statsFromPerSampleGrads(G, [[0, 3]])).toThrow(/blocks cover \[0, 3\) but d = 4/); // short
    expect(() => statsFromPerSampleGrads(G, [[-1, 4]])).toThrow(/blocks must tile/); // negative start
  });

  it('ragged rows, a wrong-size flat matrix, a non-matrix tensor, no rows', () => {
    expect(() => statsFromPerSampleGrads([[1, 2], [3]])).toThrow(/row 1 has length 1, expected 2/);
    expect(() => statsFromPerSampleGrads({ data: Float64Array.of(1, 2, 3), b: 2, d: 2 })).toThrow(/data has 3 values, expected b·d = 4/);
    expect(() => statsFromPerSampleGrads(tensor([1, 2, 3]))).toThrow(/expected a \[b, d\] tensor, got shape \[3\]/);
    expect(() => statsFromPerSampleGrads([])).toThrow(/no rows/);
  });
});
