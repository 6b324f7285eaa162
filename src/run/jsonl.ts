/** JSON Lines observer and reader: one line per step, a meta line first and a summary line last. */
import { closeSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import type { Observer, RunMeta, RunSummary } from './run.js';
import type { TraceRow } from './trace.js';

/** Non-finite numbers become null in JSON (JSON has no NaN); the run never writes NaN rows. */
function toLine(obj: unknown): string {
  return JSON.stringify(obj, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

/** A JSON Lines observer, and the first write error it met (null while all is well). */
export type JsonlObserver = Observer & { readonly failure: () => (Error & { code?: string }) | null };

/**
 * An observer appending JSON Lines to `path` (truncated at start): `{type: "meta"}`,
 * then `{type: "step", ...row}` per step, then `{type: "summary", ...}`. Each line
 * is one write, so a crash leaves at most a torn last line, which `readJsonl` skips.
 * The first failing write (a full disk) is thrown once, which stops the run, and
 * kept in `failure()`; later writes are skipped.
 */
export function jsonlObserver(path: string, opts: { fsyncEvery?: number } = {}): JsonlObserver {
  let fd: number | null = null;
  let n = 0;
  let failure: (Error & { code?: string }) | null = null;
  const write = (obj: unknown): void => {
    if (failure !== null) return;
    try {
      if (fd === null) fd = openSync(path, 'w');
      writeSync(fd, toLine(obj));
      n++;
      if (opts.fsyncEvery !== undefined && n % opts.fsyncEvery === 0) fsyncSync(fd);
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  };
  const close = (): void => {
    if (fd !== null) {
      try {
        if (failure === null) fsyncSync(fd);
      } finally {
        closeSync(fd);
        fd = null;
      }
    }
  };
  return {
    failure: () => failure,
    onStart: (meta: RunMeta) => write({ type: 'meta', ...meta }),
    onStep: (row: TraceRow) => write({ type: 'step', ...row }),
    onEnd: (summary: RunSummary) => {
      try {
        write({ type: 'summary', ...summary });
      } catch {
        // kept in failure()
      }
      close();
    },
  };
}

export interface JsonlContents {
  readonly meta: (RunMeta & { type: 'meta' }) | null;
  readonly rows: TraceRow[];
  readonly summary: (RunSummary & { type: 'summary' }) | null;
  /** True when the last line was incomplete (a crash mid-write) and was skipped. */
  readonly tornLastLine: boolean;
  readonly warnings: string[];
}

/**
 * Parse JSON Lines text into records; a torn (unparseable) last line is skipped
 * and reported, an unparseable line elsewhere throws naming its number. `lines`
 * holds the 1-based line number of each record.
 */
export function parseJsonlLines(text: string, source = 'input'): { records: unknown[]; lines: number[]; torn: boolean; warnings: string[] } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const records: unknown[] = [];
  const numbers: number[] = [];
  const warnings: string[] = [];
  let torn = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
      numbers.push(i + 1);
    } catch {
      if (i === lines.length - 1 && !text.endsWith('\n')) {
        torn = true;
        warnings.push(`${source}: skipped a torn last line ${i + 1} (an interrupted write)`);
      } else {
        throw new JsonlLineError(source, i + 1);
      }
    }
  });
  return { records, lines: numbers, torn, warnings };
}

/** A line of a JSON Lines file that is not JSON (and not a torn last line). */
export class JsonlLineError extends Error {
  constructor(readonly source: string, readonly line: number) {
    super(`${source}: line ${line} is not valid JSON`);
    this.name = 'JsonlLineError';
  }
}

/** Read a run's JSON Lines file. */
export function readJsonl(path: string): JsonlContents {
  const { records, torn, warnings } = parseJsonlLines(readFileSync(path, 'utf8'), path);
  let meta: JsonlContents['meta'] = null;
  let summary: JsonlContents['summary'] = null;
  const rows: TraceRow[] = [];
  for (const r of records as { type?: string }[]) {
    if (r.type === 'meta') meta = r as JsonlContents['meta'];
    else if (r.type === 'summary') summary = r as JsonlContents['summary'];
    else if (r.type === 'step') {
      const { type: _t, ...row } = r as TraceRow & { type: string };
      rows.push(row);
    }
  }
  return { meta, rows, summary, tornLastLine: torn, warnings };
}
