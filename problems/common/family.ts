// FamilyEntry: the registry record each problem family exports, plus the shared id grammar.
import type { Problem } from '../../src/problem/types.js';
import { satisfies } from '../../src/registry/validate.js';
import { ProblemArgumentError } from './validate.js';

/**
 * One family of benchmark problems. `build(id)` turns an id such as
 * `nclogreg_d50_n10000_i3` into a problem instance (deterministically: the same
 * id always gives the same instance); `defaultIds` lists the instances a suite
 * runs by default.
 *
 * @example
 * import { nclogregFamily } from './families/nclogreg.js';
 * nclogregFamily.idPattern.test('nclogreg_d50_n10000_i3'); // returns true
 * const p = nclogregFamily.build('nclogreg_d50_n10000_i3');
 * p.dim; // returns 50
 */
export interface FamilyEntry {
  /** Family name: the id prefix before the first underscore. */
  readonly family: string;
  /** Matches exactly the ids this family can build. */
  readonly idPattern: RegExp;
  /** Build the instance named by `id`; throws a {@link ProblemArgumentError} for an id it does not match. */
  build(id: string): Problem;
  readonly defaultIds: readonly string[];
  /** One paragraph: the objective and what the family is for. */
  readonly description: string;
  /**
   * What the contract suite (test/problems/contract.test.ts) checks for this family;
   * absent: the family contract and the problem contract on `defaultIds`, default budgets.
   */
  readonly contract?: ContractPlan;
}

/**
 * A family's part in the contract suite. Every registered family is checked; a
 * check that does not apply is skipped only with the reason, which the suite prints.
 */
export interface ContractPlan {
  /** Instances of the problem contract (default: defaultIds), e.g. smaller ones for speed. */
  readonly ids?: readonly string[];
  /** Instances of the family contract (default: `ids`, else defaultIds). */
  readonly familyIds?: readonly string[];
  /** Budgets of the problem contract's Monte Carlo and smoothness checks (defaults 4000 and 300). */
  readonly mcSamples?: number;
  readonly lipschitzBudget?: number;
  /** The family contract does not apply: why (and where the family is checked instead). */
  readonly skipFamily?: string;
  /** The problem contract does not apply: why (and where the checks that do apply run). */
  readonly skipProblem?: string;
  /** The stated L is a proven but loose bound: why the L/10 tightness check does not apply (its validity is still searched). */
  readonly looseL?: string;
}

/** An id cut to a short prefix for messages (a 50 MB id is not echoed whole). */
export function shortId(id: string, max = 60): string {
  return id.length > max ? `${id.slice(0, max)}… (${id.length} characters)` : id;
}

/** The fields of an id `<family>_d<d>[_h<h>]_n<n>_i<i>[_<tag><value>...]`. */
export interface ParsedId {
  readonly family: string;
  /** Named integer or decimal fields, e.g. { d: 50, n: 10000, i: 3, k: 100 }. */
  readonly fields: Readonly<Record<string, number>>;
}

/**
 * Parse an id made of a family name and `_<letter(s)><number>` fields, checking
 * it against the family's pattern. Throws a message naming the id and the
 * expected form when it does not match.
 *
 * @example
 * parseId('nclogreg_d50_n10000_i3', /^nclogreg_d\d+_n\d+_i\d+$/, 'nclogreg_d<dim>_n<samples>_i<instance>');
 * // returns { family: 'nclogreg', fields: { d: 50, n: 10000, i: 3 } }
 */
export function parseId(id: string, pattern: RegExp, form: string): ParsedId {
  if (typeof id !== 'string' || !pattern.test(id)) {
    throw new ProblemArgumentError(shortId(String(id)), `unknown problem id; expected the form ${form}`);
  }
  const parts = id.split('_');
  const family = parts[0] ?? '';
  const fields: Record<string, number> = {};
  for (const part of parts.slice(1)) {
    const m = /^([a-z]+)(\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(part);
    if (m === null || m[1] === undefined || m[2] === undefined) {
      throw new ProblemArgumentError(id, `malformed id field '${part}'; expected the form ${form}`);
    }
    fields[m[1]] = Number(m[2]);
  }
  return { family, fields };
}

/** A required integer field of a parsed id, checked against [min, max]. */
export function intField(id: string, parsed: ParsedId, name: string, min: number, max: number): number {
  const v = parsed.fields[name];
  if (!satisfies(v, { integer: true, min, max })) {
    throw new ProblemArgumentError(id, `field '${name}' must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** An optional numeric field of a parsed id with a default, checked against (lo, hi]. */
export function numField(id: string, parsed: ParsedId, name: string, dflt: number, lo: number, hi: number): number {
  const v = parsed.fields[name] ?? dflt;
  if (!satisfies(v, { min: lo, minOpen: true, max: hi })) {
    throw new ProblemArgumentError(id, `field '${name}' must be in (${lo}, ${hi}], got ${v}`);
  }
  return v;
}
