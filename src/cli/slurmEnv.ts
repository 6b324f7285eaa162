/** What the toolkit reads from a Slurm task's environment. */
import { availableParallelism } from 'node:os';

/**
 * Worker threads when `--workers` is not given: `$SLURM_CPUS_PER_TASK` inside a
 * Slurm task (the CPUs the scheduler granted; `availableParallelism()` there
 * counts the whole node unless a task plugin binds the task to its CPUs), else
 * the available parallelism.
 */
export function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const s = env['SLURM_CPUS_PER_TASK'];
  if (s !== undefined && /^\d+$/.test(s.trim()) && Number(s) >= 1) return Number(s);
  return availableParallelism();
}
