/**
 * fast-check arbitraries for rate properties: problem instances of the suite
 * (bounded dimension, sample count, conditioning and noise), hyperparameters
 * (lr = α, β₀, η, θ, ν, b₀, b_max) and seeds. Every number is bounded and NaN-free
 * (fast-check's `double()` yields NaN and ±∞ unless told not to), and every
 * arbitrary shrinks towards the small end: smaller d, n and κ, fewer seeds.
 *
 * @example
 * const cases = rateCaseArb({ problems: problemIdArb({ family: 'nqm', d: { min: 4, max: 20 } }) });
 * fc.sample(cases, 1)[0]; // { problem: 'nqm_d4_i0_a0.5', hyper: { lr: 0.5, ... }, seeds: 10, seed: 0 }
 */
import fc from 'fast-check';
import { problemById as sharedProblemById, suite, type SuiteFilter } from '../../problems/registry.js';
import type { Problem } from '../problem/types.js';
import { paramSpec } from '../registry/params.js';
import { key, type Key } from '../rng/index.js';

/** A closed interval [min, max]. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

function checkRange(where: string, r: Range, opts: { integer?: boolean; positive?: boolean } = {}): void {
  const ok = Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max;
  if (!ok) throw new Error(`${where}: bad range [${r.min}, ${r.max}]`);
  if (opts.integer && !(Number.isInteger(r.min) && Number.isInteger(r.max))) throw new Error(`${where}: range must have integer ends, got [${r.min}, ${r.max}]`);
  if (opts.positive && !(r.min > 0)) throw new Error(`${where}: range must be positive, got [${r.min}, ${r.max}]`);
}

/** A float64 in [min, max], never NaN or ±∞; shrinks towards min. */
export function boundedDouble(r: Range): fc.Arbitrary<number> {
  checkRange('boundedDouble', r);
  if (r.min === r.max) return fc.constant(r.min);
  // An integer lattice of 2^20 steps shrinks towards min; doubles near min stay representable.
  const steps = 1 << 20;
  return fc.integer({ min: 0, max: steps }).map((i) => Math.min(r.max, r.min + ((r.max - r.min) * i) / steps));
}

/** A positive float64 log-uniform in [min, max] (e.g. a step size or a condition number); shrinks towards min. */
export function logUniform(r: Range): fc.Arbitrary<number> {
  checkRange('logUniform', r, { positive: true });
  const lo = Math.log(r.min);
  const hi = Math.log(r.max);
  return boundedDouble({ min: lo, max: hi }).map((t) => Math.min(r.max, Math.max(r.min, Math.exp(t))));
}

/** An integer in [min, max]; shrinks towards min. */
export function boundedInt(r: Range): fc.Arbitrary<number> {
  checkRange('boundedInt', r, { integer: true });
  return fc.integer({ min: r.min, max: r.max });
}

/** An integer seed in [0, 2^31 − 1] (turned into a key with `key(seed)`); shrinks towards 0. */
export function seedArb(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0x7fffffff });
}

/** A key from an integer seed (the printed counterexample shows the key's two words; `isKey` restores it). */
export function keyArb(): fc.Arbitrary<Key> {
  return seedArb().map((s) => key(s));
}

// ------------------------------------------------------------------ problems

/** The families an instance arbitrary can build, with the id each one takes. */
export type InstanceFamily =
  | 'nqm'
  | 'lsq-interp'
  | 'lsq-noisy'
  | 'nclogreg'
  | 'sigmoid'
  | 'robust-cauchy'
  | 'robust-gemanmcclure'
  | 'robust-welsch'
  | 'chain';

/** Bounds of a generated instance. Unset bounds take the defaults listed per field. */
export interface ProblemSpace {
  /** One family or several (the arbitrary picks one; shrinks towards the first). */
  readonly family: InstanceFamily | readonly InstanceFamily[];
  /** Dimension d (default [2, 12]; the chain's length T). */
  readonly d?: Range;
  /** Sample count n of finite sums (default [32, 128]). */
  readonly n?: Range;
  /** Condition number κ of the features (default [1, 100]; rounded to an integer). */
  readonly kappa?: Range;
  /** Spectrum exponent of nqm, h_j = j^(−a) (default [0.2, 1]; rounded to 2 decimals, > 0). */
  readonly spectrum?: Range;
  /** Instances i ∈ [0, instances) (default 1000). */
  readonly instances?: number;
}

function fmtDecimal(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function idFor(family: InstanceFamily, f: { d: number; n: number; i: number; kappa: number; a: number }): string {
  switch (family) {
    case 'nqm':
      return `nqm_d${f.d}_i${f.i}_a${fmtDecimal(Math.max(0.01, f.a))}`;
    case 'chain':
      return `chain_d${f.d}_i${f.i}`;
    default:
      return `${family}_d${f.d}_n${f.n}_i${f.i}_k${Math.max(1, Math.round(f.kappa))}`;
  }
}

/**
 * Ids of generated instances, e.g. `nqm_d6_i17_a0.4` or `nclogreg_d4_n64_i3_k10`;
 * build them with {@link problemById} (cached). Shrinks towards the first family,
 * the smallest d, n and κ, and instance 0.
 */
export function problemIdArb(space: ProblemSpace): fc.Arbitrary<string> {
  const fams = typeof space.family === 'string' ? [space.family] : [...space.family];
  if (fams.length === 0) throw new Error('problemIdArb: no family given');
  const d = space.d ?? { min: 2, max: 12 };
  const n = space.n ?? { min: 32, max: 128 };
  const kappa = space.kappa ?? { min: 1, max: 100 };
  const a = space.spectrum ?? { min: 0.2, max: 1 };
  const inst = space.instances ?? 1000;
  if (!Number.isInteger(inst) || inst < 1) throw new Error(`problemIdArb: instances must be an integer ≥ 1, got ${inst}`);
  return fc
    .record({
      family: fc.constantFrom(...fams),
      d: boundedInt(d),
      n: boundedInt(n),
      i: fc.integer({ min: 0, max: inst - 1 }),
      kappa: logUniform(kappa),
      a: boundedDouble(a),
    })
    .map((r) => idFor(r.family, r));
}

/**
 * Ids of the default suite (`suite(filter)` of adadagrad/problems), shrinking
 * towards the first. NOTE: the suite's instances are full size (d up to 100,
 * n up to 10⁴); rate checks on them are slow, so prefer {@link problemIdArb}.
 */
export function suiteIdArb(filter: SuiteFilter = {}): fc.Arbitrary<string> {
  const ids = suite(filter).map((e) => e.id);
  if (ids.length === 0) throw new Error(`suiteIdArb: no problem of the suite matches ${JSON.stringify(filter)}`);
  return fc.constantFrom(...ids);
}

/** The problem of an id (getProblem of adadagrad/problems), built once and shared (the memoised lookup of problems/registry.ts). */
export function problemById(id: string): Problem {
  return sharedProblemById(id);
}

// ------------------------------------------------------------------ hyperparameters

/** The hyperparameters of the claims (SPEC §3–§4), in the registry's parameter table with their test ranges. */
export const CLAIM_PARAMS = ['lr', 'beta0', 'eta', 'theta', 'nu', 'b0', 'bMax'] as const;

/** The name of a hyperparameter of the claims. */
export type ClaimParam = (typeof CLAIM_PARAMS)[number];

/**
 * Hyperparameters of the claims, named as everywhere else (config `hyper`, CLI flags):
 * `lr` = α, `beta0` = β₀, `eta` = η, `theta` = θ, `nu` = ν, `b0` = b₀ (≥ 2 for
 * test-driven and oracle controllers; a constant batch may use 1), `bMax` = b_max (≥ b₀).
 * Meanings and ranges: src/registry/params.ts.
 */
export type Hyper = { readonly [K in ClaimParam]: number } & {
  /** @deprecated the learning rate is `lr`; generated cases also carry it as `alpha`, for old callers. */
  readonly alpha?: number;
};

/** Bounds of {@link hyperArb}; every field defaults to its test range in the registry (see the README's hyperparameter table). */
export type HyperSpace = { readonly [K in ClaimParam]?: Range } & {
  /** @deprecated use `lr`. */
  readonly alpha?: Range;
};

function claimArb(name: ClaimParam, r: Range | undefined): fc.Arbitrary<number> {
  const spec = paramSpec(name)!;
  const t = spec.test!;
  const range = r ?? { min: t.min, max: t.max };
  return t.scale === 'log' ? logUniform(range) : t.scale === 'integer' ? boundedInt(range) : boundedDouble(range);
}

/** Hyperparameters with bounded ranges (defaults: the registry's test ranges); shrinks towards the lower ends. */
export function hyperArb(space: HyperSpace = {}): fc.Arbitrary<Hyper> {
  const lr = space.lr ?? space.alpha;
  return fc
    .record({
      lr: claimArb('lr', lr),
      beta0: claimArb('beta0', space.beta0),
      eta: claimArb('eta', space.eta),
      theta: claimArb('theta', space.theta),
      nu: claimArb('nu', space.nu),
      b0: claimArb('b0', space.b0),
      bMax: claimArb('bMax', space.bMax),
    })
    .map((h) => ({ ...h, alpha: h.lr, bMax: Math.max(h.bMax, h.b0) }));
}

// ------------------------------------------------------------------ cases

/** One generated case of a rate property: an instance, hyperparameters, the number of seeds R and the check's seed. */
export interface RateCase {
  /** Problem id (built with problemById). */
  readonly problem: string;
  readonly hyper: Hyper;
  /** R, the number of runs of the check. */
  readonly seeds: number;
  /** The check's key is key(seed). */
  readonly seed: number;
}

export interface RateCaseSpace {
  readonly problems: fc.Arbitrary<string>;
  readonly hyper?: fc.Arbitrary<Hyper> | HyperSpace;
  /** R (default [10, 16]; keep min ≥ 1/(1 − q) of the check). Shrinks to fewer seeds. */
  readonly seeds?: Range;
  /** A fixed check seed, or generated (default). */
  readonly seed?: number;
}

/** Cases for {@link rateProperty}; shrinks to a smaller instance, smaller hyperparameters and fewer seeds. */
export function rateCaseArb(space: RateCaseSpace): fc.Arbitrary<RateCase> {
  const hyper = space.hyper instanceof fc.Arbitrary ? space.hyper : hyperArb(space.hyper ?? {});
  return fc.record({
    problem: space.problems,
    hyper,
    seeds: boundedInt(space.seeds ?? { min: 10, max: 16 }),
    seed: space.seed !== undefined ? fc.constant(space.seed) : seedArb(),
  });
}
