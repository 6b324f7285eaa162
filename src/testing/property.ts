/**
 * Rate claims as fast-check properties: a claim says which variant, on which
 * generated instances, is expected to be accepted (decays like 1/K) or rejected
 * by checkRate. `assertRate(claim, cases)` is one `fc.assert(fc.property(...))`;
 * a failure prints fast-check's seed and path (replay with `{ seed, path }`),
 * the shrunk case (smaller d, fewer seeds) and the check's report.
 *
 * False-fail rate of a property: each case is one check with the stated
 * false-fail rate ε (RateCheck.falseFailRate), so `numRuns` cases fail falsely
 * with probability ≤ numRuns · ε; run expected-reject claims the same way, where
 * the rate is 1 − power (measured by `npm run rates:calibrate`).
 *
 * @example
 * assertRate(
 *   { id: 'mine', expected: 'accept', statement: 'my controller is O(1/K)',
 *     variant: (c) => ({ optimizer: () => adagradNorm(c.hyper.lr, c.hyper.beta0), controller: () => myController(c.hyper) }) },
 *   rateCaseArb({ problems: problemIdArb({ family: 'lsq-interp', d: { min: 2, max: 6 } }) }),
 *   { numRuns: 3, seed: 1 },
 * );
 */
import fc from 'fast-check';
import type { Problem } from '../problem/types.js';
import { key } from '../rng/index.js';
import { problemById, type RateCase } from './arbitraries.js';
import { checkRate, formatRateCheck, type CheckRateOptions, type RateCheck, type RateVariant } from './rate.js';

/** Options of checkRate that a claim or a caller may set (seeds and key come from the case). */
export type ClaimCheckOptions = Partial<Omit<CheckRateOptions, 'variant' | 'problem' | 'key' | 'seeds'>>;

export interface RateClaim {
  /** Short id, e.g. 'c1-oracle-norm'. */
  readonly id: string;
  /** What checkRate must decide on every generated case. */
  readonly expected: 'accept' | 'reject';
  /** One sentence: the claim, the problems where it applies and why. */
  readonly statement: string;
  /** The variant for a case (the problem is already prepared). */
  readonly variant: (c: RateCase, problem: Problem) => RateVariant;
  /** checkRate options for a case (grid, quantile, tol, bound, floor, ...). */
  readonly check?: (c: RateCase, problem: Problem) => ClaimCheckOptions;
  /** Prepare the built problem (e.g. withNoiseAlong, another starting point). */
  readonly problem?: (p: Problem, c: RateCase) => Problem;
}

/** Run the check of one claim on one case; `overrides` win over the claim's options (e.g. a quick grid). */
export function checkClaim(claim: RateClaim, c: RateCase, overrides: ClaimCheckOptions = {}): RateCheck {
  const built = problemById(c.problem);
  const problem = claim.problem ? claim.problem(built, c) : built;
  const own = claim.check ? claim.check(c, problem) : {};
  return checkRate({ ...own, ...overrides, variant: claim.variant(c, problem), problem, seeds: c.seeds, key: key(c.seed) });
}

/** The message of a case whose decision was not the expected one. */
export function claimFailureMessage(claim: RateClaim, c: RateCase, res: RateCheck): string {
  return [
    `claim ${claim.id} expected ${claim.expected.toUpperCase()}, the check decided ${res.decision.toUpperCase()}`,
    `  claim: ${claim.statement}`,
    `  case: ${JSON.stringify(c)}`,
    formatRateCheck(res),
    `  replay this case alone: checkClaim(claim, ${JSON.stringify(c)})`,
  ].join('\n');
}

export interface RatePropertyOptions {
  /** checkRate options that win over the claim's (quick/full grids). */
  readonly overrides?: ClaimCheckOptions;
  /** Called with every check (for reports and calibration). */
  readonly onCheck?: (c: RateCase, res: RateCheck) => void;
}

/** The claim as a fast-check property over generated cases. */
export function rateProperty(claim: RateClaim, cases: fc.Arbitrary<RateCase>, opts: RatePropertyOptions = {}): fc.IPropertyWithHooks<[RateCase]> {
  return fc.property(cases, (c) => {
    const res = checkClaim(claim, c, opts.overrides);
    opts.onCheck?.(c, res);
    if (res.decision !== claim.expected) throw new Error(claimFailureMessage(claim, c, res));
  });
}

/**
 * fc.assert of {@link rateProperty}. Pass a fixed `seed` in CI; on failure the
 * thrown error carries fast-check's seed and path, the shrunk case and the
 * check's report (`includeErrorInReport` is on unless the caller turns it off).
 */
export function assertRate(
  claim: RateClaim,
  cases: fc.Arbitrary<RateCase>,
  params: fc.Parameters<[RateCase]> = {},
  opts: RatePropertyOptions = {},
): void {
  fc.assert(rateProperty(claim, cases, opts), { includeErrorInReport: true, ...params });
}
