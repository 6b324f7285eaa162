/**
 * The MNIST problems: the adapter that turns a model (softmax.ts, mlp.ts) and the
 * training rows of an instance (data.ts) into a validated Problem with full-pass exact
 * F, ∇F, σ² and the test-set evaluations; and the family entries.
 *
 * NOTE: this adapter plays the part of problems/common/finiteSum.ts for MNIST. That
 * adapter derives F, ∇F and σ² from one per-sample gradient at a time (O(n · d) with
 * dense rows); the models here have sparse full-pass kernels (kernels.ts) instead.
 */
import { dataTensor } from '../common/glm.js';
import { getBackend } from '../../src/backend/index.js';
import { choice, type Key } from '../../src/rng/index.js';
import { fromArray, type Tensor } from '../../src/tensor/tensor.js';
import type { NoiseInfo, Problem, SampleOptions } from '../../src/problem/types.js';
import { intField, parseId, type FamilyEntry } from '../common/family.js';
import { checkBatchSize, checkIndices, checkParamShapes, checkPoint, ProblemArgumentError } from '../common/validate.js';
import { balancedRows, loadMnist, subsetImages, type ImageSet } from '../data/mnist.js';
import { C, N_TRAIN, featureFacts, gatherPixels, gatherPixels32, gatherRing, instanceData, type MnistBatch } from './data.js';
import type { MnistModel as MnistModelSpec } from './model.js';
import { softmaxModel } from './softmax.js';
import { mlpModel } from './mlp.js';
import { cnnModel } from './cnn.js';

export { featureFacts, type MnistBatch } from './data.js';
export { TANH_CURVATURE, mlpSmoothness, mlpW2Norm } from './mlp.js';

/** An MNIST problem: a finite sum over its training rows, with the test split kept. */
export interface MnistProblem extends Problem<MnistBatch> {
  readonly n: number;
  /** The training rows of this instance (all 60000, or a class-balanced subset). */
  readonly data: ImageSet;
  /** Row indices of `data` in the full training file. */
  readonly rows: Int32Array;
  perSampleGrads(x: Float64Array, batch: MnistBatch): Float64Array;
  noise(x: Float64Array): NoiseInfo;
  /** Mean cross-entropy on the test images (the 10000 of the test file, or the subset of `testRows`). */
  testLoss(x: Float64Array): number;
  /** Fraction of the test images (the 10000 of the test file, or the subset of `testRows`) classified correctly. */
  testAccuracy(x: Float64Array): number;
  /** Test images the test evaluations use: 10000 (the whole test file) or a class-balanced subset. */
  readonly testRows: number;
  /** Fraction of this instance's training rows classified correctly. */
  trainAccuracy(x: Float64Array): number;
  readonly info: Readonly<Record<string, unknown>>;
}

export type MnistModel = 'softmax' | 'mlp' | 'cnn';

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
  /**
   * Test images of testLoss and testAccuracy: 10000 (default, the whole test file) or fewer,
   * the first ⌊t/10⌋ of each digit in file order (the rule of instance 0's training rows);
   * in the id as `_t<t>` when below 10000. For models whose test pass is costly (the CNN).
   */
  readonly testRows?: number;
}

/** Build one MNIST problem from a model (see softmax.ts and mlp.ts for the formulas and constants). */
export function mnistProblem(opts: MnistOptions): MnistProblem {
  const n = opts.n ?? N_TRAIN;
  const instance = opts.instance ?? 0;
  if (opts.model !== 'softmax' && opts.model !== 'mlp' && opts.model !== 'cnn') throw new ProblemArgumentError('mnist', `unknown model ${String(opts.model)}`);
  const model: MnistModelSpec =
    opts.model === 'softmax' ? softmaxModel() : opts.model === 'cnn' ? cnnModel() : mlpModel(opts.hidden ?? 32, opts.radius ?? 3, opts.radius !== undefined);
  return fromModel(model, n, instance, opts.testRows ?? N_TEST);
}

/** Test images in the test file. */
const N_TEST = 10000;
const testCache = new Map<number, ImageSet>();

/** The test images of an instance: the whole test file, or its first ⌊t/10⌋ rows of each digit, cached per process. */
function testSet(t: number): ImageSet {
  const test = loadMnist('test');
  if (t === N_TEST) return test;
  let s = testCache.get(t);
  if (s === undefined) {
    s = subsetImages(test, balancedRows(test.labels, C, t));
    testCache.set(t, s);
  }
  return s;
}

function fromModel(model: MnistModelSpec, n: number, instance: number, testRows: number): MnistProblem {
  const { dim, blocks } = model;
  const id = model.id(n, instance) + (testRows === N_TEST ? '' : `_t${testRows}`);
  if (!Number.isSafeInteger(testRows) || testRows < C || testRows > N_TEST) {
    throw new ProblemArgumentError(id, `testRows must be an integer in [${C}, ${N_TEST}], got ${String(testRows)}`);
  }
  const { set, rows } = instanceData(id, n, instance);
  // Computed at construction (λ_max by power iteration, cached per data set), so
  // `constants` is a plain property that copies and Object.create views can override.
  const constants = model.constants(set);
  const ring = gatherRing();

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
    family: model.family,
    dim,
    n,
    tags: model.tags,
    constants,
    blocks: [...blocks],
    exactness: { kind: 'exact' },
    data: set,
    rows,
    testRows,
    info: {
      ...model.info,
      lambdaMaxGram: () => featureFacts(set).lambda,
    },

    x0: (k: Key): Float64Array => model.x0(k),

    sample(k: Key, b: number, o: SampleOptions = {}): MnistBatch {
      const replace = o.replace ?? true;
      checkBatchSize(id, b, n, replace);
      return { size: b, indices: choice(k, n, b, { replace }) };
    },

    perSampleLoss(params: readonly Tensor[], batch: MnistBatch): Tensor {
      checkParamShapes(id, params, blocks);
      checkBatch(batch);
      const f64 = params[0]!.dtype === 'float64';
      // rows written on demand when the backend reads the data set's non-zeros itself
      // (not for a model that reads the pixels densely: see MnistModel.denseInput)
      const lazy = getBackend().sparseRows === true && model.denseInput !== true;
      const X = f64
        ? dataTensor(gatherPixels(set, batch.indices, ring, lazy), [batch.size, set.d], params[0]!)
        : fromArray(gatherPixels32(set, batch.indices, lazy), [batch.size, set.d]);
      const labels = new Int32Array(batch.size);
      for (let t = 0; t < batch.size; t++) labels[t] = set.labels[batch.indices[t]!]!;
      return model.perSampleLoss(params, X, labels);
    },

    perSampleGrads(x: Float64Array, batch: MnistBatch): Float64Array {
      checkPoint(id, x, dim);
      checkBatch(batch);
      return model.perSampleGrads(subsetImages(set, batch.indices), x);
    },

    value(x: Float64Array): number {
      checkPoint(id, x, dim);
      return model.pass(set, x, false, true).value;
    },

    gradient(x: Float64Array): Float64Array {
      checkPoint(id, x, dim);
      return model.pass(set, x, true, true).gradient!;
    },

    noise(x: Float64Array): NoiseInfo {
      checkPoint(id, x, dim);
      const per = model.noisePerCoord(set, x);
      let total = 0;
      for (let j = 0; j < dim; j++) total += per[j]!;
      return { sigma2: total, sigma2PerCoord: per };
    },

    testLoss(x: Float64Array): number {
      checkPoint(id, x, dim);
      return model.pass(testSet(testRows), x, false).value;
    },

    testAccuracy(x: Float64Array): number {
      checkPoint(id, x, dim);
      const test: ImageSet = testSet(testRows);
      return model.pass(test, x, false).correct / test.n;
    },

    trainAccuracy(x: Float64Array): number {
      checkPoint(id, x, dim);
      return model.pass(set, x, false, true).correct / n;
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

const CNN_PATTERN = /^mnist-cnn_d28938_n\d+_i\d+(_t\d+)?$/;
const CNN_FORM = 'mnist-cnn_d28938_n<training rows ≤ 60000>_i<instance>[_t<test images < 10000, default all 10000>]';

export const mnistCnnFamily: FamilyEntry = {
  family: 'mnist-cnn',
  idPattern: CNN_PATTERN,
  build(id: string): Problem {
    const p = parseId(id, CNN_PATTERN, CNN_FORM);
    const t = p.fields.t === undefined ? N_TEST : intField(id, p, 't', C, N_TEST - 1);
    return mnistProblem({ model: 'cnn', n: intField(id, p, 'n', C, N_TRAIN), instance: intField(id, p, 'i', 0, 1_000_000), testRows: t });
  },
  defaultIds: ['mnist-cnn_d28938_n60000_i0'],
  description:
    'The official AdAdaGrad MNIST CNN (conv 5×5 1→16, ReLU, max pool, conv 5×5 16→32, ReLU, max pool, linear 1568→10; PyTorch default init; pixels /255), cross-entropy over the training rows; nonconvex; L unknown (ReLU and max pooling make ∇F discontinuous); test loss and accuracy on the 10000 test images, or with `_t<t>` on the first t/10 test images of each digit (a test pass costs about 8 ms per image in float64 on one core).',
};
