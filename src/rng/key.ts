// Seeded keys: immutable 64-bit values that are split and folded, never advanced (JAX-style).
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

declare const keyBrand: unique symbol;

/**
 * A random key: two uint32 words `[hi, lo]` in a frozen array.
 *
 * A key is a value, not a generator: the same key always gives the same
 * draws, and new randomness comes only from {@link split} and {@link foldIn}.
 * It serialises as plain JSON (`[hi, lo]`); {@link isKey} turns a parsed value
 * back into a `Key`.
 *
 * @example
 * const k = key(42);
 * JSON.stringify(k); // returns '[3184996902,803958421]'
 * isKey(JSON.parse(JSON.stringify(k))); // returns true
 */
export type Key = readonly [number, number] & { readonly [keyBrand]: true };

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n; // SplitMix64 increment (odd)
const SPLIT_DOMAIN = 0x73706c6974n; // "split"
const FOLD_DOMAIN = 0x666f6c64n; // "fold"

/** SplitMix64's finaliser: a bijection on 64-bit integers with full avalanche. */
function mix64(x: bigint): bigint {
  let z = x & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function toBig(k: Key): bigint {
  return (BigInt(k[0]) << 32n) | BigInt(k[1]);
}

function fromBig(x: bigint): Key {
  const words = [Number((x >> 32n) & 0xffffffffn), Number(x & 0xffffffffn)];
  return Object.freeze(words) as unknown as Key;
}

/**
 * Child `data` of `k` in a domain. For a fixed key and domain the map
 * data ↦ child is a bijection on 64-bit integers, so distinct data give
 * distinct keys.
 */
function derive(k: Key, domain: bigint, data: bigint): Key {
  const base = mix64(toBig(k) ^ domain);
  return fromBig(mix64(base + (data + 1n) * GAMMA));
}

function assertSafeInteger(fn: string, name: string, x: unknown): asserts x is number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) {
    throw new Error(`${fn}: ${name} must be a safe integer (|${name}| ≤ 2^53 − 1), got ${String(x)}`);
  }
}

/**
 * Make a key from an integer seed. The seed must be a safe integer; NaN,
 * ±Infinity, fractions and integers beyond 2^53 − 1 in magnitude throw.
 * The key is the first SplitMix64 output for the seed (as a 64-bit integer).
 *
 * @example
 * const k = key(42);
 * uniform(k, 2); // the same two numbers on every run
 * key(1.5); // throws "key: seed must be a safe integer ..."
 */
export function key(seed: number): Key {
  assertSafeInteger('key', 'seed', seed);
  return fromBig(mix64(BigInt.asUintN(64, BigInt(seed)) + GAMMA));
}

/**
 * Split a key into `n ≥ 1` independent child keys (deterministic).
 * Child i is a hash of (k, "split", i), so `split(k, 3)[0..1]` equals `split(k, 2)`.
 * Use each child for one purpose and do not reuse the parent.
 *
 * @example
 * const [kData, kInit] = split(key(0));
 * const x0 = normal(kInit, 10);
 * const batch = choice(kData, 60000, 32);
 */
export function split(k: Key, n = 2): Key[] {
  assertKey('split', k);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`split: n must be a positive integer, got ${String(n)}`);
  }
  const children: Key[] = [];
  for (let i = 0; i < n; i++) children.push(derive(k, SPLIT_DOMAIN, BigInt(i)));
  return children;
}

/**
 * Derive a key from `k` and an integer, e.g. a step number or a worker id.
 * Different data give different keys (a bijection on data mod 2^64), and
 * folded keys are unrelated to split keys.
 *
 * @example
 * const k = key(0);
 * const kStep = foldIn(k, 17); // the key for step 17
 * JSON.stringify(foldIn(k, 1)) === JSON.stringify(foldIn(k, 2)); // returns false
 */
export function foldIn(k: Key, data: number): Key {
  assertKey('foldIn', k);
  assertSafeInteger('foldIn', 'data', data);
  return derive(k, FOLD_DOMAIN, BigInt.asUintN(64, BigInt(data)));
}

/**
 * The key's two uint32 words `[hi, lo]` as a fresh mutable array.
 *
 * @example
 * keyData(key(42)); // returns [3184996902, 803958421]
 */
export function keyData(k: Key): [number, number] {
  assertKey('keyData', k);
  return [k[0], k[1]];
}

/**
 * Whether `x` is a key: an array of exactly two integers in [0, 2^32).
 * Use it to restore a key from JSON.
 *
 * @example
 * const restored: unknown = JSON.parse(JSON.stringify(key(3)));
 * if (isKey(restored)) uniform(restored, 1); // same draw as uniform(key(3), 1)
 */
export function isKey(x: unknown): x is Key {
  const isWord = (w: unknown): boolean =>
    typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff;
  return Array.isArray(x) && x.length === 2 && isWord(x[0]) && isWord(x[1]);
}

/** Throws an error naming `fn` unless `k` is a key. */
export function assertKey(fn: string, k: unknown): asserts k is Key {
  if (!isKey(k)) {
    throw new Error(`${fn}: expected a Key (two uint32 words, from key(seed)), got ${JSON.stringify(k)}`);
  }
}

/**
 * A fresh pure-rand xoroshiro128+ generator whose 128-bit state is the next
 * two SplitMix64 outputs after `k` (never all zero). Internal: use
 * {@link stream} or the samplers instead.
 */
export function generatorFor(k: Key): RandomGenerator {
  const x = toBig(k);
  const s0 = mix64(x + GAMMA);
  const s1 = mix64(x + 2n * GAMMA);
  const word = (v: bigint, shift: bigint): number => Number(BigInt.asIntN(32, v >> shift));
  // pure-rand's state layout: [s0 high, s0 low, s1 high, s1 low], as int32.
  return xoroshiro128plusFromState([word(s0, 32n), word(s0, 0n), word(s1, 32n), word(s1, 0n)]);
}
