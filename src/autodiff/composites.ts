/** Composite ops: built only from primitives, so they need no derivative rule. */
import { fmtShape, makeTensor, alloc, type Tensor } from '../tensor/tensor.js';
import {
  abs, add, div, equal, exp, log, max, mul, normAxes, reshape, stopGradient, sub, sum, where, type TensorLike,
} from './primitives.js';

/** x² = x · x. */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}

/** Mean over `axis` (all axes by default): Σ x / count. */
export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('mean', x.shape, axis);
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return div(sum(x, axes, keepdims), count);
}

/**
 * log Σ exp(x) over `axis`, stable: m + log Σ exp(x − m) with m = max x held
 * constant. NOTE: m is wrapped in stopGradient; the expression is exact for any
 * constant m, so the gradient (softmax) is unchanged and needs no rule.
 */
export function logsumexp(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('logsumexp', x.shape, axis);
  const mx = max(x, axes, true);
  // NOTE: an infinite max (all −∞, or a +∞ entry) would give ∞ − ∞ = NaN; shift by 0 there.
  const m = stopGradient(where(equal(abs(mx), Infinity), 0, mx));
  const lse = add(m, log(sum(exp(sub(x, m)), axes, true)));
  if (keepdims) return lse;
  return reshape(lse, x.shape.filter((_, i) => !axes.includes(i)));
}

/** log softmax along `axis` (default last): x − logsumexp(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logsumexp(x, axis, true));
}

/** A one-hot matrix [b, c] (constant, no gradient). */
export function oneHot(labels: Int32Array | readonly number[], classes: number, like: Tensor): Tensor {
  const b = labels.length;
  const d = alloc(like.dtype, b * classes);
  for (let i = 0; i < b; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new Error(`oneHot: label ${y} at position ${i} out of range [0, ${classes})`);
    }
    d[i * classes + y] = 1;
  }
  return makeTensor(d, [b, classes]);
}

/**
 * Per-sample softmax cross-entropy with integer labels:
 * ℓ_i = logsumexp(z_i) − z_{i, y_i}, for logits z of shape [b, c]; returns [b].
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array | readonly number[]): Tensor {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [b, c], got ${fmtShape(logits.shape)}`);
  const [b, c] = logits.shape as [number, number];
  if (labels.length !== b) {
    throw new Error(`softmaxCrossEntropy: ${labels.length} labels for logits of shape ${fmtShape(logits.shape)}`);
  }
  const picked = sum(mul(logits, oneHot(labels, c, logits)), 1);
  return sub(logsumexp(logits, 1), picked);
}

/** Σ of squares of all entries. */
export function sumSquares(x: Tensor): Tensor {
  return sum(square(x));
}

export type { TensorLike };
