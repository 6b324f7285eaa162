// C4 (SPEC §7) through run() with sampled batches: the practical lagged norm, augmented-ip and coordinate-wise tests on low-dimensional separable noisy quadratics.
import { claimSuite } from './helpers.js';

// C4's sampled checks cost 40–60 s a case and their twin power is below 0.9 on the short grid
// (not a check, README): the default run keeps one example case; `npm run test:rates` runs all.
claimSuite('c4-norm', { quick: 'example', why: 'sampled checks are slow and not yet a check (twin power < 0.9)' });
claimSuite('c4-aug-ip', { quick: 'none' });
claimSuite('c4-coord-norm', { quick: 'none' });
