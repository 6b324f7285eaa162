/**
 * A sweep's `results.jsonl`: one JSON line per finished run, appended with one
 * write each, so a kill at any moment leaves whole lines plus at most one torn
 * last line, which the reader skips (and says so) and the appender cuts off.
 * A complete last record that lacks only its newline is kept (the newline is
 * added). Every record is checked on read: its shape, and that its run_id is
 * the hash of its configuration; a record that fails is named by its line and
 * never counts as done.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hashId, isJobId } from '../jobs/hash.js';
import { JsonlLineError, parseJsonlLines } from '../run/jsonl.js';
import { canonicalJson } from './canonical.js';
import type { RunRecord } from './execute.js';
import { CliError, WriteError, fsReason } from './io.js';

/** The file name of a sweep's results inside its directory. */
export const RESULTS_FILE = 'results.jsonl';

/** `DIR/results.jsonl` for a directory; a path ending in `.jsonl` is taken as the file itself. */
export function resultsPath(dirOrFile: string): string {
  return dirOrFile.endsWith('.jsonl') ? dirOrFile : join(dirOrFile, RESULTS_FILE);
}

/** A results file that cannot be used as it is (a line that is not JSON, or not readable): exit 2. */
export class ResultsFileError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ResultsFileError';
  }
}

/** A line that parsed as JSON but is not a valid run record. */
export interface InvalidLine {
  readonly line: number;
  readonly reason: string;
}

export interface ResultsContents {
  /** The latest valid record of each run_id, in file order of first appearance. */
  readonly records: RunRecord[];
  /** True when a torn last line (an interrupted write) was skipped. */
  readonly torn: boolean;
  /** Lines that are JSON but not valid records (skipped). */
  readonly invalid: readonly InvalidLine[];
  readonly warnings: string[];
}

/** Non-finite numbers as null, as the run's JSON Lines do. */
export function recordLine(r: RunRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

const STATUSES = new Set(['completed', 'diverged', 'error']);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Why `v` is not a valid run record (null when it is): the fields a sweep
 * relies on, and run_id = hash(config).
 */
export function recordProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not a JSON object';
  if (!isJobId(v['run_id'])) return `run_id ${JSON.stringify(v['run_id'])?.slice(0, 40)} is not a run id (20 hex digits)`;
  const c = v['config'];
  if (!isObject(c)) return 'config is not an object';
  for (const k of ['problem', 'optimizer', 'controller'] as const) if (typeof c[k] !== 'string') return `config.${k} is not a string`;
  if (!isObject(c['hyper']) || !isObject(c['budget'])) return 'config.hyper or config.budget is not an object';
  if (typeof c['seed'] !== 'number') return 'config.seed is not a number';
  if (typeof v['status'] !== 'string' || !STATUSES.has(v['status'])) return `status ${JSON.stringify(v['status'])?.slice(0, 40)} is not completed, diverged or error`;
  const s = v['summary'];
  if (s === null) {
    if (v['status'] !== 'error') return 'summary is null but status is not error';
  } else if (!isObject(s) || typeof s['steps'] !== 'number' || typeof s['samples'] !== 'number' || s['status'] !== v['status']) {
    return 'summary is not a run summary (with steps, samples and the same status)';
  }
  let id: string;
  try {
    id = hashId(c);
  } catch {
    return 'config cannot be hashed';
  }
  if (id !== v['run_id']) return `run_id ${v['run_id'] as string} is not the hash of its config (${id})`;
  return null;
}

/**
 * Read a results file (missing file: no records). A torn last line is skipped
 * with a warning; a line that is not JSON elsewhere throws {@link ResultsFileError}
 * naming the line; a JSON line that is not a valid record is skipped and listed
 * in `invalid` (and in `warnings`). When a run_id appears twice (a retried run),
 * the later line wins.
 */
export function readResults(path: string): ResultsContents {
  if (!existsSync(path)) return { records: [], torn: false, invalid: [], warnings: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ResultsFileError(`${path}: cannot read the results: ${fsReason(e)}`);
  }
  let parsed: ReturnType<typeof parseJsonlLines>;
  try {
    parsed = parseJsonlLines(text, path);
  } catch (e) {
    if (e instanceof JsonlLineError) throw new ResultsFileError(`${e.message}; repair or remove that line (the other lines are intact)`);
    throw e;
  }
  const byId = new Map<string, RunRecord>();
  const invalid: InvalidLine[] = [];
  const warnings = [...parsed.warnings];
  parsed.records.forEach((r, i) => {
    const line = parsed.lines[i]!;
    const why = recordProblem(r);
    if (why !== null) {
      invalid.push({ line, reason: why });
      warnings.push(`${path}: line ${line} skipped, not a valid run record: ${why}`);
      return;
    }
    const rec = r as RunRecord;
    byId.delete(rec.run_id);
    byId.set(rec.run_id, rec);
  });
  return { records: [...byId.values()], torn: parsed.torn, invalid, warnings };
}

/**
 * Compare two records of the same run as outcomes: configuration, status, error,
 * summary and backend, ignoring the wall-clock time.
 */
export function outcomeKey(r: RunRecord): string {
  const summary = r.summary === null ? null : { ...r.summary, wallMs: undefined };
  return canonicalJson(JSON.parse(recordLine({ ...r, summary } as RunRecord)));
}

/** An open results file for appending whole lines. */
export interface ResultsAppender {
  /** Append one record; a failing write is undone (no torn line) and thrown as a {@link WriteError} naming the file. */
  append(r: RunRecord): void;
  close(): void;
  /** Bytes of a torn last line removed when the file was opened (0 if none). */
  readonly repairedBytes: number;
  /** True when a complete last record lacked its newline and got one. */
  readonly addedNewline: boolean;
  /** Lines appended so far. */
  readonly appended: () => number;
}

/** The write call used by the appender (injectable, to test a full disk without one). */
export type WriteFn = (fd: number, data: Uint8Array, offset: number, length: number) => number;

/**
 * Open (create) a results file for appending. A torn last line left by a kill is
 * cut off first, so the next line does not glue onto it; a last line that is a
 * complete record without its newline gets the newline instead. Each record is
 * written whole (one write, looping on short writes), then fsynced; when a write
 * fails (ENOSPC) the file is cut back to its size before the record.
 */
export function openResults(path: string, opts: { write?: WriteFn } = {}): ResultsAppender {
  const write: WriteFn = opts.write ?? ((fd, data, off, len) => writeSync(fd, data, off, len));
  let repairedBytes = 0;
  let addedNewline = false;
  if (existsSync(path)) {
    const r = repairLastLine(path);
    repairedBytes = r.cut;
    addedNewline = r.newline;
  }
  const fd = openSync(path, 'a');
  let size = fstatSync(fd).size;
  let open = true;
  let count = 0;
  return {
    repairedBytes,
    addedNewline,
    appended: () => count,
    append(r: RunRecord): void {
      if (!open) throw new Error(`${path}: results file is closed`);
      const data = Buffer.from(recordLine(r), 'utf8');
      let off = 0;
      try {
        while (off < data.length) off += write(fd, data, off, data.length - off);
        fsyncSync(fd);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        let undone = '';
        try {
          ftruncateSync(fd, size);
        } catch {
          undone = `; the last line may be torn (${off} bytes) and will be cut off on the next start`;
        }
        throw new WriteError(path, code, `${undone}; the ${count} record(s) appended before and the lines already in the file are intact`);
      }
      size += data.length;
      count++;
    },
    close(): void {
      if (open) {
        open = false;
        closeSync(fd);
      }
    },
  };
}

/** Repair the end of a file: cut a torn last line, or add the newline of a complete last record. */
function repairLastLine(path: string): { cut: number; newline: boolean } {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = 1 << 16;
    const buf = Buffer.alloc(chunk);
    let end = size;
    let keep = 0;
    search: while (end > 0) {
      const start = Math.max(0, end - chunk);
      const n = readSync(fd, buf, 0, end - start, start);
      for (let i = n - 1; i >= 0; i--) {
        if (buf[i] === 0x0a) {
          keep = start + i + 1;
          break search;
        }
      }
      end = start;
    }
    if (keep >= size) return { cut: 0, newline: false };
    const tail = Buffer.alloc(size - keep);
    readSync(fd, tail, 0, tail.length, keep);
    let complete = false;
    try {
      complete = recordProblem(JSON.parse(tail.toString('utf8'))) === null;
    } catch {
      complete = false;
    }
    if (complete) {
      writeSync(fd, '\n', size);
      fsyncSync(fd);
      return { cut: 0, newline: true };
    }
    ftruncateSync(fd, keep);
    fsyncSync(fd);
    return { cut: size - keep, newline: false };
  } finally {
    closeSync(fd);
  }
}
