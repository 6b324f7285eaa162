/**
 * The descriptor of an optimizer, a controller or a batch-size test: its name, a
 * one-line summary, the formula and a reference, the hyperparameters it reads
 * (each with its default and, where tighter than the field's, its bounds), and
 * a builder. The command line, the config schema, `--help`, the README tables,
 * the sweep checks and the contract suites all read these descriptors.
 */
import type { Problem } from '../problem/types.js';
import type { HyperName } from './params.js';
import type { Bounds } from './validate.js';

/** What a builder may look at besides the hyperparameters. */
export interface BuildContext {
  /** The problem the run is on (b_max defaults to its n). */
  readonly problem: Problem;
  /** Batches are drawn with replacement (default true); without, no batch may exceed n. */
  readonly replace: boolean;
}

/** How an entry uses one hyperparameter. */
export interface ParamUse {
  /** The default: a value, or a function of the problem (b_max = n). */
  readonly default: number | readonly number[] | ((ctx: BuildContext) => number);
  /** Words for a computed default (`n`), shown in tables and help. */
  readonly defaultDoc?: string;
  /** Tighter bounds than the field's own (e.g. b₀ ≥ 2 for a test-driven controller). */
  readonly bounds?: Bounds;
}

/** The hyperparameters an entry reads. */
export type ParamUses = { readonly [K in HyperName]?: ParamUse };

/** The resolved values a builder receives: every declared field, defaults filled in, each checked. */
export type Values<P extends ParamUses> = { readonly [K in keyof P]: K extends 'milestones' ? readonly number[] : number };

/** A rule across fields (b_max ≥ b₀); returns the message for `field`, or undefined when it holds. */
export interface CrossCheck<P extends ParamUses> {
  readonly field: keyof P & string;
  check(v: Values<P>, ctx: BuildContext): string | undefined;
}

/** One row of a table: an optimizer, a controller or a batch-size test. */
export interface Descriptor<P extends ParamUses, T> {
  /** The name the CLI and configs use. */
  readonly name: string;
  /** One line. */
  readonly summary: string;
  /** The rule, in the notation of docs/MATH.md. */
  readonly formula: string;
  /** Paper (authors, year or arXiv id) and docs/MATH.md section. */
  readonly reference: string;
  readonly params: P;
  readonly checks?: readonly CrossCheck<P>[];
  build(v: Values<P>, ctx: BuildContext): T;
}

/** A descriptor with its parameter types erased (what the tables hold). */
export type AnyDescriptor<T> = Descriptor<ParamUses, T>;
