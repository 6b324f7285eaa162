/** Run outputs on disk, one JSON file per job keyed by a hash of the job: written as soon as a run ends, reused by a rerun. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunJob, RunOutput } from './types.js';
import { getBackend } from '../backend/index.js';

/** Bump when the meaning of a job or its output changes, so old files are not reused. */
export const CACHE_VERSION = 3;

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .filter((k) => k !== 'label' && (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * A stable id of what a job computes (its label does not count). The backend's name is
 * part of it: wasm and js agree to float tolerance, not bit for bit, so a run cached on
 * one is not reused on the other.
 */
export function jobHash(job: RunJob): string {
  const backend = getBackend().name;
  const key = backend === 'js' ? { v: CACHE_VERSION, job: canonical(job) } : { v: CACHE_VERSION, job: canonical(job), backend };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 20);
}

export class RunCache {
  constructor(readonly dir: string | null) {
    if (dir !== null) mkdirSync(dir, { recursive: true });
  }

  private path(job: RunJob): string | null {
    return this.dir === null ? null : join(this.dir, `${jobHash(job)}.json`);
  }

  get(job: RunJob): RunOutput | null {
    const p = this.path(job);
    if (p === null || !existsSync(p)) return null;
    try {
      const rec = JSON.parse(readFileSync(p, 'utf8')) as { output?: RunOutput };
      return rec.output ?? null;
    } catch {
      return null; // a torn or foreign file: run again
    }
  }

  put(job: RunJob, output: RunOutput): void {
    const p = this.path(job);
    if (p === null) return;
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ hash: jobHash(job), job, output }));
    renameSync(tmp, p);
  }
}
