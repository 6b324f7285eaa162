/** Public run surface: the training loop, traces and JSON Lines I/O. */
export { run, unflatten, batchStatsAt, traceRow, EvalSchedule, type Budget, type RunMeta, type RunStatus, type RunSummary, type Observer, type RunOptions, type RunResult, type TestPooling } from './run.js';
export { officialPooledSource, subBatch } from './sources/officialPooled.js';
export { Trace, TRACE_COLUMNS, type TraceRow, type TraceColumn } from './trace.js';
export { jsonlObserver, readJsonl, parseJsonlLines, type JsonlContents } from './jsonl.js';
export {
  OPTIMIZERS, CONTROLLERS, VARIANTS, TESTS, PARAMS, makeOptimizer, makeController, resolveVariant, ConfigError, unusedParams,
  type HyperParams, type HyperName, type ParamSpec, type Descriptor, type OptimizerEntry, type ControllerEntry, type VariantEntry,
} from './registry.js';
export { runLocal, pooledEstimate, workerEstimate, type LocalOptions, type LocalResult, type LocalBudget, type LocalEstimator, type LocalEstimate, type WorkerFirstBatch } from './local.js';
export {
  step, initStep, wantsStats, wantedStats, iidSampler, sampledSource, exactSource, exactOracle, batchMeanAt,
  type StepEnv, type StepState, type StepRecord, type StepOutcome, type BatchSampler, type SampleRequest,
  type GradientSource, type GradientRequest, type GradientResult,
} from './step.js';
export { sqNorm, dot, allFinite } from './vec.js';
export { gaussianStatsSource, gaussianLawOf, hasGaussianLaw, type GaussianGradientLaw } from './sources/gaussianStats.js';
