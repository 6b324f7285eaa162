// The problem and family contracts on every registered family (problems/registry.ts): a new row is checked
// without writing a test; a check that does not apply is skipped only with the reason its row gives.
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../problems/registry.js';
import { describeFamilyContract, describeProblemContract } from './contract.js';

for (const entry of FAMILIES) {
  const plan = entry.contract ?? {};
  const ids = plan.ids ?? entry.defaultIds;
  if (plan.skipFamily === undefined) describeFamilyContract([entry], { ids: () => plan.familyIds ?? ids });
  if (plan.skipProblem === undefined) {
    describeProblemContract(
      ids.map((id) => entry.build(id)),
      {
        ...(plan.mcSamples !== undefined ? { mcSamples: plan.mcSamples } : {}),
        ...(plan.lipschitzBudget !== undefined ? { lipschitzBudget: plan.lipschitzBudget } : {}),
        ...(plan.looseL !== undefined ? { looseL: plan.looseL } : {}),
      },
    );
  }
}

describe('contract coverage', () => {
  it('every registered family is under the family and the problem contract, or its row says why not', () => {
    for (const entry of FAMILIES) {
      const plan = entry.contract ?? {};
      const ids = plan.ids ?? entry.defaultIds;
      if (plan.skipProblem === undefined) expect(ids.length, `${entry.family}: no instance for the problem contract`).toBeGreaterThan(0);
      else expect(plan.skipProblem.length, entry.family).toBeGreaterThan(40);
      if (plan.skipFamily !== undefined) expect(plan.skipFamily.length, entry.family).toBeGreaterThan(40);
      if (plan.looseL !== undefined) expect(plan.looseL.length, entry.family).toBeGreaterThan(40);
      if (plan.skipFamily !== undefined || plan.skipProblem !== undefined) {
        console.log(`contract: ${entry.family} skips ${[plan.skipFamily !== undefined ? `the family contract (${plan.skipFamily})` : '', plan.skipProblem !== undefined ? `the problem contract (${plan.skipProblem})` : ''].filter((s) => s !== '').join(' and ')}`);
      }
    }
  });
});
