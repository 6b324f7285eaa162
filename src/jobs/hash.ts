/**
 * Job ids: the first 20 hex digits of the SHA-256 of a value's canonical JSON
 * (sorted keys, no whitespace). One hash for every job of the toolkit: a sweep's
 * run_id and the key of a reproduction's cached run output.
 */
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

/** Length of a job id in hex digits (80 bits). */
export const JOB_ID_LENGTH = 20;

const JOB_ID = new RegExp(`^[0-9a-f]{${JOB_ID_LENGTH}}$`);

/**
 * The id of a value: SHA-256 of its canonical JSON, hex, first {@link JOB_ID_LENGTH}
 * digits. Equal values (up to key order) share an id.
 *
 * @example
 * hashId({ seed: 0, problem: 'nqm_d20_i0' }) === hashId({ problem: 'nqm_d20_i0', seed: 0 }); // returns true
 */
export function hashId(value: unknown): string {
  return hashText(canonicalJson(value));
}

/** The id of a text: SHA-256, hex, first {@link JOB_ID_LENGTH} digits (for ids whose canonical text is built by hand). */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, JOB_ID_LENGTH);
}

/**
 * Whether `s` has the form of a job id (20 lower-case hex digits). Ids read
 * from files are checked with this before they become part of a path.
 *
 * @example
 * isJobId('0123456789abcdef0123'); // true
 * isJobId('../../victim/results'); // false
 */
export function isJobId(s: unknown): s is string {
  return typeof s === 'string' && JOB_ID.test(s);
}
