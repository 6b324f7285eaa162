/**
 * Softmax cross-entropy with integer labels as one fused tape op, for the MNIST models:
 *
 *   ℓ_i = logsumexp(z_i) − z_{i, y_i},   ∂ℓ_i/∂z_i = softmax(z_i) − e_{y_i},
 *
 * for logits z of shape [b, c]. The library's `softmaxCrossEntropy`
 * (src/autodiff/composites.ts) builds the same function from a dozen elementwise
 * primitives, each a pass over the [b, c] array (and, on the wasm backend, a copy into
 * and out of wasm memory); this op does the forward pass in one loop over the rows and
 * the backward pass in another. It performs exactly the composite's float operations
 * in the composite's order (m = max z_i, 0 if infinite; s = Σ_j exp(z_ij − m) in column
 * order; ℓ_i = (m + ln s) − Σ_j z_ij [j = y_i]; δ_ij = (ct_i / s + 0) e_ij + (−ct_i + 0)[j = y_i]),
 * so its losses and cotangents are the same bits as the composite's on the js backend
 * (test/problems/mnistCrossEntropy.test.ts).
 *
 * The engine (src/batching/engine.ts) sees a `custom:` op on the logits only: the
 * parameter uses around it (matmul, bias add) keep their factored statistics.
 */
import { record } from '../../src/autodiff/tape.js';
import { alloc, fmtShape, makeTensor, type Tensor } from '../../src/tensor/tensor.js';

/** Per-sample softmax cross-entropy of logits [b, c] against labels in [0, c), as one tape op; returns [b]. */
export function fusedSoftmaxCrossEntropy(logits: Tensor, labels: Int32Array): Tensor {
  if (logits.rank !== 2) throw new Error(`fusedSoftmaxCrossEntropy: logits must be [b, c], got ${fmtShape(logits.shape)}`);
  const [b, c] = logits.shape as [number, number];
  if (labels.length !== b) throw new Error(`fusedSoftmaxCrossEntropy: ${labels.length} labels for logits of shape ${fmtShape(logits.shape)}`);
  for (let i = 0; i < b; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new Error(`fusedSoftmaxCrossEntropy: label ${y} at position ${i} out of range [0, ${c})`);
  }
  const z = logits.contiguous();
  const out = alloc(logits.dtype, b);
  // e_ij = exp(z_ij − m_i) and s_i, kept for the backward pass
  const e = alloc(logits.dtype, b * c);
  const s = alloc(logits.dtype, b);
  for (let i = 0; i < b; i++) {
    const o = i * c;
    let m = -Infinity;
    for (let j = 0; j < c; j++) {
      const v = z[o + j]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    if (Math.abs(m) === Infinity) m = 0;
    let si = 0;
    for (let j = 0; j < c; j++) {
      const t = Math.exp(z[o + j]! + -m);
      e[o + j] = t;
      si += t;
    }
    s[i] = si;
    const y = labels[i]!;
    let picked = 0;
    for (let j = 0; j < c; j++) picked += z[o + j]! * (j === y ? 1 : 0);
    out[i] = (m + Math.log(si)) + -picked;
  }
  return record('custom:softmaxCrossEntropy', [logits], out, [b], (ct) => {
    const g = ct.contiguous();
    const d = alloc(logits.dtype, b * c);
    for (let i = 0; i < b; i++) {
      const o = i * c;
      // the composite broadcasts each row's cotangent by adding 0 (broadcastTo): kept for the same bits
      const a = g[i]! / s[i]! + 0;
      const na = -g[i]! + 0;
      const y = labels[i]!;
      for (let j = 0; j < c; j++) d[o + j] = a * e[o + j]! + na * (j === y ? 1 : 0);
    }
    return [makeTensor(d, [b, c])];
  }, { classes: c });
}
