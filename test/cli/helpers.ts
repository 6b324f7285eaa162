/** Shared pieces of the CLI tests: in-process and child-process invocations, temporary dirs, result comparison. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';
import { memoryIO } from '../../src/cli/io.js';
import { readResults } from '../../src/cli/results.js';
import type { RunRecord } from '../../src/cli/execute.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'src/cli/main.ts');
export const FIXTURE = join(ROOT, 'test/fixtures/sweep-small.json');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI in this process (no process.exit; memory streams). */
export async function cli(...args: string[]): Promise<CliResult> {
  const io = memoryIO();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Start the CLI as a child process (`node --import tsx src/cli/main.ts ...`), the way a user runs it in development. */
export function spawnCli(args: readonly string[]): { child: ChildProcess; done: Promise<CliResult & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((res) => {
    child.on('close', (code, signal) => res({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}

export function tmp(prefix = 'adadagrad-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJson(path: string, v: unknown): string {
  writeFileSync(path, JSON.stringify(v, null, 2));
  return path;
}

/** A fast variant of the example sweep (same grid, shorter runs, two more seeds: 24 runs). */
export function testSweepConfig(): Record<string, unknown> {
  const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { grid: Record<string, unknown> } & Record<string, unknown>;
  return { ...fx, name: 'cli-test', grid: { ...fx.grid, seed: [0, 1, 2, 3] }, budget: { steps: 30 } };
}

/** Records by run_id, each as comparable JSON: the summary without its wall-clock time. */
export function comparable(dirOrFile: string): Map<string, string> {
  const { records } = readResults(dirOrFile.endsWith('.jsonl') ? dirOrFile : join(dirOrFile, 'results.jsonl'));
  return new Map(records.map((r: RunRecord) => [r.run_id, JSON.stringify({ ...r, summary: r.summary === null ? null : { ...r.summary, wallMs: 0 } })]));
}

/** The number of complete lines in a file (0 if missing). */
export function completeLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}
