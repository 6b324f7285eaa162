// Samplers: bit-for-bit reproducibility (pinned values), ranges, choice and permutation structure, argument errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulli,
  choice,
  integers,
  key,
  normal,
  permutation,
  split,
  stream,
  uniform,
  type Key,
} from '../../src/rng/index.js';

const FC_SEED = 20240217; // fixed so CI is deterministic; fast-check prints it on failure
// Hex of the raw bytes: compares bit patterns (so -0 ≠ 0 and NaN payloads count) and is fast.
const bytes = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('reproducibility', () => {
  it('pins the first values (a change of algorithm breaks cross-run reproducibility)', () => {
    expect(Array.from(uniform(key(42), 4))).toEqual([
      0.38968958027297995, 0.5836294829776126, 0.6719692724981882, 0.37519077978119386,
    ]);
    expect(Array.from(integers(key(7), 5, 0, 100))).toEqual([11, 26, 95, 84, 42]);
    // Uses Math.log/cos/sin: pinned for V8 (Node), see src/rng/random.ts.
    expect(Array.from(normal(key(0), 3))).toEqual([-0.12183340269864097, 0.7580780133348535, -0.4431869260456223]);
  });

  it('the same key gives bit-identical streams from every sampler', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 300 }), (seed, n) => {
        const k = key(seed);
        expect(bytes(uniform(k, n, -3, 5))).toBe(bytes(uniform(k, n, -3, 5)));
        expect(bytes(normal(k, n, 1, 2))).toBe(bytes(normal(k, n, 1, 2)));
        expect(bytes(integers(k, n, -50, 50))).toBe(bytes(integers(k, n, -50, 50)));
        expect(bytes(bernoulli(k, n, 0.3))).toBe(bytes(bernoulli(k, n, 0.3)));
        expect(bytes(choice(k, 1000, n))).toBe(bytes(choice(k, 1000, n)));
        expect(bytes(choice(k, 1000, n, { replace: false }))).toBe(bytes(choice(k, 1000, n, { replace: false })));
        expect(bytes(permutation(k, n))).toBe(bytes(permutation(k, n)));
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('shorter draws are prefixes of longer ones, and stream(k) gives the same draws', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 50 }), (seed, m) => {
        const k = key(seed);
        expect(bytes(uniform(k, m))).toBe(bytes(uniform(k, m + 7).subarray(0, m)));
        expect(bytes(normal(k, m))).toBe(bytes(normal(k, m + 7).subarray(0, m)));
        expect(bytes(integers(k, m, 0, 9))).toBe(bytes(integers(k, m + 7, 0, 9).subarray(0, m)));
        const su = stream(k);
        const sn = stream(k);
        const si = stream(k);
        expect(Float64Array.from({ length: m }, () => su.nextUniform())).toEqual(uniform(k, m));
        expect(Float64Array.from({ length: m }, () => sn.nextNormal())).toEqual(normal(k, m));
        expect(Int32Array.from({ length: m }, () => si.nextInt(0, 9))).toEqual(integers(k, m, 0, 9));
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('different keys give different streams', () => {
    const [a, b] = split(key(3)) as [Key, Key];
    expect(bytes(uniform(a, 4))).not.toBe(bytes(uniform(b, 4)));
  });
});

describe('ranges', () => {
  it('uniform stays in [lo, hi), even when hi − lo is one ulp', () => {
    fc.assert(
      fc.property(
        fc.maxSafeInteger(),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-9, max: 1e6, noNaN: true }),
        (seed, lo, width) => {
          const hi = lo + width;
          fc.pre(lo < hi);
          for (const x of uniform(key(seed), 200, lo, hi)) expect(x >= lo && x < hi).toBe(true);
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
    const hi = 1 + Number.EPSILON; // the only double in [1, hi) is 1
    expect(Array.from(new Set(uniform(key(0), 1000, 1, hi)))).toEqual([1]);
  });

  it('integers stay in [lo, hi) and reach both ends; the full int32 range works', () => {
    const small = integers(key(1), 2000, -3, 4);
    expect(Math.min(...small)).toBe(-3);
    expect(Math.max(...small)).toBe(3);
    for (const x of integers(key(2), 2000, -(2 ** 31), 2 ** 31)) expect(Number.isInteger(x)).toBe(true);
    expect(stream(key(3)).nextInt(2 ** 40, 2 ** 40 + 1)).toBe(2 ** 40);
  });

  it('bernoulli gives only 0 and 1, all 0 at p = 0 and all 1 at p = 1', () => {
    expect(bernoulli(key(4), 100, 0).every((x) => x === 0)).toBe(true);
    expect(bernoulli(key(4), 100, 1).every((x) => x === 1)).toBe(true);
    expect(new Set(bernoulli(key(4), 100, 0.5))).toEqual(new Set([0, 1]));
  });
});

describe('choice and permutation', () => {
  it('permutation is a permutation', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 500 }), (seed, n) => {
        const p = Array.from(permutation(key(seed), n)).sort((x, y) => x - y);
        expect(p).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('without replacement: distinct, in range, the prefix of the permutation', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 500 }), fc.nat(), (seed, size, r) => {
        const b = r % (size + 1);
        const k = key(seed);
        const c = choice(k, size, b, { replace: false });
        expect(new Set(c).size).toBe(b);
        for (const i of c) expect(i >= 0 && i < size).toBe(true);
        expect(c).toEqual(permutation(k, size).subarray(0, b));
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('without replacement costs O(b), not O(populationSize)', () => {
    // A dense algorithm would need 8 GiB here and fail.
    const c = choice(key(5), 2 ** 31, 10, { replace: false });
    expect(new Set(c).size).toBe(10);
    for (const i of c) expect(i >= 0 && i <= 2 ** 31 - 1).toBe(true);
  });

  it('with replacement covers the range and stays in it', () => {
    // P(some index missing) ≤ 10 · 0.9^1000 < 1e-44.
    const c = choice(key(6), 10, 1000);
    expect(Array.from(new Set(c)).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(choice(key(6), 1, 5)).toEqual(new Int32Array(5));
  });
});

describe('argument errors name the function and the argument', () => {
  const k = key(1);
  it.each([
    ['uniform n = -1', () => uniform(k, -1), /uniform: n/],
    ['uniform n = 2.5', () => uniform(k, 2.5), /uniform: n/],
    ['uniform lo = hi', () => uniform(k, 3, 1, 1), /uniform: .*lo < hi/],
    ['uniform hi NaN', () => uniform(k, 3, 0, Number.NaN), /uniform: hi/],
    ['uniform overflow', () => uniform(k, 3, -1e308, 1e308), /uniform: .*finite hi − lo/],
    ['uniform bad key', () => uniform([1, 2, 3] as unknown as Key, 2), /uniform: expected a Key/],
    ['normal std < 0', () => normal(k, 2, 0, -1), /normal: std/],
    ['normal mean NaN', () => normal(k, 2, Number.NaN), /normal: mean/],
    ['integers lo = hi', () => integers(k, 3, 5, 5), /integers: .*lo < hi/],
    ['integers hi > 2^31', () => integers(k, 3, 0, 2 ** 31 + 1), /integers: .*hi/],
    ['integers lo fractional', () => integers(k, 3, 0.5, 4), /integers: .*lo = 0.5/],
    ['choice b > size', () => choice(k, 10, 11, { replace: false }), /choice: .*b = 11/],
    ['choice size = 0', () => choice(k, 0, 1), /choice: populationSize/],
    ['choice b = -1', () => choice(k, 10, -1), /choice: b/],
    ['permutation n = -1', () => permutation(k, -1), /permutation: n/],
    ['bernoulli p = 1.5', () => bernoulli(k, 2, 1.5), /bernoulli: p/],
    ['bernoulli p NaN', () => bernoulli(k, 2, Number.NaN), /bernoulli: p/],
    ['stream bad key', () => stream({} as unknown as Key), /stream: expected a Key/],
    ['nextInt lo = hi', () => stream(k).nextInt(3, 3), /RandomStream.nextInt: .*lo < hi/],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
