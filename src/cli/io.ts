/** Where the command line writes (stdout for results, stderr for messages and progress), its one-line errors, and checked output paths and JSON input. */
import { accessSync, closeSync, constants, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: progress bars only then, plain log lines otherwise. */
  readonly errTTY: boolean;
  readonly errStream?: NodeJS.WritableStream;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errTTY: process.stderr.isTTY === true,
    errStream: process.stderr,
  };
}

/** An IO that collects output in memory (tests, embedding). */
export function memoryIO(): CliIO & { stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  return {
    out: (t) => void (o += t),
    err: (t) => void (e += t),
    errTTY: false,
    stdout: () => o,
    stderr: () => e,
  };
}

/**
 * An error the command line reports as one line (`adadagrad <command>: message`)
 * with its own exit code, never with a stack.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

/** Why a file-system call failed, in words and with its code: "not a directory (ENOTDIR)". */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const words: Record<string, string> = {
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or directory',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EIO: 'input/output error',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long',
  };
  if (typeof code === 'string') return `${words[code] ?? 'file-system error'} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/** An unusable output path, found before any work: exit 2. */
export class OutputPathError extends CliError {
  constructor(readonly path: string, reason: string) {
    super(`cannot write to ${path}: ${reason}`, 2);
    this.name = 'OutputPathError';
  }
}

/** A write that failed during the work (a full disk, an I/O error): exit 1, naming the file. */
export class WriteError extends CliError {
  constructor(readonly path: string, readonly code: string | undefined, detail = '') {
    super(`cannot write ${path}: ${fsReason(Object.assign(new Error(''), { code }))}${detail}`, 1);
    this.name = 'WriteError';
  }
}

/** Whether a file-system error code means the disk refused the write (full, quota, I/O). */
export function isWriteFailure(code: unknown): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO' || code === 'EFBIG' || code === 'EROFS';
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/**
 * Make sure `dir` is a writable directory, creating missing parts one level at
 * a time (Node's recursive mkdir loops forever under /proc). Every failure is an
 * {@link OutputPathError} naming `dir` and the reason: a file in the way, a path
 * through a file, a dangling symbolic link, no permission, a read-only file system.
 *
 * @example
 * ensureDir('results/sweep'); // creates results/ and results/sweep/ when missing
 * ensureDir('/etc/passwd/x'); // throws OutputPathError "cannot write to /etc/passwd/x: ... (ENOTDIR)"
 * ensureDir('figures', { create: false }); // only checks: the same errors, nothing created
 */
export function ensureDir(dir: string, opts: { create?: boolean } = {}): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        if (lstatOrNull(p)?.isSymbolicLink() === true) throw new OutputPathError(dir, `${p} is a dangling symbolic link`);
        missing.push(p);
        const up = dirname(p);
        if (up === p) throw new OutputPathError(dir, fsReason(e));
        p = up;
        continue;
      }
      throw new OutputPathError(dir, fsReason(e));
    }
    if (!st.isDirectory()) throw new OutputPathError(dir, `${p} is not a directory`);
    break;
  }
  if (opts.create === false) {
    // check the nearest existing ancestor instead of creating anything
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      throw new OutputPathError(dir, fsReason(e));
    }
    return;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new OutputPathError(dir, fsReason(e));
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new OutputPathError(dir, fsReason(e));
  }
}

/**
 * Make sure `file` can be written: its directory exists (see {@link ensureDir})
 * and the file is not a directory and opens for appending (it is created empty
 * if missing; its content is kept).
 */
export function ensureWritableFile(file: string): void {
  const parent = dirname(resolve(file));
  try {
    ensureDir(parent);
  } catch (e) {
    if (e instanceof OutputPathError) throw new OutputPathError(file, e.message.slice(`cannot write to ${parent}: `.length));
    throw e;
  }
  if (lstatOrNull(file)?.isDirectory() === true) throw new OutputPathError(file, 'is a directory (EISDIR)');
  try {
    closeSync(openSync(file, 'a'));
  } catch (e) {
    throw new OutputPathError(file, fsReason(e));
  }
}

/** Deepest nesting of arrays and objects accepted in JSON input. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value (iterative: no stack to overflow). */
export function jsonDepth(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_JSON_DEPTH) return max;
    for (const c of Array.isArray(x) ? x : Object.values(x as object)) stack.push([c, d + 1]);
  }
  return max;
}

/**
 * Parse JSON text from `source`; errors (bad JSON, nesting deeper than
 * {@link MAX_JSON_DEPTH}) are thrown by `bad(message)` so each caller keeps its
 * own error type.
 */
export function parseJsonText(text: string, bad: (message: string) => Error): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) throw bad(`nested too deeply to read (more than ${MAX_JSON_DEPTH} levels)`);
    throw bad(`not valid JSON: ${(e as Error).message}`);
  }
  if (jsonDepth(v) > MAX_JSON_DEPTH) throw bad(`nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`);
  return v;
}
