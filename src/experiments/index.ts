/** The figure reproductions: jobs, the worker pool and cache, the figure families and `reproduce` (public index, re-exports only). */
export { reproduce, selectFamilies, describeMode, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export { runJobs, type PoolOptions } from './pool.js';
export { RunCache, jobHash, CACHE_VERSION } from './cache.js';
export { executeJob, evaluate, evaluationObserver, problemById } from './execute.js';
export { SETTINGS, modeFlag, type Settings } from './settings.js';
export { FAMILIES } from './figures/index.js';
export type { FigureFamily } from './figures/family.js';
export { ratesFamily, RATE_METHODS } from './figures/rates.js';
export { batchFamily, TEST_METHODS } from './figures/batch.js';
export { complexityFamily, COMPLEXITY_METHODS } from './figures/complexity.js';
export { sebsFamily } from './figures/sebs.js';
export { mnistFamily, epochCheckpoints } from './figures/mnist.js';
export { cnnFamily, cnnMethods, cnnRampHyper, cnnRampSizes, OFFICIAL_CNN_SETTINGS } from './figures/cnn.js';
export { benchFamily, benchMethods, hittingCosts, METHOD_LABELS as BENCH_METHOD_LABELS, TARGETS } from './figures/bench.js';
export { sgdmFamily, sgdmEffects, sgdmMethods, lateGradNorm, SGDM_PROBLEMS, type Spread } from './figures/sgdm.js';
export { localFamily, localEffects, LOCAL_METHODS, LOCAL_PROBLEM, type LocalMethod, type LocalSpread } from './figures/local.js';
export type { Mode, RunJob, RunOutput, EvalPoint, EvalSchedule } from './types.js';
