/**
 * The optimizers of docs/MATH.md §4, one row each. A row names the builder of
 * `src/optim` it calls and the defaults of the hyperparameters it reads; adding
 * an optimizer is one builder (a file in src/optim) and one row here.
 */
import { OPTIMIZER_DEFAULTS as D, adagrad, adagradNorm, adam, momentum, sgd } from '../optim/alias.js';
import { adagradNormOfficial } from '../optim/adagradNormOfficial.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { AnyDescriptor, BuildContext, Descriptor, ParamUses } from './types.js';

/** An optimizer descriptor: the builder returns a gradient transformation. */
export type OptimizerDescriptor<P extends ParamUses = ParamUses> = Descriptor<P, GradientTransformation<any>>;

/** Type the row's builder by its params (an identity). */
export function optimizer<P extends ParamUses>(d: OptimizerDescriptor<P>): AnyDescriptor<GradientTransformation<any>> {
  return d as unknown as AnyDescriptor<GradientTransformation<any>>;
}

/** The optimizers, in the order of the README table. */
export const OPTIMIZERS: readonly AnyDescriptor<GradientTransformation<any>>[] = [
  optimizer({
    name: 'sgd',
    summary: 'stochastic gradient descent',
    formula: 'x ← x − α g',
    reference: 'Robbins, Monro 1951; docs/MATH.md §4',
    params: { lr: { default: 0.1 } },
    build: (v) => sgd(v.lr),
  }),
  optimizer({
    name: 'momentum',
    summary: 'heavy-ball momentum',
    formula: 'm ← βm + g; x ← x − α m',
    reference: 'Polyak 1964; docs/MATH.md §4',
    params: { lr: { default: 0.05 }, beta: { default: D.momentum.beta } },
    build: (v) => momentum(v.lr, v.beta),
  }),
  optimizer({
    name: 'adagrad-norm',
    summary: 'AdaGrad-Norm: one scalar step size (the theory\'s form)',
    formula: 'v ← v + ||g||², v₋₁ = β₀²; x ← x − α g/√v',
    reference: 'Ward, Wu, Bottou 2019 (arXiv:1806.01811); docs/MATH.md §4',
    params: { lr: { default: 1 }, beta0: { default: D.adagradNorm.beta0 } },
    build: (v) => adagradNorm(v.lr, v.beta0),
  }),
  optimizer({
    name: 'adagrad',
    summary: 'diagonal AdaGrad, v₋₁ = 0 (PyTorch\'s, as in the official experiments)',
    formula: 'v_j ← v_j + g_j²; x_j ← x_j − α g_j/(√v_j + ε)',
    reference: 'Duchi, Hazan, Singer 2011; docs/MATH.md §4',
    params: { lr: { default: 0.1 }, eps: { default: D.adagrad.eps } },
    build: (v) => adagrad(v.lr, v.eps),
  }),
  optimizer({
    name: 'adam',
    summary: 'Adam with bias correction',
    formula: 'm ← β₁m + (1−β₁)g; s ← β₂s + (1−β₂)g²; x ← x − α m̂/(√ŝ + ε)',
    reference: 'Kingma, Ba 2015 (arXiv:1412.6980)',
    params: { lr: { default: 1e-3 }, b1: { default: D.adam.b1 }, b2: { default: D.adam.b2 }, eps: { default: D.adam.eps } },
    build: (v) => adam(v.lr, v.b1, v.b2, v.eps),
  }),
  optimizer({
    name: 'adagrad-norm-official',
    summary: 'the official code\'s AdaGrad-Norm: one accumulator per output unit, a bias shares its unit\'s',
    formula: 'v_r ← v_r + ||g_r||², v₋₁ = 1e-2; x ← x − α g/(√v + 1e-10)',
    reference: 'official AdAdaGrad code (adagradnorm.py); the theory\'s scalar form is adagrad-norm',
    params: { lr: { default: 1 } },
    // Without a problem (a bare makeOptimizer call) it falls back to one scalar accumulator.
    build: (v, ctx) => adagradNormOfficial(v.lr, (ctx.problem as BuildContext['problem'] | null)?.blocks),
  }),
];
