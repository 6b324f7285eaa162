/**
 * The layout of a Slurm output directory and its plan file.
 *
 *   DIR/slurm/plan.json      what was planned (kind, number of tasks, options)
 *   DIR/slurm/config.json    the sweep configuration, copied (tasks read this copy)
 *   DIR/slurm/tasks.sbatch   the array script, one shard per task
 *   DIR/slurm/final.sbatch   the dependent job (merge, or draw the figures)
 *   DIR/slurm/submissions.jsonl  one line per submission (job ids, array range)
 *   DIR/shards/<i>/          shard i's sweep directory (results.jsonl), i = 1 … N
 *   DIR/logs/                the tasks' and the final job's logs
 *   DIR/results.jsonl        the merged results (sweeps); reproduce writes its figures in DIR
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '../experiments/types.js';

/** Resources asked of Slurm for every task (and, except the CPUs, for the final job). */
export interface SlurmResources {
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTask?: number;
  readonly mem?: string;
  readonly account?: string;
}

export interface SlurmPlan {
  readonly version: 1;
  readonly kind: 'sweep' | 'reproduce';
  /** Number of array tasks (= shards). */
  readonly tasks: number;
  /** Job name stem. */
  readonly name: string;
  /** The toolkit command the scripts call. */
  readonly command: readonly string[];
  readonly resources: SlurmResources;
  /** Sweeps: rerun runs recorded as failed; write traces. */
  readonly retryFailed?: boolean;
  readonly traces?: boolean;
  /** Reproductions: the figure selector and the mode. */
  readonly figure?: string;
  readonly mode?: Mode;
}

export const slurmDir = (dir: string): string => join(dir, 'slurm');
export const planPath = (dir: string): string => join(dir, 'slurm', 'plan.json');
export const configCopyPath = (dir: string): string => join(dir, 'slurm', 'config.json');
export const tasksScriptPath = (dir: string): string => join(dir, 'slurm', 'tasks.sbatch');
export const finalScriptPath = (dir: string): string => join(dir, 'slurm', 'final.sbatch');
export const submissionsPath = (dir: string): string => join(dir, 'slurm', 'submissions.jsonl');
export const logsDir = (dir: string): string => join(dir, 'logs');
/** Shard i's directory (1-based). */
export const shardDir = (dir: string, i: number): string => join(dir, 'shards', String(i));

/** A directory that is not a Slurm output directory, or a plan that cannot be read. */
export class SlurmPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmPlanError';
  }
}

/** Read DIR/slurm/plan.json; null when there is none. */
export function readPlan(dir: string): SlurmPlan | null {
  const p = planPath(dir);
  if (!existsSync(p)) return null;
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new SlurmPlanError(`${p}: not valid JSON (${(e as Error).message})`);
  }
  const o = plan as Partial<SlurmPlan> | null;
  if (o === null || typeof o !== 'object' || o.version !== 1 || (o.kind !== 'sweep' && o.kind !== 'reproduce') || !Number.isInteger(o.tasks) || (o.tasks ?? 0) < 1) {
    throw new SlurmPlanError(`${p}: not a plan written by adadagrad slurm (needs version 1, kind sweep|reproduce, tasks ≥ 1)`);
  }
  return o as SlurmPlan;
}
