/**
 * Backend selection: by option (`setBackend`) or by the ADADAGRAD_BACKEND environment
 * variable. `js` is always there; `wasm` (WebAssembly SIMD, threads from
 * ADADAGRAD_THREADS) and `gpujs` (gpu.js, opt-in, mode from ADADAGRAD_GPUJS_MODE)
 * are created on first selection, so importing the library loads neither.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js.js';
import { createWasmBackend, type WasmBackendOptions } from './wasm/backend.js';
import { createGpujsBackend, type GpujsBackendOptions } from './gpujs/backend.js';

export type { Backend, BinaryOp, ReduceOp, UnaryOp } from './backend.js';
export { jsBackend } from './js.js';
export type { WasmBackendOptions } from './wasm/backend.js';
export type { GpujsBackendOptions, GpujsMode } from './gpujs/backend.js';

/** Options of `setBackend` for the backends that have them (ignored by `js`). */
export type BackendOptions = WasmBackendOptions & GpujsBackendOptions;

const registry = new Map<string, Backend>([['js', jsBackend]]);
/** Backends built on first selection (or again when selected with options). */
const factories = new Map<string, (opts: BackendOptions) => Backend>([
  ['wasm', (o) => createWasmBackend(o)],
  ['gpujs', (o) => createGpujsBackend(o)],
]);
let current: Backend | null = null;

/** Make a backend selectable by name (used by the optional accelerated backends). */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/**
 * Names of the selectable backends: the registered ones and `wasm` (built on first
 * selection). `gpujs` is opt-in and float32: it appears once selected or loaded.
 */
export function listBackends(): string[] {
  return [...new Set([...registry.keys(), 'wasm'])];
}

/**
 * Select the backend used by every op from now on. With `opts`, a backend that
 * has a factory (wasm, gpujs) is built anew with them.
 *
 * @example
 * setBackend('js');
 * getBackend().name; // 'js'
 * setBackend('wasm', { threads: 1 });
 * getBackend().mode; // '1-thread'
 */
export function setBackend(name: string, opts?: BackendOptions): Backend {
  let b = opts === undefined ? registry.get(name) : undefined;
  if (b === undefined) {
    const make = factories.get(name);
    if (make === undefined) {
      throw new Error(`setBackend: unknown backend '${name}'; available: ${[...new Set([...listBackends(), ...factories.keys()])].join(', ')}`);
    }
    b = make(opts ?? {});
    registry.set(name, b);
  }
  current = b;
  return b;
}

/** Build (without selecting) the wasm backend and register it as 'wasm'. */
export function loadWasmBackend(opts: WasmBackendOptions = {}): Backend {
  const b = createWasmBackend(opts);
  registry.set('wasm', b);
  return b;
}

/** Build (without selecting) the gpujs backend and register it as 'gpujs'. */
export function loadGpujsBackend(opts: GpujsBackendOptions = {}): Backend {
  const b = createGpujsBackend(opts);
  registry.set('gpujs', b);
  return b;
}

/** The active backend: the last `setBackend`, else $ADADAGRAD_BACKEND, else `js`. */
export function getBackend(): Backend {
  if (current !== null) return current;
  const env = typeof process !== 'undefined' ? process.env['ADADAGRAD_BACKEND'] : undefined;
  current = env !== undefined && env !== '' ? setBackend(env) : jsBackend;
  return current;
}

/** Run `fn` with a backend selected, restoring the previous one afterwards. */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
