/**
 * An exclusive lock on an output directory: the file DIR/sweep.lock, created
 * with O_EXCL, holding `{pid, host, started}`. A second sweep on the directory
 * refuses while the holder lives. A lock is stale when its host is this host
 * and its pid is no longer alive (a SIGKILLed sweep), or when it is unreadable
 * and older than a minute; a stale lock is taken over with a warning. A lock
 * of another host is never taken over (remove it by hand if that host is gone).
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file's name inside the directory. */
export const LOCK_FILE = 'sweep.lock';

/** What a lock file holds. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** The directory is locked by a live holder. */
export class LockedError extends Error {
  constructor(readonly path: string, readonly holder: LockInfo | null) {
    super(
      holder === null
        ? `${path}: another sweep is starting in this directory (its lock file is being written); wait and retry`
        : `${path}: this directory is in use by another sweep (pid ${holder.pid} on ${holder.host}, since ${holder.started}); wait for it or use another --out${holder.host !== hostname() ? '; if that host is gone, remove the lock file' : ''}`,
    );
    this.name = 'LockedError';
  }
}

/** Whether process `pid` is alive on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, started: String(v.started ?? '?') };
    }
  } catch {
    // unreadable
  }
  return null;
}

/** A held lock. */
export interface DirLock {
  readonly path: string;
  release(): void;
}

/**
 * Take the lock of `dir` (which must exist). Throws {@link LockedError} when a
 * live sweep holds it; `warn` hears about a stale lock taken over. The lock is
 * released by `release()` and, failing that, when the process exits normally.
 */
export function acquireLock(dir: string, warn: (message: string) => void = () => {}): DirLock {
  const path = join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(path);
      let stale: string | null = null;
      if (holder === null) {
        let age = 0;
        try {
          age = Date.now() - statSync(path).mtimeMs;
        } catch {
          continue; // gone meanwhile: try again
        }
        if (age > 60_000) stale = 'an unreadable lock file older than a minute';
      } else if (holder.host === me.host && !alive(holder.pid)) {
        stale = `pid ${holder.pid} is no longer running`;
      }
      if (stale === null || attempt > 0) throw new LockedError(path, holder);
      warn(`${path}: took over a stale lock (${stale})`);
      try {
        unlinkSync(path);
      } catch {
        // removed by someone else: try again
      }
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      process.off('exit', release);
      try {
        if (readFileSync(path, 'utf8') === text) unlinkSync(path);
      } catch {
        // already gone
      }
    };
    process.on('exit', release);
    return { path, release };
  }
  throw new LockedError(path, readLock(path));
}
