/**
 * The one shared module of fast-check arbitraries for the test suites: bounded,
 * NaN-free numbers, shapes, broadcast-compatible shape tuples, reduction axes,
 * index arrays and tensors. Every property suite draws from here, so a bound or
 * a kink margin is decided once.
 *
 * Conventions:
 * - Numbers come from `fc.double({ min, max, noNaN: true, noDefaultInfinity: true })`
 *   (fast-check's `double()` includes NaN and ±∞ by default). Nothing here yields
 *   NaN, ±∞ or values outside the stated bounds.
 * - Shapes have bounded rank and side and a bounded total size (`maxSize`), so a
 *   finite-difference check of a generated tensor costs at most 2·maxSize calls.
 * - Sides are ≥ 1 unless `minSide: 0` is asked for (empty tensors make means and
 *   maxima undefined, so gradient properties keep them out).
 * - Run properties with `fcParams(numRuns)`: a fixed seed (override with the
 *   environment variable ADADAGRAD_FC_SEED to explore), and fast-check prints the
 *   seed and path of any failure so it can be replayed.
 *
 * @example
 * fc.assert(
 *   fc.property(tensorArb({ maxRank: 2 }), (x) => { ... }),
 *   fcParams(50),
 * );
 */
import fc from 'fast-check';
import { fromArray } from '../src/tensor/tensor.js';
import type { DType, Shape, Tensor } from '../src/tensor/tensor.js';

// ------------------------------------------------------------------ run parameters

/** The fixed seed of every property run (ADADAGRAD_FC_SEED overrides it). */
export const FC_SEED: number = (() => {
  const env = typeof process !== 'undefined' ? process.env['ADADAGRAD_FC_SEED'] : undefined;
  const parsed = env !== undefined && env !== '' ? Number(env) : NaN;
  return Number.isInteger(parsed) ? parsed : 20240217;
})();

/**
 * fast-check parameters: the shared fixed seed, `numRuns` runs, and a time cap.
 * The cap matters on failure: shrinking many doubles (e.g. a drawn cotangent) can
 * take minutes, and an interrupted shrink still reports the failure with its seed
 * and path. A passing property here takes well under a second.
 */
export function fcParams(numRuns: number): { seed: number; numRuns: number; interruptAfterTimeLimit: number } {
  return { seed: FC_SEED, numRuns, interruptAfterTimeLimit: 20_000 };
}

// ------------------------------------------------------------------ numbers

export interface RangeOptions {
  readonly min?: number;
  readonly max?: number;
}

/** A float64 in [min, max] (default [−5, 5]); never NaN or ±∞. */
export function float(opts: RangeOptions = {}): fc.Arbitrary<number> {
  const min = opts.min ?? -5;
  const max = opts.max ?? 5;
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`float: bad range [${min}, ${max}]`);
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * A positive float64 in [min, max] (default [0.1, 5]): domains of log, sqrt, and
 * pow bases, kept off 0 where those functions or their derivatives blow up.
 */
export function positive(opts: RangeOptions = {}): fc.Arbitrary<number> {
  const min = opts.min ?? 0.1;
  const max = opts.max ?? 5;
  if (!(min > 0)) throw new Error(`positive: min must be > 0, got ${min}`);
  return float({ min, max });
}

export interface AwayOptions {
  /** Smallest allowed distance from `from` (default 1e-3). */
  readonly margin?: number;
  /** Largest allowed distance from `from` (default 5). */
  readonly max?: number;
  /** The kink to stay away from (default 0). */
  readonly from?: number;
}

/**
 * A float64 x with margin ≤ |x − from| ≤ max, of either sign: for abs and relu
 * (kink at 0), and for denominators. Finite differences with step ≤ 1e-5·max(1,|x|)
 * then never straddle the kink.
 */
export function awayFrom(opts: AwayOptions = {}): fc.Arbitrary<number> {
  const margin = opts.margin ?? 1e-3;
  const max = opts.max ?? 5;
  const from = opts.from ?? 0;
  return fc
    .tuple(fc.boolean(), float({ min: margin, max }))
    .map(([negative, d]) => from + (negative ? -d : d));
}

/**
 * n float64 values, pairwise at least `spacing`/2 apart (default spacing 0.01),
 * in [−range − spacing, range + spacing] (default range 5; widened when n does not
 * fit): no ties for max and maximum, so their derivative is defined and finite
 * differences do not cross a switch.
 */
export function distinctValues(n: number, opts: { spacing?: number; range?: number } = {}): fc.Arbitrary<number[]> {
  const spacing = opts.spacing ?? 0.01;
  const range = opts.range ?? 5;
  const slots = Math.max(n, Math.floor(range / spacing));
  // distinct integer grid points, each jittered by at most a quarter spacing
  return fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: -slots, max: slots }), { minLength: n, maxLength: n }),
      fc.array(float({ min: -spacing / 4, max: spacing / 4 }), { minLength: n, maxLength: n }),
    )
    .map(([grid, jitter]) => grid.map((g, i) => g * spacing + jitter[i]!));
}

/**
 * Two arrays of n float64 values in [−range, range] with |a_i − b_i| ≥ gap
 * (default gap 1e-2, range 5): elementwise maximum without ties.
 */
export function separatedPairs(n: number, opts: { gap?: number; range?: number } = {}): fc.Arbitrary<[number[], number[]]> {
  const gap = opts.gap ?? 1e-2;
  const range = opts.range ?? 5;
  const one = fc
    .tuple(float({ min: -range, max: range - gap }), float({ min: gap, max: range }), fc.boolean())
    .map(([a, d, swap]): [number, number] => {
      const b = Math.min(range, a + d);
      return swap ? [b, a] : [a, b];
    })
    .filter(([a, b]) => Math.abs(a - b) >= gap);
  return fc.array(one, { minLength: n, maxLength: n }).map((pairs) => [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
}

// ------------------------------------------------------------------ shapes

export interface ShapeOptions {
  /** Default 0 (scalars included). */
  readonly minRank?: number;
  /** Default 3. */
  readonly maxRank?: number;
  /** Default 1. Use 0 to allow empty tensors. */
  readonly minSide?: number;
  /** Default 4. */
  readonly maxSide?: number;
  /** Upper bound on the number of entries (default 48); larger draws are shrunk side by side. */
  readonly maxSize?: number;
}

function capSize(shape: number[], maxSize: number, minSide: number): number[] {
  const s = shape.slice();
  let size = s.reduce((p, d) => p * d, 1);
  // shrink the largest side until the size fits (never below minSide, never below 1 when minSide ≥ 1)
  while (size > maxSize) {
    let arg = 0;
    for (let i = 1; i < s.length; i++) if (s[i]! > s[arg]!) arg = i;
    if (s[arg]! <= Math.max(1, minSide)) break;
    s[arg] = s[arg]! - 1;
    size = s.reduce((p, d) => p * d, 1);
  }
  return s;
}

/** A shape with bounded rank, side and total size. */
export function shape(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const minRank = opts.minRank ?? 0;
  const maxRank = opts.maxRank ?? 3;
  const minSide = opts.minSide ?? 1;
  const maxSide = opts.maxSide ?? 4;
  const maxSize = opts.maxSize ?? 48;
  return fc
    .array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank })
    .map((s) => capSize(s, maxSize, minSide));
}

/** The numpy broadcast of shapes (a test-side reference; throws on mismatch). */
export function broadcastRef(...shapes: Shape[]): number[] {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(r).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const oi = r - s.length + i;
      const d = s[i]!;
      if (d === out[oi] || d === 1) continue;
      if (out[oi] === 1) out[oi] = d;
      else throw new Error(`broadcastRef: incompatible shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' ')}`);
    }
  }
  return out;
}

/** A shape that broadcasts to `target`: some leading axes dropped, some sides set to 1. */
export function broadcastableTo(target: Shape): fc.Arbitrary<number[]> {
  const r = target.length;
  return fc
    .tuple(fc.integer({ min: 0, max: r }), fc.array(fc.boolean(), { minLength: r, maxLength: r }))
    .map(([drop, ones]) => target.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/**
 * `count` mutually broadcast-compatible shapes (default 2) and their broadcast
 * `out`: each operand is a target shape with leading axes dropped and some sides
 * set to 1, so rank differences and size-1 axes on either side both occur.
 */
export function broadcastShapes(
  count = 2,
  opts: ShapeOptions = {},
): fc.Arbitrary<{ shapes: number[][]; out: number[] }> {
  return shape(opts).chain((target) =>
    fc
      .array(broadcastableTo(target), { minLength: count, maxLength: count })
      .map((shapes) => ({ shapes, out: broadcastRef(...shapes) })),
  );
}

/**
 * A reduction axis argument for a tensor of the given shape, drawn as a
 * (possibly empty) subset of the axes; each axis may be written in its negative
 * form. Returns `undefined` (meaning all axes) with some probability when
 * `allowUndefined` is set.
 */
export function axesOf(shape: Shape, allowUndefined = true): fc.Arbitrary<number[] | undefined> {
  const r = shape.length;
  const subset = fc
    .tuple(fc.subarray([...Array(r).keys()]), fc.array(fc.boolean(), { minLength: r, maxLength: r }))
    .map(([axes, negs]) => axes.map((a) => (negs[a] ? a - r : a)));
  return allowUndefined ? fc.oneof(subset, fc.constant(undefined)) : subset;
}

/** Matrix product sides [m, k, n], each in [1, maxSide] (default 5). */
export function matmulDims(maxSide = 5): fc.Arbitrary<[number, number, number]> {
  const side = fc.integer({ min: 1, max: maxSide });
  return fc.tuple(side, side, side);
}

/** A permutation of [0, r). */
export function permutation(r: number): fc.Arbitrary<number[]> {
  return fc.shuffledSubarray([...Array(r).keys()], { minLength: r, maxLength: r });
}

/** A slice window of `shape`: begin and size per axis, within range (sizes may be 0 when allowEmpty). */
export function sliceOf(shape: Shape, allowEmpty = false): fc.Arbitrary<{ begin: number[]; size: number[] }> {
  const per = shape.map((d) =>
    fc.integer({ min: 0, max: allowEmpty ? d : Math.max(0, d - 1) }).chain((b) =>
      fc.integer({ min: allowEmpty ? 0 : Math.min(1, d - b), max: d - b }).map((s) => [b, s] as const),
    ),
  );
  return fc.tuple(...per).map((pairs) => ({ begin: pairs.map((p) => p[0]), size: pairs.map((p) => p[1]) }));
}

// ------------------------------------------------------------------ indices and labels

/**
 * Row indices into an axis of length n (n ≥ 1), of length in [minLength, maxLength]
 * (default [1, 2n]). With `withRepeat` (default true) the first index is appended
 * again, so a repeated index always occurs (gather's VJP must accumulate).
 */
export function indices(
  n: number,
  opts: { minLength?: number; maxLength?: number; withRepeat?: boolean } = {},
): fc.Arbitrary<number[]> {
  if (!(n >= 1)) throw new Error(`indices: need n ≥ 1, got ${n}`);
  const withRepeat = opts.withRepeat ?? true;
  const minLength = opts.minLength ?? 1;
  const maxLength = opts.maxLength ?? 2 * n;
  return fc
    .array(fc.integer({ min: 0, max: n - 1 }), { minLength, maxLength })
    .map((idx) => (withRepeat && idx.length > 0 ? [...idx, idx[0]!] : idx));
}

/** b integer class labels in [0, c). */
export function labels(b: number, c: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b });
}

// ------------------------------------------------------------------ tensors

/** Exactly n values from `elem` (default `float()`). */
export function values(n: number, elem: fc.Arbitrary<number> = float()): fc.Arbitrary<number[]> {
  return fc.array(elem, { minLength: n, maxLength: n });
}

/** Build a contiguous tensor of `shape` from row-major values. */
export function toTensor(vals: readonly number[], shape: Shape, dtype: DType = 'float64'): Tensor {
  const data = dtype === 'float64' ? Float64Array.from(vals) : Float32Array.from(vals);
  return fromArray(data, shape);
}

/** A tensor of the given shape with entries from `elem` (default `float()`). */
export function tensorOf(shape: Shape, elem: fc.Arbitrary<number> = float(), dtype: DType = 'float64'): fc.Arbitrary<Tensor> {
  const n = shape.reduce((p, d) => p * d, 1);
  return values(n, elem).map((v) => toTensor(v, shape, dtype));
}

/** A tensor of a generated shape (see `shape`) with entries from `elem`. */
export function tensorArb(
  opts: ShapeOptions & { elem?: fc.Arbitrary<number>; dtype?: DType } = {},
): fc.Arbitrary<Tensor> {
  return shape(opts).chain((s) => tensorOf(s, opts.elem, opts.dtype));
}

/** A tensor of `shape` whose entries are pairwise ≥ `spacing` apart (no ties anywhere). */
export function distinctTensorOf(shape: Shape, opts: { spacing?: number; range?: number } = {}): fc.Arbitrary<Tensor> {
  const n = shape.reduce((p, d) => p * d, 1);
  return distinctValues(n, opts).map((v) => toTensor(v, shape));
}
