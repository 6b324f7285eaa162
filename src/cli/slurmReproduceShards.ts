/**
 * The runs of a reproduction split into shards. Every figure family lists its
 * runs (`family.jobs(mode)`); identical runs (equal job hash) count once; the
 * runs sorted by job hash are dealt out like a sweep's (position p goes to shard
 * p mod N + 1). A task runs its shard into the shared run cache (DIR/runs/), and
 * the dependent job's plain `reproduce` finds every run there and only draws.
 */
import { jobHash, RunCache } from '../experiments/cache.js';
import { selectFamilies } from '../experiments/reproduce.js';
import type { Mode, RunJob, RunOutput } from '../experiments/types.js';
import { join } from 'node:path';

export interface ShardedJob {
  readonly id: string;
  readonly job: RunJob;
}

/** The figure selector as `reproduce` takes it (comma-separated), or all figures. */
export function selectorList(figure: string | undefined): string[] | undefined {
  return figure === undefined ? undefined : figure.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Every distinct run of the selected figures, sorted by job hash. */
export function reproductionJobs(figure: string | undefined, mode: Mode): ShardedJob[] {
  const byId = new Map<string, RunJob>();
  for (const f of selectFamilies(selectorList(figure))) for (const job of f.jobs(mode)) {
    const id = jobHash(job);
    if (!byId.has(id)) byId.set(id, job);
  }
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, job]) => ({ id, job }));
}

/** Shard i of n (1-based) of the sorted jobs. */
export function reproductionShard(all: readonly ShardedJob[], index: number, count: number): ShardedJob[] {
  return all.filter((_, p) => p % count === index - 1);
}

/** The cached output of a job in DIR/runs/, or null. */
export function cachedOutput(dir: string, job: RunJob): RunOutput | null {
  return new RunCache(join(dir, 'runs')).get(job);
}
