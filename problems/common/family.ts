// FamilyEntry: the registry record each problem family exports, plus the shared id grammar.
import type { Problem } from '../../src/problem/types.js';
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
    throw new ProblemArgumentError(String(id), `unknown problem id; expected the form ${form}`);
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
  if (v === undefined || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ProblemArgumentError(id, `field '${name}' must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** An optional numeric field of a parsed id with a default, checked against (lo, hi]. */
export function numField(id: string, parsed: ParsedId, name: string, dflt: number, lo: number, hi: number): number {
  const v = parsed.fields[name] ?? dflt;
  if (!(v > lo && v <= hi)) {
    throw new ProblemArgumentError(id, `field '${name}' must be in (${lo}, ${hi}], got ${v}`);
  }
  return v;
}
