/** The MNIST 784-H-10 tanh MLP (see {@link mlpModel}) and its smoothness bound. */
import { add, matmul, tanh, type Tensor } from '../../src/index.js';
import { split, type Key } from '../../src/rng/index.js';
import type { ImageSet } from '../data/mnist.js';
import { ProblemArgumentError } from '../common/validate.js';
import { C, D, featureFacts, linearInit } from './data.js';
import { mlpCoordVariance, mlpLayout, mlpPass } from './kernels.js';
import { backendMlpPass } from './backendMlpPass.js';
import type { MnistModel } from './model.js';
import { fusedSoftmaxCrossEntropy } from './crossEntropy.js';

/** max |tanh''| = 4/(3√3), attained at tanh² = 1/3. */
export const TANH_CURVATURE = 4 / (3 * Math.sqrt(3));

/**
 * Smoothness of the tanh MLP on the region ||W2||₂ ≤ R (all other blocks free),
 * derived here. With δ = softmax(z) − e_y (||δ|| ≤ √2), H_z = diag(p) − ppᵀ ≼ ½I,
 * λ = λ_max(mean x̃x̃ᵀ), κ = max|tanh''|:
 * Gauss–Newton part ≤ ½ (R² λ + H + 1) (W1 part ≤ R² λ, W2/b2 part ≤ ||h̃||² ≤ H + 1);
 * curvature Σ_c δ_c ∇² z_c: W1–W1 blocks ≤ √2 κ R λ, W1–W2 cross ≤ √2 √λ.
 */
export function mlpSmoothness(lambda: number, H: number, R: number): number {
  return 0.5 * (R * R * lambda + H + 1) + Math.SQRT2 * TANH_CURVATURE * R * lambda + Math.SQRT2 * Math.sqrt(lambda);
}

/** The same bound for one sample, with ||x̃_i||² in place of λ. */
function mlpSmoothnessPerSample(maxRow2: number, H: number, R: number): number {
  return 0.5 * (R * R * maxRow2 + H + 1) + Math.SQRT2 * TANH_CURVATURE * R * maxRow2 + Math.SQRT2 * Math.sqrt(maxRow2);
}

/** ||W2||₂ (spectral norm, by power iteration on W2ᵀW2) of an MLP point x. */
export function mlpW2Norm(x: Float64Array, H: number): number {
  const L = mlpLayout(D, H, C);
  let v = new Float64Array(C).fill(1 / Math.sqrt(C));
  let s = 0;
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(H);
    for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) w[j] = w[j]! + x[L.W2 + j * C + c]! * v[c]!;
    const u = new Float64Array(C);
    for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) u[c] = u[c]! + x[L.W2 + j * C + c]! * w[j]!;
    let nrm = 0;
    for (let c = 0; c < C; c++) nrm += u[c]! * u[c]!;
    nrm = Math.sqrt(nrm);
    if (nrm === 0) return 0;
    const prev = s;
    s = Math.sqrt(nrm);
    v = u.map((t) => t / nrm);
    if (Math.abs(s - prev) <= 1e-12 * s) break;
  }
  return s;
}

/**
 * MNIST 784-H-10 MLP with tanh hidden units:
 *
 *   f_i = CE(W2ᵀ tanh(W1ᵀ x_i + b1) + b2, y_i),  x = [W1 (784×H), b1 (H), W2 (H×10), b2 (10)],
 *
 * d = 795H + 10. Nonconvex, F ≥ 0 = F_low. Not globally L-smooth in all
 * parameters jointly; L is the derived bound {@link mlpSmoothness} on the convex
 * region ||W2||₂ ≤ R (W1, b1, b2 free), labelled local. Its `ball` (||x||₂ ≤ R)
 * lies inside the region; `info.inRegion(x)` checks a point.
 */
export function mlpModel(H: number, R: number, radiusInId: boolean): MnistModel {
  if (!Number.isSafeInteger(H) || H < 1) throw new ProblemArgumentError('mnist-mlp', `hidden width must be an integer ≥ 1, got ${H}`);
  if (!(R > 0 && Number.isFinite(R))) throw new ProblemArgumentError('mnist-mlp', `radius R must be finite and > 0, got ${R}`);
  const lay = mlpLayout(D, H, C);
  const dim = lay.dim;
  return {
    family: 'mnist-mlp',
    id: (n, instance) => `mnist-mlp_d${dim}_h${H}_n${n}_i${instance}` + (radiusInId && R !== 3 ? `_r${R}` : ''),
    dim,
    tags: ['finite-sum', 'real-data', 'mnist', 'classification', 'nonconvex', 'neural-network', 'local-smoothness', 'no-interpolation'],
    blocks: [
      { name: 'W1', shape: [D, H], offset: lay.W1, size: D * H },
      { name: 'b1', shape: [H], offset: lay.b1, size: H },
      { name: 'W2', shape: [H, C], offset: lay.W2, size: H * C },
      { name: 'b2', shape: [C], offset: lay.b2, size: C },
    ],
    constants(set: ImageSet) {
      const f = featureFacts(set);
      return {
        L: {
          value: mlpSmoothness(f.lambda, H, R),
          kind: 'local',
          region: `||W2||₂ ≤ ${R} (spectral norm of the hidden-to-output weights; W1, b1, b2 free)`,
          ball: { radius: R },
          perSample: mlpSmoothnessPerSample(f.maxRow2, H, R),
        },
        F_low: 0,
        noiseVanishesAtStationary: false,
      };
    },
    x0(k: Key): Float64Array {
      const [k1, k2, k3, k4] = split(k, 4) as [Key, Key, Key, Key];
      const x = new Float64Array(dim);
      x.set(linearInit(k1, D, D * H), lay.W1);
      x.set(linearInit(k2, D, H), lay.b1);
      x.set(linearInit(k3, H, H * C), lay.W2);
      x.set(linearInit(k4, H, C), lay.b2);
      return x;
    },
    perSampleLoss(params: readonly Tensor[], X: Tensor, labels: Int32Array): Tensor {
      const hidden = tanh(add(matmul(X, params[0]!), params[1]!));
      return fusedSoftmaxCrossEntropy(add(matmul(hidden, params[2]!), params[3]!), labels);
    },
    perSampleGrads(rows: ImageSet, x: Float64Array): Float64Array {
      const b = rows.n;
      const out = new Float64Array(b * dim);
      const { rowPtr, col, val } = rows.sparse;
      const ps = mlpPass(rows, x, H, { keep: true });
      const d1 = ps.delta1!;
      const d2 = ps.delta2!;
      const hd = ps.hidden!;
      for (let t = 0; t < b; t++) {
        const off = t * dim;
        for (let p = rowPtr[t]!; p < rowPtr[t + 1]!; p++) {
          for (let j = 0; j < H; j++) out[off + lay.W1 + col[p]! * H + j] = val[p]! * d1[t * H + j]!;
        }
        for (let j = 0; j < H; j++) {
          out[off + lay.b1 + j] = d1[t * H + j]!;
          for (let c = 0; c < C; c++) out[off + lay.W2 + j * C + c] = hd[t * H + j]! * d2[t * C + c]!;
        }
        for (let c = 0; c < C; c++) out[off + lay.b2 + c] = d2[t * C + c]!;
      }
      return out;
    },
    pass: (set, x, gradient, resident) => backendMlpPass(set, x, H, gradient, resident) ?? mlpPass(set, x, H, { gradient }),
    noisePerCoord: (set, x) => mlpCoordVariance(set, x, H, mlpPass(set, x, H, { gradient: true }).gradient!),
    /** inRegion: whether x lies in the region ||W2||₂ ≤ R where L holds. */
    info: { model: 'mlp', hidden: H, radius: R, inRegion: (x: Float64Array): boolean => mlpW2Norm(x, H) <= R },
  };
}
