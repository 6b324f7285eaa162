// C1 through run() and C3 (SPEC §7): the oracle norm test and AdAdaGrad with the oracle coordinate-wise test on rotated noisy quadratics, through the library's run with batch-mean draws.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm-run');
claimSuite('c3-oracle-coord-norm');
