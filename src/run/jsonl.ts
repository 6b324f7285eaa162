/** JSON Lines observer and reader: one line per step, a meta line first and a summary line last. */
import { closeSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import type { Observer, RunMeta, RunSummary } from './run.js';
import type { TraceRow } from './trace.js';

/** Non-finite numbers become null in JSON (JSON has no NaN); the run never writes NaN rows. */
function toLine(obj: unknown): string {
  return JSON.stringify(obj, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}

/**
 * An observer appending JSON Lines to `path` (truncated at start): `{type: "meta"}`,
 * then `{type: "step", ...row}` per step, then `{type: "summary", ...}`. Each line
 * is one write, so a crash leaves at most a torn last line, which `readJsonl` skips.
 */
export function jsonlObserver(path: string, opts: { fsyncEvery?: number } = {}): Observer {
  let fd: number | null = null;
  let n = 0;
  const write = (obj: unknown): void => {
    if (fd === null) fd = openSync(path, 'w');
    writeSync(fd, toLine(obj));
    n++;
    if (opts.fsyncEvery !== undefined && n % opts.fsyncEvery === 0) fsyncSync(fd);
  };
  return {
    onStart: (meta: RunMeta) => write({ type: 'meta', ...meta }),
    onStep: (row: TraceRow) => write({ type: 'step', ...row }),
    onEnd: (summary: RunSummary) => {
      write({ type: 'summary', ...summary });
      if (fd !== null) {
        fsyncSync(fd);
        closeSync(fd);
        fd = null;
      }
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

/** Parse JSON Lines text into records; a torn (unparseable) last line is skipped and reported. */
export function parseJsonlLines(text: string, source = 'input'): { records: unknown[]; torn: boolean; warnings: string[] } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const records: unknown[] = [];
  const warnings: string[] = [];
  let torn = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) {
        torn = true;
        warnings.push(`${source}: skipped a torn last line ${i + 1} (an interrupted write)`);
      } else {
        throw new Error(`${source}: line ${i + 1} is not valid JSON`);
      }
    }
  });
  return { records, torn, warnings };
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
