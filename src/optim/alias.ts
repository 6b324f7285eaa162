/** Named optimizers: only compositions of the transforms in transform.ts (docs/MATH.md §4). */
import {
  chain, scaleByAdagrad, scaleByAdagradNorm, scaleByAdam, scaleByLearningRate, trace,
  type GradientTransformation, type LearningRate,
} from './transform.js';

/**
 * The defaults of the optional arguments below, declared once (the registry's
 * rows in src/registry/optimizers.ts read them too).
 */
export const OPTIMIZER_DEFAULTS = {
  momentum: { beta: 0.9 },
  adagradNorm: { beta0: 1 },
  adagrad: { eps: 1e-10, initial: 0 },
  adam: { b1: 0.9, b2: 0.999, eps: 1e-8 },
} as const;

/**
 * SGD: x ← x − α g.
 *
 * @example
 * sgd(0.1).update(Float64Array.of(2), sgd(0.1).init(x), x, ctx)[0]; // Float64Array [-0.2]
 */
export function sgd(lr: LearningRate): GradientTransformation<unknown[]> {
  return named('sgd', chain(scaleByLearningRate(lr)));
}

/** Heavy-ball momentum: m ← β m + g; x ← x − α m. */
export function momentum(lr: LearningRate, beta: number = OPTIMIZER_DEFAULTS.momentum.beta): GradientTransformation<unknown[]> {
  return named('momentum', chain(trace(beta), scaleByLearningRate(lr)));
}

/**
 * AdaGrad-Norm (Ward, Wu, Bottou 2019): v_k = v_{k−1} + ||g_k||², v_{−1} = β₀²;
 * x ← x − α g / √v_k.
 */
export function adagradNorm(lr: LearningRate, beta0: number = OPTIMIZER_DEFAULTS.adagradNorm.beta0): GradientTransformation<unknown[]> {
  return named('adagrad-norm', chain(scaleByAdagradNorm(beta0), scaleByLearningRate(lr)));
}

/**
 * Diagonal AdaGrad (Duchi, Hazan, Singer 2011): v_{k,j} = v_{k−1,j} + g_j²;
 * x_j ← x_j − α g_j/(√v_{k,j} + ε). Defaults v_{−1} = 0, ε = 1e-10 (PyTorch's, used by the
 * official AdAdaGrad experiments).
 */
export function adagrad(lr: LearningRate, eps: number = OPTIMIZER_DEFAULTS.adagrad.eps, initial: number = OPTIMIZER_DEFAULTS.adagrad.initial): GradientTransformation<unknown[]> {
  return named('adagrad', chain(scaleByAdagrad(eps, initial), scaleByLearningRate(lr)));
}

/** Adam (Kingma, Ba 2015) with bias correction. */
export function adam(lr: LearningRate, b1: number = OPTIMIZER_DEFAULTS.adam.b1, b2: number = OPTIMIZER_DEFAULTS.adam.b2, eps: number = OPTIMIZER_DEFAULTS.adam.eps): GradientTransformation<unknown[]> {
  return named('adam', chain(scaleByAdam(b1, b2, eps), scaleByLearningRate(lr)));
}

function named<S>(name: string, t: GradientTransformation<S>): GradientTransformation<S> {
  return { ...t, name };
}
