/**
 * Backend selection: by option (`setBackend`), by the ADADAGRAD_BACKEND environment
 * variable, else the fastest backend that works here: `wasm` (WebAssembly SIMD,
 * threads from ADADAGRAD_THREADS) when its module loads and passes a check against
 * `js`, otherwise `js` (plain loops, the float64 reference every backend is checked
 * against). `gpujs` (gpu.js, float32, mode from ADADAGRAD_GPUJS_MODE) is opt-in only.
 * Backends are created on first use, so importing the library loads none of them.
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

/** How the default backend was chosen (see {@link defaultBackendChoice}). */
export interface BackendChoice {
  readonly backend: Backend;
  /** 'option' (setBackend), 'env' ($ADADAGRAD_BACKEND), 'fastest' (wasm loaded) or 'fallback' (js: wasm did not load). */
  readonly how: 'option' | 'env' | 'fastest' | 'fallback';
  /** Why wasm was not taken, for 'fallback'. */
  readonly reason?: string;
}

let choice: BackendChoice | null = null;

/**
 * The wasm backend if its module loads here and one small product and one statistics
 * call agree with js (to 1e-12); otherwise the reason it was not taken.
 */
function probeWasm(): Backend | string {
  try {
    const be = registry.get('wasm') ?? createWasmBackend();
    registry.set('wasm', be);
    const b = 16, din = 24, dout = 3;
    const x = Float64Array.from({ length: b * din }, (_, t) => ((t * 7) % 5 === 0 ? 0 : ((t * 13) % 11) / 11 - 0.4));
    const d = Float64Array.from({ length: b * dout }, (_, t) => ((t * 5) % 7) / 7 - 0.5);
    const m = Float64Array.from({ length: din * dout }, (_, t) => ((t * 3) % 13) / 13 - 0.5);
    const got = [new Float64Array(b), new Float64Array(b), new Float64Array(din * dout)] as const;
    const ref = [new Float64Array(b), new Float64Array(b), new Float64Array(din * dout)] as const;
    be.linearStats(x, d, m, b, din, dout, ...got);
    jsBackend.linearStats(x, d, m, b, din, dout, ...ref);
    for (let k = 0; k < 3; k++) {
      const g = got[k]!;
      const r = ref[k]!;
      for (let t = 0; t < r.length; t++) {
        if (!(Math.abs(g[t]! - r[t]!) <= 1e-12 * (1 + Math.abs(r[t]!)))) return `wasm disagrees with js on a check (${g[t]} vs ${r[t]})`;
      }
    }
    return be;
  } catch (e) {
    registry.delete('wasm');
    return (e as Error).message;
  }
}

/**
 * The backend used when none was selected: $ADADAGRAD_BACKEND if set, else wasm when
 * it loads and passes its check, else js. Decided once per process.
 */
export function defaultBackendChoice(): BackendChoice {
  if (choice !== null) return choice;
  const env = typeof process !== 'undefined' ? process.env['ADADAGRAD_BACKEND'] : undefined;
  if (env !== undefined && env !== '') {
    choice = { backend: setBackend(env), how: 'env' };
  } else {
    const w = probeWasm();
    choice = typeof w === 'string' ? { backend: jsBackend, how: 'fallback', reason: w } : { backend: w, how: 'fastest' };
  }
  return choice;
}

/** One line naming the active backend and how it was chosen, e.g. `wasm (2-threads; the fastest that loads here)`. */
export function describeBackend(): string {
  const b = getBackend();
  const c = choice !== null && choice.backend === b ? choice : null;
  const how =
    c === null ? 'selected' : c.how === 'env' ? 'from ADADAGRAD_BACKEND' : c.how === 'fastest' ? 'the fastest that loads here; ADADAGRAD_BACKEND=js for the reference' : `wasm did not load: ${c.reason ?? ''}`;
  return `${b.name} (${b.mode}; ${how})`;
}

/** The active backend: the last `setBackend`, else the default ({@link defaultBackendChoice}). */
export function getBackend(): Backend {
  if (current !== null) return current;
  current = defaultBackendChoice().backend;
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
