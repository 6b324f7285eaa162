/** adadagrad/testing: rate checks of SPEC §7 claims, their property helpers and arbitraries (curated public index, re-exports only). */
export {
  checkRate, formatRateCheck, runKey, twinKey, variantSeries, seriesStatistics, TWIN_POWER_GOAL,
  type CheckRateOptions, type RateCheck, type RateRunRecord, type RateVariant, type PairVariant, type SeriesVariant, type VariantSeries, type BoundRun, type RateStatistic, type RateProgress, type TwinReport,
} from './rate.js';
export { quantile, olsSlope, geometricGrid, clopperPearsonUpper, clopperPearsonLower, clopperPearsonInterval } from './stats.js';
export { adagradNormL7Bound, adagradNormL7Constant } from './bounds.js';
export { exactGradient, nqmExactBatch } from './variants.js';
export { withNoiseAlong } from './exactNoise.js';
export { separableNqmArb, spectrumExponentFor, startNear, type SeparableNqmSpace } from './separable.js';
export { batchMeanDraws, MEAN_DRAW_FAMILIES } from './meanDraw.js';
export {
  checkSampleComplexity, checkSebsVersusStagewise,
  type SampleComplexityOptions, type SampleComplexityCheck, type SebsComparisonOptions, type SebsComparison,
} from './complexity.js';
export {
  boundedDouble, boundedInt, logUniform, seedArb, keyArb, problemIdArb, suiteIdArb, problemById, hyperArb, rateCaseArb,
  type Range, type InstanceFamily, type ProblemSpace, type Hyper, type HyperSpace, type RateCase, type RateCaseSpace,
} from './arbitraries.js';
export {
  checkClaim, rateProperty, assertRate, claimFailureMessage,
  type RateClaim, type ClaimCheckOptions, type RatePropertyOptions,
} from './property.js';
