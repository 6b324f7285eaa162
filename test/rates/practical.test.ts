// C1 and C4 (SPEC §7) through run(): the oracle and the practical lagged sample tests on finite sums whose noise does not vanish.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm-finite-sum');
claimSuite('c4-norm');
claimSuite('c4-aug-ip');
claimSuite('c4-coord-norm');
