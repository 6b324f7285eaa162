// Draws from a key: array samplers (uniform, normal, integers, choice, ...) and the RandomStream.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { assertKey, generatorFor, type Key } from './key.js';

// Reproducibility: every sampler is a fixed function of the key. Integer and
// uniform draws use only integer and exactly rounded float operations, so
// they are bit-identical everywhere. Normal draws also use Math.log, Math.sqrt,
// Math.cos and Math.sin: ECMAScript does not pin log/cos/sin to the last bit,
// so normal streams are guaranteed bit-identical across machines on V8
// (Node), whose implementations are fdlibm ports, not across engines.

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI;
const INT32_MIN = -2147483648;
const INT32_SPAN = 2147483648; // 2^31: hi ≤ 2^31 keeps every value in int32

/** A uniform multiple of 2^-53 in [0, 1), from the top bits of two outputs. */
function uniform53(rng: RandomGenerator): number {
  // NOTE: xoroshiro128+'s lowest output bits are weak (linear); the top 27
  // and 26 bits of two consecutive outputs are used instead.
  const high = rng.next() >>> 5;
  const low = rng.next() >>> 6;
  return (high * TWO_POW_26 + low) * TWO_POW_MINUS_53;
}

/** Box–Muller: two independent standard normals from two uniforms. */
function normalPair(rng: RandomGenerator): [number, number] {
  const u1 = 1 - uniform53(rng); // in (0, 1], so log(u1) is finite
  const u2 = uniform53(rng);
  const r = Math.sqrt(-2 * Math.log(u1));
  const theta = TWO_PI * u2;
  return [r * Math.cos(theta), r * Math.sin(theta)];
}

/** The largest double below the finite number x. */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

function checkCount(fn: string, name: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${fn}: ${name} must be a non-negative integer, got ${String(n)}`);
  }
}

function checkFinite(fn: string, name: string, x: unknown): asserts x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new Error(`${fn}: ${name} must be a finite number, got ${String(x)}`);
  }
}

function checkIntRange(fn: string, lo: number, hi: number, min: number, max: number): void {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || !(lo < hi) || lo < min || hi > max) {
    throw new Error(
      `${fn}: need integers lo < hi with ${min} ≤ lo and hi ≤ ${max}, got lo = ${String(lo)}, hi = ${String(hi)}`,
    );
  }
}

/**
 * The one stateful helper: sequential draws from one key, for generators that
 * need many draws of mixed kinds. It owns a private pure-rand generator and
 * never touches global state; two streams from the same key give the same
 * draws. `uniform(k, n)` and `normal(k, n)` equal the first n draws of
 * `stream(k).nextUniform()` / `stream(k).nextNormal()`.
 *
 * @example
 * const s = stream(key(0));
 * const u = s.nextUniform(); // in [0, 1)
 * const z = s.nextNormal(); // standard normal
 * const i = s.nextInt(0, 10); // integer in [0, 10)
 */
export interface RandomStream {
  /** A uniform double in [0, 1) (a multiple of 2^-53). */
  nextUniform(): number;
  /** A standard normal (Box–Muller; draws come in pairs, the second is kept for the next call). */
  nextNormal(): number;
  /** A uniform integer in [lo, hi), unbiased (rejection sampling); lo, hi safe integers. */
  nextInt(lo: number, hi: number): number;
}

class KeyStream implements RandomStream {
  readonly #rng: RandomGenerator;
  #spare: number | undefined = undefined;

  constructor(k: Key) {
    this.#rng = generatorFor(k);
  }

  nextUniform(): number {
    return uniform53(this.#rng);
  }

  nextNormal(): number {
    if (this.#spare !== undefined) {
      const z = this.#spare;
      this.#spare = undefined;
      return z;
    }
    const [z0, z1] = normalPair(this.#rng);
    this.#spare = z1;
    return z0;
  }

  nextInt(lo: number, hi: number): number {
    checkIntRange('RandomStream.nextInt', lo, hi, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return uniformInt(this.#rng, lo, hi - 1);
  }
}

/**
 * A {@link RandomStream} over the key `k`.
 *
 * @example
 * const s = stream(key(1));
 * [s.nextUniform(), s.nextUniform()]; // equals Array.from(uniform(key(1), 2))
 */
export function stream(k: Key): RandomStream {
  assertKey('stream', k);
  return new KeyStream(k);
}

/**
 * `n` uniform doubles in [lo, hi): lo + (hi − lo)·u with u a multiple of
 * 2^-53 in [0, 1) (a rounded result equal to hi is moved just below hi).
 *
 * @example
 * uniform(key(42), 2); // returns Float64Array [0.38968958027297995, 0.5836294829776126]
 * uniform(key(42), 2, -1, 1); // values in [-1, 1)
 */
export function uniform(k: Key, n: number, lo = 0, hi = 1): Float64Array {
  assertKey('uniform', k);
  checkCount('uniform', 'n', n);
  checkFinite('uniform', 'lo', lo);
  checkFinite('uniform', 'hi', hi);
  if (!(lo < hi) || !Number.isFinite(hi - lo)) {
    throw new Error(`uniform: need lo < hi with finite hi − lo, got lo = ${lo}, hi = ${hi}`);
  }
  const rng = generatorFor(k);
  const width = hi - lo;
  const top = nextDown(hi);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(lo + width * uniform53(rng), top);
  return out;
}

/**
 * `n` normal doubles with the given mean and standard deviation (std ≥ 0),
 * by Box–Muller from 53-bit uniforms. Bit-identical across runs and machines
 * on V8/Node (see the note at the top of this file).
 *
 * @example
 * normal(key(0), 2); // returns Float64Array [-0.12183340269864097, 0.7580780133348535]
 * normal(key(0), 2, 10, 0.5); // N(10, 0.5²)
 */
export function normal(k: Key, n: number, mean = 0, std = 1): Float64Array {
  assertKey('normal', k);
  checkCount('normal', 'n', n);
  checkFinite('normal', 'mean', mean);
  checkFinite('normal', 'std', std);
  if (std < 0) throw new Error(`normal: std must be ≥ 0, got ${std}`);
  const s = new KeyStream(k);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * s.nextNormal();
  return out;
}

/**
 * `n` integers uniform in [lo, hi), unbiased (pure-rand's uniformInt, which
 * rejects out-of-range draws). Needs −2^31 ≤ lo < hi ≤ 2^31.
 *
 * @example
 * integers(key(7), 5, 0, 100); // returns Int32Array [11, 26, 95, 84, 42]
 */
export function integers(k: Key, n: number, lo: number, hi: number): Int32Array {
  assertKey('integers', k);
  checkCount('integers', 'n', n);
  checkIntRange('integers', lo, hi, INT32_MIN, INT32_SPAN);
  const rng = generatorFor(k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = uniformInt(rng, lo, hi - 1);
  return out;
}

/** Options of {@link choice}. */
export interface ChoiceOptions {
  /** Sample with replacement (the default) or without. */
  readonly replace?: boolean;
}

/**
 * `b` indices into a population of `populationSize` items (1 ≤ populationSize ≤ 2^31).
 * With replacement: i.i.d. uniform indices. Without replacement (needs
 * b ≤ populationSize): a uniformly random ordered sample by a partial
 * Fisher–Yates shuffle over a sparse Map, O(b) time and memory whatever the
 * population, so choosing 10 of 60000 is cheap. Without replacement the result
 * equals the first b entries of `permutation(k, populationSize)`.
 *
 * @example
 * choice(key(0), 60000, 32); // a batch of 32 indices, i.i.d.
 * choice(key(0), 60000, 10, { replace: false }); // 10 distinct indices
 */
export function choice(k: Key, populationSize: number, b: number, options: ChoiceOptions = {}): Int32Array {
  assertKey('choice', k);
  if (!Number.isSafeInteger(populationSize) || populationSize < 1 || populationSize > INT32_SPAN) {
    throw new Error(`choice: populationSize must be an integer in [1, 2^31], got ${String(populationSize)}`);
  }
  checkCount('choice', 'b', b);
  const replace = options.replace ?? true;
  const rng = generatorFor(k);
  const out = new Int32Array(b);
  if (replace) {
    for (let i = 0; i < b; i++) out[i] = uniformInt(rng, 0, populationSize - 1);
    return out;
  }
  if (b > populationSize) {
    throw new Error(`choice: without replacement b must be ≤ populationSize, got b = ${b}, populationSize = ${populationSize}`);
  }
  // Position p of the virtual array holds moved.get(p) ?? p. Step i swaps
  // positions i and j ≥ i and emits position i, which is never read again.
  const moved = new Map<number, number>();
  for (let i = 0; i < b; i++) {
    const j = uniformInt(rng, i, populationSize - 1);
    out[i] = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
  }
  return out;
}

/**
 * A uniformly random permutation of 0..n−1 (Fisher–Yates, the same draws as
 * `choice(k, n, n, { replace: false })`). Needs 0 ≤ n ≤ 2^31.
 *
 * @example
 * permutation(key(3), 5); // Int32Array holding 0, 1, 2, 3, 4 in some order
 */
export function permutation(k: Key, n: number): Int32Array {
  assertKey('permutation', k);
  checkCount('permutation', 'n', n);
  if (n > INT32_SPAN) throw new Error(`permutation: n must be ≤ 2^31, got ${n}`);
  const rng = generatorFor(k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n; i++) {
    const j = uniformInt(rng, i, n - 1);
    const t = out[j] as number;
    out[j] = out[i] as number;
    out[i] = t;
  }
  return out;
}

/**
 * `n` Bernoulli(p) draws as 0/1 bytes (1 when u < p), 0 ≤ p ≤ 1.
 *
 * @example
 * bernoulli(key(5), 8, 0.25); // Uint8Array of 8 zeros and ones, about a quarter ones
 */
export function bernoulli(k: Key, n: number, p: number): Uint8Array {
  assertKey('bernoulli', k);
  checkCount('bernoulli', 'n', n);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new Error(`bernoulli: p must be in [0, 1], got ${String(p)}`);
  }
  const rng = generatorFor(k);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = uniform53(rng) < p ? 1 : 0;
  return out;
}
