// Unit tests of the shared problem helpers: validation, ids, linear algebra, special functions, data, instance keys.
import { describe, expect, it } from 'vitest';
import { key } from '../../../src/rng/index.js';
import { conditionedDesign, geometricSpectrum, randomOrthogonal } from '../../../problems/common/data.js';
import { intField, parseId } from '../../../problems/common/family.js';
import { hashString, instanceKey } from '../../../problems/common/instance.js';
import { choleskySolve, gram, lambdaMax, symEigenvalues } from '../../../problems/common/linalg.js';
import { erf, erfc, normalCdf } from '../../../problems/common/special.js';
import { checkBatchSize, checkPoint, ProblemArgumentError } from '../../../problems/common/validate.js';

describe('validation', () => {
  it('checkPoint names the problem and what was wrong', () => {
    expect(() => checkPoint('P', new Float64Array(2), 3)).toThrow('P: x has length 2, expected 3');
    expect(() => checkPoint('P', new Float64Array([1, NaN]), 2)).toThrow('P: x[1] is NaN; x must be finite');
    expect(() => checkPoint('P', new Float64Array([-Infinity]), 1)).toThrow('P: x[0] is -Infinity');
    expect(() => checkPoint('P', [1, 2], 2)).toThrow('P: x must be a Float64Array, got Array');
    expect(() => checkPoint('P', new Float64Array([1, 2]), 2)).not.toThrow();
  });
  it('checkBatchSize rejects b < 1, fractions, and b > n without replacement', () => {
    for (const b of [0, -1, 2.5, NaN, '3']) expect(() => checkBatchSize('P', b, 10, true)).toThrow(ProblemArgumentError);
    expect(() => checkBatchSize('P', 11, 10, false)).toThrow('P: batch size b = 11 exceeds the 10 samples');
    expect(() => checkBatchSize('P', 11, 10, true)).not.toThrow();
    expect(() => checkBatchSize('P', 10 ** 6, null, false)).not.toThrow();
  });
});

describe('ids', () => {
  const pattern = /^fam_d\d+_n\d+_i\d+(_k\d+(\.\d+)?)?$/;
  it('parses fields, with decimals', () => {
    expect(parseId('fam_d5_n100_i3_k2.5', pattern, 'form').fields).toEqual({ d: 5, n: 100, i: 3, k: 2.5 });
  });
  it('rejects ids off the pattern and fields out of range, naming the id', () => {
    expect(() => parseId('fam_d5_n100', pattern, 'fam_d<d>_n<n>_i<i>')).toThrow(
      "fam_d5_n100: unknown problem id; expected the form fam_d<d>_n<n>_i<i>",
    );
    const p = parseId('fam_d0_n100_i0', pattern, 'form');
    expect(() => intField('fam_d0_n100_i0', p, 'd', 1, 10)).toThrow("fam_d0_n100_i0: field 'd' must be an integer in [1, 10], got 0");
  });
  it('instance keys differ across every part and are stable', () => {
    expect(hashString('nclogreg')).toBe(hashString('nclogreg'));
    const ks = [instanceKey('a', [1, 2, 3]), instanceKey('a', [1, 2, 4]), instanceKey('a', [2, 1, 3]), instanceKey('b', [1, 2, 3])];
    expect(new Set(ks.map((k) => JSON.stringify(k))).size).toBe(4);
    expect(JSON.stringify(instanceKey('a', [1, 2, 3]))).toBe(JSON.stringify(ks[0]));
  });
});

describe('linear algebra', () => {
  it('symmetric eigenvalues match a known spectrum after a random rotation', () => {
    const d = 12;
    const Q = randomOrthogonal(key(1), d);
    const ev = Float64Array.from({ length: d }, (_, j) => (j - 4) * 0.75);
    const S = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) for (let j = 0; j < d; j++) S[a * d + c]! += Q[a * d + j]! * ev[j]! * Q[c * d + j]!;
    const got = symEigenvalues(S, d);
    for (let j = 0; j < d; j++) expect(got[j]!).toBeCloseTo(ev[j]!, 12);
    expect(lambdaMax(S, d)).toBeCloseTo(5.25, 12);
  });
  it('random orthogonal matrices are orthogonal', () => {
    const d = 9;
    const Q = randomOrthogonal(key(2), d);
    for (let a = 0; a < d; a++) {
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let r = 0; r < d; r++) s += Q[r * d + a]! * Q[r * d + c]!;
        expect(s).toBeCloseTo(a === c ? 1 : 0, 13);
      }
    }
  });
  it('Cholesky solves an SPD system and rejects an indefinite one', () => {
    const A = new Float64Array([4, 1, 1, 3]);
    const z = choleskySolve(A, new Float64Array([1, 2]), 2);
    expect(4 * z[0]! + z[1]!).toBeCloseTo(1, 14);
    expect(z[0]! + 3 * z[1]!).toBeCloseTo(2, 14);
    expect(() => choleskySolve(new Float64Array([1, 2, 2, 1]), new Float64Array(2), 2)).toThrow(/positive definite/);
  });
  it('gram computes (1/n) XᵀX, optionally weighted', () => {
    const X = new Float64Array([1, 2, 3, 4]);
    expect(Array.from(gram(X, 2, 2))).toEqual([5, 7, 7, 10]);
    expect(Array.from(gram(X, 2, 2, new Float64Array([2, 0])))).toEqual([1, 2, 2, 4]);
  });
});

describe('special functions', () => {
  // Reference values of erfc to 16 digits (standard tables).
  const table: [number, number][] = [
    [0.1, 0.8875370839817152], [0.5, 0.4795001221869535], [1, 0.15729920705028513], [1.5, 0.033894853524689274],
    [2, 0.004677734981047266], [2.5, 0.000406952017444959],
    [3, 2.209049699858544e-5], [3.5, 7.430983723414128e-7], [5, 1.5374597944280349e-12], [10, 2.088487583762545e-45],
  ];
  it('erfc matches reference values to relative error 1e-14', () => {
    for (const [x, v] of table) {
      expect(Math.abs(erfc(x) - v)).toBeLessThanOrEqual(1e-14 * v);
      expect(Math.abs(erfc(-x) - (2 - v))).toBeLessThanOrEqual(1e-15);
    }
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300946, 16);
  });
  it('erfc is continuous where the method switches (x = 1.5), to relative 3e-14 (a few ulps of 1 − erf)', () => {
    const below = erfc(1.5 - 1e-12);
    const above = erfc(1.5 + 1e-12);
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-2.25);
    expect(Math.abs(below - above - 2e-12 * slope)).toBeLessThan(3e-14 * erfc(1.5));
  });
});

describe('conditioned data', () => {
  it('the covariance spectrum has condition number κ exactly, and the empirical Gram is close for n ≫ d', () => {
    const s = geometricSpectrum(8, 1000);
    expect(s[0]).toBe(1);
    expect(s[0]! / s[7]!).toBeCloseTo(1000, 9);
    const { X } = conditionedDesign(key(3), 20000, 8, 1000);
    const ev = symEigenvalues(gram(X, 20000, 8), 8);
    expect(ev[7]!).toBeGreaterThan(0.95);
    expect(ev[7]!).toBeLessThan(1.05);
    expect(ev[0]!).toBeGreaterThan(0.95e-3);
    expect(ev[0]!).toBeLessThan(1.05e-3);
  });
});
