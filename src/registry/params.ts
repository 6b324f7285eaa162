/**
 * Every hyperparameter, declared once: its config field, its command-line flag,
 * its symbol and meaning, the values it may take, and (for the parameters of the
 * rate claims) the range property tests draw it from. Optimizer, controller and
 * test descriptors name these fields and give their own defaults.
 */
import { RULES, type Bounds } from './validate.js';

/** One hyperparameter. */
export interface ParamSpec {
  /** The config field (`hyper.<name>`) and the name in `--hyper name=value`. */
  readonly name: string;
  /** The command-line flag, without `--`. */
  readonly flag: string;
  /** The symbol of docs/MATH.md (α, β₀, η, b_max, …). */
  readonly symbol: string;
  /** One line: what it is. */
  readonly doc: string;
  /** A number, or a list of integers (milestones). */
  readonly kind: 'number' | 'integers';
  /** The values any entry accepts; an entry may tighten them. */
  readonly bounds: Bounds;
  /** The range property tests draw it from (`hyperArb` of adadagrad/testing), with its scale. */
  readonly test?: { readonly min: number; readonly max: number; readonly scale: 'linear' | 'log' | 'integer'; readonly why: string };
}

/** A batch size never exceeds this (2^24 samples): larger values are rejected before the first step. */
export const MAX_BATCH = 2 ** 24;

const batchBounds = (min: number): Bounds => ({ integer: true, min, max: MAX_BATCH });

/** The hyperparameters, in the order of `--help` and the README. */
export const PARAMS = [
  { name: 'lr', flag: 'lr', symbol: 'α', doc: 'learning rate (step size)', kind: 'number', bounds: RULES.positive, test: { min: 0.1, max: 1, scale: 'log', why: 'log-uniform' } },
  { name: 'beta0', flag: 'beta0', symbol: 'β₀', doc: 'AdaGrad-Norm initial accumulator, v₋₁ = β₀²', kind: 'number', bounds: RULES.positive, test: { min: 0.1, max: 1, scale: 'log', why: 'log-uniform' } },
  { name: 'beta', flag: 'beta', symbol: 'β', doc: 'momentum, or the EMA weight of gns', kind: 'number', bounds: RULES.unit },
  { name: 'eps', flag: 'eps', symbol: 'ε', doc: 'added to the root in AdaGrad and Adam', kind: 'number', bounds: RULES.nonneg },
  { name: 'b1', flag: 'b1', symbol: 'β₁', doc: 'Adam first-moment decay', kind: 'number', bounds: RULES.unit },
  { name: 'b2', flag: 'b2', symbol: 'β₂', doc: 'Adam second-moment decay', kind: 'number', bounds: RULES.unit },
  { name: 'eta', flag: 'eta', symbol: 'η', doc: 'norm and coordinate-wise norm tests: ||·||² ≤ η² ||ḡ||²', kind: 'number', bounds: RULES.positive, test: { min: 0.25, max: 1, scale: 'linear', why: 'the official code uses 0.1–0.5' } },
  {
    name: 'theta', flag: 'theta', symbol: 'θ', doc: 'inner-product tests (0.9 is Bollapragada et al. 2018; the official AdAdaGrad code defaults to 0.1, its README example uses 0.5)',
    kind: 'number', bounds: RULES.positive, test: { min: 0.5, max: 0.9, scale: 'linear', why: 'official README 0.5 to Bollapragada et al. 0.9' },
  },
  {
    name: 'nu', flag: 'nu', symbol: 'ν', doc: 'orthogonality tests (5.84 is Bollapragada et al. 2018; the official AdAdaGrad code defaults to 0.1, its README example uses 1.0)',
    kind: 'number', bounds: RULES.positive, test: { min: 1, max: 5.84, scale: 'linear', why: 'official README 1 to Bollapragada et al. 5.84' },
  },
  { name: 'b0', flag: 'b0', symbol: 'b₀', doc: 'initial (or constant) batch size', kind: 'number', bounds: batchBounds(1), test: { min: 2, max: 8, scale: 'integer', why: '≥ 2 for test-driven controllers' } },
  { name: 'bMax', flag: 'bmax', symbol: 'b_max', doc: 'largest batch size', kind: 'number', bounds: batchBounds(2), test: { min: 256, max: 4096, scale: 'integer', why: 'raised to b₀ when smaller' } },
  { name: 'bMin', flag: 'bmin', symbol: 'b_min', doc: 'smallest batch size (cabs, gns)', kind: 'number', bounds: batchBounds(2) },
  { name: 'interval', flag: 'interval', symbol: 'τ', doc: 'test every τ steps', kind: 'number', bounds: RULES.int1 },
  { name: 'workers', flag: 'test-workers', symbol: 'M', doc: 'simulated workers: the next batch is rounded up to a multiple of M', kind: 'number', bounds: RULES.int1 },
  { name: 'rho', flag: 'rho', symbol: 'ρ', doc: 'growth factor (SEBS, stagewise SGD, geometric)', kind: 'number', bounds: RULES.gt1 },
  { name: 'stages', flag: 'stages', symbol: 'S', doc: 'number of stages (SEBS, stagewise SGD)', kind: 'number', bounds: RULES.int1 },
  { name: 'perStage', flag: 'per-stage', symbol: 'T₁', doc: 'steps (or samples) per stage', kind: 'number', bounds: RULES.positive },
  { name: 'delta', flag: 'delta', symbol: 'Δ', doc: 'linear ramp increment', kind: 'number', bounds: RULES.int1 },
  { name: 'every', flag: 'every', symbol: 'every', doc: 'linear ramp period in steps', kind: 'number', bounds: RULES.positive },
  { name: 'factor', flag: 'factor', symbol: 'f', doc: 'Smith et al. batch multiplier at each milestone', kind: 'number', bounds: RULES.gt1 },
  { name: 'milestones', flag: 'milestones', symbol: 'milestones', doc: 'steps at which smith multiplies b (a JSON array or comma list)', kind: 'integers', bounds: RULES.int1 },
  { name: 'scale', flag: 'scale', symbol: 'c', doc: 'gns: b = c · EMA of B_simple', kind: 'number', bounds: RULES.positive },
  { name: 'coordFloor', flag: 'coord-floor', symbol: 'floor', doc: 'coordinate-wise test: skip coordinates with ḡ_j² below this', kind: 'number', bounds: RULES.nonneg },
  { name: 'quantile', flag: 'quantile', symbol: 'q', doc: 'coordinate-wise test: the quantile of the per-coordinate ratios used', kind: 'number', bounds: RULES.quantile },
] as const satisfies readonly ParamSpec[];

/** The name of a hyperparameter. */
export type HyperName = (typeof PARAMS)[number]['name'];

/** Hyperparameters by their config names. Absent fields take the entry's defaults. */
export type HyperParams = { -readonly [K in HyperName]?: K extends 'milestones' ? number[] : number };

/** The spec of one hyperparameter. */
export function paramSpec(name: string): ParamSpec | undefined {
  return (PARAMS as readonly ParamSpec[]).find((p) => p.name === name);
}

/** The names of all hyperparameters, in table order. */
export const HYPER_NAMES: readonly HyperName[] = PARAMS.map((p) => p.name);
