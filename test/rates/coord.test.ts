// C1 through run() and C3 (SPEC §7): the oracle norm test and AdAdaGrad with the oracle coordinate-wise test on rotated noisy quadratics, through the library's run with batch-mean draws.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm-run');
// The generated-case property of C3 is in the full suite only: with the 1e-4 coordinate floor its
// measured false-fail rate is 5 in 12 calibration cases (4 of them b reaching 2^52; README, "Checking O(1/K) rate claims"),
// above the check's 2% goal, so in the default run it would fail on a known defect of the check
// rather than of a change; `npm run test:rates` runs it and shows it.
claimSuite('c3-oracle-coord-norm', { quick: 'example', why: 'the property has a known false-fail rate of 5/12, run by npm run test:rates' });
