/** `adadagrad merge`: merge shards' results by run_id into one directory. */
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunRecord } from './execute.js';
import type { CliIO } from './io.js';
import { outcomeKey, readResults, recordLine, resultsPath, RESULTS_FILE } from './results.js';

/** Two shards hold different outcomes for one run. */
export class MergeConflictError extends Error {
  constructor(readonly runId: string, readonly sources: readonly [string, string]) {
    super(`run_id ${runId}: conflicting results in ${sources[0]} and ${sources[1]} (different configuration, status or summary)`);
    this.name = 'MergeConflictError';
  }
}

/**
 * Merge results files (directories holding results.jsonl, or .jsonl files) by
 * run_id. Identical duplicates (equal config, status, error and summary apart from
 * wallMs) collapse to one; a conflicting duplicate throws MergeConflictError.
 * Returns the merged records sorted by run_id.
 */
export function mergeRecords(inputs: readonly string[], warn: (w: string) => void = () => {}): { records: RunRecord[]; origin: Map<string, string> } {
  const byId = new Map<string, RunRecord>();
  const origin = new Map<string, string>();
  for (const input of inputs) {
    const file = resultsPath(input);
    if (!existsSync(file)) throw new Error(`${file}: no such results file`);
    const { records, warnings } = readResults(file);
    for (const w of warnings) warn(w);
    for (const r of records) {
      const prev = byId.get(r.run_id);
      if (prev === undefined) {
        byId.set(r.run_id, r);
        origin.set(r.run_id, input);
      } else if (outcomeKey(prev) !== outcomeKey(r)) {
        throw new MergeConflictError(r.run_id, [origin.get(r.run_id)!, input]);
      }
    }
  }
  const records = [...byId.values()].sort((a, b) => (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
  return { records, origin };
}

export interface MergeOptions {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly traces?: boolean;
  readonly json?: boolean;
}

/** The merge command; writes OUT/results.jsonl atomically (temporary file, then rename). Exit 0, or 2 on a conflict or bad input. */
export async function mergeCommand(opts: MergeOptions, io: CliIO): Promise<number> {
  const { records, origin } = mergeRecords(opts.inputs, (w) => io.err(`warning: ${w}\n`));
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, RESULTS_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, records.map(recordLine).join(''));
  renameSync(tmp, file);
  let copied = 0;
  if (opts.traces) {
    mkdirSync(join(opts.out, 'runs'), { recursive: true });
    for (const r of records) {
      const src = join(dirname(resultsPath(origin.get(r.run_id)!)), 'runs', `${r.run_id}.jsonl`);
      const dst = join(opts.out, 'runs', `${r.run_id}.jsonl`);
      if (existsSync(src) && src !== dst) {
        copyFileSync(src, dst);
        copied++;
      }
    }
  }
  const failed = records.filter((r) => r.status !== 'completed').length;
  const report = { inputs: opts.inputs.length, runs: records.length, failed, traces: copied, results: file };
  if (opts.json) io.out(`${JSON.stringify(report)}\n`);
  else io.err(`merged ${opts.inputs.length} input${opts.inputs.length === 1 ? '' : 's'}: ${records.length} run${records.length === 1 ? '' : 's'} (${failed} failed) into ${file}${opts.traces ? `, ${copied} trace${copied === 1 ? '' : 's'}` : ''}\n`);
  return 0;
}
