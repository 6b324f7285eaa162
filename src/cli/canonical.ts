/** Canonical JSON and the run id of a configuration: the job system's hash (src/jobs/hash.ts), under the names the CLI uses. */
import { JOB_ID_LENGTH, hashId } from '../jobs/hash.js';

export { canonicalJson, isJobId as isRunId } from '../jobs/hash.js';

/** Length of a run id in hex digits (80 bits). */
export const RUN_ID_LENGTH = JOB_ID_LENGTH;

/**
 * The run id of a configuration: SHA-256 of its canonical JSON, hex, first
 * {@link RUN_ID_LENGTH} digits. Equal configurations (up to key order) share an id.
 *
 * @example
 * runId({ seed: 0, problem: 'nqm_d20_i0' }) === runId({ problem: 'nqm_d20_i0', seed: 0 }); // returns true
 */
export function runId(config: unknown): string {
  return hashId(config);
}
