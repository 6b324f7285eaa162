/**
 * The `gpujs` backend: gpu.js kernels (./kernels.ts) for matmul, elementwise ops,
 * reductions and the statistics kernel — the toolkit's path to a real GPU. Opt-in:
 * never selected unless asked (setBackend('gpujs') or ADADAGRAD_BACKEND=gpujs).
 *
 * Modes (option `mode`, else $ADADAGRAD_GPUJS_MODE, else 'cpu'):
 *  - 'cpu':    gpu.js's JavaScript translation. Arithmetic in float64, but gpu.js
 *              stores every kernel result as float32, so results are float32-rounded.
 *  - 'webasm': gpu.js's WebAssembly (f32x4 SIMD) translation; float32 throughout.
 *  - 'webgpu': WGSL compute shaders on a WebGPU adapter (float32 throughout), via the
 *              optional `webgpu` package (Dawn). WebGPU is asynchronous, so the kernels
 *              run in a worker thread (./webgpu-worker.ts) and the calling thread blocks
 *              in Atomics.wait: the Backend API stays synchronous. Refused when no
 *              adapter exists; a software adapter (e.g. Mesa lavapipe) is refused unless
 *              allowSoftwareAdapter / ADADAGRAD_GPUJS_ALLOW_SOFTWARE=1 says otherwise —
 *              the backend never switches to one on its own.
 *
 * Every mode computes in float32 except cpu (see above): compare with tolerances
 * suited to float32. Data are kept resident between kernels where gpu.js allows:
 * inside linearStats the product T = X·M is a pipeline result (a GPU buffer in
 * webgpu mode) that feeds the next kernel without a read-back.
 *
 * Delegated to the js backend: where, transpose, gatherRows, scatterAddRows (data
 * movement), pow and the comparisons, n-d broadcasts that do not collapse to 2-D,
 * arrays of 2^24 elements or more (float32 index arithmetic), and tiny inputs.
 */
import { requireOptionalPeer } from '../../optionalPeer.js';
import type { Arr, Shape } from '../../tensor/tensor.js';
import type { Backend, BinaryOp, LinearStatsWant, ReduceOp, UnaryOp } from '../backend.js';
import { broadcastStrides, jsBackend } from '../js.js';
import * as K from './kernels.js';
import { webgpuBridge, type WebgpuBridge } from './webgpu-bridge.js';

export type GpujsMode = 'cpu' | 'webasm' | 'webgpu';
export const GPUJS_MODES: readonly GpujsMode[] = ['cpu', 'webasm', 'webgpu'];

export interface GpujsBackendOptions {
  /** gpu.js mode; default $ADADAGRAD_GPUJS_MODE, else 'cpu'. */
  readonly mode?: GpujsMode;
  /** webgpu: accept a software (CPU) adapter such as lavapipe. Default $ADADAGRAD_GPUJS_ALLOW_SOFTWARE === '1'. */
  readonly allowSoftwareAdapter?: boolean;
}

/** Loop bound for gpu.js kernels (sizes are arguments, so gpu.js cannot see them). */
export const LOOP_MAX = 1 << 24;
/** Largest array the float32 index arithmetic addresses exactly. */
const MAX_ELEMENTS = 1 << 24;
/** Below this many output elements (or multiply-adds for matmul) the js backend is used. */
const MIN_ELEMENTS = 64;

export const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4 };
export const UNARY_CODES: Record<UnaryOp, number> = {
  neg: 0, exp: 1, log: 2, log1p: 3, sqrt: 4, abs: 5, tanh: 6, sigmoid: 7, softplus: 8, relu: 9, sign: 10, step: 11,
};

/** The kernel sources by name, shared with the webgpu worker. */
export const KERNEL_SOURCES: Record<string, (...args: any[]) => number> = {
  matmulNN: K.matmulNN, matmulTN: K.matmulTN, matmulNT: K.matmulNT, matmulTT: K.matmulTT,
  binary2d: K.binary2d, unaryOp: K.unaryOp, reduceSum: K.reduceSum, reduceMax: K.reduceMax,
  statsSqNorms: K.statsSqNorms, statsDots: K.statsDots, statsCoord: K.statsCoord,
};

type KernelFn = ((...args: unknown[]) => unknown) & { setOutput(o: number[]): unknown };

/** Runs a named kernel over a 1-D output of `size` elements; `pipeline` keeps the result resident. */
export interface KernelRunner {
  run(name: string, size: number, args: unknown[], pipeline?: boolean): unknown;
  /** Read a result (resident or not) into a typed array. */
  read(result: unknown, out: Arr, n: number): void;
}

interface GpuLike {
  createKernel(fn: (...a: any[]) => number, settings: Record<string, unknown>): KernelFn;
}

function loadGpuJs(): { GPU: new (o: Record<string, unknown>) => GpuLike } {
  return requireOptionalPeer<{ GPU: new (o: Record<string, unknown>) => GpuLike }>('gpu.js', 'the gpujs backend');
}

/** Synchronous kernels of gpu.js in mode cpu or webasm. */
class SyncRunner implements KernelRunner {
  private readonly gpu: GpuLike;
  private readonly kernels = new Map<string, KernelFn>();
  constructor(mode: 'cpu' | 'webasm') {
    const { GPU } = loadGpuJs();
    this.gpu = new GPU({ mode });
  }
  private kernel(name: string): KernelFn {
    const key = name;
    let k = this.kernels.get(key);
    if (k === undefined) {
      const src = KERNEL_SOURCES[name];
      if (src === undefined) throw new Error(`gpujs backend: no kernel ${name}`);
      // NOTE: gpu.js caps loops with argument bounds at loopMaxIterations (default 1000): lift it.
      // In cpu and webasm modes there is no device memory, so pipeline results would be plain
      // arrays anyway; they are requested only on webgpu.
      k = this.gpu.createKernel(src, { dynamicOutput: true, dynamicArguments: true, precision: 'single', output: [1], loopMaxIterations: LOOP_MAX });
      this.kernels.set(key, k);
    }
    return k;
  }
  run(name: string, size: number, args: unknown[]): unknown {
    const k = this.kernel(name);
    k.setOutput([size]);
    return k(...args);
  }
  read(result: unknown, out: Arr, n: number): void {
    const r = result as { toArray?: () => ArrayLike<number> } & ArrayLike<number>;
    const arr = typeof r.toArray === 'function' ? r.toArray() : r;
    if (n === out.length && arr.length === n) out.set(arr as Float32Array);
    else for (let i = 0; i < n; i++) out[i] = arr[i]!;
  }
}

function resolveMode(mode?: GpujsMode): GpujsMode {
  const env = typeof process !== 'undefined' ? process.env['ADADAGRAD_GPUJS_MODE'] : undefined;
  const m = mode ?? (env !== undefined && env !== '' ? (env as GpujsMode) : 'cpu');
  if (!GPUJS_MODES.includes(m)) throw new Error(`gpujs backend: unknown mode '${String(m)}'; use ${GPUJS_MODES.join(', ')} (option or ADADAGRAD_GPUJS_MODE)`);
  return m;
}

function collapse2d(shape: Shape, outShape: Shape): { sr: number; sc: number } | null {
  const r = outShape.length;
  if (r === 0) return { sr: 0, sc: 0 };
  const st = broadcastStrides(shape, outShape);
  const sc = st[r - 1]!;
  const cols = outShape[r - 1]!;
  const lead = st.slice(0, r - 1);
  if (lead.every((s) => s === 0)) return { sr: 0, sc };
  const rowLen = sc === 0 ? 1 : cols;
  let acc = rowLen;
  for (let ax = r - 2; ax >= 0; ax--) {
    if (outShape[ax] !== 1 && st[ax] !== acc) return null;
    acc *= outShape[ax]!;
  }
  return { sr: rowLen, sc };
}

function expectLen(c: { sr: number; sc: number }, rows: number, cols: number): number {
  if (c.sr === 0) return c.sc === 0 ? 1 : cols;
  return c.sc === 0 ? rows : rows * cols;
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

const tooBig = (...ns: number[]) => ns.some((n) => n >= MAX_ELEMENTS);

/**
 * Create a gpujs backend. gpu.js is loaded (and, for webgpu, the adapter requested)
 * on the first kernel call, so creating the backend is cheap.
 *
 * @example
 * setBackend('gpujs', { mode: 'webasm' });
 * getBackend().mode; // 'webasm'
 */
export function createGpujsBackend(opts: GpujsBackendOptions = {}): Backend {
  const mode = resolveMode(opts.mode);
  const allowSoftware = opts.allowSoftwareAdapter ?? (typeof process !== 'undefined' && process.env['ADADAGRAD_GPUJS_ALLOW_SOFTWARE'] === '1');
  let runner: KernelRunner | null = null;
  const r = (): KernelRunner => {
    if (runner === null) runner = mode === 'webgpu' ? (webgpuBridge(KERNEL_SOURCES, allowSoftware) as WebgpuBridge) : new SyncRunner(mode);
    return runner;
  };
  const readInto = (res: unknown, out: Arr, n = out.length) => r().read(res, out, n);

  return {
    name: 'gpujs',
    mode,

    unary(op: UnaryOp, x: Arr, out: Arr): void {
      if (x.length < MIN_ELEMENTS || tooBig(x.length)) return jsBackend.unary(op, x, out);
      readInto(r().run('unaryOp', x.length, [x, UNARY_CODES[op]]), out);
    },

    unaryVjp: jsBackend.unaryVjp, // one memory-bound pass: not worth a kernel launch and read-back

    binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      const code = BINARY_CODES[op];
      if (code === undefined || out.length < MIN_ELEMENTS || tooBig(out.length, a.length, b.length)) {
        return jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
      const ca = collapse2d(aShape, outShape);
      const cb = collapse2d(bShape, outShape);
      const cols = outShape.length > 0 ? outShape[outShape.length - 1]! : 1;
      const rows = out.length / Math.max(1, cols);
      if (ca === null || cb === null || cols === 0 || a.length !== expectLen(ca, rows, cols) || b.length !== expectLen(cb, rows, cols)) {
        return jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
      readInto(r().run('binary2d', out.length, [a, b, code, cols, ca.sr, ca.sc, cb.sr, cb.sc]), out);
    },

    where(cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      jsBackend.where(cond, cShape, a, aShape, b, bShape, out, outShape);
    },

    reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
      const run = axes.length > 0 && axes.every((ax, i) => ax === axes[0]! + i);
      if (!run || x.length < MIN_ELEMENTS || tooBig(x.length)) return jsBackend.reduce(op, x, shape, axes, out);
      const a0 = axes[0]!;
      const a1 = axes[axes.length - 1]!;
      const red = prod(shape.slice(a0, a1 + 1));
      const inner = prod(shape.slice(a1 + 1));
      if (red === 0 || out.length === 0) return jsBackend.reduce(op, x, shape, axes, out);
      readInto(r().run(op === 'max' ? 'reduceMax' : 'reduceSum', out.length, [x, red, inner]), out);
    },

    matmul(a: Arr, b: Arr, m: number, k: number, n: number, out: Arr, transA: boolean, transB: boolean): void {
      if (m * k * n < MIN_ELEMENTS || k === 0 || tooBig(m * k, k * n, m * n)) return jsBackend.matmul(a, b, m, k, n, out, transA, transB);
      const name = `matmul${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
      readInto(r().run(name, m * n, [a, b, m, k, n]), out, m * n);
    },

    transpose(x: Arr, shape: Shape, perm: readonly number[], out: Arr): void {
      jsBackend.transpose(x, shape, perm, out);
    },

    gatherRows(x: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
      jsBackend.gatherRows(x, rowSize, idx, out);
    },

    scatterAddRows(g: Arr, rowSize: number, idx: Int32Array, out: Arr): void {
      jsBackend.scatterAddRows(g, rowSize, idx, out);
    },

    // the 2-D window kernels are data movement: the js ones (a convolution's flops go through matmul)
    unfold: jsBackend.unfold, fold: jsBackend.fold, pool2d: jsBackend.pool2d, pool2dBackward: jsBackend.pool2dBackward,

    linearStats(
      x: Arr, delta: Arr, mm: Arr, b: number, din: number, dout: number,
      sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array, want: LinearStatsWant = { dots: true, coordSumSq: true },
    ): void {
      if (b * din * dout < MIN_ELEMENTS || tooBig(b * din, b * dout, din * dout)) {
        return jsBackend.linearStats(x, delta, mm, b, din, dout, sqNorms, dots, coordSumSq, want);
      }
      const run = r();
      readInto(run.run('statsSqNorms', b, [x, delta, din, dout]), sqNorms, b);
      if (want.dots) {
        // T = X·M stays resident (pipeline) and feeds the dots kernel
        const T = run.run('matmulNN', b * dout, [x, mm, b, din, dout], true);
        readInto(run.run('statsDots', b, [T, delta, dout]), dots, b);
      }
      if (want.coordSumSq) readInto(run.run('statsCoord', din * dout, [x, delta, b, din, dout]), coordSumSq, din * dout);
    },
  };
}
