/** One describe block per claim: its property over generated cases, and its fixed example case with its twin. */
import { describe, expect, it } from 'vitest';
import { assertRate, checkClaim, claimFailureMessage } from '../../src/testing/index.js';
import { claimEntry, modeFromEnv, modeOverrides, RATES_SEED } from './claims.js';

const mode = modeFromEnv();
/** Quick mode stays inside CI's budget; full mode may take long. */
const TIMEOUT = mode.name === 'full' ? 60 * 60_000 : 180_000;

/**
 * What the quick mode (the default `npm test`) runs of a claim: everything, only the fixed
 * example case, or nothing. The full mode (`npm run test:rates`) always runs everything; the
 * rates report (`npm run rates -- --quick`) decides every claim whatever this says.
 */
export interface QuickScope {
  readonly quick: 'all' | 'example' | 'none';
  /** Why the quick mode runs less (printed in the suite's name). */
  readonly why?: string;
}

export function claimSuite(id: string, scope: QuickScope = { quick: 'all' }): void {
  const e = claimEntry(id);
  const overrides = modeOverrides(e, mode);
  const example = e.example(mode);
  const quick = mode.name === 'full' ? 'all' : scope.quick;
  if (quick === 'none') return;
  const note = quick === 'all' ? '' : `; quick mode: example case only (${scope.why ?? ''})`;
  describe(`${id} (expected ${e.claim.expected}, ${mode.name} mode${note})`, () => {
    if (quick === 'all') it(`property over ${mode.numRuns[e.cost]} generated case(s): ${e.claim.statement}`, () => {
      // fast-check seed RATES_SEED (ADADAGRAD_RATES_SEED overrides it); a failure prints seed, path and the shrunk case.
      assertRate(e.claim, e.cases(mode), { seed: RATES_SEED, numRuns: mode.numRuns[e.cost] }, { overrides });
    }, TIMEOUT);
    it(`example case ${example.problem}${e.claim.expected === 'accept' ? ', with its no-growth twin rejected' : ''}`, () => {
      const res = checkClaim(e.claim, example, overrides);
      expect(res.decision, claimFailureMessage(e.claim, example, res)).toBe(e.claim.expected);
      // The twin is the near miss of an accepted claim: the same check must reject it.
      if (e.claim.expected === 'accept' && res.twin !== null) {
        expect(res.twin.power, claimFailureMessage(e.claim, example, res)).toBeGreaterThanOrEqual(0.9);
      }
    }, TIMEOUT);
  });
}
