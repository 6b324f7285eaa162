/** adadagrad/testing: rate checks of docs/MATH.md §7 claims, their property helpers and arbitraries (curated public index, re-exports only). */
export {
  checkRate, formatRateCheck, runKey, variantSeries,
  type CheckRateOptions, type RateCheck, type RateRunRecord, type RateVariant, type PairVariant, type SeriesVariant, type VariantSeries, type BoundRun,
} from './rate.js';
export { quantile, olsSlope, geometricGrid, clopperPearsonUpper } from './stats.js';
export { adagradNormL7Bound, adagradNormL7Constant } from './bounds.js';
export { exactGradient, nqmExactBatch } from './variants.js';
export { withNoiseAlong } from './exactNoise.js';
export {
  boundedDouble, boundedInt, logUniform, seedArb, keyArb, problemIdArb, suiteIdArb, problemById, hyperArb, rateCaseArb,
  type Range, type InstanceFamily, type ProblemSpace, type Hyper, type HyperSpace, type RateCase, type RateCaseSpace,
} from './arbitraries.js';
export {
  checkClaim, rateProperty, assertRate, claimFailureMessage,
  type RateClaim, type ClaimCheckOptions, type RatePropertyOptions,
} from './property.js';
/** fast-check, the property-testing library the rate checks run on (the version this package depends on): `import { fc } from 'adadagrad/testing'`. */
export * as fc from 'fast-check';
