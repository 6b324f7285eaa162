/** The MNIST 3-layer CNN of the official AdAdaGrad code (see {@link cnnModel}). */
import {
  add, conv2d, flatten, matmul, maxPool2d, relu, reshape, softmaxCrossEntropy, sum, valueAndGrad, type Tensor,
} from '../../src/index.js';
import { batchGradStats } from '../../src/batching/index.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { split, type Key } from '../../src/rng/index.js';
import { subsetImages, type ImageSet } from '../data/mnist.js';
import { C, linearInit } from './data.js';
import type { MnistModel, MnistPassResult } from './model.js';

const SIZES = { W1: 16 * 25, b1: 16, W2: 32 * 16 * 25, b2: 32, W3: 32 * 7 * 7 * C, b3: C } as const;
const BLOCKS = (() => {
  const shapes: Record<keyof typeof SIZES, number[]> = {
    W1: [16, 1, 5, 5], b1: [16], W2: [32, 16, 5, 5], b2: [32], W3: [32 * 7 * 7, C], b3: [C],
  };
  let off = 0;
  return (Object.keys(SIZES) as (keyof typeof SIZES)[]).map((name) => {
    const b = { name, shape: shapes[name], offset: off, size: SIZES[name] };
    off += SIZES[name];
    return b;
  });
})();
const DIM = BLOCKS.reduce((p, b) => p + b.size, 0);
/** Rows per chunk of a full pass (bounds the memory of the unfolded inputs). */
const CHUNK = 250;

function logits(params: readonly Tensor[], X: Tensor): Tensor {
  const b = X.shape[0]!;
  let h = reshape(X, [b, 1, 28, 28]);
  h = maxPool2d(relu(conv2d(h, params[0]!, params[1]!, { padding: 2 })), { kernel: 2 });
  h = maxPool2d(relu(conv2d(h, params[2]!, params[3]!, { padding: 2 })), { kernel: 2 });
  return add(matmul(flatten(h), params[4]!), params[5]!);
}

const unflatten = (x: Float64Array): Tensor[] => BLOCKS.map((b) => fromArray(Float64Array.from(x.subarray(b.offset, b.offset + b.size)), b.shape));

function rowsOf(set: ImageSet, start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, k) => start + k);
}

/**
 * The CNN of the official AdAdaGrad MNIST experiments (its modules.py):
 * conv 5×5 (1 → 16, stride 1, padding 2) → ReLU → 2×2 max pool → conv 5×5 (16 → 32,
 * padding 2) → ReLU → 2×2 max pool → flatten (32·7·7) → linear to 10 logits, softmax
 * cross-entropy F(θ) = (1/n) Σ_i −log softmax(z_i)_{y_i}; d = 28938. Pixels /255 in
 * [0, 1] without normalisation (the official ToDtype(scale=True)). Initialisation:
 * PyTorch's defaults, every weight and bias U(−1/√fan_in, 1/√fan_in) with fan_in
 * 25, 400 and 1568.
 *
 * NOTE: the linear weight is stored [1568, 10] (z = h W3 + b3), the transpose of
 * PyTorch's [10, 1568]; the flatten order (channel, row, column) is PyTorch's.
 *
 * Constants: F ≥ 0 = F_low. L is unknown: ReLU and max pooling make ∇F
 * discontinuous (on the sets where a pre-activation is 0 or a window has a tie),
 * so no Lipschitz constant of ∇F exists on any region containing them; L.value is
 * +∞ with that reason as its region.
 *
 * Reference: Lau, Liu, Kolar, "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive
 * Gradient Methods" (arXiv:2402.11215), the MNIST CNN of its experiments.
 */
export function cnnModel(): MnistModel {
  return {
    family: 'mnist-cnn',
    id: (n, instance) => `mnist-cnn_d${DIM}_n${n}_i${instance}`,
    dim: DIM,
    tags: ['finite-sum', 'real-data', 'mnist', 'classification', 'nonconvex', 'neural-network', 'convolutional', 'paper', 'no-interpolation'],
    blocks: BLOCKS,
    denseInput: true,
    constants() {
      return {
        L: {
          value: Number.POSITIVE_INFINITY,
          kind: 'local',
          region: 'none: ReLU and max pooling make ∇F discontinuous, so no finite L is stated',
        },
        F_low: 0,
        noiseVanishesAtStationary: false,
      };
    },
    x0(k: Key): Float64Array {
      const ks = split(k, 6) as Key[];
      const fan = { W1: 25, b1: 25, W2: 400, b2: 400, W3: 1568, b3: 1568 } as const;
      const x = new Float64Array(DIM);
      BLOCKS.forEach((b, t) => x.set(linearInit(ks[t]!, fan[b.name], b.size), b.offset));
      return x;
    },
    perSampleLoss(params: readonly Tensor[], X: Tensor, labels: Int32Array): Tensor {
      return softmaxCrossEntropy(logits(params, X), labels);
    },
    perSampleGrads(rows: ImageSet, x: Float64Array): Float64Array {
      const out = new Float64Array(rows.n * DIM);
      const ps = unflatten(x);
      for (let i = 0; i < rows.n; i++) {
        const X = fromArray(Float64Array.from(rows.pixels.subarray(i * rows.d, (i + 1) * rows.d)), [1, rows.d]);
        const label = Int32Array.of(rows.labels[i]!);
        const [, gs] = valueAndGrad((...p: Tensor[]) => sum(softmaxCrossEntropy(logits(p, X), label)), [0, 1, 2, 3, 4, 5])(...ps);
        (gs as Tensor[]).forEach((g, t) => out.set(g.toFloat64Array(), i * DIM + BLOCKS[t]!.offset));
      }
      return out;
    },
    pass(set: ImageSet, x: Float64Array, gradient: boolean): MnistPassResult {
      const ps = unflatten(x);
      const grad = gradient ? new Float64Array(DIM) : null;
      let value = 0;
      let correct = 0;
      for (let s = 0; s < set.n; s += CHUNK) {
        const sub = subsetImages(set, rowsOf(set, s, Math.min(set.n, s + CHUNK)));
        const X = fromArray(Float64Array.from(sub.pixels), [sub.n, sub.d]);
        const z = logits(ps, X).toFloat64Array();
        for (let i = 0; i < sub.n; i++) {
          let best = 0;
          for (let c = 1; c < C; c++) if (z[i * C + c]! > z[i * C + best]!) best = c;
          if (best === sub.labels[i]) correct++;
        }
        if (grad === null) {
          value += sum(softmaxCrossEntropy(fromArray(Float64Array.from(z), [sub.n, C]), sub.labels)).item();
        } else {
          const [v, gs] = valueAndGrad((...p: Tensor[]) => sum(softmaxCrossEntropy(logits(p, X), sub.labels)), [0, 1, 2, 3, 4, 5])(...ps);
          value += v.item();
          (gs as Tensor[]).forEach((g, t) => {
            const gd = g.toFloat64Array();
            for (let j = 0; j < gd.length; j++) grad[BLOCKS[t]!.offset + j] = grad[BLOCKS[t]!.offset + j]! + gd[j]!;
          });
        }
      }
      if (grad !== null) for (let j = 0; j < DIM; j++) grad[j] = grad[j]! / set.n;
      return { value: value / set.n, gradient: grad, correct };
    },
    noisePerCoord(set: ImageSet, x: Float64Array): Float64Array {
      // exact: Σ_i (g_ij − ḡ_j)² = Σ_chunks [Σ_{i∈c} (g_ij − ḡ_cj)² + n_c (ḡ_cj − ḡ_j)²], the chunks from batchGradStats
      const ps = unflatten(x);
      const parts: { n: number; mean: Float64Array; dev: Float64Array }[] = [];
      for (let s = 0; s < set.n; s += CHUNK) {
        const sub = subsetImages(set, rowsOf(set, s, Math.min(set.n, s + CHUNK)));
        const X = fromArray(Float64Array.from(sub.pixels), [sub.n, sub.d]);
        const st = batchGradStats((p) => softmaxCrossEntropy(logits(p, X), sub.labels), ps, null);
        parts.push({ n: sub.n, mean: st.meanGrad, dev: st.coordSumSqDev });
      }
      const mean = new Float64Array(DIM);
      for (const p of parts) for (let j = 0; j < DIM; j++) mean[j] = mean[j]! + (p.n * p.mean[j]!) / set.n;
      const per = new Float64Array(DIM);
      for (const p of parts) {
        for (let j = 0; j < DIM; j++) {
          const dm = p.mean[j]! - mean[j]!;
          per[j] = per[j]! + p.dev[j]! + p.n * dm * dm;
        }
      }
      for (let j = 0; j < DIM; j++) per[j] = per[j]! / set.n;
      return per;
    },
    info: {
      inRegion: (): boolean => false,
      architecture: 'conv5x5(1→16,p2)-relu-maxpool2-conv5x5(16→32,p2)-relu-maxpool2-linear(1568→10)',
    },
  };
}
