// The problem and family contracts on every default instance of families 1–4 and 7–9.
import { describeFamilyContract, describeProblemContract } from './contract.js';
import { SYNTHETIC_FAMILIES } from './families.js';

describeFamilyContract(SYNTHETIC_FAMILIES);
describeProblemContract(SYNTHETIC_FAMILIES.flatMap((f) => f.defaultIds.map((id) => f.build(id))));
