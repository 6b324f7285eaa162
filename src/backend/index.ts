/** Backend selection: by option (`setBackend`) or by the ADADAGRAD_BACKEND environment variable. */
import type { Backend } from './backend.js';
import { jsBackend } from './js.js';

export type { Backend, BinaryOp, ReduceOp, UnaryOp } from './backend.js';
export { jsBackend } from './js.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
let current: Backend | null = null;

/** Make a backend selectable by name (used by the optional accelerated backends). */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Select the backend used by every op from now on.
 *
 * @example
 * setBackend('js');
 * getBackend().name; // 'js'
 */
export function setBackend(name: string): Backend {
  const b = registry.get(name);
  if (b === undefined) {
    throw new Error(`setBackend: unknown backend '${name}'; available: ${listBackends().join(', ')}`);
  }
  current = b;
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
