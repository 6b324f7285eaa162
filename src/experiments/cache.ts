/**
 * The reproductions' run cache: one JSON file per job under OUT/runs/, keyed by
 * the job system's hash of the job (its label does not count), written as soon
 * as a run ends and reused by a rerun. A file whose output is not a run output
 * (torn, foreign, older) is a miss and is run again.
 */
import { mkdirSync } from 'node:fs';
import { DirCache, type JobCache } from '../jobs/cache.js';
import { canonicalJson, hashText } from '../jobs/hash.js';
import type { RunJob, RunOutput } from './types.js';
import { getBackend } from '../backend/index.js';

/** Bump when the meaning of a job or its output changes, so old files are not reused. */
export const CACHE_VERSION = 3;

/** The job without its labels (at every level), as the hash sees it. */
function withoutLabels(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutLabels);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => k !== 'label').map(([k, x]) => [k, withoutLabels(x)]));
  }
  return v;
}

/**
 * A stable id of what a job computes (its label does not count): the job
 * system's hash of the text `{"v":<CACHE_VERSION>,"job":<canonical job>}`, with
 * `,"backend":"<name>"` before the closing brace off the js backend (wasm and js
 * agree to float tolerance, not bit for bit, so a run cached on one is not reused
 * on the other). The version comes first, as cache files before the job system
 * were named, so they are still found.
 */
export function jobHash(job: RunJob): string {
  const backend = getBackend().name;
  const tail = backend === 'js' ? '' : `,"backend":${JSON.stringify(backend)}`;
  return hashText(`{"v":${CACHE_VERSION},"job":${canonicalJson(withoutLabels(job))}${tail}}`);
}

const isNum = (v: unknown): boolean => typeof v === 'number';
const isNumOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

/** Whether `o` has the shape of a {@link RunOutput} (what the figures read). */
export function isRunOutput(o: unknown): o is RunOutput {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
  const r = o as Record<string, unknown>;
  if (r['status'] !== 'completed' && r['status'] !== 'diverged' && r['status'] !== 'error') return false;
  if (typeof r['message'] !== 'string' || !isNum(r['steps']) || !isNum(r['samples']) || !isNum(r['finalB'])) return false;
  const evals = r['evals'];
  if (!Array.isArray(evals) || !evals.every((e) => e !== null && typeof e === 'object' && isNum((e as Record<string, unknown>)['step']) && isNum((e as Record<string, unknown>)['samples']) && isNumOrNull((e as Record<string, unknown>)['F']) && isNumOrNull((e as Record<string, unknown>)['G']))) return false;
  const t = r['trace'];
  if (t === null) return true;
  if (t === undefined || typeof t !== 'object' || Array.isArray(t)) return false;
  const tr = t as Record<string, unknown>;
  return Array.isArray(tr['b']) && Array.isArray(tr['samples']) && Array.isArray(tr['loss']);
}

/** The run cache of a directory (created), or of nowhere (`dir` null: every get misses, put keeps nothing). */
export class RunCache {
  private readonly store: JobCache<RunOutput> | null;
  constructor(readonly dir: string | null) {
    if (dir !== null) mkdirSync(dir, { recursive: true });
    this.store = dir === null ? null : new DirCache<RunOutput>(dir, isRunOutput);
  }

  get(job: RunJob): RunOutput | null {
    return this.store?.get(jobHash(job)) ?? null;
  }

  put(job: RunJob, output: RunOutput): void {
    this.store?.put(jobHash(job), output, job);
  }
}
