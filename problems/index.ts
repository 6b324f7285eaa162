/** adadagrad/problems: the benchmark set (curated public index, re-exports only). */
export type {
  Batch,
  NoiseInfo,
  ParamBlock,
  Problem,
  ProblemConstants,
  SampleOptions,
  SmoothnessConstant,
} from '../src/problem/types.js';
export type { FamilyEntry, ContractPlan } from './common/family.js';
export { ProblemArgumentError } from './common/validate.js';
export type { FiniteSumProblem, FiniteSumBatch } from './common/finiteSum.js';
export type { PopulationProblem, PopulationBatch } from './common/population.js';

export { FAMILIES, familyNames, familyOf, getProblem, suite, type SuiteEntry, type SuiteFilter } from './registry.js';

// families 1–4, 7–9
export { nclogreg, nclogregFamily, type NclogregOptions } from './families/nclogreg.js';
export { robustRegression, robustCauchyFamily, robustGemanMcClureFamily, robustWelschFamily, type RobustOptions } from './families/robust.js';
export { sigmoidClassification, sigmoidFamily, type SigmoidLossOptions } from './families/sigmoidloss.js';
export { twoLayerTanhFamily, twoLayerSoftplusFamily } from './families/twolayer.js';
export { cnnTeacherFamily, cnnTeacher, cnnTeacherLocalL, type CnnTeacherOptions } from './families/cnnTeacher.js';
export { noisyQuadratic, nqmFamily, type NqmOptions } from './families/nqm.js';
export { lsqPair, lsqInterpFamily, lsqNoisyFamily, type LsqPairOptions } from './families/interpolation.js';
export { hardChain, chainFamily, type ChainOptions } from './families/chain.js';
export { plogreg, plogregFamily, PLOGREG_LAMBDA, type PlogregOptions } from './families/plogreg.js';
export { coupledQuadratic, cquadFamily, type CquadOptions } from './families/cquad.js';

// family 5: MNIST
export { mnistProblem, mnistSoftmaxFamily, mnistMlpFamily, type MnistProblem, type MnistOptions, type MnistBatch } from './mnist/problem.js';
export { loadMnist, type ImageSet } from './data/mnist.js';
export { parseIdx, IdxParseError, type IdxArray } from './data/idx.js';

// family 6: stochastic 2-D functions
export { twodProblem, rosenbrockFamily, bealeFamily, braninFamily, type TwoDProblem, type TwoDOptions } from './twod/problem.js';
export { rosenbrock, beale, branin, hessianBound, diskHessianBound, type TwoDFunction } from './twod/functions.js';

// family 10: LIBSVM data
export { parseLibsvm, LibsvmParseError, type LibsvmData, type LibsvmOptions, type CsrMatrix } from './data/libsvm.js';
export { libsvmProblem, type LibsvmFamily, type LibsvmProblemOptions, type LibsvmSource } from './data/libsvmProblem.js';
export { libsvmFamily, parseLibsvmId, type LibsvmId } from './data/libsvmFamily.js';
