/**
 * Job caches: where a finished job's output is kept by id, so a rerun (or a run
 * after a crash) reuses it. `DirCache` keeps one JSON file per job (the
 * reproductions); a sweep's results.jsonl is the other cache (src/cli/results.ts).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isJobId } from './hash.js';

/** Outputs by job id. `get` returns null for a miss (and for anything it cannot vouch for). */
export interface JobCache<O> {
  get(id: string): O | null;
  put(id: string, output: O, spec?: unknown): void;
}

/** A cache that keeps nothing. */
export const NO_CACHE: JobCache<never> = { get: () => null, put: () => {} };

/**
 * One file `DIR/<id>.json` per job, `{hash, job, output}`, written atomically
 * (a temporary file, then rename) as soon as the job ends. A file that is torn,
 * not JSON, or whose output fails `isOutput` (a foreign or older file) is a miss:
 * the job runs again and the file is replaced. The directory must exist.
 */
export class DirCache<O> implements JobCache<O> {
  constructor(
    readonly dir: string,
    private readonly isOutput: (o: unknown) => o is O,
  ) {}

  private path(id: string): string {
    if (!isJobId(id)) throw new Error(`DirCache: '${id}' is not a job id`);
    return join(this.dir, `${id}.json`);
  }

  get(id: string): O | null {
    const p = this.path(id);
    if (!existsSync(p)) return null;
    try {
      const rec = JSON.parse(readFileSync(p, 'utf8')) as unknown;
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return null;
      const out = (rec as { output?: unknown }).output;
      return this.isOutput(out) ? out : null;
    } catch {
      return null; // torn or not JSON: run again
    }
  }

  put(id: string, output: O, spec?: unknown): void {
    const p = this.path(id);
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ hash: id, job: spec, output }));
    renameSync(tmp, p);
  }
}
