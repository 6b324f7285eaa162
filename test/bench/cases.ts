/**
 * The benchmark models and the four ways of getting batch statistics:
 * (a) mean gradient only, (b) the engine, (c) a per-sample autodiff loop in
 * adadagrad, (d) a per-sample loop in tfjs (cpu and wasm backends).
 */
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import {
  add, matmul, mean, tanh, valueAndGrad, batchGradStats, statistics, statsFromPerSampleGrads,
  type BatchStatistics, type StatsWorkspace, type Tensor,
} from '../../src/index.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { choice, key, normal, split, uniform, bernoulli, integers, type Key } from '../../src/rng/index.js';
import { attachSparseRows, sparseRowsOf, worthSparse, type SparseDataset } from '../../src/backend/sparseRows.js';
import { sparseRows } from '../../problems/data/mnist.js';
import { fusedSoftmaxCrossEntropy } from '../../problems/mnist/crossEntropy.js';

export type ModelName = 'softmax' | 'mlp';

export interface Data {
  /** 'mnist' (real, from problems/data/mnist.ts) or 'synthetic' */
  readonly source: string;
  readonly X: Float64Array; // [n, 784]
  readonly labels: Int32Array;
  readonly n: number;
  readonly d: number;
  readonly note: string;
}

/** The real MNIST training images if the loader is there, else MNIST-like random data (≈80% zeros, values in [0, 1]). */
export async function loadData(seed: number, nSynthetic: number): Promise<Data> {
  try {
    const mod = (await import('../../problems/data/mnist.js')) as {
      loadMnist: (s: 'train') => { n: number; d: number; pixels: Float64Array; labels: Int32Array };
    };
    const set = mod.loadMnist('train');
    return { source: 'mnist', X: set.pixels, labels: set.labels, n: set.n, d: set.d, note: `MNIST train (${set.n} images, problems/data/mnist.ts)` };
  } catch (e) {
    const [k1, k2, k3] = split(key(seed), 3) as [Key, Key, Key];
    const d = 784;
    const nz = bernoulli(k1, nSynthetic * d, 0.2);
    const u = uniform(k2, nSynthetic * d);
    const X = Float64Array.from(u, (v, t) => (nz[t] ? v : 0));
    return {
      source: 'synthetic', X, labels: integers(k3, nSynthetic, 0, 10), n: nSynthetic, d,
      note: `synthetic MNIST-like data (80% zeros, U[0,1] otherwise): MNIST not loadable (${(e as Error).message})`,
    };
  }
}

export interface Batch {
  readonly X: Tensor;
  readonly Xf: Float64Array;
  readonly labels: Int32Array;
  readonly b: number;
}

const compressed = new WeakMap<Data, SparseDataset | null>();

/** The data set in compressed rows (built once), or null when it is not sparse enough. */
function compressedRows(data: Data): SparseDataset | null {
  let ds = compressed.get(data);
  if (ds === undefined) {
    const cand: SparseDataset = { rows: data.n, cols: data.d, ...sparseRows(data.X, data.n, data.d) };
    ds = worthSparse(cand) ? cand : null;
    compressed.set(data, ds);
  }
  return ds;
}

/**
 * b rows drawn without replacement by a seeded key, as dense rows with their sparse
 * companion attached (src/backend/sparseRows.ts), as the MNIST problems hand batches to
 * the backends: wasm then runs the products and statistics over the non-zeros; js and
 * every peer read the dense rows.
 */
export function drawBatch(data: Data, b: number, k: Key): Batch {
  const rows = choice(k, data.n, b, { replace: false });
  const Xf = new Float64Array(b * data.d);
  const labels = new Int32Array(b);
  for (let r = 0; r < b; r++) {
    const i = rows[r]!;
    Xf.set(data.X.subarray(i * data.d, (i + 1) * data.d), r * data.d);
    labels[r] = data.labels[i]!;
  }
  const ds = compressedRows(data);
  if (ds !== null) attachSparseRows(Xf, ds, rows);
  return { X: fromArray(Xf, [b, data.d]), Xf, labels, b };
}

export interface BenchModel {
  readonly name: ModelName;
  readonly description: string;
  readonly shapes: number[][];
  readonly params: Tensor[];
  readonly loss: (ps: readonly Tensor[], batch: Batch) => Tensor;
}

/**
 * Softmax regression 784→10 or the tanh MLP 784-256-10, with biases, small seeded random
 * weights, and the cross-entropy of the MNIST problems (one fused tape op,
 * problems/mnist/crossEntropy.ts; the same bits as the library's composite).
 */
export function makeModel(name: ModelName, k: Key): BenchModel {
  const shapes = name === 'softmax' ? [[784, 10], [10]] : [[784, 256], [256], [256, 10], [10]];
  const ks = split(k, shapes.length);
  const params = shapes.map((s, p) => {
    const n = s.reduce((a, v) => a * v, 1);
    const std = s.length === 2 ? 1 / Math.sqrt(s[0]!) : 0.01;
    return fromArray(normal(ks[p]!, n, 0, std), s);
  });
  const loss =
    name === 'softmax'
      ? (ps: readonly Tensor[], bt: Batch) => fusedSoftmaxCrossEntropy(add(matmul(bt.X, ps[0]!), ps[1]!), bt.labels)
      : (ps: readonly Tensor[], bt: Batch) => {
          const h = tanh(add(matmul(bt.X, ps[0]!), ps[1]!));
          return fusedSoftmaxCrossEntropy(add(matmul(h, ps[2]!), ps[3]!), bt.labels);
        };
  return {
    name,
    description: name === 'softmax' ? 'softmax regression 784→10' : 'MLP 784-256-10 (tanh)',
    shapes,
    params,
    loss,
  };
}

/**
 * The batch as a training step meets a new batch: its rows' sparse companion attached anew
 * (a new companion object and a copy of the indices), so that nothing the backend keeps
 * per batch (the wasm backend's regrouping by column and row order, src/backend/wasm/sparseRows.ts)
 * carries over from the previous timed call; the data set itself stays resident, as in a run.
 */
function asNewBatch(batch: Batch): Batch {
  const x = batch.X.nd.data; // the array the model reads (float64, or a float32 batch's own)
  const sp = sparseRowsOf(x);
  if (sp !== undefined) attachSparseRows(x, sp.data, sp.indices.slice());
  return batch;
}

/** (a) the mean gradient only: valueAndGrad of the mean loss. */
export function meanGradient(m: BenchModel, bt: Batch): number {
  const batch = asNewBatch(bt);
  const f = (...ps: Tensor[]) => mean(m.loss(ps, batch));
  const [v, gs] = valueAndGrad(f, m.params.map((_, i) => i))(...m.params);
  return v.item() + (gs as Tensor[]).length;
}

/** (b) full statistics by the engine. */
export function engineStats(m: BenchModel, batch: Batch, workspace?: StatsWorkspace): { st: BatchStatistics; methods: string[] } {
  const s = batchGradStats(m.loss, m.params, asNewBatch(batch), workspace !== undefined ? { workspace } : {});
  return { st: statistics(s), methods: s.blocks.map((blk) => blk.method) };
}

/** One sample of a batch as a batch of one. */
function sampleOf(batch: Batch, i: number, d: number): Batch {
  const Xf = batch.Xf.slice(i * d, (i + 1) * d);
  return { X: fromArray(Xf, [1, d]), Xf, labels: batch.labels.subarray(i, i + 1), b: 1 };
}

/** (c) statistics of the first `count` samples by single-sample valueAndGrad in a loop + statsFromPerSampleGrads. */
export function loopStats(m: BenchModel, batch: Batch, count: number): BatchStatistics {
  const sizes = m.params.map((p) => p.size);
  const d = sizes.reduce((a, v) => a + v, 0);
  const offsets: number[] = [];
  let o = 0;
  for (const s of sizes) {
    offsets.push(o);
    o += s;
  }
  const G = new Float64Array(count * d);
  const argnums = m.params.map((_, i) => i);
  const din = batch.X.shape[1]!;
  for (let i = 0; i < count; i++) {
    const one = sampleOf(batch, i, din);
    const f = (...ps: Tensor[]) => m.loss(ps, one);
    const [, gs] = valueAndGrad(f, argnums)(...m.params);
    (gs as Tensor[]).forEach((g, p) => G.set(g.contiguous(), i * d + offsets[p]!));
  }
  const blocks = sizes.map((s, p) => [offsets[p]!, offsets[p]! + s] as [number, number]);
  return statistics(statsFromPerSampleGrads({ data: G, b: count, d }, blocks));
}

// ------------------------------------------------------------------ tfjs

type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

export interface TfBackendStatus {
  readonly backend: 'cpu' | 'wasm';
  readonly available: boolean;
  readonly error?: string;
}

export interface TfSetup {
  readonly tf: Tf | null;
  readonly status: TfBackendStatus[];
  readonly version: string | null;
}

/** Load tfjs-core with the cpu and wasm backends (wasm files from node_modules by file path). */
export async function loadTfjs(): Promise<TfSetup> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs-core');
  } catch (e) {
    const error = `@tensorflow/tfjs-core not installed (${(e as Error).message})`;
    return { tf: null, status: [{ backend: 'cpu', available: false, error }, { backend: 'wasm', available: false, error }], version: null };
  }
  const status: TfBackendStatus[] = [];
  // silence the "install tfjs-node" banner
  const log = console.log;
  const warn = console.warn;
  try {
    console.log = () => {};
    console.warn = () => {};
    await registerTfjsGradients();
    try {
      await import('@tensorflow/tfjs-backend-cpu');
      const ok = await tf.setBackend('cpu');
      if (ok) tf.dispose(tf.scalar(0)); // the cpu backend's first write prints its banner: do it while silenced
      status.push(ok ? { backend: 'cpu', available: true } : { backend: 'cpu', available: false, error: 'setBackend(cpu) returned false' });
    } catch (e) {
      status.push({ backend: 'cpu', available: false, error: (e as Error).message });
    }
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
      wasm.setWasmPaths(dir);
      const ok = await tf.setBackend('wasm');
      status.push(ok ? { backend: 'wasm', available: true } : { backend: 'wasm', available: false, error: 'setBackend(wasm) returned false' });
    } catch (e) {
      status.push({ backend: 'wasm', available: false, error: (e as Error).message });
    }
  } finally {
    console.log = log;
    console.warn = warn;
  }
  return { tf, status, version: tf.version_core };
}

/**
 * tfjs-core's Node entry (a CommonJS bundle) has the ops but not their gradients;
 * those are registered by `dist/register_all_gradients.js`, an ES module tree with
 * extensionless relative imports that Node's ESM resolver rejects. A resolve hook
 * retries such imports under node_modules/@tensorflow with '.js'. The registry and
 * the engine live on globalThis, so the registration reaches the CommonJS copy.
 */
async function registerTfjsGradients(): Promise<void> {
  const hook = `export async function resolve(spec, ctx, next) {
    try { return await next(spec, ctx); } catch (e) {
      const rel = spec.startsWith('./') || spec.startsWith('../');
      if (rel && !spec.endsWith('.js') && ctx.parentURL && ctx.parentURL.includes('/@tensorflow/')) return next(spec + '.js', ctx);
      throw e;
    }
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
}

export interface TfModel {
  readonly params: TfTensor[];
  readonly loss: (ps: TfTensor[], x: TfTensor, y: TfTensor) => TfTensor;
  readonly dispose: () => void;
}

/** The same model in tfjs (float32), with the adadagrad model's weights. */
export function makeTfModel(tf: Tf, m: BenchModel): TfModel {
  const params = m.params.map((p) => tf.tensor(Float32Array.from(p.toFloat64Array()), [...p.shape]));
  const loss =
    m.name === 'softmax'
      ? (ps: TfTensor[], x: TfTensor, y: TfTensor) => {
          const z = tf.add(tf.matMul(x as import('@tensorflow/tfjs-core').Tensor2D, ps[0] as import('@tensorflow/tfjs-core').Tensor2D), ps[1]!);
          return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z))));
        }
      : (ps: TfTensor[], x: TfTensor, y: TfTensor) => {
          const h = tf.tanh(tf.add(tf.matMul(x as import('@tensorflow/tfjs-core').Tensor2D, ps[0] as import('@tensorflow/tfjs-core').Tensor2D), ps[1]!));
          const z = tf.add(tf.matMul(h as import('@tensorflow/tfjs-core').Tensor2D, ps[2] as import('@tensorflow/tfjs-core').Tensor2D), ps[3]!);
          return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z))));
        };
  return { params, loss, dispose: () => params.forEach((p) => p.dispose()) };
}

/**
 * (d) statistics of the first `count` samples in tfjs: per-sample gradients by
 * tf.grads on each sample alone, stacked to a count × d matrix, then S_norm,
 * S_ip, S_orth and S_j by tfjs ops; results read back (dataSync) so the time
 * includes the computation. Returns S_norm.
 */
export function tfLoopStats(tf: Tf, tm: TfModel, batch: Batch, count: number): number {
  const din = batch.X.shape[1]!;
  return tf.tidy(() => {
    const X = tf.tensor2d(Float32Array.from(batch.Xf.subarray(0, count * din)), [count, din]);
    const Y = tf.cast(tf.oneHot(tf.tensor1d(batch.labels.subarray(0, count), 'int32'), 10), 'float32');
    const rows: TfTensor[] = [];
    for (let i = 0; i < count; i++) {
      rows.push(
        tf.tidy(() => {
          const x = tf.slice(X, [i, 0], [1, din]);
          const y = tf.slice(Y, [i, 0], [1, 10]);
          const gs = tf.grads((...ps: TfTensor[]) => tm.loss(ps, x, y))(tm.params);
          return tf.concat(gs.map((g) => tf.reshape(g, [-1])));
        }),
      );
    }
    const G = tf.stack(rows) as import('@tensorflow/tfjs-core').Tensor2D; // [count, d]
    const g = tf.mean(G, 0);
    const D = tf.sub(G, g);
    const gcol = tf.reshape(g, [-1, 1]) as import('@tensorflow/tfjs-core').Tensor2D;
    const gns = tf.sum(tf.square(g));
    const sumSqDev = tf.sum(tf.square(D));
    const devDots = tf.matMul(D, gcol);
    const sIpNum = tf.sum(tf.square(devDots));
    const S_norm = tf.div(sumSqDev, count - 1);
    const S_ip = tf.div(sIpNum, count - 1);
    const S_orth = tf.div(tf.sub(sumSqDev, tf.div(sIpNum, gns)), count - 1);
    const S_j = tf.div(tf.sum(tf.square(D), 0), count - 1);
    const out = [S_norm, S_ip, S_orth, S_j, tf.sum(tf.square(G), 1), tf.matMul(G, gcol)].map((t) => t.dataSync());
    return out[0]![0]!;
  });
}
