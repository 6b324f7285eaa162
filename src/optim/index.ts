/** Public optimizer surface. */
export {
  chain, scaleByLearningRate, trace, scaleByAdagradNorm, scaleByAdagrad, scaleByAdam,
  type GradientTransformation, type StepContext, type LearningRate,
} from './transform.js';
export { sgd, momentum, adagradNorm, adagrad, adam, OPTIMIZER_DEFAULTS } from './alias.js';
export {
  adagradNormOfficial, scaleByAdagradNormOfficial, type OfficialNormBlock, type AdagradNormOfficialOptions,
} from './adagradNormOfficial.js';
