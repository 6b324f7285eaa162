// C4 (SPEC §7) through run() with sampled batches: the practical lagged norm, augmented-ip and coordinate-wise tests on low-dimensional separable noisy quadratics.
import { claimSuite } from './helpers.js';

// C4's sampled checks cost minutes a case and their twin power is below 0.9 on the short grid (not a check, README).
// This file runs in the slow suite only (vitest.config.ts excludes it from the default run).
claimSuite('c4-norm');
claimSuite('c4-aug-ip');
claimSuite('c4-coord-norm');
