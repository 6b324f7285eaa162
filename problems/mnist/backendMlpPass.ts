/**
 * The full pass of the MNIST tanh MLP (F, ∇F and the rows classified correctly, as
 * {@link mlpPass} in kernels.ts) through the active backend, when it reads sparse
 * companions (wasm) and the set is the training set (see backendPass.ts):
 *
 *   A = X W1 + b1 (one sparse product over the non-zeros), Hd = tanh A, Z = Hd W2 + b2,
 *   δ2 = softmax(Z) − e_y (plain loops), ∇W2 = Hdᵀ δ2, δ1 = (δ2 W2ᵀ) ∘ (1 − Hd²),
 *   ∇W1 = Xᵀ δ1 (a second sparse product), ∇b1 = Σ δ1, ∇b2 = Σ δ2 (all / n).
 *
 * The evaluations of F and ∇F at checkpoints dominated the MLP runs of `reproduce --full`
 * (a 60 000-row pass in one JavaScript loop took ≈ 1 s for F and 2 s for ∇F). The sums run
 * in the backend's order and its tanh is within a few ulp of V8's, so the results agree
 * with the js pass to float tolerance, not bit for bit (test/problems/mnistMlpPass.test.ts).
 */
import { getBackend } from '../../src/backend/index.js';
import type { ImageSet } from '../data/mnist.js';
import { crossEntropyRows, residentRows } from './backendPass.js';
import { C, D } from './data.js';
import { mlpLayout, type MlpPass } from './kernels.js';

export function backendMlpPass(set: ImageSet, x: Float64Array, H: number, gradient: boolean, resident = false): MlpPass | null {
  const X = residentRows(set, resident);
  if (X === null) return null;
  const be = getBackend();
  const n = set.n;
  const L = mlpLayout(D, H, C);
  const A = new Float64Array(n * H);
  be.matmul(X, x.subarray(L.W1, L.b1), n, D, H, A, false, false);
  for (let i = 0; i < n; i++) {
    const o = i * H;
    for (let j = 0; j < H; j++) A[o + j] = A[o + j]! + x[L.b1 + j]!;
  }
  const Hd = new Float64Array(n * H);
  be.unary('tanh', A, Hd);
  const Z = new Float64Array(n * C);
  be.matmul(Hd, x.subarray(L.W2, L.b2), n, H, C, Z, false, false);
  const labels = set.labels;
  const delta2 = gradient ? new Float64Array(n * C) : null;
  const { total, correct } = crossEntropyRows(Z, x.subarray(L.b2, L.b2 + C), labels, n, delta2);
  let grad: Float64Array | null = null;
  if (delta2 !== null) {
    grad = new Float64Array(L.dim);
    const gW2 = new Float64Array(H * C);
    be.matmul(Hd, delta2, H, n, C, gW2, true, false);
    const dHd = new Float64Array(n * H);
    be.matmul(delta2, x.subarray(L.W2, L.b2), n, C, H, dHd, false, true);
    const delta1 = new Float64Array(n * H);
    be.unaryVjp('tanh', Hd, dHd, delta1);
    const gW1 = new Float64Array(D * H);
    be.matmul(X, delta1, D, n, H, gW1, true, false);
    for (let j = 0; j < D * H; j++) grad[L.W1 + j] = gW1[j]! / n;
    for (let j = 0; j < H * C; j++) grad[L.W2 + j] = gW2[j]! / n;
    const gb1 = new Float64Array(H);
    for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) gb1[j] = gb1[j]! + delta1[i * H + j]!;
    const gb2 = new Float64Array(C);
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) gb2[c] = gb2[c]! + delta2[i * C + c]!;
    for (let j = 0; j < H; j++) grad[L.b1 + j] = gb1[j]! / n;
    for (let c = 0; c < C; c++) grad[L.b2 + c] = gb2[c]! / n;
  }
  return { value: total / n, gradient: grad, hidden: null, delta1: null, delta2: null, correct };
}
