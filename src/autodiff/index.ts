/** Public autodiff surface: primitives, composites, and the differentiation API. */
export {
  add, sub, mul, div, neg, exp, log, log1p, sqrt, abs, tanh, sigmoid, softplus, relu, pow, maximum,
  greater, greaterEqual, less, lessEqual, equal, where, sum, max, broadcastTo, matmul, reshape,
  transpose, slice, gather, concat, stopGradient, broadcastShapes, type TensorLike,
  conv2d, maxPool2d, avgPool2d, flatten, type Conv2dOptions, type Pool2dOptions, type Pair,
} from './primitives.js';
export { square, mean, logsumexp, logSoftmax, oneHot, softmaxCrossEntropy, sumSquares } from './composites.js';
export { grad, valueAndGrad, checkGrad, type CheckGradOptions, type CheckGradReport } from './grad.js';
export { Tape, withTape, backward, leaf, noRecord, STRUCTURAL_OPS, type TapeNode, type OpName } from './tape.js';
