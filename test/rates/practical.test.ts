// C4 (SPEC §7) through run(): the practical lagged norm, augmented-ip and coordinate-wise tests on separable noisy
// quadratics, ḡ and the batch statistics drawn from their exact law (gaussianStatsSource). The default run checks the
// example cases with their twins; the generated-case properties run in the full suite (npm run test:rates).
import { claimSuite } from './helpers.js';

const why = 'the properties run in npm run test:rates';
claimSuite('c4-norm', { quick: 'example', why });
claimSuite('c4-aug-ip', { quick: 'example', why });
claimSuite('c4-coord-norm', { quick: 'example', why });
