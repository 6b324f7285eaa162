// C1 and C2 (SPEC §7): AdAdaGrad-Norm with the exact norm and augmented inner-product tests on separable nqm (κ ≥ 2 K_max), low and high dimension, each beside its no-growth twin.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm');
claimSuite('c1-oracle-norm-low-d');
claimSuite('c2-oracle-aug-ip');
