/** The MNIST softmax regression model 784→10 with bias (see {@link softmaxModel}). */
import { add, matmul, type Tensor } from '../../src/index.js';
import { split, type Key } from '../../src/rng/index.js';
import type { ImageSet } from '../data/mnist.js';
import { C, D, featureFacts, linearInit } from './data.js';
import { glmCoordVariance, softmaxPass } from './kernels.js';
import { backendSoftmaxPass } from './backendPass.js';
import type { MnistModel } from './model.js';
import { fusedSoftmaxCrossEntropy } from './crossEntropy.js';

const DIM = D * C + C;

/**
 * MNIST softmax regression (multinomial logistic regression), the model of the
 * official AdAdaGrad code's expt.sh MNIST run (Lau, Liu, Kolar, arXiv 2402.11215; its README's headline MNIST example is a 3-layer CNN):
 *
 *   F(W, b) = (1/n) Σ_i [logsumexp(Wᵀx_i + b) − (Wᵀx_i + b)_{y_i}],  W ∈ R^{784×10}, b ∈ R^10,
 *
 * pixels x_i ∈ [0, 1]^784 (LeCun et al., the MNIST database), d = 7850.
 * Convex, F ≥ 0 = F_low; F* is not known in closed form.
 *
 * L (derived here, global): the Hessian of the cross-entropy in the logits is
 * diag(p) − ppᵀ, whose quadratic form is the variance of u under p, at most
 * (max u − min u)²/4 ≤ ½ for a unit u; so ∇²F = (1/n) Σ x̃_i x̃_iᵀ ⊗ (diag(p_i) − p_i p_iᵀ)
 * ≼ ½ λ_max((1/n) Σ x̃_i x̃_iᵀ) I with x̃ = [x; 1]. λ_max by power iteration
 * (Rayleigh quotient + residual), once per instance. Per-sample L_i ≤ ½||x̃_i||².
 *
 * Per-sample gradients are GLM factors g_i = x̃_i δ_iᵀ, δ_i = softmax − e_{y_i},
 * so noise(x) is exact by two full passes.
 */
export function softmaxModel(): MnistModel {
  return {
    family: 'mnist-softmax',
    id: (n, instance) => `mnist-softmax_d${DIM}_n${n}_i${instance}`,
    dim: DIM,
    tags: ['finite-sum', 'real-data', 'mnist', 'classification', 'convex', 'glm', 'paper', 'no-interpolation'],
    blocks: [
      { name: 'W', shape: [D, C], offset: 0, size: D * C },
      { name: 'b', shape: [C], offset: D * C, size: C },
    ],
    constants(set: ImageSet) {
      const f = featureFacts(set);
      return {
        L: { value: 0.5 * f.lambda, kind: 'global', perSample: 0.5 * f.maxRow2 },
        F_low: 0,
        noiseVanishesAtStationary: false,
      };
    },
    x0(k: Key): Float64Array {
      const [kW, kb] = split(k, 2) as [Key, Key];
      const x = new Float64Array(DIM);
      x.set(linearInit(kW, D, D * C), 0);
      x.set(linearInit(kb, D, C), D * C);
      return x;
    },
    perSampleLoss(params: readonly Tensor[], X: Tensor, labels: Int32Array): Tensor {
      return fusedSoftmaxCrossEntropy(add(matmul(X, params[0]!), params[1]!), labels);
    },
    perSampleGrads(rows: ImageSet, x: Float64Array): Float64Array {
      const b = rows.n;
      const out = new Float64Array(b * DIM);
      const { rowPtr, col, val } = rows.sparse;
      const delta = softmaxPass(rows, x, { delta: true }).delta!;
      for (let t = 0; t < b; t++) {
        const off = t * DIM;
        for (let p = rowPtr[t]!; p < rowPtr[t + 1]!; p++) {
          for (let c = 0; c < C; c++) out[off + col[p]! * C + c] = val[p]! * delta[t * C + c]!;
        }
        for (let c = 0; c < C; c++) out[off + D * C + c] = delta[t * C + c]!;
      }
      return out;
    },
    pass: (set, x, gradient, resident) => backendSoftmaxPass(set, x, gradient, resident) ?? softmaxPass(set, x, { gradient }),
    noisePerCoord(set: ImageSet, x: Float64Array): Float64Array {
      const ps = softmaxPass(set, x, { gradient: true, delta: true });
      const per = new Float64Array(DIM);
      glmCoordVariance(set, ps.delta!, C, ps.gradient!, 0, D * C, per);
      return per;
    },
    info: { model: 'softmax', hidden: null, radius: null, inRegion: () => true },
  };
}
