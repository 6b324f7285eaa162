/**
 * The data side of the MNIST problems, shared by every model: the training rows of an
 * instance (the full set or a class-balanced subset), facts about their features, and
 * the batch gather that also hands the backends the rows' sparse form.
 */
import { permutation, uniform, type Key } from '../../src/rng/index.js';
import type { Batch } from '../../src/problem/types.js';
import { attachSparseRows, stillUnwritten, worthSparse, writeRows, type SparseDataset } from '../../src/backend/sparseRows.js';
import { instanceKey } from '../common/instance.js';
import { ProblemArgumentError } from '../common/validate.js';
import { balancedRows, loadMnist, subsetImages, type ImageSet } from '../data/mnist.js';
import { gramLambdaMax } from './kernels.js';

/** Pixels per image, classes, training images. */
export const D = 784;
export const C = 10;
export const N_TRAIN = 60000;

/** A batch of an MNIST problem: row indices into its training set. */
export interface MnistBatch extends Batch {
  readonly indices: Int32Array;
}

const subsetCache = new Map<string, { set: ImageSet; rows: Int32Array }>();

/** The training rows of instance (n, i), cached per process. */
export function instanceData(id: string, n: number, instance: number): { set: ImageSet; rows: Int32Array } {
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

// ---------------------------------------------------------------- the batch gather

/** Batches from this many rows up gather into reused buffers (see {@link gatherPixels}). */
const REUSE_MIN_ROWS = 4096;

/** Two gather buffers taken in turn (one pair per problem instance), with the rows each holds. */
export interface GatherRing {
  readonly bufs: (Float64Array | undefined)[];
  /** The rows written into each buffer (its other entries are zero). */
  readonly held: (Int32Array | undefined)[];
  turn: number;
  /** For `lazy` gathers: two never-written (all-zero) buffers taken in turn, and the last array handed out from each. */
  readonly lazyBufs: (Float64Array | undefined)[];
  readonly lazyLast: (Float64Array | undefined)[];
  lazyTurn: number;
}

/** A fresh ring for one problem instance. */
export function gatherRing(): GatherRing {
  return { bufs: [undefined, undefined], held: [undefined, undefined], turn: 0, lazyBufs: [undefined, undefined], lazyLast: [undefined, undefined], lazyTurn: 0 };
}

const datasetCache = new WeakMap<ImageSet, SparseDataset | null>();

/** The set as a sparse data set for the backends, or null when it is not sparse enough (decided once per set). */
export function sparseDataset(set: ImageSet): SparseDataset | null {
  let ds = datasetCache.get(set);
  if (ds === undefined) {
    const cand: SparseDataset = { rows: set.n, cols: D, ...set.sparse };
    ds = worthSparse(cand) ? cand : null;
    datasetCache.set(set, ds);
  }
  return ds;
}

/**
 * The batch's rows as a dense [b, 784] matrix, written from the set's non-zeros only
 * (into a zeroed array), with the rows attached as its sparse companion
 * (src/backend/sparseRows.ts) when the set is sparse.
 *
 * With `lazy` (the caller checked that the active backend reads companions, and the
 * set is sparse) the rows are not written at all: the backend works from the data
 * set's non-zeros and writes them only if it needs the dense form. The array's pages
 * are then never touched; with a `ring` (any b) it is a view of one of the ring's two
 * lazy buffers, taken in turn and dropped once a view of it had its rows written (so a
 * view is always all zeros until its own rows are asked for). NOTE (speed): a fresh
 * 376 MB array per 60 000-row batch costs nothing to fill, but V8 counts it as external
 * memory and collects garbage far more often (a major GC every few steps of the MNIST
 * run); at b = 32 a fresh 200 KB array per step was about a tenth of the step.
 *
 * NOTE (speed): otherwise, with a `ring` and b ≥ REUSE_MIN_ROWS, the rows are written
 * into the ring's two buffers, taken in turn (each sized for twice the rows, so growing
 * batches reallocate rarely), instead of a fresh array: the page faults of a fresh
 * 376 MB Float64Array per 60 000-row batch cost three times the copy (measured: 250 ms
 * against 75 ms of CPU). A reused buffer is cleared by zeroing the non-zeros of the
 * rows it held, so a gather costs O(non-zeros), not O(b · 784). Losses are computed
 * eagerly and the tape of one call stays valid through the next call; a backward
 * through a call made before two later large calls would read overwritten rows.
 */
export function gatherPixels(set: ImageSet, indices: Int32Array, ring?: GatherRing, lazy = false): Float64Array {
  const size = indices.length * D;
  const ds = sparseDataset(set);
  if (lazy && ds !== null) {
    let out: Float64Array;
    if (ring !== undefined) {
      const slot = ring.lazyTurn;
      ring.lazyTurn = 1 - slot;
      let buf = ring.lazyBufs[slot];
      const last = ring.lazyLast[slot];
      if (buf !== undefined && last !== undefined && !stillUnwritten(last)) buf = undefined; // no longer all zeros
      if (buf === undefined || buf.length < size) {
        buf = new Float64Array(Math.min(Math.max(set.n, indices.length), 2 * indices.length) * D);
        ring.lazyBufs[slot] = buf;
      }
      out = buf.length === size ? buf : buf.subarray(0, size);
      ring.lazyLast[slot] = out;
    } else {
      out = new Float64Array(size);
    }
    attachSparseRows(out, ds, indices, false);
    return out;
  }
  const { rowPtr, col, val } = set.sparse;
  let out: Float64Array;
  if (ring !== undefined && indices.length >= REUSE_MIN_ROWS) {
    const slot = ring.turn;
    ring.turn = 1 - slot;
    let buf = ring.bufs[slot];
    const held = ring.held[slot];
    if (buf === undefined || buf.length < size) {
      // room for twice the rows (at most the whole set): growing batches reallocate rarely
      buf = new Float64Array(Math.min(Math.max(set.n, indices.length), 2 * indices.length) * D);
      ring.bufs[slot] = buf;
    } else if (held !== undefined) {
      for (let t = 0; t < held.length; t++) {
        const i = held[t]!;
        const o = t * D;
        for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) buf[o + col[p]!] = 0;
      }
    }
    ring.held[slot] = indices.slice();
    out = buf.subarray(0, size);
  } else {
    out = new Float64Array(size);
  }
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t]!;
    const o = t * D;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) out[o + col[p]!] = val[p]!;
  }
  // backends that know the data set's compressed rows use them instead of scanning `out`
  if (ds !== null) attachSparseRows(out, ds, indices);
  return out;
}

/**
 * The batch's rows for a float32 model: a fresh [b, 784] Float32Array (the pixels rounded
 * to float32), with its sparse companion (on the set's float32 twin) when the set is
 * sparse; with `lazy` (as in {@link gatherPixels}) the rows are written only on demand.
 * No ring: float32 models are not the path the MNIST runs take.
 */
export function gatherPixels32(set: ImageSet, indices: Int32Array, lazy = false): Float32Array {
  const out = new Float32Array(indices.length * D);
  const ds = sparseDataset(set);
  const unwritten = lazy && ds !== null;
  if (!unwritten) writeRows(out, { rows: set.n, cols: D, ...set.sparse }, indices);
  if (ds !== null) attachSparseRows(out, ds, indices, !unwritten);
  return out;
}

/** PyTorch's default nn.Linear init: weights and biases U(−1/√fan_in, 1/√fan_in). */
export function linearInit(k: Key, fanIn: number, count: number): Float64Array {
  const a = 1 / Math.sqrt(fanIn);
  return uniform(k, count, -a, a);
}

