/** Canonical JSON (sorted keys, no whitespace) and the run id: the first 20 hex digits of its SHA-256. */
import { createHash } from 'node:crypto';

/**
 * JSON text of `v` with object keys sorted at every level, so equal
 * configurations give equal text whatever order their keys were written in.
 * `undefined` fields are dropped, as JSON.stringify does; non-finite numbers are rejected.
 *
 * @example
 * canonicalJson({ b: 1, a: { d: [2, 1], c: null } }); // returns '{"a":{"c":null,"d":[2,1]},"b":1}'
 */
export function canonicalJson(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`canonicalJson: non-finite number ${v}`);
    return JSON.stringify(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot encode a ${typeof v}`);
}

/** Length of a run id in hex digits (80 bits). */
export const RUN_ID_LENGTH = 20;

/**
 * The run id of a configuration: SHA-256 of its canonical JSON, hex, first
 * {@link RUN_ID_LENGTH} digits. Equal configurations (up to key order) share an id.
 *
 * @example
 * runId({ seed: 0, problem: 'nqm_d20_i0' }) === runId({ problem: 'nqm_d20_i0', seed: 0 }); // returns true
 */
export function runId(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, RUN_ID_LENGTH);
}
