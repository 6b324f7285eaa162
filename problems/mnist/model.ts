/**
 * One model of the MNIST adapter (problem.ts): its parameters, constants, autodiff
 * loss and full-pass kernels. The adapter adds the data, sampling, validation and
 * the test-set evaluations, the same for every model.
 */
import type { Tensor } from '../../src/tensor/tensor.js';
import type { Key } from '../../src/rng/index.js';
import type { ParamBlock, ProblemConstants } from '../../src/problem/types.js';
import type { ImageSet } from '../data/mnist.js';

/** A full pass over a set: mean loss, optionally ∇F, and the number of rows classified correctly. */
export interface MnistPassResult {
  readonly value: number;
  readonly gradient: Float64Array | null;
  readonly correct: number;
}

export interface MnistModel {
  /** 'mnist-softmax' or 'mnist-mlp'. */
  readonly family: string;
  /** The id of the instance on n training rows, instance i. */
  id(n: number, instance: number): string;
  readonly dim: number;
  readonly tags: readonly string[];
  readonly blocks: readonly ParamBlock[];
  /** The constants on a training set (λ_max of its features, cached per set). */
  constants(set: ImageSet): ProblemConstants;
  x0(k: Key): Float64Array;
  /** Per-sample losses [b] of the dense batch X [b, 784] with its labels (params already checked). */
  perSampleLoss(params: readonly Tensor[], X: Tensor, labels: Int32Array): Tensor;
  /** The per-sample gradients of every row of `rows`, [rows.n, dim] row-major. */
  perSampleGrads(rows: ImageSet, x: Float64Array): Float64Array;
  /**
   * F, ∇F (with `gradient`) and the rows classified correctly over `set`. `resident`: `set` is the
   * set the batches are drawn from (the training rows), which a backend that keeps one data set
   * resident already holds, so its full pass can take the backend's products at any size.
   */
  pass(set: ImageSet, x: Float64Array, gradient: boolean, resident?: boolean): MnistPassResult;
  /** σ_j²(x) of the per-sample gradients over `set`, exact (centred, full passes). */
  noisePerCoord(set: ImageSet, x: Float64Array): Float64Array;
  /**
   * The model reads the batch's pixels other than through a matmul (the CNN reshapes them into
   * images for conv2d), so the adapter writes the rows: a backend that reads sparse companions
   * (wasm) only fills them in for the ops that know the companion, and conv2d's unfold does not.
   */
  readonly denseInput?: boolean;
  /** Model facts for problem.info; `inRegion(x)` says where the constants hold. */
  readonly info: Readonly<Record<string, unknown>> & { inRegion(x: Float64Array): boolean };
}
