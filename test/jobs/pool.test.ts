/** The job system's pieces: the pool (threads and in-thread alike), its failure paths, ids, the directory cache and the lock. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirCache } from '../../src/jobs/cache.js';
import { hashId, isJobId } from '../../src/jobs/hash.js';
import type { Job } from '../../src/jobs/job.js';
import { acquireLock, LockedError } from '../../src/jobs/lock.js';
import { runJobs, startJobs } from '../../src/jobs/pool.js';

const EXECUTOR = new URL('./squareExecutor.ts', import.meta.url);
const jobs = (xs: number[]): Job<number>[] => xs.map((x) => ({ id: hashId({ x }), label: `x=${x}`, spec: x, cost: x }));

describe('job pool', () => {
  it('gives the same outputs, in job order, on 2 worker threads and in this thread, with progress notes', async () => {
    const js = jobs([3, 1, 4, 1.5, 9, 2]);
    const notes: unknown[] = [];
    const threaded = await runJobs(js, { executor: EXECUTOR, workers: 2, onProgress: (_j, n) => notes.push(n) });
    const inThread = await runJobs(js, { executor: EXECUTOR, inThread: true });
    expect(threaded).toEqual([9, 1, 16, 2.25, 81, 4]);
    expect(inThread).toEqual(threaded);
    expect(notes).toHaveLength(js.length);
  });

  it('a failing job rejects with its label, code and path; an onDone that throws stops the pool with that error', async () => {
    await expect(runJobs(jobs([2, -7, 3]), { executor: EXECUTOR, workers: 1 })).rejects.toMatchObject({ message: /x=-7.*negative -7/, code: 'EBADJOB', path: '/jobs/-7' });
    const seen: number[] = [];
    const run = startJobs(jobs([1, 2, 3, 4, 5]), {
      executor: EXECUTOR,
      workers: 1,
      onDone: (j) => {
        seen.push(j.spec);
        if (seen.length === 2) throw new Error('disk full');
      },
    });
    await expect(run.finished).rejects.toThrow('disk full');
    expect(seen).toHaveLength(2);
  });

  it('reuses cached outputs and caches new ones; a foreign cache file is a miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adadagrad-jobs-'));
    const cache = new DirCache<number>(dir, (o): o is number => typeof o === 'number');
    const js = jobs([5, 6]);
    writeFileSync(join(dir, `${js[1]!.id}.json`), '{"output":"foreign"}');
    const cached: boolean[] = [];
    expect(await runJobs(js, { executor: EXECUTOR, inThread: true, cache, onDone: (_j, _o, i) => cached.push(i.cached) })).toEqual([25, 36]);
    expect(cached).toEqual([false, false]);
    cached.length = 0;
    expect(await runJobs(js, { executor: EXECUTOR, inThread: true, cache, onDone: (_j, _o, i) => cached.push(i.cached) })).toEqual([25, 36]);
    expect(cached).toEqual([true, true]);
  });
});

describe('ids and the lock', () => {
  it('job ids are 20 hex digits of the canonical JSON hash; anything else is not an id', () => {
    expect(hashId({ b: 1, a: 2 })).toBe(hashId({ a: 2, b: 1 }));
    expect(isJobId(hashId({}))).toBe(true);
    for (const bad of ['../../victim/results', `${hashId({})}x`, hashId({}).toUpperCase(), 42, null]) expect(isJobId(bad), String(bad)).toBe(false);
  });

  it('a directory is locked once; release frees it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adadagrad-lock-'));
    const a = acquireLock(dir);
    expect(() => acquireLock(dir)).toThrow(LockedError);
    a.release();
    acquireLock(dir).release();
  });
});
