// Keys: construction, JSON round trip, split and foldIn determinism and distinctness, pinned values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldIn, isKey, key, keyData, split, uniform, type Key } from '../../src/rng/index.js';

const FC_SEED = 20240217; // fixed so CI is deterministic; fast-check prints it on failure
const text = (k: Key): string => JSON.stringify(k);

describe('key', () => {
  it('matches the published SplitMix64 first output for seed 0 (0xe220a8397b1dcdaf)', () => {
    expect(keyData(key(0))).toEqual([0xe220a839, 0x7b1dcdaf]);
  });

  it('pins key, split and foldIn for seed 42 (changing the derivation breaks old runs)', () => {
    expect(keyData(key(42))).toEqual([3184996902, 803958421]);
    expect(split(key(42)).map(keyData)).toEqual([
      [400264667, 1729898909],
      [984995120, 174979576],
    ]);
    expect(keyData(foldIn(key(42), 3))).toEqual([2127842021, 3709827058]);
  });

  it('is frozen, JSON-serialisable, and restored by isKey', () => {
    const k = key(123);
    expect(Object.isFrozen(k)).toBe(true);
    const restored: unknown = JSON.parse(JSON.stringify(k));
    expect(isKey(restored)).toBe(true);
    if (!isKey(restored)) throw new Error('unreachable');
    expect(uniform(restored, 8)).toEqual(uniform(k, 8));
  });

  it('keyData returns a copy', () => {
    const k = key(5);
    const data = keyData(k);
    data[0] = 0;
    expect(keyData(k)).toEqual(keyData(key(5)));
  });

  it('isKey rejects non-keys', () => {
    const sparse: unknown[] = [];
    sparse.length = 2;
    for (const x of [[1], [1, 2, 3], [-1, 0], [1.5, 0], [2 ** 32, 0], ['1', 2], sparse, 'k', null, { 0: 1, 1: 2, length: 2 }]) {
      expect(isKey(x), JSON.stringify(x)).toBe(false);
    }
    expect(isKey([0, 0xffffffff])).toBe(true);
  });

  it('distinct seeds give distinct keys; the same seed the same key', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeInteger(), (a, b) => {
        expect(text(key(a))).toBe(text(key(a)));
        if (a !== b) expect(text(key(a))).not.toBe(text(key(b)));
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

describe('split', () => {
  it('gives n distinct children, deterministically, with consistent prefixes', () => {
    const k = key(9);
    const five = split(k, 5).map(text);
    expect(split(k, 5).map(text)).toEqual(five);
    expect(split(k, 2).map(text)).toEqual(five.slice(0, 2));
    expect(split(k, 1).map(text)).toEqual(five.slice(0, 1));
    expect(new Set([...five, text(k)]).size).toBe(6);
  });

  it('children differ from folded keys with the same index', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const k = key(seed);
        const children = split(k, 4).map(text);
        const folded = [0, 1, 2, 3].map((i) => text(foldIn(k, i)));
        expect(new Set([...children, ...folded]).size).toBe(8);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});

describe('foldIn', () => {
  it('foldIn(k, 1) ≠ foldIn(k, 2)', () => {
    const k = key(0);
    expect(text(foldIn(k, 1))).not.toBe(text(foldIn(k, 2)));
  });

  it('different data give different keys, the same data the same key (negative data too)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeInteger(), fc.maxSafeInteger(), (seed, a, b) => {
        const k = key(seed);
        expect(text(foldIn(k, a))).toBe(text(foldIn(k, a)));
        if (a !== b) expect(text(foldIn(k, a))).not.toBe(text(foldIn(k, b)));
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

describe('argument errors name the function and the argument', () => {
  const k = key(1);
  it.each([
    ['key NaN', () => key(Number.NaN), /key: seed/],
    ['key 1.5', () => key(1.5), /key: seed/],
    ['key Infinity', () => key(Number.POSITIVE_INFINITY), /key: seed/],
    ['key 2^60', () => key(2 ** 60), /key: seed/],
    ['split n = 0', () => split(k, 0), /split: n/],
    ['split n = 1.5', () => split(k, 1.5), /split: n/],
    ['split bad key', () => split([1, 2, 3] as unknown as Key), /split: expected a Key/],
    ['foldIn 0.5', () => foldIn(k, 0.5), /foldIn: data/],
    ['foldIn NaN', () => foldIn(k, Number.NaN), /foldIn: data/],
    ['keyData bad key', () => keyData([-1, 0] as unknown as Key), /keyData: expected a Key/],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
