// C1–C3 (SPEC §7): AdAdaGrad-Norm with the exact norm and augmented inner-product tests, AdAdaGrad with the exact coordinate-wise test, on nqm.
import { claimSuite } from './helpers.js';

claimSuite('c1-oracle-norm');
claimSuite('c2-oracle-aug-ip');
claimSuite('c3-oracle-coord-norm');
