/**
 * `adadagrad merge`: merge shards' results by run_id into one directory. Every
 * input record is checked (shape, run_id = hash of its config) and a bad one
 * stops the merge naming its line; shards of different sweep configurations are
 * refused; runs already in OUT/results.jsonl are kept (the merge adds to them).
 */
import { copyFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isJobId } from '../jobs/hash.js';
import type { RunRecord } from './execute.js';
import { CliError, ensureDir, OutputPathError, WriteError, type CliIO } from './io.js';
import { outcomeKey, readResults, recordLine, resultsPath, RESULTS_FILE } from './results.js';

/** Two shards hold different outcomes for one run. */
export class MergeConflictError extends Error {
  constructor(readonly runId: string, readonly sources: readonly [string, string]) {
    super(`run_id ${runId}: conflicting results in ${sources[0]} and ${sources[1]} (different configuration, status, summary or backend)`);
    this.name = 'MergeConflictError';
  }
}

/**
 * Merge results files (directories holding results.jsonl, or .jsonl files) by
 * run_id. Identical duplicates (equal config, status, error, summary apart from
 * wallMs, and backend) collapse to one; a conflicting duplicate throws
 * MergeConflictError; a line that is not a valid record, or inputs from
 * different sweep configurations, throw a CliError (exit 2).
 * Returns the merged records sorted by run_id.
 */
export function mergeRecords(inputs: readonly string[], warn: (w: string) => void = () => {}): { records: RunRecord[]; origin: Map<string, string> } {
  const byId = new Map<string, RunRecord>();
  const origin = new Map<string, string>();
  const sweepOf = new Map<string, string>(); // sweep id → first input holding it
  for (const input of inputs) {
    const file = resultsPath(input);
    if (!existsSync(file)) throw new CliError(`${file}: no such results file`, 2);
    const { records, warnings, invalid } = readResults(file);
    if (invalid.length > 0) {
      throw new CliError(`${file}: line ${invalid[0]!.line} is not a valid run record (${invalid[0]!.reason})${invalid.length > 1 ? `, and ${invalid.length - 1} more line(s)` : ''}; nothing was merged`, 2);
    }
    for (const w of warnings) warn(w);
    for (const r of records) {
      if (r.sweep !== undefined) {
        const first = sweepOf.get(r.sweep);
        if (first === undefined) {
          for (const [other, where] of sweepOf) {
            throw new CliError(`${where} and ${input} come from different sweep configurations (sweep ids ${other} and ${r.sweep}); merge shards of one sweep only`, 2);
          }
          sweepOf.set(r.sweep, input);
        }
      }
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
  if (opts.out.endsWith('.jsonl')) throw new OutputPathError(opts.out, `--out of merge is a directory (it holds ${RESULTS_FILE} and runs/), not a .jsonl file`);
  ensureDir(opts.out);
  const file = join(opts.out, RESULTS_FILE);
  // runs already in OUT are kept: the merge adds to them
  const existing = existsSync(file) && !opts.inputs.some((i) => resolve(resultsPath(i)) === resolve(file));
  const inputs = existing ? [opts.out, ...opts.inputs] : [...opts.inputs];
  const { records, origin } = mergeRecords(inputs, (w) => io.err(`warning: ${w}\n`));
  const before = existing ? readResults(file).records.length : 0;
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, records.map(recordLine).join(''));
    renameSync(tmp, file);
  } catch (e) {
    throw new WriteError(file, (e as NodeJS.ErrnoException).code, `; ${existing ? 'the results already there are unchanged' : 'nothing was merged'}`);
  }
  let copied = 0;
  if (opts.traces) {
    const runsDir = join(opts.out, 'runs');
    ensureDir(runsDir);
    for (const r of records) {
      if (!isJobId(r.run_id)) continue; // never a path: checked on read, and again here
      const src = join(dirname(resultsPath(origin.get(r.run_id)!)), 'runs', `${r.run_id}.jsonl`);
      const dst = join(runsDir, `${r.run_id}.jsonl`);
      if (existsSync(src) && resolve(src) !== resolve(dst)) {
        copyFileSync(src, dst);
        copied++;
      }
    }
  }
  const failed = records.filter((r) => r.status !== 'completed').length;
  const report = { inputs: opts.inputs.length, runs: records.length, kept: before, failed, traces: copied, results: file };
  if (opts.json) io.out(`${JSON.stringify(report)}\n`);
  else io.err(`merged ${opts.inputs.length} input(s)${existing ? ` into the ${before} runs already there` : ''}: ${records.length} runs (${failed} failed) in ${file}${opts.traces ? `, ${copied} traces` : ''}\n`);
  return 0;
}
