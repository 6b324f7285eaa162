// C4 (SPEC §7) through run() with sampled batches: the practical lagged norm, augmented-ip and coordinate-wise tests on low-dimensional separable noisy quadratics.
import { claimSuite } from './helpers.js';

claimSuite('c4-norm');
claimSuite('c4-aug-ip');
claimSuite('c4-coord-norm');
