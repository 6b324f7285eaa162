/**
 * gpu.js in mode 'webgpu' behind a synchronous call: WebGPU is asynchronous, so a
 * worker thread owns the GPUDevice and the kernels, and the calling thread blocks
 * in Atomics.wait on a SharedArrayBuffer flag until the worker has written the
 * results. Kernel calls are queued and sent as one program at the next read, so
 * intermediate results (pipeline kernels) stay on the GPU between kernels.
 *
 * The worker loads the optional `webgpu` package (Dawn for Node) and requests an
 * adapter once; no adapter, or a software adapter without permission, is an error
 * at the first kernel call — never a silent switch.
 */
import { resolveOptionalPeer } from '../../optionalPeer.js';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Arr } from '../../tensor/tensor.js';
import type { KernelRunner } from './backend.js';

type Arg = number | Arr | { ref: number };
interface Step {
  readonly name: string;
  readonly size: number;
  readonly args: Arg[];
  readonly pipeline: boolean;
}

const STATUS = 0;
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { gpuPath, webgpuUrl, sources, allowSoftware } = workerData;
let gpu = null;
const kernels = new Map();
function signal(sab, status, text) {
  const c = new Int32Array(sab, 0, 2);
  if (text) {
    const bytes = new TextEncoder().encode(text).subarray(0, sab.byteLength - 16);
    new Uint8Array(sab, 16, bytes.length).set(bytes);
    c[1] = bytes.length;
  }
  Atomics.store(c, 0, status);
  Atomics.notify(c, 0);
}
async function init() {
  const { create, globals } = await import(webgpuUrl);
  Object.assign(globalThis, globals);
  const g = create([]);
  if (typeof navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { gpu: g }, configurable: true, writable: true });
  else Object.defineProperty(navigator, 'gpu', { value: g, configurable: true });
  const adapter = await g.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan driver installed? see the README: GPU machines)');
  const info = adapter.info || {};
  const desc = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|software/i.test(desc);
  if (software && !allowSoftware) throw new Error('the only WebGPU adapter is a software one (' + desc + '); refused (allowSoftwareAdapter or ADADAGRAD_GPUJS_ALLOW_SOFTWARE=1 accepts it)');
  const { GPU } = require(gpuPath);
  gpu = new GPU({ mode: 'webgpu' });
  return desc + (software ? ' (software)' : '');
}
function kernel(name, pipeline) {
  const key = name + ':' + pipeline;
  let k = kernels.get(key);
  if (!k) {
    const fn = new Function('return (' + sources[name] + ')')();
    k = gpu.createKernel(fn, { dynamicOutput: true, dynamicArguments: true, precision: 'single', pipeline, output: [1], loopMaxIterations: 16777216 });
    kernels.set(key, k);
  }
  return k;
}
parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'init') {
      signal(msg.sab, 1, await init());
      return;
    }
    if (msg.type === 'close') {
      // destroy the device before the thread goes away (Dawn aborts on exit with a live device)
      try { const { WebGPUContext } = require(gpuPath.replace(/index\.js$/, 'backend/web-gpu/context.js')); await WebGPUContext.destroy(); } catch (e) {}
      signal(msg.sab, 1, 'closed');
      return;
    }
    const results = [];
    for (const st of msg.steps) {
      const args = st.args.map((a) => (a !== null && typeof a === 'object' && 'ref' in a ? results[a.ref] : a));
      const k = kernel(st.name, st.pipeline);
      k.setOutput([st.size]);
      results.push(await k(...args));
    }
    const out = new Float32Array(msg.sab, 16);
    let off = 0;
    for (const i of msg.outputs) {
      let r = results[i];
      if (r && typeof r.toArray === 'function') r = await r.toArray();
      out.set(r, off);
      off += msg.steps[i].size;
    }
    signal(msg.sab, 1, null);
  } catch (e) {
    signal(msg.sab, 2, String(e && e.stack || e));
  }
});
`;

export class WebgpuBridge implements KernelRunner {
  private readonly worker: Worker;
  private steps: Step[] = [];
  readonly adapter: string;

  constructor(sources: Record<string, (...a: any[]) => number>, allowSoftware: boolean) {
    const usedFor = "the gpujs backend in mode 'webgpu'";
    const gpuPath = resolveOptionalPeer('gpu.js', usedFor);
    const webgpuUrl = pathToFileURL(resolveOptionalPeer('webgpu', usedFor)).href;
    const src: Record<string, string> = {};
    for (const [k, f] of Object.entries(sources)) src[k] = f.toString();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { gpuPath, webgpuUrl, sources: src, allowSoftware } });
    this.worker.unref();
    this.adapter = this.call({ type: 'init' }, 0);
    process.once('exit', () => this.close());
  }

  /** Destroy the device and stop the worker (synchronously; also run at process exit). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.call({ type: 'close' }, 0);
    } catch {
      // the worker is gone already
    }
    void this.worker.terminate();
  }
  private closed = false;

  /** Post a message and block until the worker flags it done; returns the text it wrote. */
  private call(msg: Record<string, unknown>, floats: number, out?: (f: Float32Array) => void): string {
    const sab = new SharedArrayBuffer(16 + Math.max(floats * 4, 4096));
    this.worker.postMessage({ ...msg, sab });
    const c = new Int32Array(sab, 0, 2);
    const deadline = Date.now() + 120_000;
    while (Atomics.load(c, STATUS) === 0) {
      if (Date.now() > deadline) throw new Error('gpujs backend (webgpu): no answer from the WebGPU worker within 120 s');
      Atomics.wait(c, STATUS, 0, 1000);
    }
    const text = new TextDecoder().decode(new Uint8Array(sab, 16, c[1]!).slice());
    if (Atomics.load(c, STATUS) !== 1) throw new Error(`gpujs backend (webgpu): ${text}`);
    out?.(new Float32Array(sab, 16, floats));
    return text;
  }

  run(name: string, size: number, args: unknown[], pipeline = false): unknown {
    this.steps.push({ name, size, args: args as Arg[], pipeline });
    return { ref: this.steps.length - 1 };
  }

  read(result: unknown, out: Arr, n: number): void {
    const ref = (result as { ref: number }).ref;
    const steps = this.steps;
    this.steps = [];
    const size = steps[ref]!.size;
    this.call({ type: 'run', steps, outputs: [ref] }, size, (f) => {
      for (let i = 0; i < n; i++) out[i] = f[i]!;
    });
  }
}

const bridges = new Map<boolean, WebgpuBridge | Error>();

/**
 * The process-wide bridge (one worker, one device) for a software-adapter policy,
 * created on first use; a failed start is remembered and rethrown.
 */
export function webgpuBridge(sources: Record<string, (...a: any[]) => number>, allowSoftware: boolean): WebgpuBridge {
  let b = bridges.get(allowSoftware);
  if (b === undefined) {
    try {
      b = new WebgpuBridge(sources, allowSoftware);
    } catch (e) {
      b = e as Error;
    }
    bridges.set(allowSoftware, b);
  }
  if (b instanceof Error) throw b;
  return b;
}
