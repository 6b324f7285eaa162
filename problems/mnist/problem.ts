/** MNIST problems: softmax regression 784→10 and a 784-H-10 tanh MLP, full-pass exact F, ∇F, σ²; the adapter and the family entries. */
import { add, matmul, softmaxCrossEntropy, tanh, type Tensor } from '../../src/index.js';
import { dataTensor } from '../common/glm.js';
import { choice, permutation, split, uniform, type Key } from '../../src/rng/index.js';
import type { Batch, NoiseInfo, ParamBlock, Problem, ProblemConstants, SampleOptions } from '../../src/problem/types.js';
import { intField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { checkBatchSize, checkIndices, checkParamShapes, checkPoint, ProblemArgumentError } from '../common/validate.js';
import { balancedRows, loadMnist, subsetImages, type ImageSet } from '../data/mnist.js';
import { glmCoordVariance, gramLambdaMax, mlpCoordVariance, mlpLayout, mlpPass, softmaxPass } from './kernels.js';

const D = 784;
const C = 10;
const N_TRAIN = 60000;

/** A batch of an MNIST problem: row indices into its training set. */
export interface MnistBatch extends Batch {
  readonly indices: Int32Array;
}

/** An MNIST problem: a finite sum over its training rows, with the test split kept. */
export interface MnistProblem extends Problem<MnistBatch> {
  readonly n: number;
  /** The training rows of this instance (all 60000, or a class-balanced subset). */
  readonly data: ImageSet;
  /** Row indices of `data` in the full training file. */
  readonly rows: Int32Array;
  perSampleGrads(x: Float64Array, batch: MnistBatch): Float64Array;
  noise(x: Float64Array): NoiseInfo;
  /** Mean cross-entropy on the 10000 test images. */
  testLoss(x: Float64Array): number;
  /** Fraction of the 10000 test images classified correctly. */
  testAccuracy(x: Float64Array): number;
  /** Fraction of this instance's training rows classified correctly. */
  trainAccuracy(x: Float64Array): number;
  readonly info: Readonly<Record<string, unknown>>;
}

export type MnistModel = 'softmax' | 'mlp';

/** Options of one instance. */
export interface MnistOptions {
  readonly model: MnistModel;
  /** Training rows: 60000 (the full set) or fewer (a class-balanced subset). Default 60000. */
  readonly n?: number;
  /**
   * Instance: with n < 60000, instance 0 is the first ⌊n/10⌋ rows of each digit
   * in file order and instance i ≥ 1 a random class-balanced subset drawn from
   * the instance key. The full set has only instance 0.
   */
  readonly instance?: number;
  /** MLP hidden width H (default 32). */
  readonly hidden?: number;
  /** MLP: the radius R of the region ||W2||₂ ≤ R on which L is stated (default 3). */
  readonly radius?: number;
}

// ---------------------------------------------------------------- data of an instance

const subsetCache = new Map<string, { set: ImageSet; rows: Int32Array }>();

/** The training rows of instance (n, i), cached per process. */
function instanceData(id: string, n: number, instance: number): { set: ImageSet; rows: Int32Array } {
  if (!Number.isSafeInteger(n) || n < C || n > N_TRAIN) {
    throw new ProblemArgumentError(id, `n must be an integer in [${C}, ${N_TRAIN}], got ${String(n)}`);
  }
  if (!Number.isSafeInteger(instance) || instance < 0) {
    throw new ProblemArgumentError(id, `instance must be an integer ≥ 0, got ${String(instance)}`);
  }
  if (n === N_TRAIN && instance !== 0) {
    throw new ProblemArgumentError(id, `the full training set (n = ${N_TRAIN}) has only instance 0; use n < ${N_TRAIN} for random subsets`);
  }
  const cacheKey = `${n}_${instance}`;
  const hit = subsetCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const train = loadMnist('train');
  let out: { set: ImageSet; rows: Int32Array };
  if (n === N_TRAIN) {
    out = { set: train, rows: Int32Array.from({ length: N_TRAIN }, (_, i) => i) };
  } else {
    const order = instance === 0 ? null : permutation(instanceKey('mnist', [D, n, instance]), N_TRAIN);
    const rows = balancedRows(train.labels, C, n, order);
    out = { set: subsetImages(train, rows), rows };
  }
  subsetCache.set(cacheKey, out);
  return out;
}

const gramCache = new WeakMap<ImageSet, { lambda: number; residual: number; maxRow2: number; meanRow2: number }>();

/**
 * Facts about the augmented features x̃ = [x; 1] of a set: an upper estimate of
 * λ = λ_max((1/n) Σ x̃ x̃ᵀ) (power iteration: Rayleigh quotient ρ plus its
 * residual ||Av − ρv||, since an eigenvalue lies within the residual of ρ and
 * the iteration converges to the top one), max_i and mean_i ||x̃_i||².
 */
export function featureFacts(set: ImageSet): { lambda: number; residual: number; maxRow2: number; meanRow2: number } {
  let f = gramCache.get(set);
  if (f === undefined) {
    const pw = gramLambdaMax(set);
    let maxRow2 = 0;
    let sumRow2 = 0;
    const { rowPtr, val } = set.sparse;
    for (let i = 0; i < set.n; i++) {
      let s = 1;
      for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) s += val[p]! * val[p]!;
      if (s > maxRow2) maxRow2 = s;
      sumRow2 += s;
    }
    f = { lambda: pw.lambda + pw.residual, residual: pw.residual, maxRow2, meanRow2: sumRow2 / set.n };
    gramCache.set(set, f);
  }
  return f;
}

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

// ---------------------------------------------------------------- the adapter

/** Batches from this many rows up gather into reused buffers (see {@link gatherPixels}). */
const REUSE_MIN_ROWS = 4096;

/** Two gather buffers taken in turn (one per problem instance). */
interface GatherRing {
  readonly bufs: (Float64Array | undefined)[];
  turn: number;
}

/**
 * The batch's rows as a dense [b, 784] matrix.
 *
 * NOTE (speed): with a `ring` and b ≥ REUSE_MIN_ROWS the rows are written into the
 * ring's two buffers, taken in turn (each sized for twice the rows, so growing batches
 * reallocate rarely), instead of a fresh array: the page faults of a fresh
 * 376 MB Float64Array per 60 000-row batch cost three times the copy (measured: 250 ms
 * against 75 ms of CPU). Losses are computed eagerly and the tape of one call stays
 * valid through the next call; a backward through a call made before two later
 * large calls would read overwritten rows.
 */
function gatherPixels(set: ImageSet, indices: Int32Array, ring?: GatherRing): Float64Array {
  const size = indices.length * D;
  let out: Float64Array;
  if (ring !== undefined && indices.length >= REUSE_MIN_ROWS) {
    const slot = ring.turn;
    ring.turn = 1 - slot;
    let buf = ring.bufs[slot];
    if (buf === undefined || buf.length < size) {
      // room for twice the rows (at most the whole set): growing batches reallocate rarely
      buf = new Float64Array(Math.min(Math.max(set.n, indices.length), 2 * indices.length) * D);
      ring.bufs[slot] = buf;
    }
    out = buf.subarray(0, size);
  } else {
    out = new Float64Array(size);
  }
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t]!;
    out.set(set.pixels.subarray(i * D, (i + 1) * D), t * D);
  }
  return out;
}

/** PyTorch's default nn.Linear init: weights and biases U(−1/√fan_in, 1/√fan_in). */
function linearInit(k: Key, fanIn: number, count: number): Float64Array {
  const a = 1 / Math.sqrt(fanIn);
  return uniform(k, count, -a, a);
}

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
function softmaxConstants(set: ImageSet): ProblemConstants {
  const f = featureFacts(set);
  return {
    L: { value: 0.5 * f.lambda, kind: 'global', perSample: 0.5 * f.maxRow2 },
    F_low: 0,
    noiseVanishesAtStationary: false,
  };
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
function mlpConstants(set: ImageSet, H: number, R: number): ProblemConstants {
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
}

/** Build one MNIST problem. See {@link softmaxConstants} and {@link mlpConstants} for the formulas. */
export function mnistProblem(opts: MnistOptions): MnistProblem {
  const model = opts.model;
  const n = opts.n ?? N_TRAIN;
  const instance = opts.instance ?? 0;
  const H = opts.hidden ?? 32;
  const R = opts.radius ?? 3;
  if (model !== 'softmax' && model !== 'mlp') throw new ProblemArgumentError('mnist', `unknown model ${String(model)}`);
  if (model === 'mlp' && (!Number.isSafeInteger(H) || H < 1)) throw new ProblemArgumentError('mnist-mlp', `hidden width must be an integer ≥ 1, got ${H}`);
  if (model === 'mlp' && !(R > 0 && Number.isFinite(R))) throw new ProblemArgumentError('mnist-mlp', `radius R must be finite and > 0, got ${R}`);
  const lay = mlpLayout(D, H, C);
  const dim = model === 'softmax' ? D * C + C : lay.dim;
  const id =
    model === 'softmax'
      ? `mnist-softmax_d${dim}_n${n}_i${instance}`
      : `mnist-mlp_d${dim}_h${H}_n${n}_i${instance}` + (opts.radius !== undefined && R !== 3 ? `_r${R}` : '');
  const { set, rows } = instanceData(id, n, instance);
  const blocks: ParamBlock[] =
    model === 'softmax'
      ? [
          { name: 'W', shape: [D, C], offset: 0, size: D * C },
          { name: 'b', shape: [C], offset: D * C, size: C },
        ]
      : [
          { name: 'W1', shape: [D, H], offset: lay.W1, size: D * H },
          { name: 'b1', shape: [H], offset: lay.b1, size: H },
          { name: 'W2', shape: [H, C], offset: lay.W2, size: H * C },
          { name: 'b2', shape: [C], offset: lay.b2, size: C },
        ];
  // Computed at construction (λ_max by power iteration, cached per data set), so
  // `constants` is a plain property that copies and Object.create views can override.
  const constants: ProblemConstants = model === 'softmax' ? softmaxConstants(set) : mlpConstants(set, H, R);

  const pass = (s: ImageSet, x: Float64Array, gradient: boolean) =>
    model === 'softmax' ? softmaxPass(s, x, { gradient }) : mlpPass(s, x, H, { gradient });

  const gatherRing: GatherRing = { bufs: [undefined, undefined], turn: 0 };

  function checkBatch(batch: unknown): asserts batch is MnistBatch {
    if (typeof batch !== 'object' || batch === null) throw new ProblemArgumentError(id, 'batch must be an object from problem.sample');
    const bt = batch as Partial<MnistBatch>;
    checkIndices(id, bt.indices, n);
    if (bt.size !== bt.indices.length) {
      throw new ProblemArgumentError(id, `batch.size = ${String(bt.size)} but it holds ${bt.indices.length} indices`);
    }
  }

  return {
    id,
    family: model === 'softmax' ? 'mnist-softmax' : 'mnist-mlp',
    dim,
    n,
    tags:
      model === 'softmax'
        ? ['finite-sum', 'real-data', 'mnist', 'classification', 'convex', 'glm', 'paper', 'no-interpolation']
        : ['finite-sum', 'real-data', 'mnist', 'classification', 'nonconvex', 'neural-network', 'local-smoothness', 'no-interpolation'],
    constants,
    blocks,
    exactness: { kind: 'exact' },
    data: set,
    rows,
    info: {
      model,
      hidden: model === 'mlp' ? H : null,
      radius: model === 'mlp' ? R : null,
      /** MLP: whether x lies in the region ||W2||₂ ≤ R where L holds (softmax: always true). */
      inRegion: (x: Float64Array): boolean => model === 'softmax' || mlpW2Norm(x, H) <= R,
      lambdaMaxGram: () => featureFacts(set).lambda,
    },

    x0(k: Key): Float64Array {
      if (model === 'softmax') {
        const [kW, kb] = split(k, 2) as [Key, Key];
        const x = new Float64Array(dim);
        x.set(linearInit(kW, D, D * C), 0);
        x.set(linearInit(kb, D, C), D * C);
        return x;
      }
      const [k1, k2, k3, k4] = split(k, 4) as [Key, Key, Key, Key];
      const x = new Float64Array(dim);
      x.set(linearInit(k1, D, D * H), lay.W1);
      x.set(linearInit(k2, D, H), lay.b1);
      x.set(linearInit(k3, H, H * C), lay.W2);
      x.set(linearInit(k4, H, C), lay.b2);
      return x;
    },

    sample(k: Key, b: number, o: SampleOptions = {}): MnistBatch {
      const replace = o.replace ?? true;
      checkBatchSize(id, b, n, replace);
      return { size: b, indices: choice(k, n, b, { replace }) };
    },

    perSampleLoss(params: readonly Tensor[], batch: MnistBatch): Tensor {
      checkParamShapes(id, params, blocks);
      checkBatch(batch);
      const b = batch.size;
      const X = dataTensor(gatherPixels(set, batch.indices, params[0]!.dtype === 'float64' ? gatherRing : undefined), [b, D], params[0]!);
      const labels = Int32Array.from(batch.indices, (i) => set.labels[i]!);
      if (model === 'softmax') return softmaxCrossEntropy(add(matmul(X, params[0]!), params[1]!), labels);
      const hidden = tanh(add(matmul(X, params[0]!), params[1]!));
      return softmaxCrossEntropy(add(matmul(hidden, params[2]!), params[3]!), labels);
    },

    perSampleGrads(x: Float64Array, batch: MnistBatch): Float64Array {
      checkPoint(id, x, dim);
      checkBatch(batch);
      const b = batch.size;
      const sub = subsetImages(set, batch.indices);
      const out = new Float64Array(b * dim);
      const { rowPtr, col, val } = sub.sparse;
      if (model === 'softmax') {
        const delta = softmaxPass(sub, x, { delta: true }).delta!;
        for (let t = 0; t < b; t++) {
          const off = t * dim;
          for (let p = rowPtr[t]!; p < rowPtr[t + 1]!; p++) {
            for (let c = 0; c < C; c++) out[off + col[p]! * C + c] = val[p]! * delta[t * C + c]!;
          }
          for (let c = 0; c < C; c++) out[off + D * C + c] = delta[t * C + c]!;
        }
        return out;
      }
      const ps = mlpPass(sub, x, H, { keep: true });
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

    value(x: Float64Array): number {
      checkPoint(id, x, dim);
      return pass(set, x, false).value;
    },

    gradient(x: Float64Array): Float64Array {
      checkPoint(id, x, dim);
      return pass(set, x, true).gradient!;
    },

    noise(x: Float64Array): NoiseInfo {
      checkPoint(id, x, dim);
      let per: Float64Array;
      if (model === 'softmax') {
        const ps = softmaxPass(set, x, { gradient: true, delta: true });
        per = new Float64Array(dim);
        glmCoordVariance(set, ps.delta!, C, ps.gradient!, 0, D * C, per);
      } else {
        const G = mlpPass(set, x, H, { gradient: true }).gradient!;
        per = mlpCoordVariance(set, x, H, G);
      }
      let total = 0;
      for (let j = 0; j < dim; j++) total += per[j]!;
      return { sigma2: total, sigma2PerCoord: per };
    },

    testLoss(x: Float64Array): number {
      checkPoint(id, x, dim);
      return pass(loadMnist('test'), x, false).value;
    },

    testAccuracy(x: Float64Array): number {
      checkPoint(id, x, dim);
      const test = loadMnist('test');
      return pass(test, x, false).correct / test.n;
    },

    trainAccuracy(x: Float64Array): number {
      checkPoint(id, x, dim);
      return pass(set, x, false).correct / n;
    },
  };
}

// ---------------------------------------------------------------- family entries

const SOFTMAX_PATTERN = /^mnist-softmax_d7850_n\d+_i\d+$/;
const SOFTMAX_FORM = 'mnist-softmax_d7850_n<training rows ≤ 60000>_i<instance>';
const MLP_PATTERN = /^mnist-mlp_d\d+_h\d+_n\d+_i\d+(_r\d+(\.\d+)?)?$/;
const MLP_FORM = 'mnist-mlp_d<795h + 10>_h<hidden width>_n<training rows ≤ 60000>_i<instance>[_r<region radius, default 3>]';

export const mnistSoftmaxFamily: FamilyEntry = {
  family: 'mnist-softmax',
  idPattern: SOFTMAX_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, SOFTMAX_PATTERN, SOFTMAX_FORM);
    return mnistProblem({
      model: 'softmax',
      n: intField(id, p, 'n', C, N_TRAIN),
      instance: intField(id, p, 'i', 0, 1_000_000),
    });
  },
  defaultIds: ['mnist-softmax_d7850_n60000_i0', 'mnist-softmax_d7850_n6000_i0'],
  description:
    'MNIST softmax regression 784→10 with bias (the model of the official AdAdaGrad expt.sh MNIST run; the official README\'s headline MNIST example is a 3-layer CNN), cross-entropy over the training rows (60000, or a class-balanced subset); convex; global L = ½ λ_max(X̃ᵀX̃/n) (≈ 19.5 on the full set); test loss and accuracy on the 10000 test images.',
};

export const mnistMlpFamily: FamilyEntry = {
  family: 'mnist-mlp',
  idPattern: MLP_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, MLP_PATTERN, MLP_FORM);
    const H = intField(id, p, 'h', 1, 4096);
    const d = intField(id, p, 'd', 1, Number.MAX_SAFE_INTEGER);
    if (d !== 795 * H + 10) throw new ProblemArgumentError(id, `d must be 795h + 10 = ${795 * H + 10} for h = ${H}, got ${d}`);
    const r = p.fields.r;
    if (r !== undefined && !(r > 0 && Number.isFinite(r))) throw new ProblemArgumentError(id, `field 'r' must be > 0, got ${r}`);
    return mnistProblem({
      model: 'mlp',
      n: intField(id, p, 'n', C, N_TRAIN),
      instance: intField(id, p, 'i', 0, 1_000_000),
      hidden: H,
      ...(r !== undefined ? { radius: r } : {}),
    });
  },
  defaultIds: ['mnist-mlp_d25450_h32_n60000_i0', 'mnist-mlp_d25450_h32_n6000_i0'],
  description:
    'MNIST 784-H-10 MLP with tanh hidden units and cross-entropy (nonconvex); L is a derived bound on the region ||W2||₂ ≤ R (default 3), labelled local; test loss and accuracy on the 10000 test images.',
};

export const mnistFamilies: readonly FamilyEntry[] = [mnistSoftmaxFamily, mnistMlpFamily];
