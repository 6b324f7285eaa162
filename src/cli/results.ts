/**
 * A sweep's `results.jsonl`: one JSON line per finished run, appended with one
 * write each, so a kill at any moment leaves whole lines plus at most one torn
 * last line, which the reader skips (and says so) and the appender cuts off.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonlLines } from '../run/jsonl.js';
import { canonicalJson } from './canonical.js';
import type { RunRecord } from './execute.js';

/** The file name of a sweep's results inside its directory. */
export const RESULTS_FILE = 'results.jsonl';

/** `DIR/results.jsonl` for a directory; a path ending in `.jsonl` is taken as the file itself. */
export function resultsPath(dirOrFile: string): string {
  return dirOrFile.endsWith('.jsonl') ? dirOrFile : join(dirOrFile, RESULTS_FILE);
}

export interface ResultsContents {
  /** The latest record of each run_id, in file order of first appearance. */
  readonly records: RunRecord[];
  /** True when a torn last line (an interrupted write) was skipped. */
  readonly torn: boolean;
  readonly warnings: string[];
}

/** Non-finite numbers as null, as the run's JSON Lines do. */
export function recordLine(r: RunRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

/**
 * Read a results file (missing file: no records). A torn last line is skipped
 * with a warning; a malformed line elsewhere is an error naming the line. When a
 * run_id appears twice (a retried run), the later line wins.
 */
export function readResults(path: string): ResultsContents {
  if (!existsSync(path)) return { records: [], torn: false, warnings: [] };
  const { records, torn, warnings } = parseJsonlLines(readFileSync(path, 'utf8'), path);
  const byId = new Map<string, RunRecord>();
  records.forEach((r, i) => {
    const rec = r as Partial<RunRecord> | null;
    if (rec === null || typeof rec !== 'object' || typeof rec.run_id !== 'string' || typeof rec.status !== 'string' || rec.config === undefined) {
      throw new Error(`${path}: record ${i + 1} is not a run result (needs run_id, config, status, summary)`);
    }
    byId.delete(rec.run_id);
    byId.set(rec.run_id, rec as RunRecord);
  });
  return { records: [...byId.values()], torn, warnings };
}

/**
 * Compare two records of the same run as outcomes: configuration, status, error
 * and summary, ignoring the wall-clock time.
 */
export function outcomeKey(r: RunRecord): string {
  const summary = r.summary === null ? null : { ...r.summary, wallMs: undefined };
  return canonicalJson(JSON.parse(recordLine({ ...r, summary } as RunRecord)));
}

/** An open results file for appending whole lines. */
export interface ResultsAppender {
  append(r: RunRecord): void;
  close(): void;
  /** Bytes of a torn last line removed when the file was opened (0 if none). */
  readonly repairedBytes: number;
}

/**
 * Open (create) a results file for appending. A torn last line left by a kill is
 * cut off first, so the next line does not glue onto it. The file is opened in
 * append mode and each record is written with a single write of the whole line,
 * then fsynced. Shards should write to separate directories and be merged.
 */
export function openResults(path: string): ResultsAppender {
  const repairedBytes = existsSync(path) ? cutTornLine(path) : 0;
  const fd = openSync(path, 'a');
  let open = true;
  return {
    repairedBytes,
    append(r: RunRecord): void {
      if (!open) throw new Error(`${path}: results file is closed`);
      const data = Buffer.from(recordLine(r), 'utf8');
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    },
    close(): void {
      if (open) {
        open = false;
        closeSync(fd);
      }
    },
  };
}

/** Truncate a file after its last newline; returns the number of bytes removed. */
function cutTornLine(path: string): number {
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
    if (keep < size) {
      ftruncateSync(fd, keep);
      fsyncSync(fd);
    }
    return size - keep;
  } finally {
    closeSync(fd);
  }
}
