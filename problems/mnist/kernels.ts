/** Full-pass kernels for softmax regression and a one-hidden-layer MLP on a sparse image set (plain loops, Float64). */
import type { ImageSet } from '../data/mnist.js';

/**
 * Softmax regression with C classes on features x_i ∈ R^D and a bias:
 *
 *   f_i(W, b) = logsumexp(z_i) − z_{i, y_i},   z_i = Wᵀ x_i + b,
 *
 * with x = [W (D × C row-major), b (C)]. The per-sample gradient is the outer
 * product x̃_i δ_iᵀ with x̃_i = [x_i; 1] and δ_i = softmax(z_i) − e_{y_i}
 * (a GLM factor), so ||g_i||² = ||x̃_i||² ||δ_i||².
 */
export interface SoftmaxPass {
  /** (1/n) Σ f_i. */
  readonly value: number;
  /** ∇F = (1/n) Σ g_i, laid out like x (null unless asked). */
  readonly gradient: Float64Array | null;
  /** δ_i = softmax(z_i) − e_{y_i}, row-major n × C (null unless asked). */
  readonly delta: Float64Array | null;
  /** Number of rows whose arg-max logit equals the label. */
  readonly correct: number;
}

/** One pass of softmax regression over a set: value, and optionally gradient and δ. */
export function softmaxPass(set: ImageSet, x: Float64Array, want: { gradient?: boolean; delta?: boolean } = {}): SoftmaxPass {
  if (set.classes === 10) return softmaxPass10(set, x, want);
  return softmaxPassC(set, x, want);
}

/** {@link softmaxPass} for any number of classes (the definition {@link softmaxPass10} unrolls). */
export function softmaxPassC(set: ImageSet, x: Float64Array, want: { gradient?: boolean; delta?: boolean } = {}): SoftmaxPass {
  const { n, d: D, classes: C } = set;
  const { rowPtr, col, val } = set.sparse;
  const labels = set.labels;
  const bOff = D * C;
  const gradient = want.gradient ? new Float64Array(D * C + C) : null;
  const delta = want.delta ? new Float64Array(n * C) : null;
  const z = new Float64Array(C);
  const dl = new Float64Array(C);
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) z[c] = x[bOff + c]!;
    const p0 = rowPtr[i]!;
    const p1 = rowPtr[i + 1]!;
    for (let p = p0; p < p1; p++) {
      const v = val[p]!;
      const w = col[p]! * C;
      for (let c = 0; c < C; c++) z[c] = z[c]! + v * x[w + c]!;
    }
    let zmax = z[0]!;
    let arg = 0;
    for (let c = 1; c < C; c++) {
      if (z[c]! > zmax) {
        zmax = z[c]!;
        arg = c;
      }
    }
    let s = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(z[c]! - zmax);
      dl[c] = e;
      s += e;
    }
    const y = labels[i]!;
    if (arg === y) correct++;
    total += Math.log(s) + zmax - z[y]!;
    if (gradient === null && delta === null) continue;
    const inv = 1 / s;
    for (let c = 0; c < C; c++) dl[c] = dl[c]! * inv;
    dl[y] = dl[y]! - 1;
    if (delta !== null) delta.set(dl, i * C);
    if (gradient !== null) {
      for (let p = p0; p < p1; p++) {
        const v = val[p]!;
        const w = col[p]! * C;
        for (let c = 0; c < C; c++) gradient[w + c] = gradient[w + c]! + v * dl[c]!;
      }
      for (let c = 0; c < C; c++) gradient[bOff + c] = gradient[bOff + c]! + dl[c]!;
    }
  }
  if (gradient !== null) for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! / n;
  return { value: total / n, gradient, delta, correct };
}

/**
 * {@link softmaxPassC} for ten classes with the class loops unrolled into locals (MNIST):
 * the same operations in the same order, so the same bits, about twice as fast.
 */
function softmaxPass10(set: ImageSet, x: Float64Array, want: { gradient?: boolean; delta?: boolean }): SoftmaxPass {
  const { n, d: D } = set;
  const { rowPtr, col, val } = set.sparse;
  const labels = set.labels;
  const bOff = D * 10;
  const gradient = want.gradient ? new Float64Array(D * 10 + 10) : null;
  const delta = want.delta ? new Float64Array(n * 10) : null;
  const z = new Float64Array(10);
  const dl = new Float64Array(10);
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let z0 = x[bOff]!, z1 = x[bOff + 1]!, z2 = x[bOff + 2]!, z3 = x[bOff + 3]!, z4 = x[bOff + 4]!;
    let z5 = x[bOff + 5]!, z6 = x[bOff + 6]!, z7 = x[bOff + 7]!, z8 = x[bOff + 8]!, z9 = x[bOff + 9]!;
    const p0 = rowPtr[i]!;
    const p1 = rowPtr[i + 1]!;
    for (let p = p0; p < p1; p++) {
      const v = val[p]!;
      const w = col[p]! * 10;
      z0 = z0 + v * x[w]!; z1 = z1 + v * x[w + 1]!; z2 = z2 + v * x[w + 2]!; z3 = z3 + v * x[w + 3]!; z4 = z4 + v * x[w + 4]!;
      z5 = z5 + v * x[w + 5]!; z6 = z6 + v * x[w + 6]!; z7 = z7 + v * x[w + 7]!; z8 = z8 + v * x[w + 8]!; z9 = z9 + v * x[w + 9]!;
    }
    z[0] = z0; z[1] = z1; z[2] = z2; z[3] = z3; z[4] = z4; z[5] = z5; z[6] = z6; z[7] = z7; z[8] = z8; z[9] = z9;
    let zmax = z0;
    let arg = 0;
    for (let c = 1; c < 10; c++) {
      if (z[c]! > zmax) {
        zmax = z[c]!;
        arg = c;
      }
    }
    const e0 = Math.exp(z0 - zmax), e1 = Math.exp(z1 - zmax), e2 = Math.exp(z2 - zmax), e3 = Math.exp(z3 - zmax), e4 = Math.exp(z4 - zmax);
    const e5 = Math.exp(z5 - zmax), e6 = Math.exp(z6 - zmax), e7 = Math.exp(z7 - zmax), e8 = Math.exp(z8 - zmax), e9 = Math.exp(z9 - zmax);
    let s = 0;
    s += e0; s += e1; s += e2; s += e3; s += e4; s += e5; s += e6; s += e7; s += e8; s += e9;
    const y = labels[i]!;
    if (arg === y) correct++;
    total += Math.log(s) + zmax - z[y]!;
    if (gradient === null && delta === null) continue;
    const inv = 1 / s;
    dl[0] = e0 * inv; dl[1] = e1 * inv; dl[2] = e2 * inv; dl[3] = e3 * inv; dl[4] = e4 * inv;
    dl[5] = e5 * inv; dl[6] = e6 * inv; dl[7] = e7 * inv; dl[8] = e8 * inv; dl[9] = e9 * inv;
    dl[y] = dl[y]! - 1;
    if (delta !== null) delta.set(dl, i * 10);
    if (gradient !== null) {
      const d0 = dl[0]!, d1 = dl[1]!, d2 = dl[2]!, d3 = dl[3]!, d4 = dl[4]!, d5 = dl[5]!, d6 = dl[6]!, d7 = dl[7]!, d8 = dl[8]!, d9 = dl[9]!;
      for (let p = p0; p < p1; p++) {
        const v = val[p]!;
        const w = col[p]! * 10;
        gradient[w] = gradient[w]! + v * d0; gradient[w + 1] = gradient[w + 1]! + v * d1;
        gradient[w + 2] = gradient[w + 2]! + v * d2; gradient[w + 3] = gradient[w + 3]! + v * d3;
        gradient[w + 4] = gradient[w + 4]! + v * d4; gradient[w + 5] = gradient[w + 5]! + v * d5;
        gradient[w + 6] = gradient[w + 6]! + v * d6; gradient[w + 7] = gradient[w + 7]! + v * d7;
        gradient[w + 8] = gradient[w + 8]! + v * d8; gradient[w + 9] = gradient[w + 9]! + v * d9;
      }
      gradient[bOff] = gradient[bOff]! + d0; gradient[bOff + 1] = gradient[bOff + 1]! + d1;
      gradient[bOff + 2] = gradient[bOff + 2]! + d2; gradient[bOff + 3] = gradient[bOff + 3]! + d3;
      gradient[bOff + 4] = gradient[bOff + 4]! + d4; gradient[bOff + 5] = gradient[bOff + 5]! + d5;
      gradient[bOff + 6] = gradient[bOff + 6]! + d6; gradient[bOff + 7] = gradient[bOff + 7]! + d7;
      gradient[bOff + 8] = gradient[bOff + 8]! + d8; gradient[bOff + 9] = gradient[bOff + 9]! + d9;
    }
  }
  if (gradient !== null) for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! / n;
  return { value: total / n, gradient, delta, correct };
}

/**
 * Exact per-coordinate variances of the per-sample gradients of a GLM layer,
 * centred (two-pass, no cancellation): for the weight W [D × C] with
 * g_i[k, c] = x_ik δ_ic and the bias with g_i[c] = δ_ic,
 *
 *   σ²[k, c] = (1/n) Σ_i (x_ik δ_ic − G[k, c])²
 *            = (1/n) [ Σ_{i: x_ik ≠ 0} (x_ik δ_ic − G[k, c])² + (n − nnz_k) G[k, c]² ],
 *
 * which costs one pass over the non-zeros. `gW`/`gB` are the mean gradients,
 * `out` receives σ² for W (D·C entries at wOff) and for the bias (C at bOff).
 */
export function glmCoordVariance(
  set: ImageSet,
  delta: Float64Array,
  C: number,
  G: Float64Array,
  wOff: number,
  bOff: number,
  out: Float64Array,
): void {
  const { n, d: D } = set;
  const { rowPtr, col, val } = set.sparse;
  const nnzCol = new Int32Array(D);
  for (let i = 0; i < n; i++) {
    const dOff = i * C;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const v = val[p]!;
      const k = col[p]!;
      nnzCol[k] = nnzCol[k]! + 1;
      const w = wOff + k * C;
      for (let c = 0; c < C; c++) {
        const t = v * delta[dOff + c]! - G[w + c]!;
        out[w + c] = out[w + c]! + t * t;
      }
    }
    for (let c = 0; c < C; c++) {
      const t = delta[dOff + c]! - G[bOff + c]!;
      out[bOff + c] = out[bOff + c]! + t * t;
    }
  }
  for (let k = 0; k < D; k++) {
    const rest = n - nnzCol[k]!;
    for (let c = 0; c < C; c++) {
      const w = wOff + k * C + c;
      const g = G[w]!;
      out[w] = (out[w]! + rest * g * g) / n;
    }
  }
  for (let c = 0; c < C; c++) out[bOff + c] = out[bOff + c]! / n;
}

/**
 * λ_max((1/n) X̃ᵀX̃) for X̃ = [X, 1] (features with a constant column for the
 * bias), by power iteration on the sparse rows. Returns the Rayleigh quotient
 * (a lower bound on λ_max that converges to it) and the residual
 * ||A v − ρ v|| (an eigenvalue of A lies within it of ρ).
 */
export function gramLambdaMax(set: ImageSet, opts: { tol?: number; maxIter?: number } = {}): { lambda: number; residual: number; iterations: number } {
  const { n, d: D } = set;
  const { rowPtr, col, val } = set.sparse;
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 1000;
  const m = D + 1;
  let v = new Float64Array(m).fill(1 / Math.sqrt(m));
  const apply = (u: Float64Array): Float64Array => {
    const out = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      let s = u[D]!;
      const p0 = rowPtr[i]!;
      const p1 = rowPtr[i + 1]!;
      for (let p = p0; p < p1; p++) s += val[p]! * u[col[p]!]!;
      for (let p = p0; p < p1; p++) out[col[p]!] = out[col[p]!]! + val[p]! * s;
      out[D] = out[D]! + s;
    }
    for (let k = 0; k < m; k++) out[k] = out[k]! / n;
    return out;
  };
  let lambda = 0;
  let residual = Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    const av = apply(v);
    let rho = 0;
    let nrm = 0;
    for (let k = 0; k < m; k++) {
      rho += v[k]! * av[k]!;
      nrm += av[k]! * av[k]!;
    }
    let r2 = 0;
    for (let k = 0; k < m; k++) r2 += (av[k]! - rho * v[k]!) ** 2;
    residual = Math.sqrt(r2);
    const prev = lambda;
    lambda = rho;
    nrm = Math.sqrt(nrm);
    const next = new Float64Array(m);
    for (let k = 0; k < m; k++) next[k] = av[k]! / nrm;
    v = next;
    if (it > 2 && Math.abs(lambda - prev) <= tol * lambda && residual <= 1e-6 * lambda) break;
  }
  return { lambda, residual, iterations: it + 1 };
}

/** Offsets of the MLP blocks in x = [W1 (D×H), b1 (H), W2 (H×C), b2 (C)]. */
export function mlpLayout(D: number, H: number, C: number): { W1: number; b1: number; W2: number; b2: number; dim: number } {
  const W1 = 0;
  const b1 = D * H;
  const W2 = b1 + H;
  const b2 = W2 + H * C;
  return { W1, b1, W2, b2, dim: b2 + C };
}

export interface MlpPass {
  readonly value: number;
  readonly gradient: Float64Array | null;
  /** Hidden activations h_i (n × H), δ1_i = ∂f_i/∂a1_i (n × H), δ2_i = softmax − e_y (n × C), when asked. */
  readonly hidden: Float64Array | null;
  readonly delta1: Float64Array | null;
  readonly delta2: Float64Array | null;
  readonly correct: number;
}

/**
 * One pass of the tanh MLP f_i = CE(W2ᵀ tanh(W1ᵀ x_i + b1) + b2, y_i) over a set.
 * Backward by hand: δ2 = softmax(z) − e_y, δ1 = (W2 δ2) ∘ (1 − tanh²(a1));
 * ∇W1 = Σ x_i δ1_iᵀ, ∇b1 = Σ δ1_i, ∇W2 = Σ h_i δ2_iᵀ, ∇b2 = Σ δ2_i (all / n).
 */
export function mlpPass(
  set: ImageSet,
  x: Float64Array,
  H: number,
  want: { gradient?: boolean; keep?: boolean } = {},
): MlpPass {
  const { n, d: D, classes: C } = set;
  const { rowPtr, col, val } = set.sparse;
  const L = mlpLayout(D, H, C);
  const needBack = want.gradient === true || want.keep === true;
  const gradient = want.gradient ? new Float64Array(L.dim) : null;
  const hidden = want.keep ? new Float64Array(n * H) : null;
  const delta1 = want.keep ? new Float64Array(n * H) : null;
  const delta2 = want.keep ? new Float64Array(n * C) : null;
  const a = new Float64Array(H);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  const z = new Float64Array(C);
  const dz = new Float64Array(C);
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < H; j++) a[j] = x[L.b1 + j]!;
    const p0 = rowPtr[i]!;
    const p1 = rowPtr[i + 1]!;
    for (let p = p0; p < p1; p++) {
      const v = val[p]!;
      const w = L.W1 + col[p]! * H;
      for (let j = 0; j < H; j++) a[j] = a[j]! + v * x[w + j]!;
    }
    for (let j = 0; j < H; j++) {
      const t = Math.tanh(a[j]!);
      h[j] = t;
      dh[j] = 1 - t * t;
    }
    for (let c = 0; c < C; c++) z[c] = x[L.b2 + c]!;
    for (let j = 0; j < H; j++) {
      const hv = h[j]!;
      const w = L.W2 + j * C;
      for (let c = 0; c < C; c++) z[c] = z[c]! + hv * x[w + c]!;
    }
    let zmax = z[0]!;
    let arg = 0;
    for (let c = 1; c < C; c++) {
      if (z[c]! > zmax) {
        zmax = z[c]!;
        arg = c;
      }
    }
    let s = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(z[c]! - zmax);
      dz[c] = e;
      s += e;
    }
    const y = set.labels[i]!;
    if (arg === y) correct++;
    total += Math.log(s) + zmax - z[y]!;
    if (!needBack) continue;
    const inv = 1 / s;
    for (let c = 0; c < C; c++) dz[c] = dz[c]! * inv;
    dz[y] = dz[y]! - 1;
    // δ1 = (W2 δ2) ∘ act'(a1)
    for (let j = 0; j < H; j++) {
      const w = L.W2 + j * C;
      let t = 0;
      for (let c = 0; c < C; c++) t += x[w + c]! * dz[c]!;
      dh[j] = t * dh[j]!;
    }
    if (hidden !== null) hidden.set(h, i * H);
    if (delta1 !== null) delta1.set(dh, i * H);
    if (delta2 !== null) delta2.set(dz, i * C);
    if (gradient !== null) {
      for (let p = p0; p < p1; p++) {
        const v = val[p]!;
        const w = L.W1 + col[p]! * H;
        for (let j = 0; j < H; j++) gradient[w + j] = gradient[w + j]! + v * dh[j]!;
      }
      for (let j = 0; j < H; j++) gradient[L.b1 + j] = gradient[L.b1 + j]! + dh[j]!;
      for (let j = 0; j < H; j++) {
        const hv = h[j]!;
        const w = L.W2 + j * C;
        for (let c = 0; c < C; c++) gradient[w + c] = gradient[w + c]! + hv * dz[c]!;
      }
      for (let c = 0; c < C; c++) gradient[L.b2 + c] = gradient[L.b2 + c]! + dz[c]!;
    }
  }
  if (gradient !== null) for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! / n;
  return { value: total / n, gradient, hidden, delta1, delta2, correct };
}

/**
 * Exact per-coordinate variances σ_j² of the MLP's per-sample gradients,
 * centred. W1/b1 use the sparse GLM identity of {@link glmCoordVariance};
 * W2 (g = h_i δ2_iᵀ, dense) and b2 are summed directly.
 */
export function mlpCoordVariance(set: ImageSet, x: Float64Array, H: number, G: Float64Array): Float64Array {
  const { n, d: D, classes: C } = set;
  const L = mlpLayout(D, H, C);
  const pass = mlpPass(set, x, H, { keep: true });
  const out = new Float64Array(L.dim);
  glmCoordVariance(set, pass.delta1!, H, G, L.W1, L.b1, out);
  const hidden = pass.hidden!;
  const delta2 = pass.delta2!;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < H; j++) {
      const hv = hidden[i * H + j]!;
      const w = L.W2 + j * C;
      for (let c = 0; c < C; c++) {
        const t = hv * delta2[i * C + c]! - G[w + c]!;
        out[w + c] = out[w + c]! + t * t;
      }
    }
    for (let c = 0; c < C; c++) {
      const t = delta2[i * C + c]! - G[L.b2 + c]!;
      out[L.b2 + c] = out[L.b2 + c]! + t * t;
    }
  }
  for (let j = L.W2; j < L.dim; j++) out[j] = out[j]! / n;
  return out;
}
