/**
 * `adadagrad slurm status DIR`: per shard, how many runs are done (completed),
 * failed (recorded as diverged or error, with their messages) and missing (no
 * result yet: a task that has not run, was killed, preempted or ran out of
 * time). Read from the files alone, so it works on a login node without Slurm.
 * Exit code 0 when no run is missing (in the shards asked about), 1 otherwise,
 * 2 when DIR is not a Slurm output directory.
 */
import { existsSync } from 'node:fs';
import { parseSweepConfig, shardOf } from './config.js';
import type { CliIO } from './io.js';
import { readResults, resultsPath } from './results.js';
import { cachedOutput, reproductionJobs, reproductionShard } from './slurmReproduceShards.js';
import { configCopyPath, readPlan, shardDir, SlurmPlanError, type SlurmPlan } from './slurmPlan.js';
import { readJsonFile } from './sweep.js';

export interface FailedRun {
  readonly run_id: string;
  readonly label: string;
  readonly status: string;
  readonly message: string;
}

export interface ShardStatus {
  /** 1-based shard index. */
  readonly shard: number;
  readonly runs: number;
  readonly done: number;
  readonly failed: readonly FailedRun[];
  /** Run ids without a result. */
  readonly missing: readonly string[];
}

export interface SlurmStatus {
  readonly dir: string;
  readonly kind: SlurmPlan['kind'];
  readonly tasks: number;
  readonly runs: number;
  readonly shards: readonly ShardStatus[];
  /** Sweeps: runs of the plan in DIR/results.jsonl (the merge); reproductions: whether DIR/index.html exists. */
  readonly merged: number | null;
  readonly figures: boolean | null;
}

/** Status of the sweep's shards (or only shard `only`). */
function sweepShards(dir: string, plan: SlurmPlan, shards: readonly number[]): { total: number; list: ShardStatus[]; merged: number } {
  const { runs } = parseSweepConfig(readJsonFile(configCopyPath(dir)), configCopyPath(dir));
  const list = shards.map((i): ShardStatus => {
    const mine = shardOf(runs, { index: i, count: plan.tasks });
    const file = resultsPath(shardDir(dir, i));
    const latest = new Map(readResults(file).records.map((r) => [r.run_id, r]));
    const failed: FailedRun[] = [];
    const missing: string[] = [];
    let done = 0;
    for (const r of mine) {
      const rec = latest.get(r.runId);
      if (rec === undefined) missing.push(r.runId);
      else if (rec.status === 'completed') done++;
      else failed.push({ run_id: r.runId, label: `${r.config.problem} ${r.config.variant ?? `${r.config.optimizer}/${r.config.controller}`} seed=${r.config.seed}`, status: rec.status, message: rec.error ?? rec.summary?.message ?? rec.status });
    }
    return { shard: i, runs: mine.length, done, failed, missing };
  });
  const mergedFile = resultsPath(dir);
  const ids = new Set(runs.map((r) => r.runId));
  const merged = existsSync(mergedFile) ? readResults(mergedFile).records.filter((r) => ids.has(r.run_id)).length : 0;
  return { total: runs.length, list, merged };
}

/** Status of the reproduction's shards: a run is done when its output is in DIR/runs/. */
function reproduceShards(dir: string, plan: SlurmPlan, shards: readonly number[]): { total: number; list: ShardStatus[] } {
  const all = reproductionJobs(plan.figure, plan.mode ?? 'default');
  const list = shards.map((i): ShardStatus => {
    const failed: FailedRun[] = [];
    const missing: string[] = [];
    let done = 0;
    const mine = reproductionShard(all, i, plan.tasks);
    for (const { id, job } of mine) {
      const out = cachedOutput(dir, job);
      if (out === null) missing.push(id);
      else if (out.status === 'completed') done++;
      else failed.push({ run_id: id, label: job.label, status: out.status, message: out.message });
    }
    return { shard: i, runs: mine.length, done, failed, missing };
  });
  return { total: all.length, list };
}

/** The status of DIR (every shard, or only `only`). */
export function slurmStatus(dir: string, only?: number): SlurmStatus {
  const plan = readPlan(dir);
  if (plan === null) throw new SlurmPlanError(`${dir}: no slurm/plan.json here; write one with adadagrad slurm sweep (or reproduce) --out ${dir}`);
  if (only !== undefined && !(Number.isInteger(only) && only >= 1 && only <= plan.tasks)) {
    throw new SlurmPlanError(`--shard: expected an integer from 1 to ${plan.tasks}, got ${only}`);
  }
  const shards = only !== undefined ? [only] : Array.from({ length: plan.tasks }, (_, k) => k + 1);
  if (plan.kind === 'sweep') {
    const s = sweepShards(dir, plan, shards);
    return { dir, kind: plan.kind, tasks: plan.tasks, runs: s.total, shards: s.list, merged: s.merged, figures: null };
  }
  const s = reproduceShards(dir, plan, shards);
  return { dir, kind: plan.kind, tasks: plan.tasks, runs: s.total, shards: s.list, merged: null, figures: existsSync(`${dir}/index.html`) };
}

/** Shards with missing runs (those a resubmission runs again). */
export function incompleteShards(st: SlurmStatus): number[] {
  return st.shards.filter((s) => s.missing.length > 0).map((s) => s.shard);
}

export interface StatusOptions {
  readonly dir: string;
  readonly shard?: number;
  readonly json?: boolean;
}

/** The status command. */
export async function slurmStatusCommand(opts: StatusOptions, io: CliIO): Promise<number> {
  const st = slurmStatus(opts.dir, opts.shard);
  const missing = st.shards.reduce((a, s) => a + s.missing.length, 0);
  if (opts.json) io.out(`${JSON.stringify(st)}\n`);
  else {
    const lines: string[] = [`${st.kind} in ${st.dir}: ${st.runs} runs in ${st.tasks} shard${st.tasks === 1 ? '' : 's'}`];
    for (const s of st.shards) {
      lines.push(`shard ${s.shard}/${st.tasks}: ${s.runs} runs, ${s.done} done, ${s.failed.length} failed, ${s.missing.length} missing`);
      for (const f of s.failed) lines.push(`  failed ${f.run_id} (${f.label}): ${f.status}: ${f.message}`);
    }
    if (opts.shard === undefined) {
      if (st.merged !== null) lines.push(`merged: ${st.merged} of ${st.runs} runs in ${resultsPath(st.dir)}`);
      if (st.figures !== null) lines.push(`figures: ${st.figures ? `drawn (${st.dir}/index.html)` : 'not drawn yet'}`);
      const inc = incompleteShards(st);
      if (inc.length > 0) lines.push(`incomplete shards: ${inc.join(', ')}; submit again (adadagrad slurm ${st.kind} ... --submit) to run only their missing runs`);
    }
    io.out(`${lines.join('\n')}\n`);
  }
  return missing > 0 ? 1 : 0;
}
