/** `adadagrad problems --json`: the listing of the benchmark suite (id, family, dim, n, constants, tags). */
import { suite, type SuiteFilter } from '../../problems/registry.js';

/** One row of the listing: plain JSON (typed arrays become arrays). */
export interface ProblemListingRow {
  readonly id: string;
  readonly family: string;
  readonly dim: number;
  readonly n: number | null;
  readonly constants: unknown;
  readonly tags: readonly string[];
}

/** A deep copy of `v` with typed arrays as plain arrays and non-finite numbers as strings, so it round-trips through JSON. */
function plain(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (t) => plain(t));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, t] of Object.entries(v)) if (typeof t !== 'function') out[k] = plain(t);
    return out;
  }
  return v;
}

/**
 * The suite as listing rows (builds each problem; MNIST problems load the data
 * set once and compute their constants).
 *
 * @example
 * problemsListing({ family: 'rosenbrock' });
 * // returns [{ id: 'rosenbrock_d2_i0', family: 'rosenbrock', dim: 2, n: null, constants: { L: { value: 5326.83…, kind: 'local', … }, F_low: 0, F_star: 0, … }, tags: [...] }]
 */
export function problemsListing(filter: SuiteFilter = {}): ProblemListingRow[] {
  return suite(filter).map((e) => {
    const p = e.problem;
    return { id: p.id, family: p.family, dim: p.dim, n: p.n, constants: plain(p.constants), tags: [...p.tags] };
  });
}

/** The listing as the JSON text that `adadagrad problems --json` prints. */
export function problemsJson(filter: SuiteFilter = {}): string {
  return JSON.stringify(problemsListing(filter), null, 2);
}
