// C1 through run() and C3 (SPEC §7): the oracle norm test and AdAdaGrad with the oracle coordinate-wise test on rotated noisy quadratics, through the library's run with batch-mean draws.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm-run');
// C3 in the default run: its fixed example case with its twin, like C4's (about 3–5 s); the generated-case
// property (measured 1 of 24 calibration cases wrong, one inconclusive; README, "Checking O(1/K) rate claims")
// runs in the full suite, npm run test:rates.
claimSuite('c3-oracle-coord-norm', { quick: 'example', why: 'the property runs in npm run test:rates' });
