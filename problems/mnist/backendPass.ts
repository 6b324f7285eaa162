/**
 * The full pass of MNIST softmax regression (F, ∇F and the rows classified correctly,
 * as {@link softmaxPass} in kernels.ts) through the active backend's products over the
 * set's non-zeros, when that backend reads sparse companions (wasm): Z = X W by one
 * sparse product, the softmax rows in plain loops, Xᵀ Δ by a second product; SIMD and
 * both threads instead of one JS loop (the evaluations of F and ∇F dominate
 * `reproduce --full`'s MNIST figure, which evaluates every epoch). The sums run in the
 * backend's order, so F and ∇F agree with the js pass to float tolerance, not bit for
 * bit (test/problems/mnistSoftmaxPass.test.ts).
 *
 * Only the set the batches are drawn from (`resident`: a problem's training rows, of any
 * size) and sets of at least FULL_PASS_MIN_ROWS rows take this path: the backend keeps
 * one data set resident at a time, and the 10 000 test images switching in and out at
 * every evaluation would cost a copy of the training set each time. NOTE (speed): the
 * 6000-row instances' ∇F took 170 ms in the js pass against 370 ms for 60 000 rows on
 * the backend; fig7's runs evaluate it about 40 times each.
 */
import { getBackend } from '../../src/backend/index.js';
import { attachSparseRows } from '../../src/backend/sparseRows.js';
import type { ImageSet } from '../data/mnist.js';
import { C, D, sparseDataset } from './data.js';
import type { SoftmaxPass } from './kernels.js';

export const FULL_PASS_MIN_ROWS = 30000;

/** Per set: all its rows as a dense array whose rows are never written (the backend reads the companion). */
const allRows = new WeakMap<ImageSet, Float64Array>();

/**
 * All rows of `set` as a dense array carrying its sparse companion, when the active
 * backend reads companions and the set is the resident one or large enough for the
 * backend path (see above); else null. Shared by the softmax and MLP full passes
 * (backendMlpPass.ts).
 */
export function residentRows(set: ImageSet, resident = false): Float64Array | null {
  if (getBackend().sparseRows !== true || (!resident && set.n < FULL_PASS_MIN_ROWS) || set.classes !== C || set.d !== D) return null;
  const ds = sparseDataset(set);
  if (ds === null) return null;
  let X = allRows.get(set);
  if (X === undefined) {
    // a lazy companion: the 60000 × 784 array is allocated but its pages are never touched
    X = new Float64Array(set.n * D);
    attachSparseRows(X, ds, Int32Array.from({ length: set.n }, (_, i) => i), false);
    allRows.set(set, X);
  }
  return X;
}

/**
 * The cross-entropy rows of a full pass: z_i = Z[i, :] + bias (written back into Z),
 * Σ_i (logsumexp z_i − z_{i, y_i}), the count of rows whose arg-max is the label, and
 * δ_i = softmax(z_i) − e_{y_i} into `delta` when given (C = 10 columns).
 */
export function crossEntropyRows(Z: Float64Array, bias: Float64Array, labels: Int32Array, n: number, delta: Float64Array | null): { total: number; correct: number } {
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let zmax = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      const z = Z[o + c]! + bias[c]!;
      Z[o + c] = z;
      if (z > zmax) {
        zmax = z;
        arg = c;
      }
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(Z[o + c]! - zmax);
    const y = labels[i]!;
    if (arg === y) correct++;
    total += Math.log(s) + zmax - Z[o + y]!;
    if (delta !== null) {
      const inv = 1 / s;
      for (let c = 0; c < C; c++) delta[o + c] = Math.exp(Z[o + c]! - zmax) * inv;
      delta[o + y] = delta[o + y]! - 1;
    }
  }
  return { total, correct };
}

export function backendSoftmaxPass(set: ImageSet, x: Float64Array, gradient: boolean, resident = false): SoftmaxPass | null {
  const X = residentRows(set, resident);
  if (X === null) return null;
  const be = getBackend();
  const n = set.n;
  const bOff = D * C;
  const Z = new Float64Array(n * C);
  be.matmul(X, x.subarray(0, bOff), n, D, C, Z, false, false);
  const labels = set.labels;
  const delta = gradient ? new Float64Array(n * C) : null;
  const { total, correct } = crossEntropyRows(Z, x.subarray(bOff, bOff + C), labels, n, delta);
  let grad: Float64Array | null = null;
  if (delta !== null) {
    grad = new Float64Array(bOff + C);
    const gW = new Float64Array(bOff);
    be.matmul(X, delta, D, n, C, gW, true, false);
    for (let j = 0; j < bOff; j++) grad[j] = gW[j]! / n;
    const gb = new Float64Array(C);
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) gb[c] = gb[c]! + delta[i * C + c]!;
    for (let c = 0; c < C; c++) grad[bOff + c] = gb[c]! / n;
  }
  return { value: total / n, gradient: grad, delta: null, correct };
}
