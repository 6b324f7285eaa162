/**
 * The runtime under the `wasm` backend: the compiled kernels module, one shared
 * WebAssembly memory, a bump allocator over it, and a pool of worker threads
 * that run kernels on the same memory with a synchronous calling convention
 * (the caller computes its share, then blocks in Atomics.wait until the workers
 * have flagged theirs done in a SharedArrayBuffer).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The parts of the WebAssembly JS API used here (lib ES2022 has no WebAssembly types). */
interface WasmGlobal {
  readonly value: unknown;
}
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel exports of kernels.wasm (see assembly/kernels.ts). */
export interface KernelExports {
  readonly SCRATCH_BYTES: WasmGlobal;
  gemm_f32(a: number, b: number, c: number, m: number, k: number, n: number, tA: number, tB: number, i0: number, i1: number, j0: number, j1: number, scratch: number): void;
  gemm_f64(a: number, b: number, c: number, m: number, k: number, n: number, tA: number, tB: number, i0: number, i1: number, j0: number, j1: number, scratch: number): void;
  spmm_rows_f32(a: number, b: number, c: number, k: number, n: number, i0: number, i1: number, rb: number, work: number): void;
  spmm_rows_f64(a: number, b: number, c: number, k: number, n: number, i0: number, i1: number, rb: number, work: number): void;
  spmm_scatter_f32(a: number, b: number, c: number, m: number, n: number, p0: number, p1: number, square: number, rb: number, work: number): void;
  spmm_scatter_f64(a: number, b: number, c: number, m: number, n: number, p0: number, p1: number, square: number, rb: number, work: number): void;
  gemm_dyn_f32(a: number, b: number, c: number, m: number, k: number, n: number, tA: number, tB: number, counter: number, chunk: number, scratch: number): void;
  gemm_dyn_f64(a: number, b: number, c: number, m: number, k: number, n: number, tA: number, tB: number, counter: number, chunk: number, scratch: number): void;
  spmm_rows_dyn_f32(a: number, b: number, c: number, m: number, k: number, n: number, counter: number, chunk: number, rb: number, work: number): void;
  spmm_rows_dyn_f64(a: number, b: number, c: number, m: number, k: number, n: number, counter: number, chunk: number, rb: number, work: number): void;
  spmm_scatter_dyn_f32(a: number, b: number, c: number, k: number, m: number, n: number, square: number, counter: number, chunk: number, rb: number, work: number, stride: number): void;
  spmm_scatter_dyn_f64(a: number, b: number, c: number, k: number, m: number, n: number, square: number, counter: number, chunk: number, rb: number, work: number, stride: number): void;
  transpose_f32(src: number, rows: number, cols: number, dst: number): void;
  transpose_f64(src: number, rows: number, cols: number, dst: number): void;
  binary_f32(op: number, a: number, sar: number, sac: number, b: number, sbr: number, sbc: number, out: number, rows: number, cols: number): void;
  binary_f64(op: number, a: number, sar: number, sac: number, b: number, sbr: number, sbc: number, out: number, rows: number, cols: number): void;
  unary_f32(op: number, x: number, out: number, len: number): void;
  unary_f64(op: number, x: number, out: number, len: number): void;
  unary_dyn_f32(op: number, x: number, out: number, len: number, counter: number, chunk: number): void;
  unary_dyn_f64(op: number, x: number, out: number, len: number, counter: number, chunk: number): void;
  reduce_f32(isMax: number, x: number, outer: number, red: number, inner: number, out: number): void;
  reduce_f64(isMax: number, x: number, outer: number, red: number, inner: number, out: number): void;
  row_sq_norms_f64(x: number, rows: number, cols: number, out: number): void;
  row_dots_f64(x: number, y: number, rows: number, cols: number, out: number): void;
  csr_mm_dyn_f64(rp: number, co: number, va: number, idx: number, ord: number, b: number, c: number, n: number, rows: number, counter: number, chunk: number): void;
  csr_tmm_dyn_f64(rp: number, co: number, va: number, idx: number, ord: number, b: number, c: number, stride: number, n: number, rows: number, counter: number, chunk: number): void;
  csr_stats_dyn_f64(
    rp: number, co: number, va: number, idx: number, ord: number, d: number, m: number, sq: number, dots: number, cs: number, stride: number,
    n: number, rows: number, counter: number, chunk: number, flags: number, rn: number,
  ): void;
  csc_count(rp: number, co: number, idx: number, r0: number, r1: number, k: number, cnt: number): void;
  csc_fill(rp: number, co: number, va: number, idx: number, r0: number, r1: number, cur: number, ri: number, cv: number): void;
  csc_tmm_panels_dyn_f64(cp: number, ri: number, cv: number, b: number, c: number, c2: number, n: number, k: number, rows: number, pack: number, counter: number, mode: number): void;
  csr_stats_f64(rp: number, co: number, va: number, rn: number, idx: number, d: number, m: number, sq: number, dots: number, cs: number, n: number, q0: number, q1: number, flags: number): void;
  conv2d_dyn_f32(plan: number, t: number): void;
  conv2d_dyn_f64(plan: number, t: number): void;
  conv2d_backward_dyn_f32(plan: number, t: number): void;
  conv2d_backward_dyn_f64(plan: number, t: number): void;
  conv_weight_grads_dyn_f32(plan: number, t: number): void;
  conv_weight_grads_dyn_f64(plan: number, t: number): void;
}

/** Kernels a worker can be asked to run (by index in this list). */
export const THREADED_KERNELS = [
  'gemm_dyn_f32', 'gemm_dyn_f64', 'spmm_rows_dyn_f32', 'spmm_rows_dyn_f64', 'spmm_scatter_dyn_f32', 'spmm_scatter_dyn_f64',
  'csr_mm_dyn_f64', 'csr_tmm_dyn_f64', 'csr_stats_dyn_f64', 'unary_dyn_f32', 'unary_dyn_f64',
  'conv2d_dyn_f32', 'conv2d_dyn_f64', 'conv2d_backward_dyn_f32', 'conv2d_backward_dyn_f64', 'conv_weight_grads_dyn_f32', 'conv_weight_grads_dyn_f64',
  'csc_count', 'csc_fill', 'csc_tmm_panels_dyn_f64',
] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

const PAGE = 65536;
/** Below this offset: AssemblyScript's static data (checked against __heap_base). */
const STATIC_BYTES = 1 << 20;
/** Largest supported thread count (each thread owns a packing scratch area). */
export const MAX_THREADS = 4;
const MAX_PAGES = 32768; // 2 GiB, as in asconfig.json

// control words of a worker's Int32Array
const SEQ = 0;
const DONE = 1;
const OP = 2;
const NARGS = 3;
const ERR = 4;
const READY = 5;
/** −seq while job seq is unclaimed; seq once the worker runs it, TAKEN_BACK once the posting thread does. */
const CLAIM = 6;
const TAKEN_BACK = 0;

/** Job numbers run 1 .. 2³⁰ and wrap: seq, −seq and TAKEN_BACK stay distinct int32 values. */
function nextSeq(seq: number): number {
  return seq >= 0x40000000 ? 1 : seq + 1;
}
const CTRL_WORDS = 8;
const MAX_ARGS = 20;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, args, names } = workerData;
const C = new Int32Array(ctrl);
const A = new Float64Array(args);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
  fns = names.map((n) => inst.exports[n]);
  Atomics.store(C, ${READY}, 1);
} catch (e) {
  Atomics.store(C, ${READY}, -1);
  Atomics.notify(C, ${READY});
  throw e;
}
Atomics.notify(C, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(C, ${SEQ}, seen);
  const seq = Atomics.load(C, ${SEQ});
  if (seq === seen) continue;
  seen = seq;
  if (C[${OP}] < 0) break;
  // the job is ours unless the posting thread took it back first (see WasmRuntime.parallel)
  if (Atomics.compareExchange(C, ${CLAIM}, -seq, seq) !== -seq) continue;
  const op = C[${OP}];
  try {
    const n = C[${NARGS}];
    const a = [];
    for (let i = 0; i < n; i++) a.push(A[i]);
    fns[op](...a);
    C[${ERR}] = 0;
  } catch (e) {
    C[${ERR}] = 1;
  }
  Atomics.store(C, ${DONE}, seq);
  Atomics.notify(C, ${DONE});
}
`;

interface PoolWorker {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly args: Float64Array;
  seq: number;
}

/** Where kernels.wasm lives: next to this module (source tree or dist/ after `npm run build:wasm`). */
export function kernelsPath(): string {
  return fileURLToPath(new URL('./kernels.wasm', import.meta.url));
}

/** Where a resident data set's arrays are (byte pointers): row starts, column indices, values, squared row norms. */
export interface ResidentPtrs {
  readonly rp: number;
  readonly co: number;
  readonly va: number;
  /** ||x_r||² per row r, summed over the row's non-zeros in order (computed once, when the set is placed). */
  readonly rn: number;
}

export class WasmRuntime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly ex: KernelExports;
  readonly scratchBytes: number;
  /** Start of the data region; above the resident data set when one is kept. */
  private dataBase: number;
  private readonly residentBase: number;
  private residentSet: { readonly data: object; readonly ptrs: ResidentPtrs } | null = null;
  /** End of the resident data set (where a pinned region starts). */
  private residentEnd: number;
  private pin: { readonly owner: object; readonly base: number; readonly bytes: number } | null = null;
  private epoch = 0;
  private top: number;
  private workers: PoolWorker[] = [];
  f32!: Float32Array;
  f64!: Float64Array;
  i32!: Int32Array;

  constructor() {
    const path = kernelsPath();
    if (!existsSync(path)) {
      throw new Error(`wasm backend: ${path} is missing; run \`npm run build:wasm\` (it compiles src/backend/wasm/assembly with AssemblyScript)`);
    }
    this.module = new WA.Module(readFileSync(path));
    this.memory = new WA.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const inst = new WA.Instance(this.module, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } });
    this.ex = inst.exports as unknown as KernelExports;
    const heapBase = (inst.exports['__heap_base'] as WasmGlobal | undefined)?.value as number | undefined;
    if (heapBase !== undefined && heapBase > STATIC_BYTES) throw new Error(`wasm backend: static data (${heapBase} bytes) overlaps the scratch area`);
    this.scratchBytes = align(this.ex.SCRATCH_BYTES.value as number, 64);
    this.dataBase = STATIC_BYTES + MAX_THREADS * this.scratchBytes;
    this.residentBase = this.dataBase;
    this.residentEnd = this.dataBase;
    this.top = this.dataBase;
    this.ensure(this.dataBase);
    this.refresh();
  }

  /** The packing scratch of thread t (0 = the calling thread). */
  scratch(t: number): number {
    return STATIC_BYTES + t * this.scratchBytes;
  }

  /** Free every data allocation (call at the start of each backend call). */
  reset(): void {
    this.top = this.dataBase;
  }

  /**
   * Pointers to a compressed-rows data set kept in wasm memory across calls (one at a
   * time: a different data set replaces it). Call right after reset(): placing a new
   * data set frees every data allocation.
   */
  resident(data: { readonly rowPtr: Int32Array; readonly col: Int32Array; readonly val: Float64Array }): ResidentPtrs {
    if (this.residentSet !== null && this.residentSet.data === data) return this.residentSet.ptrs;
    this.residentSet = null;
    this.pin = null;
    this.epoch++;
    this.top = this.residentBase;
    this.dataBase = this.residentBase;
    const nnz = data.rowPtr[data.rowPtr.length - 1]!;
    const rp = this.alloc(data.rowPtr.length * 4);
    const co = this.alloc(nnz * 4);
    const va = this.alloc(nnz * 8);
    this.i32.set(data.rowPtr, rp >> 2);
    this.i32.set(data.col.subarray(0, nnz), co >> 2);
    this.f64.set(data.val.subarray(0, nnz), va >> 3);
    const rows = data.rowPtr.length - 1;
    const rn = this.alloc(rows * 8);
    const f = this.f64;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let e = data.rowPtr[r]!; e < data.rowPtr[r + 1]!; e++) s += data.val[e]! * data.val[e]!;
      f[(rn >> 3) + r] = s;
    }
    this.dataBase = align(this.top, 64);
    this.residentEnd = this.dataBase;
    this.top = this.dataBase;
    const ptrs = { rp, co, va, rn };
    this.residentSet = { data, ptrs };
    return ptrs;
  }

  /**
   * A region of `bytes` above the resident data set that reset() leaves alone, held for
   * `owner` (one owner at a time) until another owner takes it or a new data set is
   * placed: `hit` says whether it already held `owner`'s data. Call right after
   * reset() and resident(), before any other allocation of the call: taking it anew
   * moves the start of the data region.
   */
  pinned(owner: object, bytes: number): { p: number; hit: boolean } {
    if (this.pin !== null && this.pin.owner === owner && this.pin.bytes >= bytes) return { p: this.pin.base, hit: true };
    this.epoch++;
    this.top = this.residentEnd;
    const p = this.alloc(bytes);
    this.dataBase = align(this.top, 64);
    this.top = this.dataBase;
    this.pin = { owner, base: p, bytes };
    return { p, hit: false };
  }

  /** Give up the pinned region (its owner's data is no longer valid). */
  unpin(): void {
    this.pin = null;
    this.epoch++;
  }

  /** Counts the times the pinned region was taken anew or given up: data kept in it is valid while this stays the same. */
  get pinEpoch(): number {
    return this.epoch;
  }

  /** Allocate `bytes` (64-byte aligned) in the data region, growing the memory when needed. */
  alloc(bytes: number): number {
    const p = align(this.top, 64);
    this.top = p + bytes;
    this.ensure(this.top);
    return p;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      const grow = Math.max(pages, Math.ceil(have / PAGE / 4)); // grow by ≥ 25% to amortise
      const total = have / PAGE + grow;
      if (total > MAX_PAGES) {
        if (have / PAGE + pages > MAX_PAGES) throw new Error(`wasm backend: needs ${end} bytes, more than the 2 GiB maximum memory`);
        this.memory.grow(pages);
      } else {
        this.memory.grow(grow);
      }
      this.refresh();
    }
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf);
    this.i32 = new Int32Array(buf);
  }

  /** Copy `x` into fresh memory as f32 or f64 (converting if needed); returns the pointer. */
  put(x: ArrayLike<number> & { length: number }, dtype: 'f32' | 'f64'): number {
    const bytes = dtype === 'f64' ? 8 : 4;
    const p = this.alloc(x.length * bytes);
    if (dtype === 'f64') this.f64.set(x, p >> 3);
    else this.f32.set(x, p >> 2);
    return p;
  }

  /** Copy n values at p (f32 or f64) into `out` (converting if needed). */
  get(p: number, dtype: 'f32' | 'f64', out: Float64Array | Float32Array, n = out.length): void {
    if (dtype === 'f64') out.set(this.f64.subarray(p >> 3, (p >> 3) + n));
    else out.set(this.f32.subarray(p >> 2, (p >> 2) + n));
  }

  /**
   * Workers' shares of `parallel` calls so far: run by the worker, or taken back and run
   * by the calling thread because the worker had not woken up when the caller finished its own.
   */
  readonly shares = { byWorkers: 0, takenBack: 0 };

  /** Number of worker threads started so far. */
  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * Run `kernel` once per argument list, in parallel: the calling thread takes the
   * first list, workers the others; returns when all are done (synchronously). A
   * worker's list that its worker has not started by the time the calling thread is done
   * with its own is taken back and run by the calling thread (one compare-and-swap on
   * the job's claim word decides who runs it, so it runs exactly once). Kernels split
   * their work by argument list or by a shared counter, never by which thread runs
   * them, so the results are the same. NOTE (speed): MLP 784-256-10 statistics at
   * b = 256, scratch timing, the calling thread waited 1.2–1.3 ms per step for
   * workers, most of it for a worker still waking up (0.1–0.3 ms) to find its
   * counter-shared work already done; 0.4 ms after (a worker's share taken back in
   * about a quarter of the calls).
   */
  parallel(kernel: ThreadedKernel, argLists: readonly (readonly number[])[]): void {
    const nw = argLists.length - 1;
    this.startWorkers(nw);
    const op = THREADED_KERNELS.indexOf(kernel);
    for (let w = 0; w < nw; w++) {
      const pw = this.workers[w]!;
      const args = argLists[w + 1]!;
      if (args.length > MAX_ARGS) throw new Error('wasm backend: too many kernel arguments');
      pw.args.set(args);
      pw.ctrl[OP] = op;
      pw.ctrl[NARGS] = args.length;
      pw.seq = nextSeq(pw.seq);
      Atomics.store(pw.ctrl, CLAIM, -pw.seq);
      Atomics.store(pw.ctrl, SEQ, pw.seq);
      Atomics.notify(pw.ctrl, SEQ);
    }
    const fn = this.ex[kernel] as (...a: number[]) => void;
    let err: unknown = null;
    try {
      fn(...argLists[0]!);
    } catch (e) {
      err = e;
    }
    let failed = false;
    for (let w = 0; w < nw; w++) {
      const pw = this.workers[w]!;
      // a worker that has not woken up yet: run its share here instead of waiting for it
      if (Atomics.compareExchange(pw.ctrl, CLAIM, -pw.seq, TAKEN_BACK) === -pw.seq) {
        this.shares.takenBack++;
        if (err === null) {
          try {
            fn(...argLists[w + 1]!);
          } catch (e) {
            err = e;
          }
        }
        continue;
      }
      this.shares.byWorkers++;
      for (;;) {
        const d = Atomics.load(pw.ctrl, DONE);
        if (d === pw.seq) break;
        Atomics.wait(pw.ctrl, DONE, d, 60_000);
      }
      if (pw.ctrl[ERR] !== 0) failed = true;
    }
    if (err !== null) throw err;
    if (failed) throw new Error(`wasm backend: kernel ${kernel} failed in a worker thread`);
  }

  private startWorkers(n: number): void {
    if (n > MAX_THREADS - 1) throw new Error(`wasm backend: at most ${MAX_THREADS} threads`);
    while (this.workers.length < n) {
      const ctrl = new SharedArrayBuffer(CTRL_WORDS * 4);
      const args = new SharedArrayBuffer(MAX_ARGS * 8);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, ctrl, args, names: [...THREADED_KERNELS] },
        // no loaders or flags of the parent (e.g. a TypeScript loader): the worker is plain JS
        execArgv: [],
      });
      worker.unref();
      const c = new Int32Array(ctrl);
      // the worker boots on its own thread; wait (synchronously) until it has instantiated
      const deadline = Date.now() + 30_000;
      while (Atomics.load(c, READY) === 0) {
        if (Date.now() > deadline) throw new Error('wasm backend: a worker thread did not start within 30 s');
        Atomics.wait(c, READY, 0, 100);
      }
      if (Atomics.load(c, READY) !== 1) {
        void worker.terminate();
        throw new Error('wasm backend: a worker thread could not instantiate the kernels');
      }
      this.workers.push({ worker, ctrl: c, args: new Float64Array(args), seq: 0 });
    }
  }

  /** Stop the worker threads (they are unref'd, so this is only needed to free them early). */
  async stopWorkers(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    for (const pw of ws) {
      pw.ctrl[OP] = -1;
      pw.seq = nextSeq(pw.seq);
      Atomics.store(pw.ctrl, SEQ, pw.seq);
      Atomics.notify(pw.ctrl, SEQ);
    }
    await Promise.all(ws.map((pw) => pw.worker.terminate()));
  }
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

let shared: WasmRuntime | null = null;

/** The process-wide runtime, created (module compiled, memory allocated) on first use. */
export function wasmRuntime(): WasmRuntime {
  if (shared === null) shared = new WasmRuntime();
  return shared;
}
